"""Participation: who gives talks, asks, answers, writes and comes."""

import datetime
from collections import Counter, defaultdict

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions import charts
from sessions.forms.participation import ParticipationYearForm
from sessions.models import (
    Answer,
    Attendance,
    Member,
    PresentationPresenter,
    Question,
    Reflection,
    StudySession,
)


def _count(queryset, member_field):
    """A subquery counting `queryset` rows that point at the outer member."""
    rows = (
        queryset.filter(**{member_field: OuterRef("pk")})
        .order_by()
        .values(member_field)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def member_totals():
    """Active members with their counts, in one query."""
    return Member.objects.filter(is_active=True).annotate(
        talk_count=_count(PresentationPresenter.objects.all(), "member"),
        asked_count=_count(Question.objects.all(), "asked_by"),
        received_count=_count(Question.objects.all(), "addressed_to"),
        answered_count=Coalesce(
            Subquery(
                Answer.objects.filter(author=OuterRef("pk"))
                .order_by()
                .values("author")
                .annotate(total=Count("question", distinct=True))
                .values("total"),
                output_field=IntegerField(),
            ),
            0,
        ),
        reflection_count=_count(Reflection.objects.on_sessions(), "author"),
        journal_count=_count(Reflection.objects.journals(), "author"),
        attended_count=_count(Attendance.objects.filter(attended=True), "member"),
    )


def activity_by_member(first_day, last_day):
    """{member id: Counter(day: number of things done)} between two days (five queries).

    Things done at a session count on the session's day (talks, questions,
    answers, reflections, attendance), journal entries on their own date:
    imported notes keep their place in time.
    """
    activity = defaultdict(Counter)
    sources = [
        (PresentationPresenter.objects, "member", "presentation__session__date"),
        (Question.objects, "asked_by", "presentation__session__date"),
        (Answer.objects, "author", "question__presentation__session__date"),
        (Attendance.objects.filter(attended=True), "member", "session__date"),
    ]
    for queryset, member_field, day_field in sources:
        rows = (
            queryset.filter(**{f"{day_field}__range": (first_day, last_day)})
            .exclude(**{f"{member_field}__isnull": True})
            .order_by()
            .values_list(member_field, day_field)
            .annotate(total=Count("pk"))
        )
        for member_id, day, total in rows:
            activity[member_id][day] += total
    reflections = (
        Reflection.objects.annotate(day=Coalesce("date", "session__date"))
        .filter(day__range=(first_day, last_day))
        .order_by()
        .values_list("author", "day")
        .annotate(total=Count("pk"))
    )
    for member_id, day, total in reflections:
        activity[member_id][day] += total
    return activity


def sessions_attendance():
    """(number, date, attended, going) for every session up to today, in date order."""
    return list(
        StudySession.objects.filter(date__lte=timezone.localdate())
        .order_by("date", "number")
        .annotate(
            came=Count("attendances", filter=Q(attendances__attended=True)),
            going=Count("attendances", filter=Q(attendances__response=Attendance.Response.GOING)),
        )
        .values_list("number", "date", "came", "going")
    )


def participation(request):
    """Counts per member, a heatmap per member for one year, attendance over time."""
    today = timezone.localdate()
    form = ParticipationYearForm(request.GET or None)
    year = (form.cleaned_data["year"] if form.is_valid() else None) or today.year
    first_day, last_day = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    members = list(member_totals())
    activity = activity_by_member(first_day, last_day)
    for member in members:
        counts = activity.get(member.pk, Counter())
        member.activity_total = sum(counts.values())
        member.heatmap = charts.heatmap(
            counts,
            first_day,
            last_day,
            label=_("Activity of %(member)s in %(year)d: %(total)d") % {
                "member": member.display_name,
                "year": year,
                "total": member.activity_total,
            },
        )
    rows = sessions_attendance()
    years = [day.year for day in StudySession.objects.dates("date", "year")]
    return render(
        request,
        "study/participation.html",
        {
            "form": form,
            "year": year,
            "years": sorted(set(years) | {today.year}),
            "members": members,
            "attendance_rows": rows,
            "attendance_chart": charts.attendance_chart(
                rows, label=_("Attendance per session over time")
            ),
        },
    )
