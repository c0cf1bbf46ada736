from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models, transaction
from django.db.models import Prefetch
from django.db.models.functions import DenseRank
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from sessions.markdown import MAX_SHORT_TEXT
from sessions.paths import page_url

from .base import MEMBER_LABEL_FIELDS, RenderedMarkdownModel, fields_of
from .content import SessionRow
from .meetings import StudySession, session_and_season_of
from .members import label_of
from .papers import Paper


class PresentationQuerySet(models.QuerySet):
    def with_presenters(self):
        """Prefetch the presenters in order, each member with what names and
        links them (one query): `presenter_links`, `ordered_presenters()`,
        `can_edit()`."""
        return self.prefetch_related(presenters_prefetch())

    def with_papers(self):
        """Prefetch the papers in their order (one query): `ordered_papers()`."""
        return self.prefetch_related(paper_links_prefetch())

    def with_people(self):
        """Prefetch presenters (in order) and papers, for lists of talks."""
        return self.select_related("session").with_presenters().with_papers()

    def for_session_page(self):
        """A session's talks in order as its page shows them: presenters,
        papers, the number of questions, and no markdown source (three
        queries)."""
        return (
            self.defer("summary", "created_by", "created_at", "updated_at")
            .annotate(question_count=models.Count("questions"))
            .with_presenters()
            .with_papers()
            .order_by("order", "pk")
        )


def presenters_prefetch():
    """Prefetch a talk's presenters in order, each member loaded with
    MEMBER_LABEL_FIELDS only (one query)."""
    return Prefetch(
        "presenter_links",
        queryset=PresentationPresenter.objects.select_related("member")
        .only("presentation_id", "order", *fields_of("member", MEMBER_LABEL_FIELDS))
        .order_by("order"),
    )


def paper_links_prefetch():
    """Prefetch a talk's papers in their order, for `Presentation.ordered_papers()` (one query)."""
    return Prefetch(
        "paper_links",
        queryset=PresentationPaper.objects.select_related("paper")
        .only(
            "presentation_id",
            "order",
            "paper__title",
            "paper__url",
            "paper__arxiv_id",
            "paper__doi",
        )
        .order_by("order", "pk"),
    )


class Presentation(RenderedMarkdownModel):
    """A talk given at a session by one or more members."""

    session = models.ForeignKey(
        StudySession,
        on_delete=models.CASCADE,
        related_name="presentations",
        verbose_name=_("session"),
    )
    topic = models.CharField(_("topic"), max_length=200)
    presenters = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="PresentationPresenter",
        related_name="presentations",
        verbose_name=_("presenters"),
    )
    papers = models.ManyToManyField(
        Paper,
        through="PresentationPaper",
        related_name="presentations",
        blank=True,
        verbose_name=_("papers"),
    )
    summary = MarkdownxField(_("summary"), blank=True)
    summary_html = models.TextField(editable=False, blank=True)
    slides = models.FileField(
        _("slides"),
        upload_to="slides/%Y/",
        blank=True,
        validators=[FileExtensionValidator(["pdf", "pptx"])],
    )
    slides_url = models.URLField(_("slides link"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PresentationQuerySet.as_manager()

    markdown_fields = {"summary": "summary_html"}

    class Meta:
        verbose_name = _("talk")
        verbose_name_plural = _("talks")
        ordering = ["session__number", "order", "pk"]
        constraints = [
            # A session has one talk per topic; the importer finds talks by it.
            models.UniqueConstraint(
                fields=["session", "topic"], name="study_presentation_session_topic_unique"
            ),
        ]
        indexes = [
            # The home page's recent activity: the latest talks, without
            # sorting every talk of the group's history.
            models.Index(fields=["created_at"], name="study_talk_created_idx"),
        ]

    def __str__(self):
        return self.topic

    def get_absolute_url(self):
        return page_url("study:talk-detail", self.pk)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The slides file as stored, so that a save can tell it was replaced.
        instance._stored_slides = dict(zip(field_names, values)).get("slides")
        return instance

    def save(self, *args, **kwargs):
        """Save; slides replaced or cleared leave the storage when the save
        commits, whoever saved (a form, the admin)."""
        super().save(*args, **kwargs)
        stored = getattr(self, "_stored_slides", None)
        if stored and stored != self.slides.name:
            self.discard_slides_file(stored)
        self._stored_slides = self.slides.name

    @classmethod
    def discard_slides_file(cls, name):
        """Delete the stored slides file `name` once the current transaction
        commits (nothing happens if it rolls back), unless a talk still
        points at it."""
        if not name:
            return
        storage = cls._meta.get_field("slides").storage

        def delete():
            if not cls.objects.filter(slides=name).exists():
                storage.delete(name)

        transaction.on_commit(delete)

    def ordered_presenters(self):
        """The presenters in their order; uses the `with_people()` prefetch when present."""
        return [link.member for link in self.presenter_links.all()]

    @transaction.atomic
    def set_presenters(self, members):
        """Replace the presenters (a relation) with `members`, in that order."""
        self.presenter_links.all().delete()
        PresentationPresenter.objects.bulk_create(
            PresentationPresenter(presentation=self, member=member, order=index)
            for index, member in enumerate(dict.fromkeys(members))
        )

    def ordered_papers(self):
        """The papers in the order the presenter listed them; uses the `with_people()` prefetch when present."""
        return [link.paper for link in self.paper_links.all()]

    @transaction.atomic
    def set_papers(self, papers):
        """Replace the papers (a relation) with `papers`, in that order (a repeat counts once)."""
        self.paper_links.all().delete()
        PresentationPaper.objects.bulk_create(
            PresentationPaper(presentation=self, paper=paper, order=index)
            for index, paper in enumerate(dict.fromkeys(papers))
        )

    @transaction.atomic
    def add_question(self, question):
        """Save `question` as the last of this talk's questions.

        The talk's row is locked first (on PostgreSQL; SQLite runs one writer
        at a time), so questions posted at the same moment queue for the
        next position instead of taking the same one. After a deletion the
        positions have a gap, never a repeat.
        """
        list(Presentation.objects.select_for_update().filter(pk=self.pk).values_list("pk"))
        highest = self.questions.aggregate(highest=models.Max("position"))["highest"]
        question.presentation = self
        question.position = 0 if highest is None else highest + 1
        question.save()
        return question

    def can_edit(self, user):
        """Presenters and organizers may edit a talk.

        Reads the presenters relation: from the `with_people()` prefetch when
        present, else with one query.
        """
        if not user.is_authenticated:
            return False
        return user.is_organizer or any(
            link.member_id == user.pk for link in self.presenter_links.all()
        )


def discard_slides_of_deleted_talk(sender, instance, **kwargs):
    """`post_delete` receiver: a deleted talk's slides leave the storage
    when the deletion commits, however it was deleted (its page, the admin,
    its session's deletion)."""
    sender.discard_slides_file(instance.slides.name)


class PresentationPresenter(models.Model):
    """A presenter of a talk, with their place in the list of presenters."""

    presentation = models.ForeignKey(
        Presentation, on_delete=models.CASCADE, related_name="presenter_links"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presenter_links"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("presenter")
        verbose_name_plural = _("presenters")
        ordering = ["presentation", "order"]
        constraints = [
            # A member presents a talk once; the order says who comes first.
            models.UniqueConstraint(
                fields=["presentation", "member"], name="study_presenter_once_per_talk"
            ),
        ]

    def __str__(self):
        return f"{self.member} – {self.presentation}"


class PresentationPaper(models.Model):
    """A paper a talk discusses, with its place in the talk's list of papers."""

    presentation = models.ForeignKey(
        Presentation, on_delete=models.CASCADE, related_name="paper_links"
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="talk_links")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        # The table the relation had before it had an order.
        db_table = "study_presentation_papers"
        verbose_name = _("paper of a talk")
        verbose_name_plural = _("papers of talks")
        ordering = ["presentation", "order", "pk"]
        constraints = [
            # A talk lists a paper once; the order says which comes first.
            models.UniqueConstraint(
                fields=["presentation", "paper"], name="study_paper_once_per_talk"
            ),
        ]

    def __str__(self):
        return f"{self.paper} – {self.presentation}"


class Person:
    """A member named on a page, by their label only (see `label_of`)."""

    __slots__ = ("pk", "label")

    def __init__(self, pk, display_name, emoji):
        self.pk = pk
        self.label = label_of(display_name, emoji)


def person_or_none(pk, display_name, emoji):
    """The `Person` of a nullable member column: None where it is empty."""
    return None if pk is None else Person(pk, display_name, emoji)


class QuestionRow:
    """A question as the session and talk pages show it (`display_rows()`):
    asker and addressee (`Person` or None), its HTML and state, and its
    `answers` (`AnswerRow`s, oldest first)."""

    __slots__ = (
        "pk",
        "presentation_id",
        "asked_by_id",
        "asked_by",
        "addressed_to_id",
        "addressed_to",
        "body_html",
        "edited_at",
        "closed_at",
        "answers",
        "mine",
        "can_answer",
    )
    FIELDS = (
        "pk",
        "presentation_id",
        "asked_by_id",
        "asked_by__display_name",
        "asked_by__emoji",
        "addressed_to_id",
        "addressed_to__display_name",
        "addressed_to__emoji",
        "body_html",
        "edited_at",
        "closed_at",
    )

    def __init__(self, row):
        (
            self.pk,
            self.presentation_id,
            self.asked_by_id,
            asker_name,
            asker_emoji,
            self.addressed_to_id,
            addressee_name,
            addressee_emoji,
            self.body_html,
            self.edited_at,
            self.closed_at,
        ) = row
        self.asked_by = person_or_none(self.asked_by_id, asker_name, asker_emoji)
        self.addressed_to = person_or_none(self.addressed_to_id, addressee_name, addressee_emoji)
        self.answers = []
        self.mine = False
        self.can_answer = True


class AnswerRow:
    """An answer as the session and talk pages show it."""

    __slots__ = ("pk", "author_id", "author", "body_html", "edited_at", "is_by_presenter", "mine")
    FIELDS = (
        "pk",
        "question_id",
        "author_id",
        "author__display_name",
        "author__emoji",
        "body_html",
        "edited_at",
    )

    # The same, seen from the question (`first_rows_of_each_talk`).
    JOINED_FIELDS = (
        "answers__pk",
        "answers__author",
        "answers__author__display_name",
        "answers__author__emoji",
        "answers__body_html",
        "answers__edited_at",
    )

    def __init__(self, row, question):
        (
            self.pk,
            _question_id,
            self.author_id,
            author_name,
            author_emoji,
            self.body_html,
            self.edited_at,
        ) = row
        self.author = person_or_none(self.author_id, author_name, author_emoji)
        # As Answer.is_by_presenter: written by the member it was addressed to.
        self.is_by_presenter = (
            self.author_id is not None and self.author_id == question.addressed_to_id
        )
        self.mine = False


class QuestionQuerySet(models.QuerySet):
    def display_rows(self):
        """The questions as the session and talk pages show them, in this
        queryset's order: `QuestionRow`s with their answers (two queries).
        Plain rows, not model instances: a page shows a hundred questions
        and their answers, of which it prints a few fields."""
        questions = [QuestionRow(row) for row in self.values_list(*QuestionRow.FIELDS)]
        if questions:
            by_pk = {question.pk: question for question in questions}
            answers = (
                Answer.objects.filter(question__in=list(by_pk))
                .order_by("question", "created_at", "pk")
                .values_list(*AnswerRow.FIELDS)
            )
            for row in answers:
                question = by_pk[row[1]]
                question.answers.append(AnswerRow(row, question))
        return questions

    def first_rows_of_each_talk(self, count):
        """The first `count` questions of each talk (by position), talk by
        talk, as `display_rows()` gives them (`QuestionRow`s with their
        answers), in one query: the questions joined to their answers,
        ranked with DENSE_RANK so that a question's answers share its place."""
        rows = (
            self.annotate(
                place=models.Window(
                    DenseRank(),
                    partition_by=[models.F("presentation_id")],
                    order_by=[models.F("position").asc(), models.F("pk").asc()],
                )
            )
            .filter(place__lte=count)
            .order_by("presentation_id", "position", "pk", "answers__created_at", "answers__pk")
            .values_list(*QuestionRow.FIELDS, *AnswerRow.JOINED_FIELDS)
        )
        questions = []
        width = len(QuestionRow.FIELDS)
        for row in rows:
            if not questions or questions[-1].pk != row[0]:
                questions.append(QuestionRow(row[:width]))
            answer = row[width:]
            if answer[0] is not None:
                question = questions[-1]
                question.answers.append(AnswerRow((answer[0], question.pk, *answer[1:]), question))
        return questions

    def unanswered(self):
        """Questions with no answer. An anti-join (NOT EXISTS) rather than a
        left join filtered on NULL: PostgreSQL estimates it well, where the
        join made it expect one row and loop over every member per question
        (the session page's carried-over questions took 170 ms at the large
        scale, 5 ms this way)."""
        return self.filter(~models.Exists(Answer.objects.filter(question=models.OuterRef("pk"))))

    def open(self):
        """Unanswered and not closed without an answer: what still waits."""
        return self.unanswered().filter(closed_at__isnull=True)

    def addressed_to(self, member):
        return self.filter(addressed_to=member)


class Question(SessionRow, RenderedMarkdownModel):
    """A question a presenter received about their talk."""

    # Shown on its talk's session page; deleting it deletes its answers.
    placed_by = "presentation"
    bucket_tables = ("study_answer",)

    presentation = models.ForeignKey(
        Presentation, on_delete=models.CASCADE, related_name="questions", verbose_name=_("talk")
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions_asked",
        verbose_name=_("asked by"),
        help_text=_("Unknown for questions imported from old notes."),
    )
    addressed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="questions_received",
        verbose_name=_("addressed to"),
    )
    body = MarkdownxField(_("question"))
    body_html = models.TextField(editable=False, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Closed without an answer ("답변 없이 닫기"): it stops following the group.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    # Set when the text changes after the question was answered.
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Earlier versions, shown once the question was edited after an answer.
    history = HistoricalRecords(excluded_fields=["closed_at", "closed_by", "position"])

    objects = QuestionQuerySet.as_manager()

    markdown_fields = {"body": "body_html"}
    markdown_max_length = MAX_SHORT_TEXT

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["presentation", "position", "pk"]
        constraints = [
            # Each place in a talk's list of questions holds one question:
            # two questions posted at once never share a number
            # (`Presentation.add_question` hands out the next free one).
            models.UniqueConstraint(
                fields=["presentation", "position"], name="study_question_position_unique"
            ),
        ]
        indexes = [
            # "Questions addressed to me" on the home page and profiles.
            models.Index(fields=["addressed_to", "created_at"], name="study_question_to_idx"),
            # The home page's recent activity: the latest questions, without
            # sorting every question of the group's history.
            models.Index(fields=["created_at"], name="study_question_created_idx"),
        ]

    def __str__(self):
        return self.body[:60]

    def get_absolute_url(self):
        return f"{self.presentation.get_absolute_url()}#question-{self.pk}"

    def session_of_place(self, place):
        talk = self._state.fields_cache.get("presentation")
        if talk is not None and talk.pk == place:
            return session_and_season_of(talk, talk.session_id)
        return (
            Presentation.objects.filter(pk=place)
            .values_list("session_id", "session__season_id")
            .first()
        )

    def can_close(self, user):
        """The member it is addressed to and the season's organizers may
        close it without an answer."""
        return user.pk == self.addressed_to_id or self.presentation.session.season.can_manage(user)

    def close(self, user):
        self.closed_at = timezone.now()
        self.closed_by = user
        self.save(update_fields=["closed_at", "closed_by", "updated_at"])


class Answer(SessionRow, RenderedMarkdownModel):
    """An answer to a question; usually by the presenter it was addressed to."""

    placed_by = "question"

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="answers",
        verbose_name=_("author"),
    )
    body = MarkdownxField(_("answer"))
    body_html = models.TextField(editable=False, blank=True)
    # Set when the text changes after it was posted.
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Earlier versions, shown once the answer was edited.
    history = HistoricalRecords()

    markdown_fields = {"body": "body_html"}
    markdown_max_length = MAX_SHORT_TEXT

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["question", "created_at", "pk"]
        indexes = [
            # The home page's recent activity: the latest answers, without
            # sorting every answer of the group's history.
            models.Index(fields=["created_at"], name="study_answer_created_idx"),
        ]

    def __str__(self):
        return self.body[:60]

    def get_absolute_url(self):
        return f"{self.question.presentation.get_absolute_url()}#answer-{self.pk}"

    def session_of_place(self, place):
        question = self._state.fields_cache.get("question")
        if question is not None and question.pk == place:
            return question.session_of_place(question.presentation_id)
        return (
            Question.objects.filter(pk=place)
            .values_list("presentation__session_id", "presentation__session__season_id")
            .first()
        )

    @property
    def is_by_presenter(self):
        """True when the member the question was addressed to wrote it."""
        return self.author_id is not None and self.author_id == self.question.addressed_to_id
