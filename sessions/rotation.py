"""Who presents next: a season's roster in the order of fairness.

Members who gave the fewest talks this season come first; among equals,
the one who waited longest since their last talk (for someone who has not
presented yet: since they joined the roster, so that a late joiner does
not jump ahead of people who have been waiting since the start), then by
name. A slot held for a coming session counts as a talk on that session's
date. Members who said they are away are left out of the order.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max

from sessions.models import PresentationPresenter, SeasonMembership, TalkSlot
from sessions.models.base import MEMBER_LABEL_FIELDS, fields_of


@dataclass
class RotationEntry:
    member: object
    membership: SeasonMembership
    talks: int
    last_talk: date | None

    @property
    def waiting_since(self):
        return self.last_talk or self.membership.joined_on

    @property
    def sort_key(self):
        return (self.talks, self.waiting_since, self.member.display_name, self.member.pk)


def rotation(season):
    """The roster of `season` as (order, away): the members to ask next,
    fairest first, and the members away (by name). Three queries."""
    memberships = list(
        season.memberships.select_related("member").only(
            "season_id", "role", "joined_on", "away", *fields_of("member", MEMBER_LABEL_FIELDS)
        )
    )
    counts = {}
    talks = (
        PresentationPresenter.objects.filter(presentation__session__season=season)
        .values("member_id")
        .annotate(
            total=Count("presentation", distinct=True), last=Max("presentation__session__date")
        )
    )
    # Held slots whose talk is not posted yet (a posted talk counts above).
    held = (
        TalkSlot.objects.filter(session__season=season, holder__isnull=False, talk__isnull=True)
        .values("holder_id")
        .annotate(total=Count("pk"), last=Max("session__date"))
    )
    for row in [*talks, *({**row, "member_id": row["holder_id"]} for row in held)]:
        total, last = counts.get(row["member_id"], (0, None))
        counts[row["member_id"]] = (total + row["total"], max(filter(None, [last, row["last"]])))
    entries = [
        RotationEntry(membership.member, membership, *counts.get(membership.member_id, (0, None)))
        for membership in memberships
    ]
    order = sorted(
        (entry for entry in entries if not entry.membership.away), key=lambda e: e.sort_key
    )
    away = sorted(
        (entry for entry in entries if entry.membership.away), key=lambda e: e.member.display_name
    )
    return order, away


def proposal(order, slots):
    """Who the rotation proposes for each of `slots` (soonest first):
    members in `order`, each going to the back of the line once proposed,
    never twice on one session nor on a session they hold a slot of.
    Returns {slot pk: member or None}."""
    line = [entry.member for entry in order]
    taken = {}
    for slot in TalkSlot.objects.filter(
        session__in={slot.session_id for slot in slots}, holder__isnull=False
    ).values_list("session_id", "holder_id"):
        taken.setdefault(slot[0], set()).add(slot[1])
    proposed = {}
    for slot in slots:
        busy = taken.setdefault(slot.session_id, set())
        member = next((member for member in line if member.pk not in busy), None)
        proposed[slot.pk] = member
        if member is not None:
            busy.add(member.pk)
            line.remove(member)
            line.append(member)
    return proposed
