"""Forms for planning: opening and assigning talk slots, the rotation's
fill, nominating a paper and taking it into a slot."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sessions.models import Member, Nomination, Paper, TalkSlot

from .talks import MemberChoiceField, parse_paper_lines

MAX_SLOTS_AT_ONCE = 10


def roster_members(season):
    """The members on `season`'s roster, by name."""
    return Member.objects.filter(season_memberships__season=season).order_by("display_name")


class SlotOpenForm(forms.Form):
    """Open a number of talk slots on a coming session."""

    count = forms.IntegerField(
        label=_("Number of talks"), min_value=1, max_value=MAX_SLOTS_AT_ONCE, initial=1
    )
    theme = forms.CharField(
        label=_("Theme"),
        max_length=200,
        required=False,
        help_text=_("Optional, e.g. “diffusion models”."),
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session

    def clean(self):
        if not self.session.is_upcoming:
            raise ValidationError(
                _("This session took place already: slots are for coming sessions."), code="past"
            )
        return super().clean()

    def save(self):
        """Create the slots after the session's others (a relation); returns them."""
        start = self.session.slots.count()
        return TalkSlot.objects.bulk_create(
            TalkSlot(
                session=self.session,
                theme=self.cleaned_data["theme"].strip(),
                position=start + index,
            )
            for index in range(self.cleaned_data["count"])
        )


class SlotAssignForm(forms.Form):
    """An organizer gives an open slot to a member of the season's roster."""

    member = MemberChoiceField(queryset=Member.objects.none(), label=_("Presenter"))

    def __init__(self, *args, season, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = roster_members(season)


class RotationFillForm(forms.Form):
    """One choice per open slot of the coming sessions, proposed from the
    rotation; an organizer adjusts them before saving."""

    def __init__(self, *args, season, slots, proposed, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = slots
        members = roster_members(season)
        # Read once for all the slots' choices (each field would query them again).
        choices = [("", _("(leave open)"))] + [(member.pk, member.label) for member in members]
        for slot in slots:
            field = MemberChoiceField(
                queryset=members,
                required=False,
                label=f"{slot} · {slot.theme}" if slot.theme else str(slot),
                empty_label=_("(leave open)"),
                initial=proposed.get(slot.pk),
            )
            field.choices = choices
            self.fields[f"slot_{slot.pk}"] = field

    def clean(self):
        cleaned = super().clean()
        seen = set()
        for slot in self.slots:
            member = cleaned.get(f"slot_{slot.pk}")
            if member is None:
                continue
            if (slot.session_id, member.pk) in seen:
                self.add_error(
                    f"slot_{slot.pk}",
                    ValidationError(
                        _("%(member)s has another slot on this session."),
                        code="twice",
                        params={"member": member.display_name},
                    ),
                )
            seen.add((slot.session_id, member.pk))
        return cleaned

    def assignments(self):
        """(slot, member) for every slot given a member."""
        return [
            (slot, self.cleaned_data[f"slot_{slot.pk}"])
            for slot in self.slots
            if self.cleaned_data.get(f"slot_{slot.pk}") is not None
        ]


class NominationForm(forms.ModelForm):
    """Nominate a paper by its link (arXiv, DOI or URL) with a short note why."""

    # Two members nominating the same paper at once (clean reports it).
    race_constraints = {"study_nomination_paper_once_per_season"}

    link = forms.CharField(
        label=_("Link"),
        max_length=500,
        help_text=_("arXiv, DOI or any link to the paper."),
        widget=forms.TextInput(attrs={"placeholder": "https://arxiv.org/abs/1706.03762"}),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=500,
        required=False,
        help_text=_("Needed for a paper the group has not seen before."),
    )

    field_order = ["link", "title", "note"]

    class Meta:
        model = Nomination
        fields = ["note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3, "class": "plain-textarea"})}
        help_texts = {"note": _("A sentence or two: why should the group read it?")}

    def __init__(self, *args, season, author, **kwargs):
        super().__init__(*args, **kwargs)
        self.season = season
        self.author = author

    def clean(self):
        cleaned = super().clean()
        link, title = cleaned.get("link", ""), cleaned.get("title", "").strip()
        if not link:
            return cleaned
        try:
            [line] = parse_paper_lines(f"{title} | {link}" if title else link)
        except ValidationError:
            self.add_error(
                "link", ValidationError(_("This is not a link to a paper."), code="invalid_link")
            )
            return cleaned
        except ValueError:
            self.add_error("link", ValidationError(_("Give one link."), code="invalid_link"))
            return cleaned
        paper = Paper.objects.find(line.link)
        if paper is None and not title:
            self.add_error(
                "title",
                ValidationError(
                    _("The group has not seen this paper yet: give its title."),
                    code="title_missing",
                ),
            )
        elif (
            paper is not None
            and Nomination.objects.active().filter(season=self.season, paper=paper).exists()
        ):
            self.add_error(
                "link",
                ValidationError(
                    _("“%(paper)s” is on the backlog already: vote for it there."),
                    code="duplicate",
                    params={"paper": paper.title},
                ),
            )
        cleaned["line"] = line
        return cleaned

    def save(self, commit=True):
        """Save the nomination; its paper comes from the one resolver, so a
        paper the group knows is not created again."""
        line = self.cleaned_data["line"]
        nomination = super().save(commit=False)
        nomination.season = self.season
        nomination.author = self.author
        nomination.paper = Paper.objects.resolve(line.link, line.title)[0]
        nomination.save()
        return nomination


class TakeIntoSlotForm(forms.Form):
    """Which held slot a nominated paper goes into."""

    slot = forms.ModelChoiceField(
        queryset=TalkSlot.objects.none(), label=_("Slot"), empty_label=None
    )

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = slots
        self.fields["slot"].label_from_instance = slot_label


def slot_label(slot):
    """ "<season> N주차 · <holder>", as the take-into choice shows a slot."""
    return f"{slot.session.full_name} · {slot.holder.label}"
