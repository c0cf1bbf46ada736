"""/healthz: whether this server can do its work, for a load balancer or a monitor."""

import secrets
import time

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache():
    key, value = "healthz", secrets.token_hex(4)
    cache.set(key, value, timeout=10)
    return cache.get(key) == value


def _storage():
    default_storage.exists("healthz")
    return True


CHECKS = {"database": _database, "cache": _cache, "storage": _storage}


def _timed(check):
    """{"ok": …, "ms": …}; an exception is a failed check (its kind named,
    never its message, which may hold host names or paths)."""
    start = time.perf_counter()
    try:
        result = {"ok": bool(check())}
    except Exception as error:
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - start) * 1000, 1)
    return result


@login_not_required
@never_cache
def healthz(request):
    """200 and `"status": "ok"` when the database, the cache and the file
    storage all answer; 503 and `"status": "unavailable"` otherwise, with
    each check's result and time."""
    checks = {name: _timed(check) for name, check in CHECKS.items()}
    healthy = all(result["ok"] for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
