# The app's date formats in Korean, one per kind (see sessions/templatetags/study_format.py):
# a date, and a date with a time; zero-padded. The others are Django's.
DATE_FORMAT = "Y. m. d."
SHORT_DATE_FORMAT = "Y. m. d."
DATETIME_FORMAT = "Y. m. d. H:i"
SHORT_DATETIME_FORMAT = "Y. m. d. H:i"
TIME_FORMAT = "H:i"
