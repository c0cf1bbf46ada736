from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce, RowNumber
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from sessions.paths import page_url

from .base import RenderedMarkdownModel
from .meetings import OnSession, StudySession


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            # Tags are shared across journals; one row per name.
            models.UniqueConstraint(fields=["name"], name="study_tag_name_unique"),
        ]

    def __str__(self):
        return self.name


class Visibility(models.TextChoices):
    """Who reads a journal entry. Session reflections are always shared."""

    PRIVATE = "private", _("Only me")
    MEMBERS = "members", _("Shared with members")


class ReflectionQuerySet(models.QuerySet):
    def on_sessions(self):
        return self.filter(kind=Reflection.Kind.SESSION)

    def journals(self):
        return self.filter(kind=Reflection.Kind.JOURNAL)

    def shared(self):
        """What every member may read: all but private journal entries."""
        return self.filter(visibility=Visibility.MEMBERS)

    def private(self):
        """Private journal entries (only journal entries can be private)."""
        return self.filter(visibility=Visibility.PRIVATE)

    def visible_to(self, member):
        """What `member` may read: the shared rows and their own private
        entries (only the shared ones when `member` is None or anonymous)."""
        if member is None or member.pk is None:
            return self.shared()
        return self.filter(models.Q(visibility=Visibility.MEMBERS) | models.Q(author=member))

    def latest_of_each_kind(self, count):
        """The latest `count` session reflections and the latest `count`
        journal entries, in one query (a profile's two sections): each
        numbered within its kind, newest first (a reflection by its
        session's day, an entry by its own), and kept while its number is
        at most `count`."""
        return (
            self.select_related("session__season")
            .annotate(
                place=models.Window(
                    RowNumber(),
                    partition_by=[models.F("kind")],
                    order_by=[
                        Coalesce("session__date", "date").desc(nulls_last=True),
                        models.F("session__number").desc(nulls_last=True),
                        models.F("pk").desc(),
                    ],
                )
            )
            .filter(place__lte=count)
            .order_by("place")
        )


class Reflection(OnSession, RenderedMarkdownModel):
    """A member's writing: their reflection (소감) on a session, or a journal
    entry (on no session's page)."""

    class Kind(models.TextChoices):
        SESSION = "session", _("Session reflection")
        JOURNAL = "journal", _("Journal entry")

    # Defined beside the model: a member's default for new entries uses it too.
    Visibility = Visibility

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SESSION)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reflections",
        verbose_name=_("author"),
    )
    session = models.ForeignKey(
        StudySession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reflections",
        verbose_name=_("session"),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    tags = models.ManyToManyField(
        Tag, blank=True, related_name="reflections", verbose_name=_("tags")
    )
    body = MarkdownxField(_("text"))
    body_html = models.TextField(editable=False, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReflectionQuerySet.as_manager()

    markdown_fields = {"body": "body_html"}

    class Meta:
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        ordering = ["-date", "-created_at"]
        constraints = [
            # One reflection (소감) per member per session.
            models.UniqueConstraint(
                fields=["author", "session"],
                condition=models.Q(kind="session"),
                name="study_reflection_one_per_session",
            ),
            # A session reflection belongs to a session; a journal entry to none,
            # and it has a title. Its date may be unknown: old journals do not
            # always say when they were written.
            models.CheckConstraint(
                condition=(
                    models.Q(kind="session", session__isnull=False)
                    | (models.Q(kind="journal", session__isnull=True) & ~models.Q(title=""))
                ),
                name="study_reflection_kind_shape",
            ),
            # Only a journal entry can be private: a reflection on a session
            # is part of the session's record, which every member reads.
            models.CheckConstraint(
                condition=models.Q(kind="journal") | models.Q(visibility="members"),
                name="study_reflection_session_shared",
            ),
        ]
        indexes = [
            # Journal lists: one member's entries, newest first.
            models.Index(fields=["author", "kind", "-date"], name="study_reflection_author_idx"),
            # The home page's recent activity: the latest session reflections.
            models.Index(fields=["kind", "created_at"], name="study_reflection_recent_idx"),
            # Who has private journal entries (the search page asks, again
            # after every write to the reflections): from the index alone,
            # not a scan of every entry.
            models.Index(fields=["visibility", "author"], name="study_reflection_private_idx"),
        ]

    def __str__(self):
        if self.kind == self.Kind.JOURNAL:
            return self.title
        return _("%(author)s on %(session)s") % {
            "author": self.author,
            "session": self.session.full_name,
        }

    @property
    def is_private(self):
        return self.visibility == Visibility.PRIVATE

    def get_absolute_url(self):
        if self.kind == self.Kind.JOURNAL:
            return page_url("study:journal-detail", self.pk)
        return f"{self.session.get_absolute_url()}#reflection-{self.pk}"
