"""Migration 0018_drop_season_bucket_versions: the versions of season
buckets, no longer written nor read, go; the others stay."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("study", "0017_table_versions")]
AFTER = [("study", "0018_drop_season_bucket_versions")]


def migrate(targets):
    """Migrate the test database to `targets`; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def test_migration_drops_season_bucket_versions_only(transactional_db, versions_paused):
    ContentVersion = migrate(BEFORE).get_model("study", "ContentVersion")
    for table in ("study_question", "study_question@3", "study_question@season-3"):
        ContentVersion.objects.update_or_create(table=table, defaults={"token": table[-8:]})
    try:
        ContentVersion = migrate(AFTER).get_model("study", "ContentVersion")
        kept = set(ContentVersion.objects.values_list("table", flat=True))
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("study"))
    assert (
        {"study_question", "study_question@3"} <= kept,
        [table for table in kept if "@season-" in table],
    ) == (True, [])
