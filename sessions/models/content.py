import secrets

from django.db import connections, models


class ContentVersionQuerySet(models.QuerySet):
    def current(self):
        """(epoch, number) of the latest committed write to the group's
        content; ("", 0) before any."""
        return self.filter(pk=ContentVersion.ROW).values_list("epoch", "number").first() or ("", 0)


class ContentVersion(models.Model):
    """A single row counting the writes to the group's content.

    Rendered page fragments are cached under this number
    (`sessions.fragments`). Every INSERT, UPDATE or DELETE on one of the
    app's tables first bumps it in the same transaction, so the new number
    becomes visible together with the rows it stands for and a cached
    fragment can never outlive the data it shows, whatever wrote the rows:
    a form, the admin, a bulk update or the importer.
    """

    ROW = 1
    # An upsert: a database whose row was emptied (`flush`) starts counting
    # again from 1. Every bump also draws a new epoch.
    BUMP_SQL = (
        "INSERT INTO study_contentversion (id, number, epoch) VALUES (1, 1, %s) "
        "ON CONFLICT (id) DO UPDATE SET number = study_contentversion.number + 1, "
        "epoch = excluded.epoch"
    )

    number = models.PositiveBigIntegerField(default=0)
    # Random, drawn anew by every bump. A number alone can come back: after a
    # flush, and after a rolled-back transaction (whose fragments may have
    # been cached under its uncommitted number, which the next commit would
    # then reuse). The epoch never does, so such fragments stay unreachable.
    epoch = models.CharField(max_length=32, default="", editable=False)

    objects = ContentVersionQuerySet.as_manager()

    class Meta:
        constraints = [
            # One counter for the whole site: a second row would split it.
            models.CheckConstraint(condition=models.Q(pk=1), name="study_contentversion_one_row"),
        ]

    def __str__(self):
        return f"{self.epoch}:{self.number}"

    @classmethod
    def bump(cls, using="default"):
        """Count one more write, in the connection's current transaction."""
        with connections[using].cursor() as cursor:
            cursor.execute(cls.BUMP_SQL, [secrets.token_hex(8)])
