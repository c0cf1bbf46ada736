# The app's date formats in English, one per kind (see sessions/templatetags/study_format.py):
# a date, and a date with a time; zero-padded. The others are Django's.
DATE_FORMAT = "d M Y"
SHORT_DATE_FORMAT = "d M Y"
DATETIME_FORMAT = "d M Y, H:i"
SHORT_DATETIME_FORMAT = "d M Y, H:i"
TIME_FORMAT = "H:i"
