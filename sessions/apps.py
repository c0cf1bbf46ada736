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

    def ready(self):
        from django.db import connections
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_delete, post_migrate, pre_migrate

        from sessions.fragments import install_query_watcher, pause_versions, resume_versions
        from sessions.models.talks import Presentation, discard_slides_of_deleted_talk

        connection_created.connect(install_query_watcher)
        pre_migrate.connect(pause_versions, sender=self)
        post_migrate.connect(resume_versions, sender=self)
        post_delete.connect(discard_slides_of_deleted_talk, sender=Presentation)
        # Connections opened before the app was ready (rare) are watched too.
        for connection in connections.all(initialized_only=True):
            install_query_watcher(sender=None, connection=connection)
