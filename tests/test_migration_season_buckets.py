"""Migration 0018_drop_season_bucket_versions: the versions of season
buckets, no longer written nor read, go; the others stay."""

from tests.migrating import migrate, migrate_to_latest

BEFORE = [("study", "0017_table_versions")]
AFTER = [("study", "0018_drop_season_bucket_versions")]


def test_migration_drops_season_bucket_versions_only(transactional_db, versions_paused):
    ContentVersion = migrate(BEFORE).get_model("study", "ContentVersion")
    for table in ("study_question", "study_question@3", "study_question@season-3"):
        ContentVersion.objects.update_or_create(table=table, defaults={"token": table[-8:]})
    try:
        ContentVersion = migrate(AFTER).get_model("study", "ContentVersion")
        kept = set(ContentVersion.objects.values_list("table", flat=True))
    finally:
        migrate_to_latest()
    assert (
        {"study_question", "study_question@3"} <= kept,
        [table for table in kept if "@season-" in table],
    ) == (True, [])
