"""Running the migrations back and forth in tests of a data migration."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate the test database to `targets`; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def migrate_to_latest():
    """Migrate the test database forward again, to the app's latest migration."""
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("study"))
