import logging
import re
import zipfile
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from markdownx.widgets import MarkdownxWidget

from sessions.models import Answer, Member, Paper, Presentation, Question, parse_paper_link
from sessions.models.base import keep_stored_version

from .concurrency import EditConflictMixin

# "[title](url)", as the legacy notes and most markdown write a paper.
_MARKDOWN_LINK = re.compile(r"^\[(?P<title>.+)\]\((?P<link>[^()\s]+)\)$")
# A list marker in front of a line pasted from notes: "- ", "* ", "1. ".
_LIST_MARKER = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
_http_url = URLValidator(schemes=["http", "https"])

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaperLine:
    """One line of the papers box: a link and, maybe, a title."""

    number: int
    link: str
    title: str


def parse_paper_lines(text):
    """Read the papers box: one paper a line, as `url`, `title | url` or `[title](url)`.

    Blank lines are skipped. Raises ValidationError naming every bad line.
    """
    lines, errors = [], []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = _LIST_MARKER.sub("", raw.strip()).strip()
        if not line:
            continue
        match = _MARKDOWN_LINK.match(line)
        if match:
            title, link = match.group("title").strip(), match.group("link").strip()
        elif "|" in line:
            title, _sep, link = (part.strip() for part in line.rpartition("|"))
        else:
            title, link = "", line
        try:
            parsed = parse_paper_link(link)
            if not (parsed.arxiv_id or parsed.doi):
                _http_url(link)
        except (ValueError, ValidationError):
            errors.append(
                ValidationError(
                    _(
                        "Line %(number)s: “%(link)s” is not a link (http://…, https://… or an arXiv id)."
                    ),
                    code="invalid_link",
                    params={"number": number, "link": link},
                )
            )
            continue
        if len(parsed.url) > Paper._meta.get_field("url").max_length or len(title) > 500:
            errors.append(
                ValidationError(
                    _("Line %(number)s is too long."), code="too_long", params={"number": number}
                )
            )
            continue
        lines.append(PaperLine(number=number, link=link, title=title))
    if errors:
        raise ValidationError(errors)
    return lines


def slides_kind(upload):
    """ "pdf" or "pptx" when the file's content is one, else None (reads the file)."""
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return "pdf"
    try:
        if zipfile.is_zipfile(upload):
            upload.seek(0)
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
            if "[Content_Types].xml" in names and any(name.startswith("ppt/") for name in names):
                return "pptx"
    except (zipfile.BadZipFile, OSError):
        pass
    finally:
        upload.seek(0)
    return None


class MemberChoiceMixin:
    """Members are shown as the group knows them: name and emoji."""

    def label_from_instance(self, obj):
        return obj.label


class MemberMultipleChoiceField(MemberChoiceMixin, forms.ModelMultipleChoiceField):
    pass


class MemberChoiceField(MemberChoiceMixin, forms.ModelChoiceField):
    pass


class FilterableCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes for choosing members, with a box above them that keeps
    only the names matching what is typed (static/js/choice-filter.js;
    without JavaScript the box stays hidden and every name shows). Checked
    names always show."""

    template_name = "study/widgets/filterable_checkboxes.html"

    class Media:
        js = ["js/choice-filter.js"]


class PresentationForm(EditConflictMixin, forms.ModelForm):
    """A talk: topic, presenters, papers (as links), slides and summary."""

    # Two people posting the same topic at once (clean_topic reports it).
    race_constraints = {"study_presentation_session_topic_unique"}

    presenters = MemberMultipleChoiceField(
        queryset=Member.objects.filter(is_active=True).order_by("display_name"),
        widget=FilterableCheckboxes(attrs={"class": "member-choices"}),
        label=_("Presenters"),
        help_text=_("Everyone who gives this talk."),
    )
    paper_links = forms.CharField(
        label=_("Papers"),
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "class": "plain-textarea",
                "placeholder": "Attention Is All You Need | https://arxiv.org/abs/1706.03762",
            }
        ),
        help_text=_(
            "One paper a line: a link, “title | link” or [title](link). "
            "A paper the group has not read before needs its title."
        ),
    )

    field_order = ["topic", "presenters", "paper_links", "slides", "slides_url", "summary"]

    class Meta:
        model = Presentation
        fields = ["topic", "slides", "slides_url", "summary"]
        widgets = {"summary": MarkdownxWidget()}
        help_texts = {
            "slides": _("PDF or PowerPoint (.pptx)."),
            "slides_url": _("Or a link to the slides (Google Slides, Speaker Deck…)."),
            "summary": _("Markdown, with $math$."),
        }

    def __init__(self, *args, session, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.user = user
        self.fields["slides"].help_text = _("PDF or PowerPoint (.pptx), up to %(limit)s.") % {
            "limit": filesizeformat(settings.SLIDES_MAX_BYTES)
        }
        if self.instance.pk is None:
            self.fields["presenters"].initial = [user.pk]

    def initial_from(self, instance):
        return {
            **super().initial_from(instance),
            "presenters": [m.pk for m in instance.ordered_presenters()],
            "paper_links": "\n".join(
                f"{paper.title} | {paper.url}" for paper in instance.ordered_papers()
            ),
        }

    def clean_topic(self):
        topic = self.cleaned_data["topic"].strip()
        taken = Presentation.objects.filter(session=self.session, topic=topic)
        if self.instance.pk is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(
                _("This session already has a talk called “%(topic)s”."),
                code="duplicate_topic",
                params={"topic": topic},
            )
        return topic

    def clean_paper_links(self):
        lines = parse_paper_lines(self.cleaned_data["paper_links"])
        errors = [
            ValidationError(
                _(
                    "Line %(number)s: “%(link)s” is a paper we do not know yet: write its title as “title | link”."
                ),
                code="title_missing",
                params={"number": line.number, "link": line.link},
            )
            for line in lines
            if not line.title and Paper.objects.find(line.link) is None
        ]
        if errors:
            raise ValidationError(errors)
        return lines

    def clean_slides(self):
        slides = self.cleaned_data.get("slides")
        if not isinstance(slides, UploadedFile):
            return slides  # unchanged, cleared or none
        if slides.size > settings.SLIDES_MAX_BYTES:
            raise ValidationError(
                _("“%(name)s” is %(size)s; slides may be at most %(limit)s."),
                code="too_big",
                params={
                    "name": slides.name,
                    "size": filesizeformat(slides.size),
                    "limit": filesizeformat(settings.SLIDES_MAX_BYTES),
                },
            )
        kind = slides_kind(slides)
        extension = slides.name.rpartition(".")[2].lower()
        if kind is None or kind != extension:
            raise ValidationError(
                _("“%(name)s” is not a PDF or PowerPoint (.pptx) file."),
                code="not_slides",
                params={"name": slides.name},
            )
        return slides

    def ordered_presenters(self):
        """The chosen presenters: those already listed keep their place, the
        poster comes next, then the others by name."""
        if self.instance.pk is not None:
            places = {m.pk: i for i, m in enumerate(self.instance.ordered_presenters())}
        else:
            places = {self.user.pk: 0}
        chosen = self.cleaned_data["presenters"]
        return sorted(chosen, key=lambda m: (places.get(m.pk, len(places)), m.display_name))

    def save(self, commit=True):
        """Save the talk, its presenters (in order) and its papers (relations).

        When the slides cannot be stored (a full disk), nothing is saved and
        a ValidationError on the slides field says so (`save_or_form_error`
        shows it on the form)."""
        try:
            return self._save()
        except OSError:
            logger.error("Could not store slides", exc_info=True)
            raise ValidationError(
                {
                    "slides": ValidationError(
                        _(
                            "The slides could not be stored on the server. Nothing was saved; try again later."
                        ),
                        code="not_stored",
                    )
                }
            ) from None

    @transaction.atomic
    def _save(self):
        talk = super().save(commit=False)
        presenters = self.ordered_presenters()
        talk.session = self.session
        if talk.pk is None:
            talk.created_by = self.user
            highest = self.session.presentations.aggregate(highest=Max("order"))["highest"]
            talk.order = 0 if highest is None else highest + 1
            talk.save()
        else:
            talk.save(update_fields=self.update_fields())
        talk.set_presenters(presenters)
        talk.set_papers(
            [
                Paper.objects.resolve(line.link, line.title)[0]
                for line in self.cleaned_data["paper_links"]
            ]
        )
        return talk


class QuestionForm(EditConflictMixin, forms.ModelForm):
    """A question about a talk, addressed to one of its presenters."""

    addressed_to = MemberChoiceField(
        queryset=Member.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label=_("Addressed to"),
    )

    class Meta:
        model = Question
        fields = ["addressed_to", "body"]
        widgets = {"body": MarkdownxWidget()}
        help_texts = {"body": _("Markdown, with $math$.")}

    def __init__(self, *args, talk, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["addressed_to"].queryset = Member.objects.filter(
            presenter_links__presentation=talk
        ).order_by("presenter_links__order")

    def update_fields(self):
        return [*super().update_fields(), "edited_at"]

    def save(self, commit=True):
        """Save; a new question comes after the talk's other questions
        (`Presentation.add_question` takes the next position under a lock),
        and a text changed after an answer marks the question edited."""
        if self.instance._state.adding and commit:
            return self.instance.presentation.add_question(super().save(commit=False))
        if (
            not self.instance._state.adding
            and "body" in self.changed_data
            and self.instance.answers.exists()
        ):
            keep_stored_version(self.instance)
            self.instance.edited_at = timezone.now()
        return super().save(commit=commit)


class AnswerForm(EditConflictMixin, forms.ModelForm):
    class Meta:
        model = Answer
        fields = ["body"]
        widgets = {"body": MarkdownxWidget()}
        help_texts = {"body": _("Markdown, with $math$.")}

    def update_fields(self):
        return [*super().update_fields(), "edited_at"]

    def save(self, commit=True):
        """Save; a text changed after posting marks the answer edited."""
        if not self.instance._state.adding and "body" in self.changed_data:
            keep_stored_version(self.instance)
            self.instance.edited_at = timezone.now()
        return super().save(commit=commit)
