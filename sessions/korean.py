"""Messages of Django and of django-axes that the app shows, listed for our
Korean catalog.

Django's Korean catalogs write particles for either ending of the word
before them ("이름은/는", "%(username)s와/과"). Our catalog takes precedence
over Django's, so listing the messages here (for `makemessages`) lets it
carry Korean that reads naturally: each translation is phrased so that no
particle follows a value of unknown ending.
"""

from django.utils.translation import gettext_noop

DJANGO_MESSAGES = [
    # Model and form validation (django/core, django/forms).
    gettext_noop("%(model_name)s with this %(field_label)s already exists."),
    gettext_noop("%(model_name)s with this %(field_labels)s already exists."),
    gettext_noop("Constraint “%(name)s” is violated."),
    gettext_noop("Value %(value)r is not a valid choice."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("“%(pk)s” is not a valid value."),
    # Logging in (django/contrib/auth).
    gettext_noop(
        "Please enter a correct %(username)s and password. Note that both fields may be case-sensitive."
    ),
    # The admin's everyday messages (django/contrib/admin).
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("Successfully deleted %(count)d %(items)s."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
    gettext_noop(" By %(filter_title)s "),
    # django-axes has no Korean catalog: its names in the admin.
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("Access Attempt"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
]
