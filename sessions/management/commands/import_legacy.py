"""Import the group's legacy markdown notes (session notes and journals)."""

from django.core.management.base import BaseCommand, CommandError

from sessions.legacy.loader import import_paths
from sessions.models import Member


def parse_aliases(values) -> dict[str, str]:
    """``["조수빈=최수빈"]`` -> ``{"조수빈": "최수빈"}``; raises ValueError on a bad item."""
    aliases = {}
    for value in values or []:
        old, sep, new = value.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise ValueError(f"alias {value!r} is not of the form OLD=NEW")
        aliases[old.strip()] = new.strip()
    return aliases


class Command(BaseCommand):
    help = (
        "Import legacy markdown notes: session notes (both layouts) and journals with "
        "front matter. PATH may be files or folders (searched recursively for .md, "
        ".markdown and .txt). Importing again changes nothing; an edited file updates "
        "what it imported before. Exits with status 1 when any file failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Files or folders to import.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Parse and report everything, write nothing."
        )
        parser.add_argument(
            "--author", metavar="USERNAME", help="The member who owns the journal files."
        )
        parser.add_argument(
            "--season",
            default="",
            metavar="NAME",
            help=(
                "The season the session notes go to, created when missing (default: the "
                "season a file names, else the current season)."
            ),
        )
        parser.add_argument(
            "--alias",
            action="append",
            default=[],
            metavar="OLD=NEW",
            help="Map a name written in the notes to a member's name (repeatable).",
        )

    def handle(self, *args, paths, dry_run, author, alias, season, verbosity, **options):
        try:
            aliases = parse_aliases(alias)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        owner = None
        if author:
            owner = Member.objects.filter(username=author).first()
            if owner is None:
                raise CommandError(f"--author: no member with the username {author!r}")

        show_progress = verbosity >= 2 or (verbosity >= 1 and self.stdout.isatty())

        def progress(result):
            if show_progress:
                style = self.style.ERROR if result.error else (lambda text: text)
                self.stdout.write(style(result.describe()))

        report = import_paths(
            paths,
            author=owner,
            aliases=aliases,
            dry_run=dry_run,
            progress=progress,
            season=season.strip(),
        )
        if verbosity >= 1:
            for line in report.summary_lines():
                self.stdout.write(line)
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} of {len(report.files)} file(s) failed", returncode=1
            )
