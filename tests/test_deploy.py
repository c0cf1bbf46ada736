"""Production settings pass Django's deployment checks."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3v!x9-q2#u7w(8z@r4t^y6p0m1n5b&c-d8f2g7h4j9l3s6a1e5i0o",
    "DJANGO_ALLOWED_HOSTS": "study.example.org",
    "DATABASE_URL": "sqlite:////tmp/studygroup-deploy-check.sqlite3",
}


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_values():
    result = _manage("check", "--deploy", "--fail-level", "DEBUG", env=PRODUCTION_ENV)
    assert (result.returncode, result.stdout.strip()) == (
        0,
        "System check identified no issues (0 silenced).",
    )


# Several app servers: uploads in an S3-compatible bucket, one Redis cache.
SCALE_OUT_ENV = {
    **PRODUCTION_ENV,
    "DJANGO_S3_BUCKET": "studygroup-media",
    "DJANGO_S3_ENDPOINT_URL": "https://s3.example.org",
    "DJANGO_S3_REGION": "kr-central-1",
    "DJANGO_S3_ACCESS_KEY_ID": "studygroup",
    "DJANGO_S3_SECRET_ACCESS_KEY": "k3v!x9-q2#u7w(8z@r4t^y6p0m1n5b",
    "DJANGO_S3_PREFIX": "media",
    "DJANGO_CACHE_URL": "redis://127.0.0.1:6379/0",
    "DJANGO_ADMINS": "운영진 <ops@example.org>, admin@example.org",
    "DJANGO_LOG_FORMAT": "json",
}


def test_check_deploy_is_clean_with_s3_storage_and_a_shared_cache():
    result = _manage("check", "--deploy", "--fail-level", "DEBUG", env=SCALE_OUT_ENV)
    assert (result.returncode, result.stdout.strip()) == (
        0,
        "System check identified no issues (0 silenced).",
    )


def test_scale_out_values_are_read_from_the_environment():
    code = (
        "from django.conf import settings as s; "
        "print(s.STORAGES['default']['BACKEND'], s.STORAGES['default']['OPTIONS']['location'], "
        "s.MEDIA_SERVE, s.CACHES['default']['BACKEND'], s.ADMINS, s.LOGGING['handlers']['console']['formatter'])"
    )
    result = _manage("shell", "-c", code, env=SCALE_OUT_ENV)
    assert result.stdout.strip().splitlines()[-1] == (
        "sessions.media_storage.MembersS3Storage media redirect django.core.cache.backends.redis.RedisCache "
        "[('운영진', 'ops@example.org'), ('admin@example.org', 'admin@example.org')] json"
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DJANGO_MEDIA_SERVE": "nginx"},
            "DJANGO_MEDIA_SERVE must be stream, redirect or accel, not 'nginx'",
        ),
        (
            {"DJANGO_MEDIA_SERVE": "redirect"},
            "DJANGO_MEDIA_SERVE=redirect needs S3 storage (DJANGO_S3_BUCKET)",
        ),
        (
            {"DJANGO_MEDIA_SERVE": "accel", "DJANGO_S3_BUCKET": "media"},
            "DJANGO_MEDIA_SERVE=accel serves local disk; with DJANGO_S3_BUCKET use stream or redirect",
        ),
        (
            {"DJANGO_CACHE_URL": "memcached://127.0.0.1"},
            "DJANGO_CACHE_URL must be redis://…, rediss://… or locmem://, not 'memcached://127.0.0.1'",
        ),
        ({"DJANGO_LOG_FORMAT": "xml"}, "DJANGO_LOG_FORMAT must be plain or json, not 'xml'"),
    ],
)
def test_scale_out_misconfiguration_is_refused(env, message):
    result = _manage("check", env=env)
    assert result.returncode == 1
    assert message in result.stderr


def test_sentry_dsn_starts_sentry_only_with_the_extra_installed():
    result = _manage("check", env={"DJANGO_SENTRY_DSN": "https://key@sentry.example.org/1"})
    if importlib.util.find_spec("sentry_sdk") is None:
        assert result.returncode == 1
        assert (
            'DJANGO_SENTRY_DSN is set but sentry-sdk is not installed: pip install -e ".[sentry]"'
            in result.stderr
        )
    else:
        assert result.returncode == 0, result.stderr


def test_production_without_secret_key_refuses_to_start():
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""}
    result = _manage("check", env=env)
    assert result.returncode == 1
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false" in result.stderr


def test_malformed_boolean_is_refused():
    result = _manage("check", env={"DJANGO_DEBUG": "maybe"})
    assert result.returncode == 1
    assert "DJANGO_DEBUG must be true or false, not 'maybe'" in result.stderr


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("SESSION_COOKIE_SECURE", "True"),
        ("CSRF_COOKIE_SECURE", "True"),
        ("SECURE_HSTS_SECONDS", "31536000"),
        ("SECURE_SSL_REDIRECT", "True"),
        ("DEBUG", "False"),
    ],
)
def test_production_values_turn_on_hardening(setting, expected):
    result = _manage(
        "shell",
        "-c",
        f"from django.conf import settings; print(settings.{setting})",
        env=PRODUCTION_ENV,
    )
    assert result.stdout.strip().splitlines()[-1] == expected
