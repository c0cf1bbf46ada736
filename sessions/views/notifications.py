"""The inbox, its preferences, and unsubscribing from a link in an email."""

import itertools

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from sessions import notifications
from sessions.models import Delivery, Member, Notification, NotificationKind, NotificationPreference

PER_PAGE = 30


def inbox(request):
    """The member's notifications, newest first, a page at a time, grouped by day."""
    page = Paginator(Notification.objects.for_inbox(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    days = [
        (day, list(items))
        for day, items in itertools.groupby(
            page.object_list, key=lambda n: timezone.localdate(n.created_at)
        )
    ]
    return render(request, "study/notification_list.html", {"page": page, "days": days})


def notification_open(request, pk):
    """Mark the notification read and go to its place."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notification.read_at is None:
        Notification.objects.filter(pk=pk).mark_read()
    target = notification.target
    if target is None:
        messages.info(request, _("What this notification was about has been deleted."))
        return redirect("study:notification-list")
    return redirect(target.get_absolute_url())


@require_POST
def notification_read_all(request):
    count = Notification.objects.filter(recipient=request.user).mark_read()
    messages.success(request, _("%(count)d notification(s) marked read.") % {"count": count})
    return redirect("study:notification-list")


class PreferencesForm(forms.Form):
    """One radio group per kind of notification."""

    def __init__(self, *args, current, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                widget=forms.RadioSelect,
                initial=current[kind],
            )


def notification_preferences(request):
    current = NotificationPreference.of_member(request.user)
    form = PreferencesForm(request.POST or None, current=current)
    if form.is_valid():
        for kind in NotificationKind:
            if form.cleaned_data[kind.value] != current[kind]:
                NotificationPreference.choose(request.user, kind, form.cleaned_data[kind.value])
        messages.success(request, _("Your email preferences were saved."))
        return redirect("study:notification-preferences")
    return render(request, "study/notification_preferences.html", {"form": form})


def _token_owner(token):
    try:
        return notifications.read_unsubscribe_token(token)
    except (signing.BadSignature, Member.DoesNotExist):
        raise Http404(gettext_lazy("This unsubscribe link is not valid.")) from None


# The link in an email works without logging in: the signed token names the
# member and the kind. A mail program's one-click unsubscribe (RFC 8058)
# POSTs to it with no CSRF token; the token is what authorizes the change.
@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    member, kinds = _token_owner(token)
    if request.method == "POST":
        notifications.unsubscribe(member, kinds)
        return render(
            request, "study/unsubscribe.html", {"member": member, "kinds": kinds, "done": True}
        )
    return render(
        request, "study/unsubscribe.html", {"member": member, "kinds": kinds, "done": False}
    )


@login_not_required
def switch_language(request):
    """Django's set_language, which also saves a logged-in member's choice:
    their emails are written in it."""
    response = set_language(request)
    language = request.POST.get("language")
    user = request.user
    if (
        request.method == "POST"
        and user.is_authenticated
        and language in dict(Member._meta.get_field("language").choices)
        and user.language != language
    ):
        user.language = language
        user.save(update_fields=["language"])
    return response
