from django.db import connections, models


class ContentVersionQuerySet(models.QuerySet):
    def current(self):
        """The number of the latest committed write to the group's content (0 before any)."""
        return self.filter(pk=ContentVersion.ROW).values_list("number", flat=True).first() or 0


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
    # An upsert, so that a database whose row was flushed (tests) still counts.
    BUMP_SQL = (
        "INSERT INTO study_contentversion (id, number) VALUES (1, 1) "
        "ON CONFLICT (id) DO UPDATE SET number = study_contentversion.number + 1"
    )

    number = models.PositiveBigIntegerField(default=0)

    objects = ContentVersionQuerySet.as_manager()

    class Meta:
        constraints = [
            # One counter for the whole site: a second row would split it.
            models.CheckConstraint(condition=models.Q(pk=1), name="study_contentversion_one_row"),
        ]

    def __str__(self):
        return str(self.number)

    @classmethod
    def bump(cls, using="default"):
        """Count one more write, in the connection's current transaction."""
        with connections[using].cursor() as cursor:
            cursor.execute(cls.BUMP_SQL)
