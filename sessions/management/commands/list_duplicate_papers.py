from django.core.management.base import BaseCommand
from django.db.models import Count

from sessions.models import Paper


class Command(BaseCommand):
    help = (
        "List papers that are likely the same: equal titles once case, punctuation, "
        "spacing and Unicode forms are set aside. Merge them in the admin."
    )

    def handle(self, *args, verbosity, **options):
        keys = list(
            Paper.objects.exclude(title_key="")
            .values("title_key")
            .annotate(count=Count("pk"))
            .filter(count__gt=1)
            .order_by("title_key")
            .values_list("title_key", flat=True)
        )
        papers = Paper.objects.filter(title_key__in=keys).order_by("title_key", "pk")
        groups = {}
        for paper in papers:
            groups.setdefault(paper.title_key, []).append(paper)
        for group in groups.values():
            self.stdout.write(f"{len(group)} papers titled “{group[0].title}”:")
            for paper in group:
                self.stdout.write(f"  #{paper.pk} {paper.title} — {paper.url or 'no link'}")
        if verbosity >= 1:
            self.stdout.write(f"{len(groups)} group(s) of likely duplicates.")
