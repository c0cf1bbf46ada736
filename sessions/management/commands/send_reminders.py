from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sessions.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Email reminders: each member the day before a session (its talks, and whether "
        "they have answered), each presenter their unanswered questions. Meant for a daily "
        "cron job; nothing is sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=settings.SITE_URL,
            help="Where the site is served, for the links in the emails (default: %(default)s).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List the reminders that are due; send nothing."
        )

    def handle(self, *args, **options):
        base_url = options["base_url"]
        if not base_url.startswith(("http://", "https://")):
            raise CommandError(f"--base-url must start with http:// or https://, not {base_url!r}")
        reminders = send_reminders(base_url=base_url, dry_run=options["dry_run"])
        verb = "Would send" if options["dry_run"] else "Sent"
        if options["verbosity"] >= 1:
            for reminder in reminders:
                self.stdout.write(f"{verb} {reminder.describe()}")
        if options["verbosity"] >= 1:
            sessions = sum(1 for r in reminders if r.session is not None)
            self.stdout.write(
                f"{verb} {len(reminders)} email(s): {sessions} session reminder(s), "
                f"{len(reminders) - sessions} question reminder(s)."
            )
