"""Reflections on sessions (소감) and the members' study journals."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from sessions.forms.reflections import JournalEntryForm, ReflectionForm, reflection_templates
from sessions.models import Member, Reflection, StudySession, Tag

from .access import journal_entry_for_author, reflection_for_author

JOURNAL_ENTRIES_PER_PAGE = 20


def reflection_edit(request, number):
    """Write my reflection on a session, or change it: one per member and session."""
    session = get_object_or_404(StudySession, number=number)
    reflection = (
        Reflection.objects.on_sessions().filter(author=request.user, session=session).first()
    )
    is_new = reflection is None
    if is_new:
        reflection = Reflection(kind=Reflection.Kind.SESSION, author=request.user, session=session)
    templates = reflection_templates()
    chosen = request.GET.get("template", "")
    initial = {}
    if not reflection.body:
        # A retrospective template prefills the empty editor.
        initial = {"body": text for key, _label, text in templates if key == chosen}
    form = ReflectionForm(request.POST or None, instance=reflection, initial=initial)
    if form.is_valid():
        if is_new:
            form.save()
            messages.success(request, _("Your reflection was saved."))
        else:
            form.save(commit=False).save(update_fields=["body", "updated_at"])
            messages.success(request, _("Your reflection was updated."))
        return redirect(session)
    context = {
        "session": session,
        "reflection": reflection,
        "is_new": is_new,
        "form": form,
        "templates": templates if not reflection.body else [],
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


def journal_list(request):
    """A member's journal (mine unless `?author=<pk>`), optionally one tag only."""
    author = request.user
    if request.GET.get("author"):
        try:
            author_pk = int(request.GET["author"])
        except ValueError:
            author_pk = None
        author = get_object_or_404(Member, pk=author_pk, is_active=True)
    entries = (
        Reflection.objects.journals()
        .filter(author=author)
        .prefetch_related("tags")
        .order_by("-date", "-pk")
    )
    tag = request.GET.get("tag", "").strip()
    if tag:
        entries = entries.filter(tags__name=tag)
    page = Paginator(entries, JOURNAL_ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    tags = Tag.objects.filter(
        reflections__author=author, reflections__kind=Reflection.Kind.JOURNAL
    ).distinct()
    context = {
        "author": author,
        "is_mine": author.pk == request.user.pk,
        "page": page,
        "entries": page.object_list,
        "tag": tag,
        "tags": tags,
    }
    return render(request, "study/journal_list.html", context)


def journal_detail(request, pk):
    entry = get_object_or_404(
        Reflection.objects.journals().select_related("author").prefetch_related("tags"), pk=pk
    )
    context = {"entry": entry, "is_mine": entry.author_id == request.user.pk}
    return render(request, "study/journal_detail.html", context)


def journal_create(request):
    entry = Reflection(kind=Reflection.Kind.JOURNAL, author=request.user)
    form = JournalEntryForm(request.POST or None, instance=entry)
    if form.is_valid():
        entry = form.save()
        messages.success(request, _("Your journal entry was saved."))
        return redirect(entry)
    return render(request, "study/journal_form.html", {"form": form, "entry": None})


def journal_edit(request, pk):
    entry = journal_entry_for_author(request, pk)
    form = JournalEntryForm(request.POST or None, instance=entry)
    if form.is_valid():
        entry = form.save()
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
