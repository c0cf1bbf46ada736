from django.core.management.base import BaseCommand, CommandError

from sessions.models import Paper
from sessions.papers import sources
from sessions.papers.fetch import update_paper


class Command(BaseCommand):
    help = (
        "Fetch the metadata (authors, year, abstract, venue) of papers with an arXiv id or "
        "a DOI, one by one within the registries' rate limits. Fields a person edited are kept."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--missing",
            action="store_true",
            help="Papers whose metadata was never fetched or failed (the default).",
        )
        which.add_argument(
            "--all", action="store_true", help="Every paper with an arXiv id or a DOI."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Fetch and say what would be filled, writing nothing.",
        )
        parser.add_argument("--limit", type=int, help="At most this many papers.")

    def handle(self, *args, missing, all, dry_run, limit, verbosity, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be a positive number")
        papers = Paper.objects.has_identifier() if all else Paper.objects.missing_metadata()
        papers = papers.order_by("pk").only("pk", "title", "arxiv_id", "doi")
        if limit is not None:
            papers = papers[:limit]
        papers = list(papers)
        counts = {"fetched": 0, "failed": 0, "skipped": 0}
        with sources.http_client() as client:
            for number, paper in enumerate(papers, 1):
                outcome, detail = update_paper(paper.pk, client=client, dry_run=dry_run)
                counts[outcome] += 1
                if verbosity >= 1:
                    self.stdout.write(
                        self.progress(number, len(papers), paper, outcome, detail, dry_run)
                    )
        if verbosity >= 1:
            prefix = "Dry run, nothing written: " if dry_run else ""
            self.stdout.write(
                f"{prefix}{counts['fetched']} fetched, {counts['failed']} failed, "
                f"{counts['skipped']} skipped of {len(papers)} paper(s)."
            )

    @staticmethod
    def progress(number, total, paper, outcome, detail, dry_run):
        identifier = f"arXiv {paper.arxiv_id}" if paper.arxiv_id else f"DOI {paper.doi}"
        if outcome == "fetched":
            verb = "would fill" if dry_run else "filled"
            detail = f"{verb} {', '.join(detail)}" if detail else "nothing to fill"
        return f"[{number}/{total}] {paper.title} ({identifier}): {outcome} — {detail}"
