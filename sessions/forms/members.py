from django import forms
from django.utils.translation import gettext_lazy as _
from markdownx.widgets import MarkdownxWidget

from sessions.models import Member

from .concurrency import EditConflictMixin


class ProfileForm(EditConflictMixin, forms.ModelForm):
    """A member edits their own profile."""

    class Meta:
        model = Member
        fields = ["display_name", "emoji", "bio", "email", "default_journal_visibility"]
        widgets = {"bio": MarkdownxWidget(), "default_journal_visibility": forms.RadioSelect}
        help_texts = {
            "emoji": _("One emoji the group knows you by, e.g. 🐱."),
            "bio": _("Markdown. What you study, what you like to read."),
            "email": _("For invitations and password resets; only organizers see it."),
        }


class NewMemberForm(forms.ModelForm):
    """An organizer adds a member, who then gets an invitation."""

    class Meta:
        model = Member
        fields = ["display_name", "email", "emoji", "role"]
        help_texts = {
            "email": _(
                "The invitation is emailed here. Without an address you get a link to pass on."
            ),
        }


class FeedResetForm(forms.Form):
    """Which feed gets a new secret address."""

    feed = forms.ChoiceField(choices=[(feed, feed) for feed in Member.FEED_TOKENS])
