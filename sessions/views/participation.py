"""Participation: who gives talks, asks, answers, writes and comes."""

import datetime
from collections import Counter, defaultdict

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions import charts
from sessions.forms.participation import ParticipationYearForm
from sessions.fragments import cached, render_page
from sessions.models import (
    Answer,
    Attendance,
    Member,
    PresentationPresenter,
    Question,
    Reflection,
    StudySession,
)
from sessions.models.base import count_of

from .paging import counted_page, page_number

# Each member's heatmap is a year of days: a page shows this many members.
MEMBERS_PER_PAGE = 20


# The counts `member_totals` annotates.
TOTALS = (
    "talk_count",
    "asked_count",
    "received_count",
    "answered_count",
    "reflection_count",
    "journal_count",
    "attended_count",
)
# What the activity of a year counts on its way (`activity_and_totals`).
ACTIVITY_TOTALS = ("talk_count", "asked_count", "answered_count", "attended_count")


def member_totals(season=None, year=None, counts=TOTALS):
    """Active members with their counts (of `season`'s sessions, or of the
    sessions and journal entries of `year`, when given; else of all time), in
    one query; only the `counts` named, when given. A season's counts leave
    journal entries of every date in (they belong to no season). Private
    journal entries are not counted: the page is the group's shared record,
    the same for every viewer, the entries' author included."""
    if season is not None:
        at = {"season": season}
    elif year is not None:
        at = {"date__year": year}
    else:
        at = {}
    where = {f"session__{k}": v for k, v in at.items()}
    talks = questions = {f"presentation__session__{k}": v for k, v in at.items()}
    answers = {f"question__presentation__session__{k}": v for k, v in at.items()}
    journals = {} if year is None or season is not None else {"date__year": year}
    annotations = dict(
        talk_count=count_of(PresentationPresenter.objects.filter(**talks), "member"),
        asked_count=count_of(Question.objects.filter(**questions), "asked_by"),
        received_count=count_of(Question.objects.filter(**questions), "addressed_to"),
        answered_count=Coalesce(
            Subquery(
                Answer.objects.filter(author=OuterRef("pk"), **answers)
                .order_by()
                .values("author")
                .annotate(total=Count("question", distinct=True))
                .values("total"),
                output_field=IntegerField(),
            ),
            0,
        ),
        reflection_count=count_of(Reflection.objects.on_sessions().filter(**where), "author"),
        journal_count=count_of(Reflection.objects.journals().shared().filter(**journals), "author"),
        attended_count=count_of(Attendance.objects.filter(attended=True, **where), "member"),
    )
    return Member.objects.filter(is_active=True).annotate(
        **{name: annotations[name] for name in counts}
    )


def activity_by_member(first_day, last_day, member_ids=None):
    """{member id: Counter(day: number of things done)} between two days, of
    every member or of `member_ids` only (five queries).

    Things done at a session count on the session's day (talks, questions,
    answers, reflections, attendance), shared journal entries on their own
    date: imported notes keep their place in time. Private entries are left
    out, as in `member_totals`.
    """
    return activity_and_totals(first_day, last_day, member_ids)[0]


def activity_and_totals(first_day, last_day, member_ids=None):
    """`activity_by_member`, and from the same five queries
    {member id: {count: total}} of the ACTIVITY_TOTALS of `member_totals`
    for sessions between the two days."""
    activity = defaultdict(Counter)
    totals = defaultdict(Counter)
    sources = [
        (PresentationPresenter.objects, "member", "presentation__session__date", "talk_count"),
        (Question.objects, "asked_by", "presentation__session__date", "asked_count"),
        (Answer.objects, "author", "question__presentation__session__date", "answered_count"),
        (Attendance.objects.filter(attended=True), "member", "session__date", "attended_count"),
    ]
    for queryset, member_field, day_field, total_name in sources:
        if member_ids is not None:
            queryset = queryset.filter(**{f"{member_field}__in": member_ids})
        rows = (
            queryset.filter(**{f"{day_field}__range": (first_day, last_day)})
            .exclude(**{f"{member_field}__isnull": True})
            .order_by()
            .values_list(member_field, day_field)
        )
        if total_name == "answered_count":
            # Questions answered: a question is on one day, so the distinct
            # questions of each day add up to those of the whole range.
            rows = rows.annotate(total=Count("pk"), counted=Count("question", distinct=True))
        else:
            rows = rows.annotate(total=Count("pk"), counted=Count("pk"))
        for member_id, day, total, counted in rows:
            activity[member_id][day] += total
            totals[member_id][total_name] += counted
    reflections = Reflection.objects.shared()
    if member_ids is not None:
        reflections = reflections.filter(author__in=member_ids)
    reflections = (
        reflections.annotate(day=Coalesce("date", "session__date"))
        .filter(day__range=(first_day, last_day))
        .order_by()
        .values_list("author", "day")
        .annotate(total=Count("pk"))
    )
    for member_id, day, total in reflections:
        activity[member_id][day] += total
    return activity, totals


def sessions_attendance(year=None):
    """(number, date, attended, going) for every session up to today (of
    `year` only when given), in date order."""
    sessions = StudySession.objects.filter(date__lte=timezone.localdate())
    if year is not None:
        sessions = sessions.in_year(year)
    return list(
        sessions.order_by("date", "number")
        .annotate(
            came=Count("attendances", filter=Q(attendances__attended=True)),
            going=Count("attendances", filter=Q(attendances__response=Attendance.Response.GOING)),
        )
        .values_list("number", "date", "came", "going")
    )


@cached
def session_years():
    """The years with sessions."""
    return [day.year for day in StudySession.objects.dates("date", "year")]


@cached
def participation_html(year, number):
    """Page `number` of the participation part: its members with their
    totals and heatmaps of `year`, the links to the other pages, and the
    attendance of `year`'s sessions (seven queries)."""
    first_day, last_day = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    # The counts the activity queries do not give along the way are subqueries.
    page = counted_page(
        member_totals(year=year, counts=[name for name in TOTALS if name not in ACTIVITY_TOTALS])
        .only("username", "display_name", "emoji")
        .order_by("display_name", "pk"),
        MEMBERS_PER_PAGE,
        number,
    )
    members = page.object_list
    activity, totals = activity_and_totals(first_day, last_day, [member.pk for member in members])
    for member in members:
        for name in ACTIVITY_TOTALS:
            setattr(member, name, totals[member.pk][name])
        counts = activity.get(member.pk, Counter())
        member.activity_total = sum(counts.values())
        member.heatmap = charts.heatmap(
            counts,
            first_day,
            last_day,
            label=_("Activity of %(member)s in %(year)d: %(total)d")
            % {
                "member": member.display_name,
                "year": year,
                "total": member.activity_total,
            },
        )
    rows = sessions_attendance(year)
    context = {
        "year": year,
        "members": members,
        "page": page,
        # The page links keep the year (rendered without the request).
        "parameters": QueryDict(f"year={year}"),
        "attendance_rows": rows,
        "attendance_recorded": any(came or going for _number, _date, came, going in rows),
        "attendance_chart": charts.attendance_chart(
            rows, label=_("Attendance per session over time")
        ),
    }
    return render_to_string("study/includes/participation_body.html", context)


def participation(request):
    """Counts per member and a heatmap per member for one year, MEMBERS_PER_PAGE
    members a page, and the attendance at that year's sessions.

    The page's tables and charts are cached parts, per year and page (the
    same for every viewer).
    """
    today = timezone.localdate()
    form = ParticipationYearForm(request.GET or None)
    year = (form.cleaned_data["year"] if form.is_valid() else None) or today.year
    return render_page(
        request,
        "study/participation.html",
        {
            "year": year,
            "years": sorted(set(session_years()) | {today.year}),
            "body_html": participation_html(year, page_number(request)),
        },
    )
