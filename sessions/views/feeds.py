"""Calendar and Atom feeds, each behind a secret token of its own.

Calendar apps and feed readers cannot log in, so these two views are open
(`login_not_required`) and answer 404 unless the URL carries the member's
current token for that feed: the calendar token opens the calendar only,
the activity token the activity feed only, so a calendar link passed around
reveals nothing members wrote. A member resets either token from their
profile, which makes that feed's old URL answer 404 at once.

The activity feed gives titles and links, never the text: a feed reader
keeps what it fetched, and the pages behind the links ask for a login.
Private journal entries appear in their author's feed only.
"""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sessions import ical
from sessions.forms.members import FeedResetForm
from sessions.models import (
    Member,
    Nomination,
    Presentation,
    Reflection,
    StudySession,
    TalkSlot,
)

FEED_ITEMS = 30


# What `new_feed_token` makes (URL-safe base64), up to the field's length.
_FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _feed_member(feed, token):
    """The active member whose token for `feed` ("calendar" or "activity")
    this is, or 404. Text no token can be (a NUL character, which
    PostgreSQL refuses in a query, or any other) is a 404 without asking
    the database."""
    member = None
    if _FEED_TOKEN.fullmatch(token):
        field = Member.FEED_TOKENS[feed]
        member = Member.objects.filter(**{field: token}, is_active=True).first()
    if member is None:
        raise Http404("No such feed.")
    return member


def _talks_with_presenters():
    return Presentation.objects.order_by("order", "pk").with_presenters()


def _slots_without_talk():
    """A session's held slots whose talk is not posted yet, with their
    holders and the papers taken into them from the backlog."""
    return (
        TalkSlot.objects.held()
        .filter(talk__isnull=True)
        .select_related("holder")
        .prefetch_related(
            Prefetch(
                "nominations",
                queryset=Nomination.objects.active().select_related("paper").order_by("pk"),
                to_attr="chosen",
            )
        )
        .order_by("position", "pk")
    )


def _session_description(session, url):
    """The talks (presenters, papers) and the talks in preparation of the
    session's slots, its video link and its page."""
    lines = []
    for talk in session.presentations.all():
        presenters = ", ".join(member.label for member in talk.ordered_presenters())
        lines.append(f"- {talk.topic} ({presenters})" if presenters else f"- {talk.topic}")
        lines.extend(f"  {paper.title} {paper.url}".rstrip() for paper in talk.papers.all())
    for slot in session.slots.all():
        lines.append(f"- {_('In preparation')} ({slot.holder.label})")
        lines.extend(f"  {n.paper.title} {n.paper.url}".rstrip() for n in slot.chosen)
    if session.video_url:
        lines.append(session.video_url)
    lines.append(url)
    return "\n".join(lines)


@login_not_required
def session_calendar(request, token):
    """Every session as an iCalendar event (six queries with the member's)."""
    _feed_member("calendar", token)
    sessions = (
        StudySession.objects.select_related("season")
        .order_by("date", "number")
        .prefetch_related(
            Prefetch("presentations", queryset=_talks_with_presenters().prefetch_related("papers")),
            Prefetch("slots", queryset=_slots_without_talk()),
        )
    )
    host = request.get_host().split(":")[0]
    events = []
    for session in sessions:
        url = request.build_absolute_uri(session.get_absolute_url())
        events.append(
            ical.session_event(
                session, url=url, description=_session_description(session, url), host=host
            )
        )
    body = ical.calendar(events, name=_("Study group sessions"), time_zone=settings.TIME_ZONE)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sessions.ics"'
    return response


def _talk_items(request):
    talks = (
        _talks_with_presenters()
        .select_related("session__season")
        .defer("summary", "summary_html")
        .order_by("-created_at", "-pk")
    )
    for talk in talks[:FEED_ITEMS]:
        yield {
            "title": _("%(session)s · %(topic)s")
            % {"session": talk.session.full_name, "topic": talk.topic},
            "link": request.build_absolute_uri(talk.get_absolute_url()),
            "description": None,
            "author_name": ", ".join(str(m) for m in talk.ordered_presenters()),
            "pubdate": talk.created_at,
            "updateddate": talk.updated_at,
            "categories": [_("Talk")],
        }


def _reflection_items(request, member):
    reflections = (
        Reflection.objects.visible_to(member)
        .select_related("author", "session__season")
        .defer("body", "body_html")
        .order_by("-created_at", "-pk")
    )
    for reflection in reflections[:FEED_ITEMS]:
        is_journal = reflection.kind == Reflection.Kind.JOURNAL
        yield {
            "title": reflection.title if is_journal else str(reflection),
            "link": request.build_absolute_uri(reflection.get_absolute_url()),
            "description": None,
            "author_name": str(reflection.author),
            "pubdate": reflection.created_at,
            "updateddate": reflection.updated_at,
            "categories": [_("Journal") if is_journal else _("Reflection")],
        }


@login_not_required
def activity_feed(request, token):
    """New talks and reflections (journals too), newest first, as Atom:
    titles and links."""
    member = _feed_member("activity", token)
    items = sorted(
        [*_talk_items(request), *_reflection_items(request, member)],
        key=lambda item: item["pubdate"],
        reverse=True,
    )[:FEED_ITEMS]
    feed = Atom1Feed(
        title=_("Study group: new talks and reflections"),
        link=request.build_absolute_uri("/"),
        description=_("New talks and reflections of the study group."),
        feed_url=request.build_absolute_uri(),
        language=request.LANGUAGE_CODE,
    )
    for item in items:
        feed.add_item(unique_id=item["link"], **item)
    response = HttpResponse(content_type=f"{feed.content_type}")
    feed.write(response, "utf-8")
    return response


@require_POST
def feed_token_reset(request):
    """A member replaces the token of one feed; its old URL stops working,
    the other feed's stays."""
    form = FeedResetForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose the feed whose address to reset."))
    feed = form.cleaned_data["feed"]
    request.user.reset_feed_token(feed)
    if feed == "calendar":
        messages.success(request, _("Your calendar address has changed. Update your calendar app."))
    else:
        messages.success(
            request, _("Your activity feed address has changed. Update your feed reader.")
        )
    return redirect(f"{request.user.get_absolute_url()}#feeds")


def feed_urls(request, member):
    """The absolute addresses of `member`'s feeds, for their own profile page."""
    return {
        "calendar_feed_url": request.build_absolute_uri(
            reverse("study:feed-calendar", args=[member.calendar_token])
        ),
        "activity_feed_url": request.build_absolute_uri(
            reverse("study:feed-activity", args=[member.activity_token])
        ),
    }
