"""The member directory, profiles, profile editing and invitations."""

from functools import partial

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sessions.forms.concurrency import save_or_form_error
from sessions.forms.members import NewMemberForm, ProfileForm
from sessions.fragments import cached, render_page
from sessions.invitations import (
    InvitationError,
    create_invited_member,
    make_invitation_link,
)
from sessions.models import (
    Answer,
    Member,
    Presentation,
    Question,
    Reflection,
    TalkSlot,
)
from sessions.tasks import email_invitation

from .access import member_for_organizer, organizer_only
from .feeds import feed_urls

MEMBERS_PER_PAGE = 50
# Each section of a profile shows this many items, newest first.
PROFILE_SECTION_SIZE = 5


def member_list(request):
    members = Member.objects.filter(is_active=True).order_by("display_name")
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "study/member_list.html", {"page": page, "members": page.object_list})


def _bounded(queryset):
    """The first PROFILE_SECTION_SIZE items, and whether there are more."""
    items = list(queryset[: PROFILE_SECTION_SIZE + 1])
    return items[:PROFILE_SECTION_SIZE], len(items) > PROFILE_SECTION_SIZE


def profile_sections(member, viewer):
    """The context of a profile's sections (talks, questions received and
    asked, reflections, journal) as `viewer` sees them: the latest
    PROFILE_SECTION_SIZE items of each, loaded without the text the profile
    does not show (six queries)."""
    talks, more_talks = _bounded(
        Presentation.objects.filter(presenter_links__member=member)
        .select_related("session__season")
        .only(
            "topic",
            "session__number",
            "session__title",
            "session__date",
            "session__season__name",
            "session__season__slug",
        )
        .with_presenters()
        .order_by("-session__date", "-session__number", "order", "pk")
    )
    question_fields = (
        "body_html",
        "presentation__topic",
        "presentation__session__number",
        "presentation__session__season__name",
        "presentation__session__season__slug",
    )
    received, more_received = _bounded(
        Question.objects.filter(addressed_to=member)
        .select_related("presentation__session__season", "asked_by")
        .only(*question_fields, "asked_by__display_name", "asked_by__emoji")
        .annotate(answered=Exists(Answer.objects.filter(question=OuterRef("pk"))))
        .order_by("-presentation__session__date", "-pk")
    )
    asked, more_asked = _bounded(
        Question.objects.filter(asked_by=member)
        .select_related("presentation__session__season", "addressed_to")
        .only(*question_fields, "addressed_to__display_name", "addressed_to__emoji")
        .order_by("-presentation__session__date", "-pk")
    )
    writing = list(
        Reflection.objects.filter(author=member)
        .visible_to(viewer)
        .only(
            "kind",
            "body_html",
            "title",
            "date",
            "author_id",
            "visibility",
            "session__number",
            "session__title",
            "session__season__name",
            "session__season__slug",
        )
        .latest_of_each_kind(PROFILE_SECTION_SIZE + 1)
        .prefetch_related("tags")
    )
    reflections = [item for item in writing if item.kind == Reflection.Kind.SESSION]
    journal = [item for item in writing if item.kind == Reflection.Kind.JOURNAL]
    more_reflections = len(reflections) > PROFILE_SECTION_SIZE
    more_journal = len(journal) > PROFILE_SECTION_SIZE
    reflections, journal = reflections[:PROFILE_SECTION_SIZE], journal[:PROFILE_SECTION_SIZE]
    return {
        "member": member,
        "talks": talks,
        "more_talks": more_talks,
        "received": received,
        "more_received": more_received,
        "asked": asked,
        "more_asked": more_asked,
        "reflections": reflections,
        "more_reflections": more_reflections,
        "journal": journal,
        "more_journal": more_journal,
    }


@cached
def member_profile(pk, is_me):
    """The profile of the active member `pk` as others see it, or with
    `is_me` as the member sees it (their private journal entries too): the
    member (without their password or feed tokens), whether they can log in
    yet, and the HTML of their sections (seven queries)."""
    member = get_object_or_404(
        Member.objects.filter(is_active=True)
        .only("display_name", "emoji", "role", "is_superuser", "email", "bio_html", "invited_at")
        .with_can_log_in(),
        pk=pk,
    )
    reader = member if is_me else None
    html = render_to_string("study/includes/member_sections.html", profile_sections(member, reader))
    return member, member.can_log_in, html


@cached
def next_slot_of(pk):
    return TalkSlot.objects.next_for(pk)


def member_detail(request, pk):
    """A member's profile: who they are, and the latest of what they
    presented, asked, were asked and wrote.

    The member and the sections are cached parts, kept once for
    the member themselves (whose journal shows their private entries too)
    and once for every other viewer; only the header's viewer-specific parts
    (the email for organizers and the member themselves, the edit and
    invitation buttons, one's own feed addresses) are rendered per request.
    """
    member, has_password, sections_html = member_profile(pk, pk == request.user.pk)
    context = {
        "member": member,
        "next_slot": next_slot_of(pk),
        "has_password": has_password,
        "sections_html": sections_html,
        "is_me": member.pk == request.user.pk,
    }
    if context["is_me"]:
        # Only the member sees their own secret feed addresses.
        context.update(feed_urls(request, request.user))
    return render_page(request, "study/member_detail.html", context)


def profile_edit(request):
    # A copy of the logged-in member: an invalid form must not change the
    # name the rest of the page (the navigation) shows.
    member = Member.objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST or None, instance=member)
    if save_or_form_error(form) is not None:
        messages.success(request, _("Your profile was saved."))
        return redirect(member)
    return render(request, "study/member_edit.html", {"form": form, "member": member})


def _invite(request, member):
    """Make a link for `member`, email it when possible, and say what happened."""
    link = make_invitation_link(member, request)
    if member.email:
        transaction.on_commit(partial(email_invitation.enqueue, member.pk, link))
        messages.success(
            request,
            _("An invitation is on its way to %(name)s at %(email)s.")
            % {"name": member.display_name, "email": member.email},
        )
    else:
        messages.success(
            request,
            _("%(name)s has no email address. Pass on this one-time link: %(link)s")
            % {"name": member.display_name, "link": link},
        )


@require_POST
def member_invite(request, pk):
    member = member_for_organizer(request, pk)
    try:
        _invite(request, member)
    except InvitationError as error:
        messages.error(request, str(error))
    return redirect(member)


def member_create(request):
    organizer_only(request)
    form = NewMemberForm(request.POST or None)
    if form.is_valid():
        member = create_invited_member(
            form.cleaned_data["display_name"],
            form.cleaned_data["email"],
            emoji=form.cleaned_data["emoji"],
            role=form.cleaned_data["role"],
        )
        _invite(request, member)
        return redirect(member)
    return render(request, "study/member_create.html", {"form": form})
