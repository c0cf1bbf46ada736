"""The task worker in the test's own process."""

from django_tasks_db.management.commands.db_worker import Worker


def run_worker(worker_id="test-worker"):
    """Run the database backend's worker until no task is ready, as
    `manage.py db_worker --batch` does."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()
