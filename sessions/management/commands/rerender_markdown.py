from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from sessions.models.base import RenderedMarkdownModel


def rerender_markdown(dry_run=False, batch_size=500):
    """Render every stored markdown field again; returns {model label: rows changed}.

    Run after the renderer changes (a new sanitizer rule, a math fix): pages
    show the stored HTML, so nothing changes for readers until this runs.
    """
    changed = {}
    for model in apps.get_app_config("study").get_models():
        if not issubclass(model, RenderedMarkdownModel) or not model.markdown_fields:
            continue
        targets = list(model.markdown_fields.values())
        fields = ["pk", *model.markdown_fields.keys(), *targets]
        updated = []
        for obj in model._base_manager.only(*fields[1:]).iterator(chunk_size=batch_size):
            before = [getattr(obj, target) for target in targets]
            obj.render_markdown_fields()
            if [getattr(obj, target) for target in targets] != before:
                updated.append(obj)
        if updated and not dry_run:
            with transaction.atomic():
                model._base_manager.bulk_update(updated, targets, batch_size=batch_size)
        changed[model._meta.label] = len(updated)
    return changed


class Command(BaseCommand):
    help = (
        "Render every markdown field again with the current renderer (after the renderer changed)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change; write nothing."
        )

    def handle(self, *args, dry_run, verbosity, **options):
        changed = rerender_markdown(dry_run=dry_run)
        if verbosity >= 1:
            verb = "would change" if dry_run else "changed"
            for label, count in changed.items():
                self.stdout.write(f"{label}: {count} {verb}")
