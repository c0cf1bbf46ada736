import secrets

from django.db import connections, models


class ContentVersionQuerySet(models.QuerySet):
    def tokens(self):
        """{table: version} of every table written since the database was
        created; a table never written has none (reads as "")."""
        return dict(self.values_list("table", "token"))


class ContentVersion(models.Model):
    """The version of one table of the app: a random token, drawn anew by
    every committed write to the table.

    Cached page parts remember the versions of the tables they were read
    from (`sessions.fragments`) and are served only while those are
    current. A token never comes back: not after the counter is emptied
    (`flush`), nor after a rolled-back transaction. `writes` counts the
    writes, for people and tests.
    """

    # An upsert: a table gets its row with its first write.
    BUMP_SQL = (
        'INSERT INTO study_contentversion ("table", writes, token) VALUES {rows} '
        'ON CONFLICT ("table") DO UPDATE SET writes = study_contentversion.writes + 1, '
        "token = excluded.token"
    )

    table = models.CharField(max_length=100, primary_key=True)
    writes = models.PositiveBigIntegerField(default=0)
    token = models.CharField(max_length=32, editable=False)

    objects = ContentVersionQuerySet.as_manager()

    def __str__(self):
        return f"{self.table}:{self.token}"

    @classmethod
    def bump(cls, tables, using="default"):
        """New versions for `tables`, in one statement; {table: version}.

        The rows are taken in the order of their names, so that writers
        bumping the same tables cannot deadlock one another.
        """
        tokens = {table: secrets.token_hex(8) for table in sorted(set(tables))}
        if not tokens:
            return tokens
        rows = ", ".join(["(%s, 1, %s)"] * len(tokens))
        with connections[using].cursor() as cursor:
            cursor.execute(
                cls.BUMP_SQL.format(rows=rows),
                [part for item in tokens.items() for part in item],
            )
        return tokens
