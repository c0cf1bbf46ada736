import re

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from markdownx.widgets import MarkdownxWidget

from sessions.models import Reflection, Tag

from .concurrency import VERSION_FIELD, EditConflictMixin

TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length
TAGS_PER_ENTRY = 20
# A markdown ATX heading line, such as a template's "## Keep".
HEADING_LINE = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")


def reflection_templates():
    """The retrospective templates, as (key, label, markdown) in the current language."""
    return [
        ("free", gettext("Free form"), ""),
        (
            "kpt",
            gettext("KPT"),
            "\n\n\n".join(
                f"## {heading}" for heading in (gettext("Keep"), gettext("Problem"), gettext("Try"))
            )
            + "\n\n",
        ),
        (
            "4l",
            gettext("4L"),
            "\n\n\n".join(
                f"## {heading}"
                for heading in (
                    gettext("Liked"),
                    gettext("Learned"),
                    gettext("Lacked"),
                    gettext("Longed for"),
                )
            )
            + "\n\n",
        ),
    ]


def with_template(text, template):
    """`text` with a retrospective template: the template alone when nothing
    was typed yet, else appended below what was typed (static/js/reflection-template.js
    does the same in the browser)."""
    if not (text or "").strip():
        return template
    if not template:
        return text
    return f"{text.rstrip()}\n\n{template}"


class ReflectionForm(EditConflictMixin, forms.ModelForm):
    """A member's reflection (소감) on a session."""

    class Media:
        js = ["js/reflection-template.js"]

    # The same member's first reflection posted twice at once (clean reports it).
    race_constraints = {"study_reflection_one_per_session"}

    class Meta:
        model = Reflection
        fields = ["body"]
        widgets = {"body": MarkdownxWidget()}
        labels = {"body": _("Your reflection")}
        help_texts = {"body": _("Markdown. What you learned, what stayed with you.")}

    @classmethod
    def with_template_chosen(cls, data, instance, template):
        """The form again, unsaved, after a template button posted it (no
        JavaScript): the text typed so far with `template` added, on the
        version the form was opened on."""
        form = cls(
            instance=instance, initial={"body": with_template(data.get("body", ""), template)}
        )
        form.initial[VERSION_FIELD] = data.get(VERSION_FIELD, "")
        return form

    def clean_body(self):
        """Headings alone (a template chosen and nothing written under it) are not a reflection."""
        body = self.cleaned_data["body"]
        if not "".join(line for line in body.splitlines() if not HEADING_LINE.match(line)).strip():
            raise forms.ValidationError(
                _(
                    "Write something under the headings: the template's headings alone are not a reflection."
                ),
                code="headings_only",
            )
        return body

    def clean(self):
        """A new reflection of a member who has written one on the session
        meanwhile (in another window) is an edit conflict with that one."""
        cleaned_data = super().clean()
        if self.instance._state.adding:
            written = (
                Reflection.objects.on_sessions()
                .filter(author=self.instance.author, session=self.instance.session)
                .first()
            )
            if written is not None:
                self.show_conflict(written)
        return cleaned_data


class TagsField(forms.CharField):
    """Tags typed as comma-separated text; cleans to a list of distinct names."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 500)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        names = list(dict.fromkeys(name.strip() for name in value.split(",") if name.strip()))
        too_long = [name for name in names if len(name) > TAG_MAX_LENGTH]
        if too_long:
            raise forms.ValidationError(
                _("A tag has at most %(max)d characters: %(tag)s"),
                params={"max": TAG_MAX_LENGTH, "tag": too_long[0]},
                code="tag_too_long",
            )
        if len(names) > TAGS_PER_ENTRY:
            raise forms.ValidationError(
                _("At most %(max)d tags."), params={"max": TAGS_PER_ENTRY}, code="too_many_tags"
            )
        return names


class JournalEntryForm(EditConflictMixin, forms.ModelForm):
    """A dated, titled entry in a member's study journal."""

    tags = TagsField(label=_("Tags"), help_text=_("Separated by commas, e.g. transformer, 복습"))

    field_order = ["title", "date", "tags", "body", "visibility"]

    class Meta:
        model = Reflection
        fields = ["title", "date", "body", "visibility"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "body": MarkdownxWidget(),
            "visibility": forms.RadioSelect,
        }
        labels = {"visibility": _("Who can read it")}
        help_texts = {
            "body": _("Markdown. Drop images into the editor to upload them."),
            "visibility": _(
                "Only you see a private entry: other members do not find it in search, "
                "feeds or on your profile, and participation does not count it."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = Reflection.Kind.JOURNAL
        self.instance.session = None
        self.fields["title"].required = True
        self.fields["date"].required = True
        if self.instance.pk is None and not self.initial.get("date"):
            self.initial["date"] = timezone.localdate()

    def initial_from(self, instance):
        return {
            **super().initial_from(instance),
            "tags": ", ".join(tag.name for tag in instance.tags.all()),
        }

    @transaction.atomic
    def save(self):
        """Save the entry and its tags (creating the Tag rows it needs)."""
        entry = self.instance
        if entry.pk is None:
            entry.save()
        else:
            entry.save(update_fields=self.update_fields())
        tags = []
        for name in self.cleaned_data["tags"]:
            tag, _created = Tag.objects.get_or_create(name=name)
            tags.append(tag)
        entry.tags.set(tags)
        return entry


class JournalFilterForm(forms.Form):
    """The journal list's query parameters: whose journal (`author`, the
    viewer's own when empty) and which tag. Text with a NUL character, which
    no tag has and PostgreSQL cannot compare, is refused like any bad value."""

    author = forms.IntegerField(required=False)
    tag = forms.CharField(required=False)
