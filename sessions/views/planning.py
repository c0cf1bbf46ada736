"""Planning the coming meetings: talk slots, the rotation, the paper backlog.

Every write here is a POST that changes at most a few rows with
conditional UPDATEs or inserts under a named unique constraint, so that a
double click or two members at once end in one result and a message,
never a 500.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sessions.forms.concurrency import save_or_form_error
from sessions.forms.planning import (
    NominationForm,
    RotationFillForm,
    SlotAssignForm,
    SlotOpenForm,
    TakeIntoSlotForm,
    roster_members,
    slot_label,
)
from sessions.fragments import cached, render_page, render_with_forms
from sessions.models import (
    ClaimResult,
    Member,
    Nomination,
    NominationVote,
    NotificationKind,
    Season,
    TalkSlot,
)
from sessions.notifications import notify
from sessions.rotation import proposal, rotation

from .access import (
    get_nomination,
    get_slot,
    season_and_organizers,
    season_for_organizer,
    season_for_planner,
    session_for_organizer,
)
from .paging import page_number

NOMINATIONS_PER_PAGE = 20
# The rotation's fill offers the open slots of this many coming sessions' worth.
FILL_SLOTS = 30
# Home's agenda shows the slots of the coming sessions up to this many.
AGENDA_SLOTS = 30
BACKLOG_FILTERS = {
    "open": Nomination.Status.OPEN,
    "scheduled": Nomination.Status.SCHEDULED,
    "discussed": Nomination.Status.DISCUSSED,
}


class ChoiceForm(forms.Form):
    """The yes/no a vote or an away button posts: the state it asks for, so
    that sending it twice is the same as sending it once."""

    value = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")


def slot_session_upcoming(request, slot):
    """Whether the slot's session is still to come; says why not otherwise."""
    if slot.session.is_upcoming:
        return True
    messages.error(
        request,
        _("%(session)s took place already: its slots are closed.")
        % {"session": slot.session.full_name},
    )
    return False


def claim_message(request, slot, result, member):
    """Say how a claim or an assignment of `slot` to `member` ended."""
    if result == ClaimResult.CLAIMED:
        if member.pk == request.user.pk:
            messages.success(
                request,
                _("The slot on %(session)s is yours. Post your talk when you have its topic.")
                % {"session": slot.session.full_name},
            )
        else:
            messages.success(
                request,
                _("%(member)s presents on %(session)s.")
                % {"member": member.display_name, "session": slot.session.full_name},
            )
    elif result == ClaimResult.HOLDS_ONE:
        messages.error(
            request,
            _("%(member)s holds another slot on %(session)s already.")
            % {"member": member.display_name, "session": slot.session.full_name},
        )
    else:
        holder = TalkSlot.objects.select_related("holder").get(pk=slot.pk).holder
        messages.error(
            request,
            _(
                "Someone was a moment faster: this slot is taken by %(holder)s. Choose another open slot."
            )
            % {"holder": holder.display_name if holder else _("someone")},
        )


def slot_open(request, season, number):
    """An organizer opens slots for talks on a coming session."""
    session = session_for_organizer(request, season, number)
    form = SlotOpenForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        slots = form.save()
        notify(
            NotificationKind.SLOT_OPENED,
            Member.objects.filter(
                is_active=True,
                season_memberships__season=session.season,
                season_memberships__away=False,
            ),
            actor=request.user,
            target=session,
            label=session.full_name,
        )
        messages.success(
            request,
            ngettext(
                "%(count)d slot opened on %(session)s.",
                "%(count)d slots opened on %(session)s.",
                len(slots),
            )
            % {"count": len(slots), "session": session.full_name},
        )
        return redirect(f"{session.get_absolute_url()}#slots")
    return render(request, "study/slot_open_form.html", {"form": form, "session": session})


@require_POST
def slot_claim(request, pk):
    """A roster member claims an open slot for themself."""
    slot = get_slot(pk)
    if not slot.session.season.can_plan(request.user):
        raise PermissionDenied
    if slot_session_upcoming(request, slot):
        claim_message(request, slot, slot.claim(request.user), request.user)
    return redirect(slot)


@require_POST
def slot_assign(request, pk):
    """An organizer gives an open slot to a member of the roster."""
    slot = get_slot(pk)
    season = slot.session.season
    if not season.can_manage(request.user):
        raise PermissionDenied
    form = SlotAssignForm(request.POST, season=season)
    if not form.is_valid():
        messages.error(request, _("Choose a member of the season's roster."))
    elif slot_session_upcoming(request, slot):
        member = form.cleaned_data["member"]
        result = slot.claim(member)
        if result == ClaimResult.CLAIMED:
            tell_assigned(slot, member, request.user)
        claim_message(request, slot, result, member)
    return redirect(slot)


def tell_assigned(slot, member, organizer):
    """Tell `member` that `organizer` gave them `slot`."""
    notify(
        NotificationKind.SLOT_ASSIGNED,
        [member],
        actor=organizer,
        target=slot,
        label=slot.session.full_name,
    )


@require_POST
def slot_release(request, pk):
    """The holder (or an organizer) gives a slot back before the session."""
    slot = get_slot(pk)
    if slot.holder_id is None:
        messages.info(request, _("This slot is open already."))
        return redirect(slot)
    if slot.holder_id != request.user.pk and not slot.session.season.can_manage(request.user):
        raise PermissionDenied
    if not slot_session_upcoming(request, slot):
        return redirect(slot)
    if slot.talk_id is not None:
        messages.error(
            request,
            _(
                "The talk “%(topic)s” is posted in this slot: delete the talk first to give the slot back."
            )
            % {"topic": slot.talk.topic},
        )
    elif slot.give_back(request.user):
        notify(
            NotificationKind.SLOT_GIVEN_BACK,
            slot.session.season.managers(),
            actor=request.user,
            target=slot,
            label=slot.session.full_name,
        )
        messages.success(
            request,
            _("The slot on %(session)s is open again.") % {"session": slot.session.full_name},
        )
    else:
        messages.error(request, _("This slot changed meanwhile; see how it stands now."))
    return redirect(slot)


def current_rotation(request):
    """The current season's rotation."""
    season = Season.objects.current()
    if season is None:
        raise Http404(_("There is no season yet."))
    return redirect("study:rotation", season.slug)


@cached
def season_rotation(season):
    """The season's rotation as HTML (the roster in the order of fairness,
    and who is away), whether each roster member is away (id → bool), and
    how many of the season's coming slots are open."""
    order, away = rotation(season)
    html = render_to_string("study/includes/rotation_order.html", {"order": order, "away": away})
    roster = {entry.member.pk: entry.membership.away for entry in [*order, *away]}
    open_slots = TalkSlot.objects.open().upcoming().filter(session__season=season).count()
    return html, roster, open_slots


def rotation_page(request, season):
    """Who presents next in the season: the roster in the order of fairness."""
    season, organizers = season_and_organizers(season)
    order_html, roster, open_slots = season_rotation(season)
    return render_page(
        request,
        "study/rotation.html",
        {
            "season": season,
            "order_html": order_html,
            "on_roster": request.user.pk in roster,
            "away_now": roster.get(request.user.pk, False),
            "can_manage": season.can_manage(request.user, organizers),
            "open_slots": open_slots,
        },
    )


@require_POST
def away_set(request, season):
    """A roster member says they are away (or back): the rotation skips them meanwhile."""
    season = get_object_or_404(Season, slug=season)
    membership = season.memberships.filter(member=request.user).first()
    if membership is None:
        raise PermissionDenied
    form = ChoiceForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Say whether you are away."))
    away = form.cleaned_data["value"]
    season.memberships.filter(pk=membership.pk).update(away=away)
    if away:
        messages.success(request, _("You are away: the rotation skips you until you are back."))
    else:
        messages.success(request, _("Welcome back: the rotation counts you in again."))
    return redirect("study:rotation", season.slug)


def rotation_fill(request, season):
    """An organizer fills the open slots of the coming sessions from the
    rotation's order, adjusting the proposal before saving."""
    season = season_for_organizer(request, season)
    slots = list(
        TalkSlot.objects.open()
        .upcoming()
        .filter(session__season=season)
        .select_related("session__season")[:FILL_SLOTS]
    )
    order, _away = rotation(season)
    form = RotationFillForm(
        request.POST or None, season=season, slots=slots, proposed=proposal(order, slots)
    )
    if request.method == "POST" and form.is_valid():
        filled, missed = 0, []
        for slot, member in form.assignments():
            if slot.claim(member) == ClaimResult.CLAIMED:
                tell_assigned(slot, member, request.user)
                filled += 1
            else:
                missed.append(f"{slot.session.full_name} · {member.display_name}")
        messages.success(
            request,
            ngettext("%(count)d slot filled.", "%(count)d slots filled.", filled)
            % {"count": filled},
        )
        if missed:
            messages.warning(
                request,
                _("Changed meanwhile, so left as they are: %(slots)s.")
                % {"slots": ", ".join(missed)},
            )
        return redirect("study:rotation", season.slug)
    return render(request, "study/rotation_fill.html", {"season": season, "form": form})


@cached
def backlog_html(season, status, number, viewer, can_manage):
    """Page `number` of the season's nominations of `status` (open ones by
    votes, then age; the scheduled or discussed ones by date) with the forms
    `viewer` (who manages the season when `can_manage`) may use on them, and
    whether `viewer` plans in the season."""
    nominations = Nomination.objects.filter(season=season).select_related(
        "paper", "author", "slot__session__season", "slot__holder"
    )
    if status == "open":
        nominations = nominations.open().by_votes()
    elif status == "scheduled":
        nominations = nominations.scheduled().with_votes().order_by("slot__session__date", "pk")
    else:
        nominations = nominations.discussed().with_votes().order_by("-slot__session__date", "-pk")
    page = Paginator(nominations, NOMINATIONS_PER_PAGE).get_page(number)
    can_plan = can_manage or season.has_member(viewer)
    my_votes = set(
        NominationVote.objects.filter(member=viewer, nomination__in=page.object_list).values_list(
            "nomination_id", flat=True
        )
    )
    for nomination in page.object_list:
        nomination.voted = nomination.pk in my_votes
        nomination.withdrawable = nomination.withdrawn_at is None and (
            can_manage or nomination.author_id == viewer.pk
        )
    take_slots = slots_to_take_into(season, viewer, can_manage) if status == "open" else []
    html = render_with_forms(
        "study/includes/backlog_list.html",
        {
            "status": status,
            "page": page,
            # The page links keep the filter (rendered without the request).
            "parameters": QueryDict(f"status={status}"),
            "can_plan": can_plan,
            "take_choices": [(slot.pk, slot_label(slot)) for slot in take_slots],
        },
    )
    return html, can_plan


def backlog(request, season):
    """The season's nominated papers, a page of them (a cached part, with
    the viewer's forms)."""
    season, organizers = season_and_organizers(season)
    status = request.GET.get("status", "open")
    if status not in BACKLOG_FILTERS:
        raise Http404(_("No such filter."))
    can_manage = season.can_manage(request.user, organizers)
    list_html, can_plan = backlog_html(
        season, status, page_number(request), request.user, can_manage
    )
    return render_page(
        request,
        "study/backlog.html",
        {"season": season, "status": status, "list_html": list_html, "can_plan": can_plan},
    )


def slots_to_take_into(season, user, can_manage):
    """The held slots of the season's coming sessions a paper may go into:
    the viewer's own, or every held one for an organizer."""
    slots = TalkSlot.objects.held().upcoming().filter(session__season=season)
    if not can_manage:
        slots = slots.filter(holder=user)
    return slots.select_related("session__season", "holder")


def nominate(request, season):
    """A roster member nominates a paper for the season's backlog."""
    season = season_for_planner(request, season)
    form = NominationForm(request.POST or None, season=season, author=request.user)
    nomination = save_or_form_error(form) if request.method == "POST" else None
    if nomination is not None:
        messages.success(
            request, _("“%(paper)s” is on the backlog.") % {"paper": nomination.paper.title}
        )
        return redirect(nomination)
    return render(request, "study/nomination_form.html", {"form": form, "season": season})


@require_POST
def nomination_vote(request, pk):
    """Vote for a nomination (value 1) or take the vote back (value 0)."""
    nomination = get_nomination(pk)
    if not nomination.season.can_plan(request.user):
        raise PermissionDenied
    form = ChoiceForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Say whether you vote."))
    if nomination.withdrawn_at is not None:
        messages.error(request, _("This nomination was withdrawn."))
    else:
        NominationVote.set_vote(nomination, request.user, form.cleaned_data["value"])
    return redirect(nomination)


@require_POST
def nomination_withdraw(request, pk):
    """Its author or an organizer takes a nomination off the backlog."""
    nomination = get_nomination(pk)
    if not (request.user.pk == nomination.author_id or nomination.season.can_manage(request.user)):
        raise PermissionDenied
    if nomination.withdraw(request.user):
        messages.success(
            request, _("“%(paper)s” was withdrawn.") % {"paper": nomination.paper.title}
        )
    else:
        messages.info(request, _("This nomination was withdrawn already."))
    return redirect(reverse("study:backlog", args=[nomination.season.slug]))


@require_POST
def nomination_take(request, pk):
    """A presenter takes a nominated paper into their slot (an organizer
    into any held slot of a coming session)."""
    nomination = get_nomination(pk)
    season = nomination.season
    can_manage = season.can_manage(request.user)
    slots = slots_to_take_into(season, request.user, can_manage)
    if not can_manage and not slots.exists():
        raise PermissionDenied
    form = TakeIntoSlotForm(request.POST, slots=slots)
    if not form.is_valid():
        messages.error(request, _("Choose one of the slots offered."))
        return redirect(nomination)
    slot = form.cleaned_data["slot"]
    if nomination.take_into(slot):
        notify(
            NotificationKind.NOMINATION_SCHEDULED,
            [nomination.author],
            actor=request.user,
            target=nomination,
            label=f"{nomination.paper.title} · {slot.session.full_name}",
        )
        messages.success(
            request,
            _("“%(paper)s” is scheduled for %(session)s.")
            % {"paper": nomination.paper.title, "session": slot.session.full_name},
        )
        return redirect(slot)
    messages.error(request, _("This paper is scheduled or withdrawn already."))
    return redirect(nomination)


@cached
def session_slots(session):
    """The session's talk slots in order, each with its holder, talk and the
    papers taken into it from the backlog (`chosen`); and the season's
    roster as (id, label) pairs when there are slots to claim or assign."""
    chosen = Prefetch(
        "nominations",
        queryset=Nomination.objects.active().select_related("paper").order_by("pk"),
        to_attr="chosen",
    )
    slots = list(
        session.slots.select_related("holder", "talk", "given_back_by")
        .prefetch_related(chosen)
        .order_by("position", "pk")
    )
    roster = []
    if slots:
        roster = [
            (member.pk, member.label)
            for member in roster_members(session.season).only("display_name", "emoji")
        ]
    return slots, roster


@cached
def agenda():
    """The held and open slots of the coming sessions (soonest first,
    bounded), with their sessions, holders and talks: home's agenda."""
    return list(
        TalkSlot.objects.upcoming().select_related("session__season", "holder", "talk")[
            :AGENDA_SLOTS
        ]
    )
