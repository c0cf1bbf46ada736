"""Export every session and journal entry as markdown the importer reads back.

Private journal entries stay out unless `--include-private` is given: the
files usually leave the server (a shared folder, the group's repository),
where every member would read them. A backup for the site's administrator
takes them with the flag; their front matter says `visibility: private`,
which the importer keeps.
"""

from django.core.management.base import BaseCommand, CommandError

from sessions.legacy.exporter import export_all


class Command(BaseCommand):
    help = (
        "Write every session as markdown (by-topic layout, one file each under "
        "DIR/sessions/) and every journal entry with YAML front matter (under "
        "DIR/journals/<username>/). import_legacy reads them back unchanged. "
        "Private journal entries are left out unless --include-private is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, metavar="DIR", help="Folder to write into.")
        parser.add_argument("--dry-run", action="store_true", help="List the files, write nothing.")
        parser.add_argument(
            "--include-private",
            action="store_true",
            help="Also write private journal entries (marked 'visibility: private'), e.g. for a backup.",
        )

    def handle(self, *args, out, dry_run, include_private, verbosity, **options):
        try:
            paths = export_all(out, dry_run=dry_run, include_private=include_private)
        except OSError as exc:
            raise CommandError(f"cannot write to {out}: {exc.strerror}") from None
        if verbosity >= 2:
            for path in paths:
                self.stdout.write(str(path))
        if verbosity >= 1:
            verb = "would be written" if dry_run else "written"
            self.stdout.write(f"{len(paths)} file(s) {verb} to {out}.")
