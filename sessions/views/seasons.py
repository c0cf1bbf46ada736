"""Seasons: a season's page (sessions, roster, participation), the
organizers' forms, and the old session addresses."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sessions.forms.seasons import RosterForm, SeasonForm
from sessions.fragments import cached, render_page
from sessions.models import SeasonMembership, StudySession

from .access import season_and_organizers, season_for_organizer
from .meetings import current_season
from .paging import page_number
from .participation import member_totals

ROSTER_PER_PAGE = 30
# What follows /sessions/<number>/ in the old addresses, and its page now.
LEGACY_SESSION_PAGES = {
    "": "study:session-detail",
    "edit/": "study:session-edit",
    "delete/": "study:session-delete",
    "talks/new/": "study:talk-create",
    "reflection/": "study:reflection-edit",
    "attendance/": "study:attendance-respond",
    "attendance/mark/": "study:attendance-mark",
}


@cached
def season_sessions_html(season):
    return render_to_string(
        "study/includes/season_sessions.html",
        {"sessions": season.sessions.order_by("-date", "-number"), "season": season},
    )


@cached
def season_roster_html(season, number):
    """A page of the season's roster, each member with their role and what
    they did in the season's sessions."""
    roles = dict(season.memberships.values_list("member_id", "role"))
    people = member_totals(season).filter(pk__in=roles).order_by("display_name")
    page = Paginator(people, ROSTER_PER_PAGE).get_page(number)
    for person in page.object_list:
        person.is_season_organizer = roles[person.pk] == SeasonMembership.Role.ORGANIZER
    return render_to_string(
        "study/includes/season_roster.html",
        {"page": page, "season": season, "roster_size": len(roles)},
    )


def season_detail(request, season):
    """The season's sessions, its roster and their participation."""
    season, organizers = season_and_organizers(season)
    user = request.user
    return render_page(
        request,
        "study/season_detail.html",
        {
            "season": season,
            "is_current": current_season() == season,
            "can_manage": season.can_manage(user, organizers),
            "sessions_html": season_sessions_html(season),
            "roster_html": season_roster_html(season, page_number(request)),
        },
    )


def season_create(request):
    if not request.user.is_organizer:
        raise PermissionDenied
    form = SeasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        season = form.save()
        messages.success(request, _("The season “%(season)s” was created.") % {"season": season})
        return redirect(season)
    return render(request, "study/season_form.html", {"form": form, "season": None})


def season_edit(request, season):
    season = season_for_organizer(request, season)
    form = SeasonForm(request.POST or None, instance=season)
    if request.method == "POST" and form.is_valid():
        season = form.save(commit=False)
        season.save(update_fields=[*form.Meta.fields, "updated_at"])
        messages.success(request, _("The season “%(season)s” was updated.") % {"season": season})
        return redirect(season)
    return render(request, "study/season_form.html", {"form": form, "season": season})


def roster_edit(request, season):
    """Add members to the season's roster, remove them, choose its organizers."""
    season = season_for_organizer(request, season)
    form = RosterForm(request.POST or None, season=season)
    if request.method == "POST" and form.is_valid():
        changes = form.save()
        messages.success(
            request,
            _("Roster saved: %(added)d added, %(removed)d removed.") % changes,
        )
        return redirect(season)
    return render(request, "study/season_roster_form.html", {"form": form, "season": season})


@require_GET
def legacy_session_redirect(request, number, rest=""):
    """An address from before seasons (/sessions/6/…): 301 to the same page
    of the session that had that number."""
    if rest not in LEGACY_SESSION_PAGES:
        raise Http404
    session = StudySession.objects.for_legacy_number(number)
    if session is None:
        raise Http404(_("No such session."))
    url = reverse(LEGACY_SESSION_PAGES[rest], args=session.url_args)
    if request.META.get("QUERY_STRING"):
        url = f"{url}?{request.META['QUERY_STRING']}"
    return redirect(url, permanent=True)
