"""Attendance: members answer for an upcoming session; organizers mark who came."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sessions.forms.attendance import AttendanceMarkForm, AttendanceResponseForm
from sessions.models import Attendance
from sessions.models.base import MEMBER_LABEL_FIELDS, fields_of
from sessions.views.access import get_session, session_for_organizer


def attendance_lists(session):
    """Who is coming, who is not and who came, and each member's answer
    (`responses`: member id → going / not going); one query on
    `session.attendances`."""
    attendances = (
        session.attendances.select_related("member")
        .only("session_id", "response", "attended", *fields_of("member", MEMBER_LABEL_FIELDS))
        .order_by("member__display_name")
    )
    return {
        "coming": [a.member for a in attendances if a.response == Attendance.Response.GOING],
        "not_coming": [
            a.member for a in attendances if a.response == Attendance.Response.NOT_GOING
        ],
        "came": [a.member for a in attendances if a.attended],
        "responses": {a.member_id: a.response for a in attendances},
    }


def attendance_controls(session, user, response):
    """The viewer's part of the attendance section: their going / not going
    form for an upcoming session (showing their `response`), and whether
    they may mark who came."""
    return {
        "response_form": AttendanceResponseForm(initial={"response": response or None})
        if session.is_upcoming
        else None,
        "can_mark_attendance": user.is_organizer and session.date <= timezone.localdate(),
    }


def _attendance_url(session):
    return f"{session.get_absolute_url()}#attendance"


@require_POST
def attendance_respond(request, season, number):
    """A member answers going / not going for an upcoming session."""
    session = get_session(season, number)
    if not session.is_upcoming:
        messages.error(request, _("This session is over; answers are closed."))
        return redirect(_attendance_url(session))
    form = AttendanceResponseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether you are coming."))
        return redirect(_attendance_url(session))
    Attendance.objects.update_or_create(
        session=session, member=request.user, defaults={"response": form.cleaned_data["response"]}
    )
    messages.success(request, _("Thanks, your answer is saved."))
    return redirect(_attendance_url(session))


def attendance_mark(request, season, number):
    """An organizer marks who attended a session that has taken place."""
    session = session_for_organizer(request, season, number)
    if session.date > timezone.localdate():
        messages.error(request, _("Attendance can be marked from the day of the session."))
        return redirect(_attendance_url(session))
    came = list(
        Attendance.objects.filter(session=session, attended=True).values_list("member", flat=True)
    )
    if not came:
        # Nobody marked yet: start from who said they would come.
        came = list(
            Attendance.objects.filter(
                session=session, response=Attendance.Response.GOING
            ).values_list("member", flat=True)
        )
    form = AttendanceMarkForm(request.POST or None, initial={"attended": came})
    if form.is_valid():
        attended = form.cleaned_data["attended"]
        with transaction.atomic():
            Attendance.objects.filter(session=session, attended=True).exclude(
                member__in=attended
            ).update(attended=False)
            for member in attended:
                Attendance.objects.update_or_create(
                    session=session, member=member, defaults={"attended": True}
                )
        messages.success(
            request,
            _("Attendance saved: %(count)d came.") % {"count": len(attended)},
        )
        return redirect(_attendance_url(session))
    return render(request, "study/attendance_mark.html", {"session": session, "form": form})
