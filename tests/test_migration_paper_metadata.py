"""Migration 0012_paper_metadata: existing papers get their normalized title
(so the resolver finds them by title), no fetch state; and it runs backwards."""

import pytest

from tests.migrating import migrate, migrate_to_latest

BEFORE = [("study", "0011_notifications")]
AFTER = [("study", "0012_paper_metadata")]


@pytest.fixture
def at_0009(transactional_db, versions_paused):
    apps = migrate(BEFORE)
    yield apps
    migrate_to_latest()


def test_migration_fills_title_keys_of_existing_papers(at_0009):
    Paper = at_0009.get_model("study", "Paper")
    Paper.objects.create(
        title="Learning Representations by Back-Propagating Errors.", url="https://a.example/bp"
    )

    apps = migrate(AFTER)
    [paper] = apps.get_model("study", "Paper").objects.all()
    assert paper.title_key == "learning representations by back propagating errors"
    assert (paper.metadata_state, paper.authors, paper.author_list, paper.edited_fields) == (
        "",
        "",
        [],
        [],
    )

    apps = migrate(BEFORE)
    assert apps.get_model("study", "Paper").objects.get().title == paper.title
