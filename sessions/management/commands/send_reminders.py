from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sessions.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Reminders: each member is notified the day before a session (in the inbox, and by "
        "email as they prefer: its talks, and whether they have answered); each presenter is "
        "emailed their unanswered questions. Meant for a daily cron job; nothing is sent twice."
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
        dry = options["dry_run"]
        if options["verbosity"] >= 1:
            for session, member in reminders.sessions:
                verb = "Would notify" if dry else "Notified"
                self.stdout.write(f"{verb} {member.display_name} of session {session.number}")
            for reminder in reminders.questions:
                verb = "Would send" if dry else "Sent"
                self.stdout.write(f"{verb} {reminder.describe()}")
            self.stdout.write(
                f"{'Would notify' if dry else 'Notified'} {len(reminders.sessions)} member(s) of "
                f"tomorrow's sessions; {'would send' if dry else 'sent'} "
                f"{len(reminders.questions)} question reminder(s)."
            )
