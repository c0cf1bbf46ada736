"""Production settings pass Django's deployment checks."""

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
    assert (result.returncode, result.stdout.strip()) == (0, "System check identified no issues (0 silenced).")


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
        "shell", "-c", f"from django.conf import settings; print(settings.{setting})", env=PRODUCTION_ENV
    )
    assert result.stdout.strip().splitlines()[-1] == expected
