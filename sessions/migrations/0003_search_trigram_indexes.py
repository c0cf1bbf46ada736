"""Trigram indexes for search, on PostgreSQL only.

Search uses `icontains`, which PostgreSQL runs as `UPPER(col) LIKE
UPPER('%term%')`; a GIN index with `gin_trgm_ops` on `UPPER(col)` answers
that without reading every row. SQLite has no such index type, so on SQLite
this migration does nothing. The indexes are not declared on the models:
SQLite rebuilds a table (and all its declared indexes) on many schema
changes, and would fail on a GIN index.

Hangul only produces trigrams when the database's LC_CTYPE is a UTF-8
locale; see DESIGN.md ("Korean search on PostgreSQL").
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.models.functions import Upper

# (model, field, index name), as in sessions.search.TRIGRAM_INDEXES when
# this migration was written.
TRIGRAM_INDEXES = [
    ("studysession", "title", "study_session_title_trgm"),
    ("studysession", "notes", "study_session_notes_trgm"),
    ("presentation", "topic", "study_talk_topic_trgm"),
    ("presentation", "summary", "study_talk_summary_trgm"),
    ("paper", "title", "study_paper_title_trgm"),
    ("paper", "authors", "study_paper_authors_trgm"),
    ("question", "body", "study_question_body_trgm"),
    ("answer", "body", "study_answer_body_trgm"),
    ("reflection", "title", "study_reflection_title_trgm"),
    ("reflection", "body", "study_reflection_body_trgm"),
]


def trigram_index(field_name, name):
    return GinIndex(OpClass(Upper(field_name), name="gin_trgm_ops"), name=name)


def _on_postgresql(schema_editor):
    return schema_editor.connection.vendor == "postgresql"


def create_indexes(apps, schema_editor):
    if not _on_postgresql(schema_editor):
        return
    for model_name, field_name, index_name in TRIGRAM_INDEXES:
        model = apps.get_model("study", model_name)
        schema_editor.add_index(model, trigram_index(field_name, index_name))


def drop_indexes(apps, schema_editor):
    if not _on_postgresql(schema_editor):
        return
    for model_name, field_name, index_name in TRIGRAM_INDEXES:
        model = apps.get_model("study", model_name)
        schema_editor.remove_index(model, trigram_index(field_name, index_name))


class Migration(migrations.Migration):
    dependencies = [
        ("study", "0002_journal_date_optional"),
    ]

    operations = [
        # CreateExtension does nothing on databases other than PostgreSQL.
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
