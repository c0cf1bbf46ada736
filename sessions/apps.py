from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudyConfig(AppConfig):
    """The domain app.

    The directory is `sessions/`, but the label is `study`: `sessions` is taken
    by `django.contrib.sessions`, which login needs.
    """

    name = "sessions"
    label = "study"
    verbose_name = _("Study group")
    default_auto_field = "django.db.models.BigAutoField"
