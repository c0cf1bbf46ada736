"""Cached page fragments, keyed by the content version.

The expensive parts of the busiest pages (a session's talks with their
questions and answers, a paper library page, search results, …) are rendered
once and kept in Django's cache under a key made of:

- the content version (`ContentVersion`: a random epoch and a number),
  which every write to the app's tables bumps inside its own transaction
  (see `count_writes` below), so an edit, a deletion, an import or a bulk
  update makes every older fragment unreachable: nothing has to be
  invalidated by hand;
- the active language and today's date (pages say "upcoming" or "came");
- the fragment's name and whatever else the fragment depends on: the object,
  the page number, the filters, for fragments with per-viewer links
  (edit, delete) who is looking, and for fragments that may show private
  journal entries whose entries the viewer may read (`journal_reader`).

A fragment template is rendered without the request, so it sees only the
context the view passes in: whatever it shows about the viewer must come
through that context and therefore through the key.

Read the version before anything the fragment shows (`content_version`),
so that a fragment is never stored under a version newer than its data.
"""

import hashlib
import re

from django.apps import apps
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from sessions.models import ContentVersion, Reflection

# The cache only frees memory; the version in the key keeps fragments fresh.
FRAGMENT_SECONDS = 24 * 60 * 60

# INSERT OR IGNORE is SQLite's form of bulk_create(ignore_conflicts=True).
WRITE_SQL = re.compile(
    r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE
)
# Logging in stamps last_login, which no page shows: it must not empty the cache.
LOGIN_STAMP_SQL = 'UPDATE "study_member" SET "last_login" = %s WHERE "study_member"."id" = %s'

# Models no cached fragment shows: writing them leaves the cache alone
# (opening a notification, or the worker marking its email sent, must not
# retire every cached page, nor queue on the version row while mail goes out;
# nor the arXiv rate limit's bookkeeping).
UNCACHED_MODELS = {"notification", "notificationpreference", "ratelimit"}

_content_tables = None


def content_tables():
    """The tables of the app (through tables included) whose rows pages show
    (not the version itself, nor the services' rate limits)."""
    global _content_tables
    if _content_tables is None:
        models = apps.get_app_config("study").get_models(include_auto_created=True)
        _content_tables = frozenset(
            model._meta.db_table
            for model in models
            if model is not ContentVersion and model._meta.model_name not in UNCACHED_MODELS
        )
    return _content_tables


def count_writes(execute, sql, params, many, context):
    """Database execute wrapper: bump the content version with every write to
    one of the app's tables.

    Inside a transaction the bump comes first and commits with the write:
    taking the version row's lock before any other row lock makes writers
    queue on it in one order, so they cannot deadlock one another.
    """
    match = WRITE_SQL.match(sql)
    if match is None or match[1] not in content_tables() or sql == LOGIN_STAMP_SQL:
        return execute(sql, params, many, context)
    connection = context["connection"]
    if connection.in_atomic_block:
        ContentVersion.bump(connection.alias)
        return execute(sql, params, many, context)
    # In autocommit the write commits on its own; the bump follows it, so
    # a reader may briefly cache newer rows under the older number (harmless,
    # the bump retires it), but never older rows under the newer number.
    result = execute(sql, params, many, context)
    ContentVersion.bump(connection.alias)
    return result


def install_write_counter(sender, connection, **kwargs):
    """`connection_created` receiver: count writes on every new connection."""
    if count_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(count_writes)


def content_version(request):
    """The content version, read once per request (one query)."""
    if not hasattr(request, "_content_version"):
        request._content_version = ContentVersion.objects.current()
    return request._content_version


def cached(request, name, key_parts, compute):
    """The value `compute()` returns (picklable; called only on a cache
    miss), cached under `name`, the content version, the language, today's
    date and `key_parts`."""
    parts = [content_version(request), get_language(), timezone.localdate(), *key_parts]
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"fragment:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, FRAGMENT_SECONDS)
    return value


def cached_fragment(request, name, key_parts, template_name, context):
    """The HTML of `template_name` rendered with `context()` (a callable,
    called only on a cache miss), cached like `cached`."""
    return mark_safe(
        cached(request, name, key_parts, lambda: render_to_string(template_name, context()))
    )


def journal_reader(request):
    """The viewer when they have private journal entries, else None: the
    key part of a fragment that shows what the viewer may read among every
    member's entries (search results). Only a private entry's author sees
    it, so every viewer without one shares one copy, and each author of
    private entries has their own. Who has private entries is itself cached
    (one query per content version)."""
    authors = cached(
        request,
        "private-journal-authors",
        [],
        lambda: frozenset(
            Reflection.objects.private().order_by().values_list("author_id", flat=True).distinct()
        ),
    )
    return request.user if request.user.pk in authors else None


def cached_with_own_links(request, name, key_parts, render):
    """HTML with edit links on the items their owners may change, kept once
    for everyone and once more for each viewer who owns an item in it.

    `render(viewer)` returns the HTML as `viewer` sees it (None: nobody's
    links) and the ids of the members who own an item in it; the shared
    copy's owners say, without a query, whether the viewer needs their own.
    """
    user = request.user
    html, owners = cached(request, name, key_parts, lambda: render(None))
    if user.pk in owners:
        html, _owners = cached(request, f"{name}-of", [*key_parts, user.pk], lambda: render(user))
    return mark_safe(html)
