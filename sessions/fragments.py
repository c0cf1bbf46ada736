"""Cached parts of pages, kept until a write changes what they read.

A function decorated with `@cached` (the HTML of a page part, or the data a
page needs) runs once; its result is kept in Django's cache under the
function's name, its arguments, the active language and today's date (pages
say "upcoming" or "came"). The function sees nothing but its arguments: no
request, no viewer unless one is passed, and whatever is passed is part of
the key, so what one viewer sees cannot be served to another. Arguments are
model instances (keyed by their primary key), plain values and tuples of
them; a queryset or a form is refused.

Every result remembers the tables it was read from: those of the queries its
function ran (found in their SQL) and of the model instances passed to it.
It is served again only while each of those tables still has the version it
had when the request started. Every INSERT, UPDATE or DELETE on a table of
the app gives the table a new random version (`ContentVersion`), whatever
wrote it: a form, the admin, `QuerySet.update`, a bulk operation, the
importer, raw SQL. Nothing is ever invalidated by hand, and a write cools
only the parts that read its table.

The rows of one session's pages (`SessionRow`: questions and answers on its
talks, reflections, attendance) have versions per session bucket as well. A
part that reads only one session's rows of them, or a few sessions', says
so (`reading_session`, `reading_sessions`); it is then kept until one of
their buckets is written, or a write that does not say which rows it touched
(`QuerySet.update`, a bulk operation, a cascade, raw SQL: every bucket's),
not until any question anywhere is.

When versions change:

- in autocommit, right after the write has committed;
- in a transaction, once per table when it commits (a rolled-back
  transaction changes nothing). Until then the connection's own uncommitted
  rows must not be cached, nor hidden by older cached parts: while it has
  uncommitted writes, cached functions run without the cache;
- under a test case, whose transaction never commits, right after the write.

The request's versions are read once, just before its first query, so
before it reads any data (`ContentVersionMiddleware`). A part stored under them can therefore only be
as new as or newer than its versions say, never older: a concurrent write
that commits meanwhile changes a version and retires it.
"""

import functools
import hashlib
import re
import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from sessions.models import ContentVersion
from sessions.models.content import (
    EVERY_BUCKET,
    SessionRow,
    bucket_key,
    session_bucket,
    table_of,
    written_buckets,
)

# The cache only frees memory; the versions keep what it serves current.
FRAGMENT_SECONDS = 24 * 60 * 60

# INSERT OR IGNORE is SQLite's form of bulk_create(ignore_conflicts=True).
WRITE_SQL = re.compile(
    r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE
)
# The tables a query reads: Django quotes every name it writes.
READ_TABLES = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"', re.IGNORECASE)
# Logging in stamps last_login, which no page shows.
LOGIN_STAMP_SQL = 'UPDATE "study_member" SET "last_login" = %s WHERE "study_member"."id" = %s'

# Models no cached part may show: writing them changes no version (opening
# a notification, the worker marking its email sent, the arXiv rate limit's
# bookkeeping must not queue on the version rows). A function that reads
# one of their tables, or a table outside the app, is not cached.
UNCACHED_MODELS = {"notification", "notificationpreference", "ratelimit"}

# Forms in a cached part carry this in place of a CSRF token (they are
# rendered by `render_with_forms`); the page puts the viewer's own token in
# where it shows the part (`{{ part|with_csrf_token:csrf_token }}`), so no
# token is cached, nor served to anyone but its owner.
CSRF_PLACEHOLDER = "csrf-token-of-the-viewer"

# A part at least this long (in characters) is put into its page after the
# page is rendered (`render_page`), not passed through the page's template,
# which copies it at every level it sits in (its block, the base layout,
# the page): for the participation page's 222 KB part that was 1.6 of the
# 5.8 ms of a warm view.
PUT_IN_AFTER = 8 * 1024

# Hits and misses since the process started, for the page benchmark.
STATS = {"hits": 0, "misses": 0}

# The versions read at the start of the request, updated by its own writes.
_request_versions = ContextVar("request_versions", default=None)
# The table sets of the cached functions running, innermost last.
_readers = ContextVar("fragment_readers", default=())
# Inside `reading_session` or `reading_sessions`: {table: the version keys
# its reads stand for}.
_read_scope = ContextVar("fragment_read_scope", default=None)
# While migrations run, the version table may not have its current shape.
_paused = False


@functools.cache
def counted_tables():
    """The tables of the app whose writes change a version (through tables
    included; not the versions themselves, nor the uncached models')."""
    models = apps.get_app_config("study").get_models(include_auto_created=True)
    return frozenset(
        model._meta.db_table
        for model in models
        if model is not ContentVersion and model._meta.model_name not in UNCACHED_MODELS
    )


@functools.cache
def bucketed_tables():
    """The tables with versions per session bucket (`SessionRow`s')."""
    models = apps.get_app_config("study").get_models()
    return frozenset(model._meta.db_table for model in models if issubclass(model, SessionRow))


def every_version(tables):
    """The version keys a write to `tables` that names no rows changes."""
    buckets = bucketed_tables()
    return {*tables, *(bucket_key(table, EVERY_BUCKET) for table in tables if table in buckets)}


def written_versions(table):
    """The version keys a write to `table` changes: the table's, and for a
    bucketed table the buckets of the SessionRow being saved or deleted (or
    every bucket's)."""
    if table not in bucketed_tables():
        return (table,)
    return (table, *(bucket_key(table, bucket) for bucket in written_buckets(table)))


# --- Versions ------------------------------------------------------------------


class RequestVersions:
    """The versions a request works with: read just before its first
    query, so before it reads any data, and updated by its own writes."""

    def __init__(self):
        self.tokens = None

    def read(self):
        if self.tokens is None:
            # Reading runs a query of its own, which must not read again.
            self.tokens = {}
            self.tokens = ContentVersion.objects.tokens()
        return self.tokens


class ContentVersionMiddleware:
    """Give each request its versions, read before its first query (a
    request that runs none, such as a redirect to the login page, reads
    none)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_versions.set(RequestVersions())
        try:
            return self.get_response(request)
        finally:
            _request_versions.reset(token)


def current_versions():
    """The request's versions; outside a request, read afresh."""
    versions = _request_versions.get()
    return ContentVersion.objects.tokens() if versions is None else versions.read()


def bump(tables, using):
    """Give `tables` new versions, the request's own view included."""
    if _paused:
        return
    tokens = ContentVersion.bump(tables, using)
    versions = _request_versions.get()
    if versions is not None and versions.tokens is not None:
        versions.tokens.update(tokens)


def _pending(connection):
    """The tables written in the connection's open transaction, waiting
    for its commit; None when it has none (or it rolled back)."""
    flush = getattr(connection, "_version_flush", None)
    if flush is None or not connection.in_atomic_block:
        return None
    # Django forgets the hook when the transaction (or the savepoint it was
    # registered in) rolls back.
    if any(entry[1] is flush for entry in connection.run_on_commit):
        return flush.tables
    return None


def _write_in_transaction(connection, keys):
    tables = _pending(connection)
    if tables is None:

        def flush():
            connection._version_flush = None
            bump(flush.tables, connection.alias)

        flush.tables = tables = set()
        connection._version_flush = flush
        # robust: the rows have committed; a failed bump must not fail the request.
        connection.on_commit(flush, robust=True)
    tables.update(keys)


def watch_queries(execute, sql, params, many, context):
    """Database execute wrapper: change the version of every table written,
    and tell the cached functions running which tables they read."""
    versions = _request_versions.get()
    if versions is not None and versions.tokens is None:
        versions.read()
    match = WRITE_SQL.match(sql)
    if match is None:
        readers = _readers.get()
        if readers:
            tables = READ_TABLES.findall(sql)
            scope = _read_scope.get()
            if scope is not None:
                tables = [key for table in tables for key in scope.get(table, (table,))]
            for reader in readers:
                reader.update(tables)
        return execute(sql, params, many, context)
    table = match[1]
    if table not in counted_tables() or sql == LOGIN_STAMP_SQL:
        return execute(sql, params, many, context)
    connection = context["connection"]
    under_test_case = connection.atomic_blocks and connection.atomic_blocks[0]._from_testcase
    keys = written_versions(table)
    if connection.in_atomic_block and not under_test_case:
        result = execute(sql, params, many, context)
        _write_in_transaction(connection, keys)
        return result
    result = execute(sql, params, many, context)
    bump(keys, connection.alias)
    return result


def install_query_watcher(sender, connection, **kwargs):
    """`connection_created` receiver: watch the queries of every new connection."""
    if watch_queries not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_queries)


def pause_versions(sender=None, **kwargs):
    """`pre_migrate` receiver: migrations write without changing versions
    (the version table may not be there yet, or not in its current shape)."""
    global _paused
    _paused = True


def resume_versions(sender=None, using=DEFAULT_DB_ALIAS, apps=None, **kwargs):
    """`post_migrate` receiver: count writes again, and retire every
    cached part, which may show data the migrations changed; unless the
    database was migrated back to before the current version table."""
    global _paused
    if apps is not None:
        fields = {field.name for field in apps.get_model("study", "ContentVersion")._meta.fields}
        if "token" not in fields:
            return
    _paused = False
    retire_everything(using)


def retire_everything(using=DEFAULT_DB_ALIAS):
    """Give every table and bucket a new version: no cached part is current
    (after migrations, or writes made behind Django's back)."""
    bump(every_version(counted_tables()), using)


# --- Cached functions ----------------------------------------------------------


def key_part(value):
    """What stands for `value` in a cache key."""
    if isinstance(value, Model):
        return (value._meta.label_lower, value.pk)
    if value is None or isinstance(value, (str, int, float, Decimal, date, datetime)):
        return value
    if isinstance(value, (tuple, list)):
        return tuple(key_part(item) for item in value)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(key_part(item) for item in value))
    raise TypeError(
        f"A cached function takes model instances and plain values, not {type(value).__name__}"
    )


def instance_tables(value, depth=2):
    """The tables of the model instances in `value` and of the related
    objects loaded on them, which a cached function may show."""
    if isinstance(value, (tuple, list, set, frozenset)):
        return set().union(*(instance_tables(item, depth) for item in value))
    if not isinstance(value, Model):
        return set()
    tables = {value._meta.db_table}
    if depth:
        for related in value._state.fields_cache.values():
            tables |= instance_tables(related, depth - 1)
    return tables


def _note_read(tables):
    for reader in _readers.get():
        reader.update(tables)


def _run(func, args, kwargs):
    """`func(*args, **kwargs)` and the tables it read."""
    tables = instance_tables(args) | instance_tables(tuple(kwargs.values()))
    outer = _readers.get()
    token = _readers.set((*outer, tables))
    try:
        value = func(*args, **kwargs)
    finally:
        _readers.reset(token)
    _note_read(tables)
    return value, tables


def cached(func):
    """Decorator: keep `func`'s results until a table it read is written."""
    name = f"{func.__module__}.{func.__qualname__}"

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if _pending(connections[DEFAULT_DB_ALIAS]) is not None:
            return func(*args, **kwargs)
        versions = current_versions()
        parts = (
            get_language(),
            timezone.localdate(),
            key_part(args),
            key_part(sorted(kwargs.items())),
        )
        key = f"fragment:{name}:{hashlib.sha256(repr(parts).encode()).hexdigest()[:32]}"
        entry = cache.get(key)
        if entry is not None:
            read, value = entry
            if all(versions.get(table, "") == version for table, version in read):
                STATS["hits"] += 1
                _note_read(table for table, _version in read)
                return value
        STATS["misses"] += 1
        value, tables = _run(func, args, kwargs)
        if {table_of(key) for key in tables} <= counted_tables():
            read = tuple(sorted((table, versions.get(table, "")) for table in tables))
            cache.set(key, (read, value), FRAGMENT_SECONDS)
        return value

    return wrapper


@contextmanager
def _reading(buckets, models):
    scope = dict(_read_scope.get() or {})
    for model in models:
        table = model._meta.db_table
        if table not in bucketed_tables():
            raise TypeError(f"{model.__name__} has no versions per session")
        keys = [bucket_key(table, bucket) for bucket in sorted(set(buckets))]
        scope[table] = (*keys, bucket_key(table, EVERY_BUCKET))
    token = _read_scope.set(scope)
    try:
        yield
    finally:
        _read_scope.reset(token)


def reading_session(session_id, *models):
    """Within: the cached functions running read only the rows of session
    `session_id` from the tables of `models` (`SessionRow`s), and are kept
    until a write to that session's rows of them (or to everyone's), not
    until any write to their tables."""
    return reading_sessions([session_id], *models)


def reading_sessions(session_ids, *models):
    """`reading_session` for the rows of the sessions `session_ids` (a
    session page's earlier sessions of its season, whose open questions it
    shows): kept until a write to one of those sessions' rows."""
    return _reading([session_bucket(session_id) for session_id in session_ids], models)


def form_values(request, form_class):
    """The request's values of `form_class`'s fields, as a cached function
    takes them: a cached rendering of the form is kept by them (None when
    the request has no parameters, and the form is unbound)."""
    if not request.GET:
        return None
    return tuple((name, tuple(request.GET.getlist(name))) for name in form_class.base_fields)


def form_data(values):
    """The form data that `form_values` gave `values` of (None: unbound)."""
    if values is None:
        return None
    data = QueryDict(mutable=True)
    for name, given in values:
        data.setlist(name, list(given))
    return data


def render_page(request, template_name, context):
    """`django.shortcuts.render` for a page that shows cached parts: each
    large part (a SafeString of at least PUT_IN_AFTER characters among the
    context's values) stands in the template as a marker, and is put in
    where the marker is once the page is rendered, in a single copy of the
    page, its CSRF fields filled in (as `with_csrf_token` would)."""
    parts, shown = {}, dict(context)
    for name, value in context.items():
        if isinstance(value, SafeString) and len(value) >= PUT_IN_AFTER:
            marker = f"<!--{name}-{secrets.token_hex(8)}-->"
            parts[marker] = value
            shown[name] = SafeString(marker)
    html = render_to_string(template_name, shown, request)
    if parts:
        for marker, part in parts.items():
            if CSRF_PLACEHOLDER in part:
                parts[marker] = part.replace(CSRF_PLACEHOLDER, get_token(request))
        pattern = re.compile("|".join(re.escape(marker) for marker in parts))
        pieces, last = [], 0
        for match in pattern.finditer(html):
            pieces += [html[last : match.start()], parts[match[0]]]
            last = match.end()
        pieces.append(html[last:])
        html = "".join(pieces)
    return HttpResponse(html)


def render_with_forms(template_name, context):
    """`render_to_string` for a cached part with forms: their CSRF fields
    hold `CSRF_PLACEHOLDER` until the page fills them in."""
    return render_to_string(template_name, {**context, "csrf_token": CSRF_PLACEHOLDER})


def cached_with_own_links(func):
    """Decorator for `func(*args, viewer=…)` returning (HTML, owners): HTML
    with edit links on the items their owners may change, and the ids of
    those owners. Kept once for everyone (as `viewer=None` sees it) and once
    more for each viewer who owns an item in it: the shared copy's owners
    say, without a query, whether the viewer needs their own."""
    shared = cached(func)

    @functools.wraps(func)
    def wrapper(*args, viewer):
        html, owners = shared(*args, viewer=None)
        if viewer.pk in owners:
            html, owners = shared(*args, viewer=viewer)
        return html

    return wrapper
