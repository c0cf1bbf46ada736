from django.core.management.base import BaseCommand

from sessions.demo import DEMO_PASSWORD, DEMO_USERNAME, load_demo


class Command(BaseCommand):
    help = "Load the small Korean demo data set (safe to run again) and print the demo login."

    def handle(self, *args, verbosity, **options):
        load_demo()
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo data ready. Log in as the organizer (the admin is at /admin/):\n"
                    f"  username: {DEMO_USERNAME}\n  password: {DEMO_PASSWORD}"
                )
            )
