import secrets
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar

from django.db import connections, models

# Rows that belong to one session's pages (the questions and answers on its
# talks, the reflections and attendance on it) also have a version per
# session bucket (the session's id modulo BUCKETS, so that the version table
# stays small).
BUCKETS = 64
# The bucket of a write that does not say which rows it touched (a
# QuerySet.update, a bulk operation, a cascade, raw SQL): everyone's.
EVERY_BUCKET = "*"

# While a SessionRow is saved or deleted: (its tables, its buckets or None).
_write_scope = ContextVar("session_write_scope", default=None)

_NOT_LOADED = object()


def session_bucket(session_id):
    """The bucket of the rows of session `session_id`."""
    return str(session_id % BUCKETS)


def bucket_key(table, bucket):
    """The version key of `table`'s rows in `bucket`."""
    return f"{table}@{bucket}"


def table_of(key):
    """The table a version key is of."""
    return key.partition("@")[0]


def written_buckets(table):
    """The buckets a write to `table` touches now: those of the SessionRow
    being saved or deleted, else EVERY_BUCKET."""
    scope = _write_scope.get()
    if scope is None or table not in scope[0] or scope[1] is None:
        return (EVERY_BUCKET,)
    return scope[1]


def writes_of(instance):
    """A context for writes to `instance`'s row outside its `save()` (a
    conditional UPDATE of it): a SessionRow's count in its buckets."""
    return instance._writing() if isinstance(instance, SessionRow) else nullcontext()


class SessionRow(models.Model):
    """A row shown on one session's pages, placed there by `placed_by` (a
    foreign key): saving or deleting it through the model (forms, the
    admin) changes the version of its session's bucket (and its table's);
    other writes change every bucket's. A row moved elsewhere (its
    `placed_by` changed since it was loaded), or saved without having been
    loaded, changes every bucket's too: its old place is not known.

    `bucket_tables` are the tables its save and delete write in its buckets
    (its own, and those its delete cascades to).
    """

    placed_by: str
    bucket_tables: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        attname = cls._meta.get_field(cls.placed_by).attname
        if attname in field_names:
            instance._loaded_place = getattr(instance, attname)
        return instance

    def session_of_place(self, place):
        """(session id, season id) of the row's `placed_by` value `place`,
        from the related rows loaded with it, else from the database (a
        season id None: no such session); None for a row on no session."""
        raise NotImplementedError

    def _buckets(self, deleting=False):
        place = getattr(self, self._meta.get_field(self.placed_by).attname)
        inserting = self._state.adding and self.pk is None and not deleting
        if not inserting and getattr(self, "_loaded_place", _NOT_LOADED) != place:
            return None
        session = self.session_of_place(place)
        if session is None:  # on no session's page (a journal entry): no bucket
            return ()
        if session[1] is None:  # no such session: the write will fail
            return None
        return (session_bucket(session[0]),)

    @contextmanager
    def _writing(self, deleting=False):
        tables = {self._meta.db_table, *self.bucket_tables}
        token = _write_scope.set((tables, self._buckets(deleting)))
        try:
            yield
        finally:
            _write_scope.reset(token)

    def save(self, *args, **kwargs):
        with self._writing():
            super().save(*args, **kwargs)
        self._loaded_place = getattr(self, self._meta.get_field(self.placed_by).attname)

    def delete(self, *args, **kwargs):
        with self._writing(deleting=True):
            return super().delete(*args, **kwargs)


class ContentVersionManager(models.Manager):
    def tokens(self):
        """{table or bucket: version} of every one written since the database
        was created; one never written has none (reads as "").

        Every request reads these rows (a few hundred, with the buckets)
        before its first query: through a plain cursor, which measured
        0.39 ms for 548 rows against 0.46 ms through `values_list`, and
        0.19 against 0.32 ms for 32 rows (PostgreSQL, same run)."""
        with connections[self.db].cursor() as cursor:
            cursor.execute('SELECT "table", "token" FROM "study_contentversion"')
            return dict(cursor.fetchall())


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

    objects = ContentVersionManager()

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
