from django.core.management.base import BaseCommand

from sessions import notifications


class Command(BaseCommand):
    help = (
        "Email each member the digest of their notifications before today, grouped by day, "
        "and queue again the at-once emails whose task was lost. Meant for a daily cron job; "
        "nothing is sent twice."
    )

    def handle(self, *args, **options):
        requeued = notifications.requeue_lost_emails()
        sent = notifications.send_digests()
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Sent {sent} digest email(s); queued {requeued} waiting email(s) again."
            )
