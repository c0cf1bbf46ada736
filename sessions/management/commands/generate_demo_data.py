from django.core.management.base import BaseCommand, CommandError

from sessions.demo_data import BENCH_PASSWORD, BENCH_USERNAME, SCALES, DatabaseNotEmpty, generate


class Command(BaseCommand):
    help = (
        "Fill an empty database with a generated history: Korean text, math and code in "
        "markdown bodies of real length. 'small' is a few hundred rows; 'large' is a big "
        "group's ten years (300 members, 500 sessions, 20,000 questions, 30,000 journal "
        "entries). Refuses to run on a database that already has sessions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed; the same seed gives the same data."
        )

    def handle(self, *args, scale, seed, verbosity, **options):
        def progress(label, count, seconds):
            if verbosity >= 1:
                self.stdout.write(f"  {label:<26} {count:>7,}  {seconds:6.1f}s")

        if verbosity >= 1:
            self.stdout.write(f"Generating the {scale} data set (seed {seed})…")
        try:
            counts = generate(SCALES[scale], seed=seed, progress=progress)
        except DatabaseNotEmpty as exc:
            raise CommandError(
                f"{exc}. Generate into an empty database, e.g. "
                "DATABASE_URL=sqlite:////tmp/demo.sqlite3 python manage.py migrate, then run "
                "this command with the same DATABASE_URL."
            ) from None
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Done: {sum(counts.values()):,} rows. Log in as "
                    f"{BENCH_USERNAME} / {BENCH_PASSWORD}."
                )
            )
