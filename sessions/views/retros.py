"""The retrospective board of a session, its action items, what carries over
to the next session, and the earlier versions of edited texts."""

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Value,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sessions.forms.concurrency import save_or_form_error
from sessions.forms.retros import (
    ActionItemForm,
    BoardFormatForm,
    CardForm,
    CardMergeForm,
    ResolveActionItemForm,
)
from sessions.fragments import cached, cached_with_own_links, reading_sessions
from sessions.models import (
    ActionItem,
    Answer,
    Card,
    CardVote,
    NotificationKind,
    Question,
    RetroBoard,
    SeasonMembership,
)
from sessions.models.base import column, union_branch
from sessions.models.meetings import session_full_name
from sessions.models.talks import person_or_none
from sessions.notifications import notify

from .access import get_session, season_for_organizer

# The session page and the home page show at most this many carried-over items.
CARRIED_ITEMS = 20


# Access -------------------------------------------------------------------


def board_role(user, season):
    """ "organizer", "member" or None: what `user` is on the board of a
    session of `season` (one query). Group organizers organize every board;
    the roster reads and writes them."""
    if user.is_organizer:
        return "organizer"
    role = (
        SeasonMembership.objects.filter(season=season, member=user)
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        return None
    return "organizer" if role == SeasonMembership.Role.ORGANIZER else "member"


def session_board_for_member(request, season, number):
    """A session whose board the viewer may use, and their role on it."""
    session = get_session(season, number)
    role = board_role(request.user, session.season)
    if role is None:
        raise PermissionDenied
    return session, role


def card_for(request, pk):
    """A card on a board the viewer may use, and their role on it."""
    card = get_object_or_404(Card.objects.select_related("board__session__season"), pk=pk)
    role = board_role(request.user, card.board.session.season)
    if role is None:
        raise PermissionDenied
    return card, role


def card_for_author(request, pk):
    """A card its author may change or delete."""
    card, _role = card_for(request, pk)
    if not card.is_by(request.user):
        raise PermissionDenied
    return card


def card_for_organizer(request, pk):
    card, role = card_for(request, pk)
    if role != "organizer":
        raise PermissionDenied
    return card


def board_of(session):
    """The session's board; an unsaved KPT board when nobody used it yet."""
    return RetroBoard.objects.filter(session=session).first() or RetroBoard(session=session)


# The board -----------------------------------------------------------------


def board_cards(board, viewer):
    """The board's cards not merged into another, with their author, vote
    count, whether `viewer` voted, their merged cards and action item
    (four queries)."""
    if board.pk is None:
        return []
    return list(
        board.cards.top_level()
        .select_related("author")
        .annotate(
            vote_count=Count("votes", distinct=True),
            my_vote=Exists(CardVote.objects.filter(card=OuterRef("pk"), member=viewer)),
        )
        .prefetch_related(
            Prefetch("merged_cards", queryset=Card.objects.select_related("author").order_by("pk")),
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.select_related("owner", "due_session__season"),
            ),
        )
        .order_by("-vote_count", "created_at", "pk")
    )


def board_columns(board, cards, viewer):
    """The columns in order, each with its cards as `viewer` may see them."""
    by_column = {column: [] for column in board.columns()}
    for card in cards:
        card.shown_author = card.author_shown_to(viewer)
        card.mine = card.is_by(viewer)
        card.total_votes = card.vote_count + card.imported_votes
        card.item = next(iter(card.action_items.all()), None)
        for merged in card.merged_cards.all():
            merged.shown_author = merged.author_shown_to(viewer)
            merged.mine = merged.is_by(viewer)
        by_column.setdefault(card.column, []).append(card)
    return [{"column": column, "cards": by_column.get(column, [])} for column in board.columns()]


def board_detail(request, season, number):
    """The board: cards by column, votes, and the form for a new card."""
    session, role = session_board_for_member(request, season, number)
    board = board_of(session)
    cards = board_cards(board, request.user)
    return render(
        request,
        "study/retro_board.html",
        {
            "session": session,
            "board": board,
            "columns": board_columns(board, cards, request.user),
            "is_organizer": role == "organizer",
            "card_form": CardForm(board=board, initial={"column": board.columns()[0]}),
            "format_form": BoardFormatForm(instance=board) if role == "organizer" else None,
        },
    )


def board_format(request, season, number):
    """An organizer chooses the board's format (KPT or 4L)."""
    session, role = session_board_for_member(request, season, number)
    if role != "organizer":
        raise PermissionDenied
    board = board_of(session)
    form = BoardFormatForm(request.POST or None, instance=board)
    if request.method == "POST" and save_or_form_error(form) is not None:
        messages.success(request, _("The board's format was saved."))
        return redirect("study:retro-board", *session.url_args)
    return render(request, "study/retro_format_form.html", {"session": session, "form": form})


def card_create(request, season, number):
    """A member of the season adds a card to the board."""
    session, _role = session_board_for_member(request, season, number)
    board = board_of(session)
    card = Card(board=board, author=request.user)
    form = CardForm(request.POST or None, board=board, instance=card)
    if request.method == "POST" and form.is_valid():
        if board.pk is None:
            board, _created = RetroBoard.objects.get_or_create(session=session)
            card.board = board
        if save_or_form_error(form) is not None:
            messages.success(request, _("Your card was added."))
            return redirect(board_url(session, card))
    return render(request, "study/card_form.html", {"session": session, "form": form, "card": None})


def board_url(session, card=None):
    """The board's address, at `card` when given."""
    url = reverse("study:retro-board", args=session.url_args)
    return f"{url}#card-{card.pk}" if card is not None else url


def card_edit(request, pk):
    card = card_for_author(request, pk)
    session = card.board.session
    form = CardForm(request.POST or None, board=card.board, instance=card)
    if request.method == "POST" and save_or_form_error(form) is not None:
        messages.success(request, _("Your card was updated."))
        return redirect(board_url(session, card))
    return render(request, "study/card_form.html", {"session": session, "form": form, "card": card})


def card_delete(request, pk):
    card = card_for_author(request, pk)
    session = card.board.session
    if request.method == "POST":
        card.delete()
        messages.success(request, _("Your card was deleted."))
        return redirect(board_url(session))
    return render(
        request,
        "study/confirm_delete.html",
        {
            "title": _("Delete your card?"),
            "preview_html": card.body_html,
            "warning": _("Its votes and its action item are deleted with it."),
            "cancel_url": board_url(session, card),
        },
    )


@require_POST
def card_vote(request, pk):
    """Vote for a card or take the vote back. The form says which
    (`vote` on or off), so a double submit leaves the same result."""
    card, _role = card_for(request, pk)
    if card.merged_into_id is not None:
        messages.error(request, _("This card was merged into another one: vote for that one."))
        return redirect(board_url(card.board.session))
    if request.POST.get("vote") == "on":
        CardVote.objects.get_or_create(card=card, member=request.user)
    elif request.POST.get("vote") == "off":
        CardVote.objects.filter(card=card, member=request.user).delete()
    else:
        raise BadRequest("vote must be on or off")
    return redirect(board_url(card.board.session, card))


def card_merge(request, pk):
    """An organizer merges a card into a similar one: its votes move there."""
    card = card_for_organizer(request, pk)
    session = card.board.session
    form = CardMergeForm(request.POST or None, card=card, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        card.merge_into(target)
        messages.success(request, _("The cards were merged."))
        return redirect(board_url(session, target))
    card.shown_author = card.author_shown_to(request.user)
    return render(
        request, "study/card_merge.html", {"session": session, "card": card, "form": form}
    )


# Action items ----------------------------------------------------------------


def action_item_edit(request, pk):
    """An organizer makes a card an action item, or changes that item."""
    card = card_for_organizer(request, pk)
    session = card.board.session
    item = ActionItem.objects.filter(card=card).first()
    is_new = item is None
    if is_new:
        item = ActionItem(card=card, created_by=request.user)
    owner_before = item.owner_id
    form = ActionItemForm(request.POST or None, card=card, instance=item)
    if request.method == "POST" and save_or_form_error(form) is not None:
        if is_new or item.owner_id != owner_before:
            notify(
                NotificationKind.ACTION_ITEM,
                [item.owner],
                actor=request.user,
                target=item,
                label=item.title,
            )
        if is_new:
            messages.success(request, _("The card is now an action item."))
        else:
            messages.success(request, _("The action item was updated."))
        return redirect(board_url(session, card))
    return render(
        request,
        "study/action_item_form.html",
        {"session": session, "card": card, "form": form, "is_new": is_new},
    )


def action_item_resolve(request, pk):
    """The owner or an organizer marks an open action item done or dropped."""
    item = get_object_or_404(
        ActionItem.objects.for_lists().select_related("resolved_by", "card__author"), pk=pk
    )
    if not item.can_resolve(request.user):
        raise PermissionDenied
    session = item.card.board.session
    if request.method == "POST":
        form = ResolveActionItemForm(request.POST)
        if not form.is_valid():
            raise BadRequest("status must be done or dropped")
        if item.status == ActionItem.Status.OPEN:
            item.resolve(form.cleaned_data["status"], request.user)
            messages.success(
                request,
                _("“%(title)s” was marked: %(status)s.")
                % {"title": item.title, "status": item.get_status_display()},
            )
        return redirect(item.due_session or board_url(session, item.card))
    return render(request, "study/action_item_resolve.html", {"item": item, "session": session})


# What carries over ----------------------------------------------------------


class CarriedOver:
    """A question carried over or an action item due, as the session page
    shows it: its text, who asked or owns it (`by`) and whom a question is
    addressed to (`to`; `Person`s or None), and where it came from. One row
    of `session_carry_over`'s query."""

    __slots__ = ("pk", "text", "by_id", "by", "to_id", "to", "where")

    def __init__(self, row, season_name):
        self.pk, self.text = row["row"], row["text"]
        self.by_id, self.to_id = row["by_id"], row["to_id"]
        self.by = person_or_none(self.by_id, row["by_name"], row["by_emoji"])
        self.to = person_or_none(self.to_id, row["to_name"], row["to_emoji"])
        session = session_full_name(row["season"] or season_name, row["number"])
        self.where = f"{session} · {row['topic']}" if row["topic"] is not None else session


def _carry_over_rows(kind, queryset, order, **columns):
    """One branch of `session_carry_over`'s union."""
    return union_branch(queryset, order, CARRIED_ITEMS, carried=Value(kind), row=F("pk"), **columns)


@cached
def session_carry_over(session):
    """What the session page shows of the retrospective, the same for every
    viewer, as `CarriedOver` rows: the questions of earlier sessions of the
    season still waiting for an answer (neither answered nor closed),
    oldest session first, and the open action items due at it, oldest
    first. One query, a union of the two (their season is `session`'s for
    the questions: joining it again would only cost planning time)."""
    questions = _carry_over_rows(
        "question",
        Question.objects.open().filter(
            presentation__session__season_id=session.season_id,
            presentation__session__number__lt=session.number,
        ),
        ["presentation__session__number", "position", "pk"],
        text=F("body"),
        by_id=F("asked_by"),
        by_name=F("asked_by__display_name"),
        by_emoji=F("asked_by__emoji"),
        to_id=F("addressed_to"),
        to_name=F("addressed_to__display_name"),
        to_emoji=F("addressed_to__emoji"),
        number=F("presentation__session__number"),
        topic=F("presentation__topic"),
        season=column(None, CharField()),
        place=F("position"),
        since=column(None, DateTimeField()),
    )
    items = _carry_over_rows(
        "item",
        ActionItem.objects.open().filter(due_session=session),
        ["created_at", "pk"],
        text=F("title"),
        by_id=F("owner"),
        by_name=F("owner__display_name"),
        by_emoji=F("owner__emoji"),
        to_id=column(None, IntegerField()),
        to_name=column(None, CharField()),
        to_emoji=column(None, CharField()),
        number=F("card__board__session__number"),
        topic=column(None, CharField()),
        season=F("card__board__session__season__name"),
        place=column(None, IntegerField()),
        since=F("created_at"),
    )
    # An answer on this session's own talks (or on a later one's) changes
    # nothing here: only those on the earlier sessions' are read.
    with reading_sessions(session.earlier_session_ids(), Question, Answer):
        rows = list(questions.union(items, all=True))
    carried = sorted(
        (row for row in rows if row["carried"] == "question"),
        key=lambda row: (row["number"], row["place"], row["row"]),
    )
    due = sorted(
        (row for row in rows if row["carried"] == "item"),
        key=lambda row: (row["since"], row["row"]),
    )
    return (
        [CarriedOver(row, session.season.name) for row in carried],
        [CarriedOver(row, session.season.name) for row in due],
    )


@cached_with_own_links
def session_retro_html(session, can_manage, viewer):
    """The retrospective part of the session page: the board link, the
    questions carried over and the action items due, with the links to
    close or resolve an item for its addressee or owner (`viewer`, or None)
    and, with `can_manage`, for the organizers; and those addressees and
    owners."""
    questions, items = session_carry_over(session)
    html = render_to_string(
        "study/includes/session_retro.html",
        {
            "session": session,
            "carried_questions": [
                (
                    question,
                    can_manage or viewer is not None and viewer.pk == question.to_id,
                )
                for question in questions
            ],
            "action_items": [
                (item, can_manage or viewer is not None and viewer.pk == item.by_id)
                for item in items
            ],
        },
    )
    owners = {question.to_id for question in questions} | {item.by_id for item in items}
    return html, owners


class MyActionItem:
    """One of the viewer's open action items, as the home page lists it:
    its title and the session it is due at (or, with no due session, the
    session whose retrospective it came from), from one plain row."""

    __slots__ = ("pk", "title", "due_at", "session_name")
    FIELDS = (
        "pk",
        "title",
        "due_session__season__name",
        "due_session__number",
        "card__board__session__season__name",
        "card__board__session__number",
    )

    def __init__(self, pk, title, due_season, due_number, board_season, board_number):
        self.pk, self.title = pk, title
        self.due_at = session_full_name(due_season, due_number) if due_number is not None else None
        self.session_name = session_full_name(board_season, board_number)


def my_action_items(user):
    """`user`'s open action items, soonest due first, for the home page's
    list of what waits for them (one query, of what the list shows)."""
    rows = ActionItem.objects.open().filter(owner=user).values_list(*MyActionItem.FIELDS)
    return {"action_items": [MyActionItem(*row) for row in rows[:CARRIED_ITEMS]]}


# The organizers' overview ------------------------------------------------------

OVERVIEW_ROWS = 100


def retro_overview(request, season):
    """Every open action item and open question of a season, for its organizers."""
    season = season_for_organizer(request, season)
    items = list(
        ActionItem.objects.open()
        .in_season(season)
        .for_lists()
        .order_by("due_session__number", "pk")[: OVERVIEW_ROWS + 1]
    )
    questions = list(
        Question.objects.open()
        .filter(presentation__session__season=season)
        .select_related("presentation__session__season", "asked_by", "addressed_to")
        .order_by("presentation__session__number", "position", "pk")[: OVERVIEW_ROWS + 1]
    )
    return render(
        request,
        "study/retro_overview.html",
        {
            "season": season,
            "action_items": items[:OVERVIEW_ROWS],
            "more_items": len(items) > OVERVIEW_ROWS,
            "questions": questions[:OVERVIEW_ROWS],
            "more_questions": len(questions) > OVERVIEW_ROWS,
        },
    )


# Closing a question without an answer --------------------------------------------


def question_close(request, pk):
    """The member a question is addressed to, or an organizer of its season,
    closes it without an answer: it stops carrying over."""
    question = get_object_or_404(
        Question.objects.select_related(
            "presentation__session__season", "asked_by", "addressed_to"
        ),
        pk=pk,
    )
    if not question.can_close(request.user):
        raise PermissionDenied
    session = question.presentation.session
    if request.method == "POST":
        if question.closed_at is None and not question.answers.exists():
            question.close(request.user)
            messages.success(request, _("The question was closed without an answer."))
        return redirect(session)
    return render(request, "study/question_close.html", {"question": question, "session": session})


# Earlier versions -------------------------------------------------------------


def earlier_versions(history):
    """The texts an object had before its current one, newest first, each
    once (saves that left the text alone are skipped)."""
    versions = []
    for record in history.order_by("-history_date", "-history_id"):
        if versions and versions[-1].body == record.body:
            continue
        versions.append(record)
    return versions[1:]


def render_history(request, title, back_url, current, history):
    return render(
        request,
        "study/history.html",
        {
            "title": title,
            "back_url": back_url,
            "current": current,
            "versions": earlier_versions(history),
        },
    )


def question_history(request, pk):
    """Earlier versions of a question; every member may read them."""
    question = get_object_or_404(Question.objects.select_related("presentation"), pk=pk)
    return render_history(
        request,
        _("Earlier versions of the question"),
        question.get_absolute_url(),
        question,
        question.history.all(),
    )


def answer_history(request, pk):
    """Earlier versions of an answer; every member may read them."""
    answer = get_object_or_404(Answer.objects.select_related("question__presentation"), pk=pk)
    return render_history(
        request,
        _("Earlier versions of the answer"),
        answer.get_absolute_url(),
        answer,
        answer.history.all(),
    )


def card_history(request, pk):
    """Earlier versions of a card, for the members of its board; they name
    nobody (an anonymous card's history would give its author away)."""
    card, _role = card_for(request, pk)
    return render_history(
        request,
        _("Earlier versions of the card"),
        board_url(card.board.session, card),
        card,
        card.history.all(),
    )
