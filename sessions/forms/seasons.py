from django import forms
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from markdownx.widgets import MarkdownxWidget

from sessions.models import Member, Season, SeasonMembership

from .talks import FilterableCheckboxes

# Addresses under /seasons/ that are pages of their own, not seasons.
RESERVED_SLUGS = {"new"}


class SeasonForm(forms.ModelForm):
    """An organizer starts or edits a season (a cohort)."""

    class Meta:
        model = Season
        fields = ["name", "slug", "starts_on", "ends_on", "description"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": MarkdownxWidget(),
        }
        help_texts = {
            "name": _("For example “2025 논문 스터디” or “부캠 3기”."),
            "slug": _("Letters, digits and hyphens; left empty, it is made from the name."),
            "starts_on": _("The season holding today's date is the current one."),
        }
        error_messages = {
            "name": {"unique": _("A season with this name already exists.")},
            "slug": {"unique": _("Another season already has this address.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False

    def clean_slug(self):
        slug = self.cleaned_data["slug"] or slugify(
            self.cleaned_data.get("name", ""), allow_unicode=True
        )
        if not slug:
            raise forms.ValidationError(_("Give the season an address of letters or digits."))
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(
                _("This address is taken by a page of the app; choose another.")
            )
        if Season.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another season already has this address."))
        return slug

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The season cannot end before it starts."))
        return cleaned


class RosterForm(forms.Form):
    """Who is on a season's roster, and who organizes it.

    Only what this organizer changed is applied (the form carries the roster
    it was shown as hidden initial values), so two organizers editing the
    roster at once both keep their changes.
    """

    members = forms.ModelMultipleChoiceField(
        label=_("Roster"),
        queryset=Member.objects.none(),
        required=False,
        widget=FilterableCheckboxes,
        show_hidden_initial=True,
    )
    organizers = forms.ModelMultipleChoiceField(
        label=_("Organizers of this season"),
        queryset=Member.objects.none(),
        required=False,
        widget=FilterableCheckboxes,
        show_hidden_initial=True,
        help_text=_("They schedule the season's sessions and manage its roster."),
    )

    def __init__(self, *args, season, **kwargs):
        self.season = season
        memberships = list(season.memberships.all())
        kwargs.setdefault(
            "initial",
            {
                "members": [m.member_id for m in memberships],
                "organizers": [
                    m.member_id for m in memberships if m.role == SeasonMembership.Role.ORGANIZER
                ],
            },
        )
        super().__init__(*args, **kwargs)
        people = Member.objects.filter(is_active=True).order_by("display_name")
        self.fields["members"].queryset = people
        self.fields["organizers"].queryset = people

    def _shown(self, name):
        """The ids the form was shown for `name` (its hidden initial values)."""
        field = self.fields[name]
        value = field.hidden_widget().value_from_datadict(
            self.data, self.files, self.add_initial_prefix(name)
        )
        try:
            return {member.pk for member in field.clean(value)}
        except forms.ValidationError:
            return set(self.initial.get(name, []))

    @transaction.atomic
    def save(self):
        """Apply the additions, removals and role changes; an organizer of
        the season is on its roster."""
        chosen = {m.pk for m in self.cleaned_data["members"]}
        organizers = {m.pk for m in self.cleaned_data["organizers"]}
        shown_members, shown_organizers = self._shown("members"), self._shown("organizers")
        added = (chosen - shown_members) | (organizers - shown_organizers)
        removed = (shown_members - chosen) - organizers
        promoted = organizers - shown_organizers
        demoted = shown_organizers - organizers
        memberships = self.season.memberships
        memberships.filter(member_id__in=removed).delete()
        SeasonMembership.objects.bulk_create(
            [SeasonMembership(season=self.season, member_id=pk) for pk in added],
            ignore_conflicts=True,
        )
        memberships.filter(member_id__in=promoted).update(role=SeasonMembership.Role.ORGANIZER)
        memberships.filter(member_id__in=demoted - promoted).update(
            role=SeasonMembership.Role.MEMBER
        )
        return {"added": len(added), "removed": len(removed)}
