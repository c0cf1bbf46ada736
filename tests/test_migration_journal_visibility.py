"""Migration 0009_journal_visibility: calendar subscriptions keep working,
the activity feed gets a secret of its own, journals stay as shared as they
were; and it runs backwards."""

import pytest

from tests.migrating import migrate, migrate_to_latest

BEFORE = [("study", "0008_member_updated_at")]
AFTER = [("study", "0009_journal_visibility")]


@pytest.fixture
def at_0006(transactional_db, versions_paused):
    apps = migrate(BEFORE)
    yield apps
    migrate_to_latest()


def test_migration_keeps_the_calendar_token_and_gives_a_new_activity_token(at_0006):
    Member = at_0006.get_model("study", "Member")
    Reflection = at_0006.get_model("study", "Reflection")
    for name in ("가", "나"):
        member = Member.objects.create(
            username=name, display_name=name, feed_token=f"old-{name}", password="!"
        )
        Reflection.objects.create(
            kind="journal", author=member, title=f"{name}의 일지", body="본문"
        )

    apps = migrate(AFTER)
    members = list(apps.get_model("study", "Member").objects.order_by("username"))
    assert [m.calendar_token for m in members] == ["old-가", "old-나"]
    activity = [m.activity_token for m in members]
    assert (len(set(activity)), [len(token) for token in activity]) == (2, [32, 32])
    assert not set(activity) & {"old-가", "old-나"}
    assert [m.default_journal_visibility for m in members] == ["members", "members"]
    journals = apps.get_model("study", "Reflection").objects.values_list("visibility", flat=True)
    assert list(journals) == ["members", "members"]

    apps = migrate(BEFORE)
    tokens = (
        apps.get_model("study", "Member")
        .objects.order_by("username")
        .values_list("feed_token", flat=True)
    )
    assert list(tokens) == ["old-가", "old-나"]
