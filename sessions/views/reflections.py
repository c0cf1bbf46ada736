"""Reflections on sessions (소감) and the members' study journals."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from sessions.forms.concurrency import save_or_form_error
from sessions.forms.reflections import (
    JournalEntryForm,
    JournalFilterForm,
    ReflectionForm,
    reflection_templates,
)
from sessions.fragments import cached, render_page
from sessions.models import Member, Reflection, Tag

from .access import get_session, journal_entry_for_author, reflection_for_author
from .paging import page_number, page_of_known_length

JOURNAL_ENTRIES_PER_PAGE = 20


def reflection_edit(request, season, number):
    """Write my reflection on a session, or change it: one per member and session."""
    session = get_session(season, number)
    reflection = (
        Reflection.objects.on_sessions().filter(author=request.user, session=session).first()
    )
    is_new = reflection is None
    if is_new:
        reflection = Reflection(kind=Reflection.Kind.SESSION, author=request.user, session=session)
    templates = reflection_templates()
    texts = {key: text for key, _label, text in templates}
    chosen = request.GET.get("template", "")
    initial = {}
    if not reflection.body and chosen in texts:
        # A retrospective template prefills the empty editor.
        initial = {"body": texts[chosen]}
    if request.method == "POST" and "template" in request.POST:
        # A template button without JavaScript: keep what was typed, add the template.
        form = ReflectionForm.with_template_chosen(
            request.POST, reflection, texts.get(request.POST["template"], "")
        )
    else:
        form = ReflectionForm(request.POST or None, instance=reflection, initial=initial)
    if "template" not in request.POST and save_or_form_error(form) is not None:
        if is_new:
            messages.success(request, _("Your reflection was saved."))
        else:
            messages.success(request, _("Your reflection was updated."))
        return redirect(session)
    context = {
        "session": session,
        "reflection": reflection,
        "is_new": is_new,
        "form": form,
        "templates": templates,
        "chosen_template": chosen,
    }
    return render(request, "study/reflection_form.html", context)


def reflection_delete(request, pk):
    reflection = reflection_for_author(request, pk)
    if request.method == "POST":
        reflection.delete()
        messages.success(request, _("Your reflection was deleted."))
        return redirect(reflection.session)
    return render(request, "study/reflection_confirm_delete.html", {"reflection": reflection})


@cached
def journal_author(pk):
    """The active member `pk`, with only what the journal list shows of them."""
    return get_object_or_404(Member.objects.only("display_name", "emoji"), pk=pk, is_active=True)


def journal_entries(author, tag, is_mine):
    """`author`'s journal entries that others may read (all of them, with
    `is_mine`: the author is looking), only with `tag` when given, newest
    first, loaded without their text."""
    entries = (
        Reflection.objects.journals()
        .visible_to(author if is_mine else None)
        .filter(author=author)
        .only("kind", "title", "date", "author_id", "visibility")
        .order_by("-date", "-pk")
    )
    if tag:
        entries = entries.filter(tags__name=tag)
    return entries


@cached
def journal_length(author, tag, is_mine):
    """How many entries `journal_entries` lists."""
    return journal_entries(author, tag, is_mine).count()


@cached
def journal_tags_html(author, tag, is_mine):
    """The journal's tag filter: the tags of the entries the viewer may read."""
    tags = Tag.objects.filter(
        reflections__in=Reflection.objects.journals()
        .visible_to(author if is_mine else None)
        .filter(author=author)
    ).distinct()
    return render_to_string(
        "study/includes/journal_tags.html", {"author": author, "tag": tag, "tags": tags}
    )


@cached
def journal_entries_html(author, tag, is_mine, number):
    """Page `number` of the journal's entries (a page that exists)."""
    start = (number - 1) * JOURNAL_ENTRIES_PER_PAGE
    entries = journal_entries(author, tag, is_mine).prefetch_related("tags")
    return render_to_string(
        "study/includes/journal_entries.html",
        {"entries": entries[start : start + JOURNAL_ENTRIES_PER_PAGE]},
    )


def journal_list(request):
    """A member's journal (mine unless `?author=<pk>`), optionally one tag only.

    The tag filter and each page of entries are cached parts, kept once for
    the author, who sees their private entries too, and once for every
    other viewer, who sees the shared ones; only the heading, the "New
    entry" button and the message for an empty journal depend on whose
    journal it is.
    """
    filters = JournalFilterForm(request.GET)
    if not filters.is_valid():
        raise Http404
    author_pk, tag = filters.cleaned_data["author"], filters.cleaned_data["tag"]
    author = request.user if author_pk is None else journal_author(author_pk)
    is_mine = author.pk == request.user.pk
    page = page_of_known_length(
        journal_length(author, tag, is_mine), JOURNAL_ENTRIES_PER_PAGE, page_number(request)
    )
    context = {
        "author": author,
        "is_mine": is_mine,
        "page": page,
        "tag": tag,
        "tags_html": journal_tags_html(author, tag, is_mine),
        "entries_html": journal_entries_html(author, tag, is_mine, page.number)
        if page.paginator.count
        else "",
    }
    return render_page(request, "study/journal_list.html", context)


def journal_detail(request, pk):
    """One entry; someone else's private entry is not found (404)."""
    entry = get_object_or_404(
        Reflection.objects.journals()
        .visible_to(request.user)
        .select_related("author")
        .prefetch_related("tags"),
        pk=pk,
    )
    context = {"entry": entry, "is_mine": entry.author_id == request.user.pk}
    return render(request, "study/journal_detail.html", context)


def journal_create(request):
    """A new entry, read by whom the member's profile says unless they choose otherwise."""
    entry = Reflection(
        kind=Reflection.Kind.JOURNAL,
        author=request.user,
        visibility=request.user.default_journal_visibility,
    )
    form = JournalEntryForm(request.POST or None, instance=entry)
    entry = save_or_form_error(form)
    if entry is not None:
        messages.success(request, _("Your journal entry was saved."))
        return redirect(entry)
    return render(request, "study/journal_form.html", {"form": form, "entry": None})


def journal_edit(request, pk):
    entry = journal_entry_for_author(request, pk)
    form = JournalEntryForm(request.POST or None, instance=entry)
    if save_or_form_error(form) is not None:
        messages.success(request, _("Your journal entry was updated."))
        return redirect(entry)
    return render(request, "study/journal_form.html", {"form": form, "entry": entry})


def journal_delete(request, pk):
    entry = journal_entry_for_author(request, pk)
    if request.method == "POST":
        entry.delete()
        messages.success(request, _("Your journal entry was deleted."))
        return redirect("study:journal-list")
    return render(request, "study/journal_confirm_delete.html", {"entry": entry})
