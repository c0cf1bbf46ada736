from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportedFile(models.Model):
    """A legacy markdown file that was imported, so a re-import is recognised."""

    path = models.CharField(_("path"), max_length=1000)
    checksum = models.CharField(_("SHA-256"), max_length=64)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    session = models.ForeignKey(
        "study.StudySession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imported_files",
        verbose_name=_("session"),
    )
    journal = models.ForeignKey(
        "study.Reflection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imported_files",
        verbose_name=_("journal entry"),
    )
    created = models.JSONField(_("created"), default=dict, blank=True)

    class Meta:
        verbose_name = _("imported file")
        verbose_name_plural = _("imported files")
        ordering = ["-imported_at"]
        constraints = [
            # A file path is recorded once; importing it again updates the record.
            models.UniqueConstraint(fields=["path"], name="study_importedfile_path_unique"),
        ]

    def __str__(self):
        return self.path
