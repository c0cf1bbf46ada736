"""Settings for the Study group app.

Everything that differs between machines comes from the environment, read
through the small strict helpers below. The defaults are for development on
one machine (SQLite file, console email, DEBUG on); production sets
DJANGO_DEBUG=false, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false")
    SECRET_KEY = "development-only-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# Where the site is served, for links in emails sent from commands (cron).
SITE_URL = env_str("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "studygroup.apps.StudyAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",
    "markdownx",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "sessions.apps.StudyConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the others, so it sees their responses too (redirects, 403s).
    "sessions.middleware.CacheControlMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns lockouts into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "studygroup.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sessions.context_processors.unread_notifications",
            ],
        },
    },
]

# Form widgets render through TEMPLATES, so templates/ can hold widget
# templates of our own (templates/study/widgets/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "studygroup.wsgi.application"

# SQLite file in the project unless DATABASE_URL says otherwise
# (sqlite:///path or postgres://user:pass@host:port/name, through psycopg 3).
# In production a connection is kept for a minute and checked before reuse:
# opening one per request costs more than most pages.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: readers do not wait for a writer. synchronous=NORMAL: a commit does
    # not wait for the disk (still safe in WAL mode; at most the last commits
    # are lost on power failure), which makes an import of many files, one
    # transaction each, several times faster. IMMEDIATE takes the write lock
    # when a transaction starts, so concurrent writers queue instead of failing
    # with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        transaction_mode="IMMEDIATE",
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Test databases get a UTF-8 ctype: pg_trgm sees no Hangul under "C".
    DATABASES["default"]["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}

# Rendered page fragments (sessions/fragments.py). Each process keeps its
# own; keys carry the content version, so processes never disagree about
# what is current. DJANGO_CACHE_ENTRIES bounds the memory (fragments are
# 2-120 KB).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "studygroup-fragments",
        "OPTIONS": {"MAX_ENTRIES": env_int("DJANGO_CACHE_ENTRIES", 1000)},
    }
}

AUTH_USER_MODEL = "study.Member"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env_int("DJANGO_PASSWORD_RESET_TIMEOUT", 60 * 60 * 24 * 3)

# Login throttling: five failures for a username from one address lock it
# out for fifteen minutes.
AXES_FAILURE_LIMIT = env_int("DJANGO_AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address is the client's, also behind the proxy (sessions/throttling.py).
AXES_CLIENT_IP_CALLABLE = "sessions.throttling.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Asia/Seoul")
USE_I18N = True
# One format per kind of date, in each language (studygroup/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["studygroup.formats"]
# Bare domains typed into URL fields mean https (Django 6 behaviour).
FORMS_URLFIELD_ASSUME_HTTPS = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    # Uploads: written under a temporary name, renamed when complete.
    "default": {"BACKEND": "sessions.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads above this size are streamed to a temporary file, not memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Slides: PDF or PPTX up to this many bytes.
SLIDES_MAX_BYTES = env_int("DJANGO_SLIDES_MAX_BYTES", 20 * 1024 * 1024)

# Background work (emails, fetching paper metadata) through Django's tasks
# framework: the database backend by default, run by `manage.py db_worker`;
# another backend (e.g. RQ) by DJANGO_TASKS_BACKEND with no code change.
TASKS = {
    "default": {
        "BACKEND": env_str("DJANGO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Paper metadata, fetched in the background (sessions/papers/): the
# registries' API addresses (tests point them at a local server), how long to
# wait for an answer, and the contact address Crossref asks for (its "polite
# pool") and every registry sees in the User-Agent.
PAPER_ARXIV_API_URL = env_str("DJANGO_PAPER_ARXIV_API_URL", "https://export.arxiv.org/api/query")
PAPER_CROSSREF_API_URL = env_str("DJANGO_PAPER_CROSSREF_API_URL", "https://api.crossref.org")
PAPER_DATACITE_API_URL = env_str("DJANGO_PAPER_DATACITE_API_URL", "https://api.datacite.org")
PAPER_METADATA_TIMEOUT = env_int("DJANGO_PAPER_METADATA_TIMEOUT", 10)
PAPER_METADATA_CONTACT = env_str("DJANGO_PAPER_METADATA_CONTACT", "")
# arXiv asks for at most one request every 3 seconds.
PAPER_ARXIV_INTERVAL = env_int("DJANGO_PAPER_ARXIV_INTERVAL", 3)
# A failed fetch is tried again after 1, 2, 4… hours (or when the registry's
# Retry-After says), this many times in all.
PAPER_METADATA_ATTEMPTS = env_int("DJANGO_PAPER_METADATA_ATTEMPTS", 5)
PAPER_METADATA_RETRY_SECONDS = env_int("DJANGO_PAPER_METADATA_RETRY_SECONDS", 3600)

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "studygroup@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# markdownx: one renderer (markdown, math, then sanitizing) and a guarded
# image upload. markdownx reads these once, at import.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "sessions.markdown.render_markdown"
MARKDOWNX_MEDIA_PATH = "editor/"
MARKDOWNX_UPLOAD_MAX_SIZE = 5 * 1024 * 1024
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"]
MARKDOWNX_IMAGE_MAX_SIZE = {"size": (2000, 2000), "quality": 90}
MARKDOWNX_SVG_JAVASCRIPT_PROTECTION = True

# Content-Security-Policy: scripts and styles from our own origin only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "https:", "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Production hardening: on whenever DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers check /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)
# Behind a reverse proxy that sets X-Forwarded-Proto and appends the client's
# address to X-Forwarded-For (nginx: proxy_add_x_forwarded_for).
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
}
