from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions.models import ActionItem, Card, Member, RetroBoard, StudySession
from sessions.models.base import keep_stored_version
from sessions.models.retros import CARD_MAX_LENGTH

from .concurrency import EditConflictMixin
from .talks import MemberChoiceField


class BoardFormatForm(EditConflictMixin, forms.ModelForm):
    """The board's columns: KPT or 4L, chosen while the board has no cards."""

    class Meta:
        model = RetroBoard
        fields = ["format"]
        widgets = {"format": forms.RadioSelect}

    def clean_format(self):
        chosen = self.cleaned_data["format"]
        if (
            not self.instance._state.adding
            and chosen != self.instance.format
            and self.instance.cards.exists()
        ):
            raise ValidationError(
                _("The board has cards already: its format can change only while it is empty."),
                code="board_has_cards",
            )
        return chosen


class CardForm(EditConflictMixin, forms.ModelForm):
    """A card on a board: its column, its text (markdown) and whether it is anonymous."""

    class Meta:
        model = Card
        fields = ["column", "body", "anonymous"]
        widgets = {
            "body": forms.Textarea(
                attrs={"rows": 3, "maxlength": CARD_MAX_LENGTH, "class": "plain-textarea"}
            ),
        }

    def __init__(self, *args, board, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _("Markdown, up to %(limit)s characters.") % {
            "limit": CARD_MAX_LENGTH
        }
        self.fields["column"].choices = [(column.value, column.label) for column in board.columns()]

    def update_fields(self):
        return [*super().update_fields(), "edited_at"]

    def save(self, commit=True):
        """Save; a text changed after the card got votes marks it edited."""
        card = self.instance
        if not card._state.adding and "body" in self.changed_data and card.votes.exists():
            keep_stored_version(card)
            card.edited_at = timezone.now()
        return super().save(commit=commit)


class CardMergeForm(forms.Form):
    """The card another one is merged into."""

    target = forms.ModelChoiceField(
        queryset=Card.objects.none(),
        widget=forms.RadioSelect,
        label=_("Merge into"),
        empty_label=None,
    )

    def __init__(self, *args, card, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (
            Card.objects.filter(board=card.board)
            .top_level()
            .exclude(pk=card.pk)
            .order_by("column", "pk")
        )
        self.fields["target"].label_from_instance = lambda target: target.body[:80]


def owner_choices(season):
    """Who may own an action item of `season`: its roster and the group's organizers."""
    return (
        Member.objects.filter(is_active=True)
        .filter(Q(season_memberships__season=season) | Q(role=Member.Role.ORGANIZER))
        .distinct()
        .order_by("display_name")
    )


class ActionItemForm(EditConflictMixin, forms.ModelForm):
    """A card turned into an action item: what, who, and by which session."""

    # The same card turned into an action item twice at once (clean reports it).
    race_constraints = {"study_actionitem_one_per_card"}

    owner = MemberChoiceField(queryset=Member.objects.none(), label=_("Owner"))
    due_session = forms.ModelChoiceField(
        queryset=StudySession.objects.none(),
        label=_("Due at"),
        help_text=_("The session where the group looks at it again."),
    )

    class Meta:
        model = ActionItem
        fields = ["title", "owner", "due_session"]

    def __init__(self, *args, card, **kwargs):
        super().__init__(*args, **kwargs)
        self.card = card
        session = card.board.session
        self.fields["owner"].queryset = owner_choices(session.season)
        self.fields["due_session"].queryset = (
            StudySession.objects.filter(season=session.season, number__gt=session.number)
            .select_related("season")
            .order_by("number")
        )
        self.fields["due_session"].label_from_instance = lambda due: f"{due} · {due.date:%Y-%m-%d}"
        if self.instance._state.adding:
            # The card's first line, due at the next session, unless told otherwise.
            self.initial["title"] = self.initial.get("title") or card.body.splitlines()[0][:200]
            later = self.fields["due_session"].queryset.first()
            self.initial["due_session"] = self.initial.get("due_session") or (
                later.pk if later else None
            )

    def clean(self):
        cleaned_data = super().clean()
        if self.instance._state.adding and ActionItem.objects.filter(card=self.card).exists():
            raise ValidationError(
                _("This card became an action item meanwhile: open it again to change that item."),
                code="already_action_item",
            )
        return cleaned_data


class ResolveActionItemForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (ActionItem.Status.DONE, ActionItem.Status.DONE.label),
            (ActionItem.Status.DROPPED, ActionItem.Status.DROPPED.label),
        ]
    )
