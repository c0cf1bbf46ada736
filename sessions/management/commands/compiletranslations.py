from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def compile_catalogs(locale_dirs, force=False):
    """Compile every `django.po` below `locale_dirs` into `django.mo`.

    Returns the paths written. Unlike `compilemessages` this needs no GNU
    gettext, so a fresh machine can serve the translated UI.
    """
    written = []
    for locale_dir in locale_dirs:
        for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if (
                not force
                and mo_path.exists()
                and mo_path.stat().st_mtime >= po_path.stat().st_mtime
            ):
                continue
            try:
                catalog = polib.pofile(str(po_path))
            except (OSError, ValueError) as error:
                raise CommandError(f"{po_path}: {error}") from error
            catalog.save_as_mofile(str(mo_path))
            written.append(mo_path)
    return written


class Command(BaseCommand):
    help = "Compile the translation catalogs (.po to .mo) without GNU gettext."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Compile even when up to date.")

    def handle(self, *args, force, verbosity, **options):
        written = compile_catalogs(settings.LOCALE_PATHS, force=force)
        if verbosity >= 1:
            for path in written:
                self.stdout.write(f"compiled {path}")
            if not written:
                self.stdout.write("translations up to date")
