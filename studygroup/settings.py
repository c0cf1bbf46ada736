"""Settings for the Study group app.

Everything that differs between machines comes from the environment, read
through the small strict helpers below. The defaults are for development on
one machine (SQLite file, console email, DEBUG on); production sets
DJANGO_DEBUG=false, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL.
"""

import os
from datetime import timedelta
from email.utils import getaddresses
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
    # First, so that every log line of the request carries its id.
    "sessions.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the others, so it sees their responses too (redirects, 403s).
    "sessions.middleware.CacheControlMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Before anything reads data: cached page parts are checked against the
    # table versions of the request's start (sessions/fragments.py).
    "sessions.fragments.ContentVersionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "sessions.language.MemberLanguageMiddleware",
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

# Cached page parts (sessions/fragments.py). By default each process keeps
# its own; every part is checked against the table versions in the
# database, so processes never disagree about what is current.
# DJANGO_CACHE_ENTRIES bounds the memory (parts are 1-120 KB; a session page
# keeps about eight, a talk page four or five: 5,000 hold a few hundred
# pages). DJANGO_CACHE_URL=redis://host:6379/0 (or rediss://) makes one
# cache that every app server shares: a part is rendered once for all.
CACHE_URL = env_str("DJANGO_CACHE_URL")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("DJANGO_CACHE_KEY_PREFIX", "studygroup"),
            # An unreachable Redis fails a request in seconds, not minutes.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
elif CACHE_URL in ("", "locmem://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "studygroup-fragments",
            "OPTIONS": {"MAX_ENTRIES": env_int("DJANGO_CACHE_ENTRIES", 5000)},
        }
    }
else:
    raise ImproperlyConfigured(
        f"DJANGO_CACHE_URL must be redis://…, rediss://… or locmem://, not {CACHE_URL!r}"
    )

AUTH_USER_MODEL = "study.Member"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sessions.auth.MemberBackend",
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


def s3_media_storage():
    """The storage of uploads in the bucket the DJANGO_S3_* variables name."""
    return {
        "BACKEND": "sessions.media_storage.MembersS3Storage",
        "OPTIONS": {
            "bucket_name": env_str("DJANGO_S3_BUCKET"),
            # Empty: Amazon S3 itself; else e.g. https://s3.example.org (MinIO, Ceph, Garage…).
            "endpoint_url": env_str("DJANGO_S3_ENDPOINT_URL") or None,
            "region_name": env_str("DJANGO_S3_REGION") or None,
            # Empty: boto3 finds credentials itself (instance role, ~/.aws).
            "access_key": env_str("DJANGO_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("DJANGO_S3_SECRET_ACCESS_KEY") or None,
            # A folder inside the bucket, e.g. when groups share one bucket.
            "location": env_str("DJANGO_S3_PREFIX").strip("/"),
            # "path" for most self-hosted servers; empty lets boto3 choose.
            "addressing_style": env_str("DJANGO_S3_ADDRESSING_STYLE") or None,
            "signature_version": "s3v4",
            # Objects stay private (the bucket's own policy); names are
            # never reused, as on local disk.
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }


# Uploads: on local disk (MEDIA_ROOT) unless DJANGO_S3_BUCKET names an
# S3-compatible bucket, which several app servers can share. Either way the
# files' URLs are /media/<name>, served to members only (sessions/views/media.py).
S3_BUCKET = env_str("DJANGO_S3_BUCKET")
# On local disk, uploads are written under a temporary name and renamed
# when complete (sessions/storage.py).
MEDIA_STORAGE = (
    s3_media_storage() if S3_BUCKET else {"BACKEND": "sessions.storage.AtomicFileSystemStorage"}
)
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# How /media/ sends a file once it has checked the login: "stream" (the app
# sends it), "redirect" (S3 only: to a presigned URL valid MEDIA_URL_EXPIRY
# seconds) or "accel" (local disk behind nginx: X-Accel-Redirect to the
# internal location MEDIA_ACCEL_PREFIX, see deploy/nginx/).
MEDIA_SERVE = env_str("DJANGO_MEDIA_SERVE", "redirect" if S3_BUCKET else "stream")
if MEDIA_SERVE not in {"stream", "redirect", "accel"}:
    raise ImproperlyConfigured(
        f"DJANGO_MEDIA_SERVE must be stream, redirect or accel, not {MEDIA_SERVE!r}"
    )
if MEDIA_SERVE == "redirect" and not S3_BUCKET:
    raise ImproperlyConfigured("DJANGO_MEDIA_SERVE=redirect needs S3 storage (DJANGO_S3_BUCKET)")
if MEDIA_SERVE == "accel" and S3_BUCKET:
    raise ImproperlyConfigured(
        "DJANGO_MEDIA_SERVE=accel serves local disk; with DJANGO_S3_BUCKET use stream or redirect"
    )
MEDIA_URL_EXPIRY = env_int("DJANGO_MEDIA_URL_EXPIRY", 300)
MEDIA_ACCEL_PREFIX = (
    "/" + env_str("DJANGO_MEDIA_ACCEL_PREFIX", "/protected-media/").strip("/") + "/"
)
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
# For django.core.mail.backends.filebased.EmailBackend: the folder it writes mails to.
EMAIL_FILE_PATH = env_str("DJANGO_EMAIL_FILE_PATH") or None
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "studygroup@localhost")
SERVER_EMAIL = env_str("DJANGO_SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Who gets an email with the traceback of every server error (500) when
# DEBUG is off: "Name <address>, address, …".
ADMINS = [
    (name or address, address) for name, address in getaddresses(env_list("DJANGO_ADMINS", []))
]

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
# Login sessions are read from the cache and written through to the
# database: no session query on most requests, none lost when the cache is
# emptied (it is shared by every server when DJANGO_CACHE_URL names Redis).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
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

# Logs go to standard error (journald, docker logs…): plain lines, or one
# JSON object a line with DJANGO_LOG_FORMAT=json for a log collector. Each
# line carries the id of its request (sessions/request_id.py). Server
# errors also go to ADMINS by email (Django's own handler, DEBUG off).
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "sessions.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "sessions.request_id.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
}

# Error reports to Sentry (or a Sentry-compatible service such as GlitchTip)
# when DJANGO_SENTRY_DSN is set; needs the extra: pip install -e ".[sentry]".
SENTRY_DSN = env_str("DJANGO_SENTRY_DSN")
if SENTRY_DSN:
    try:
        import sentry_sdk
    except ImportError:
        raise ImproperlyConfigured(
            'DJANGO_SENTRY_DSN is set but sentry-sdk is not installed: pip install -e ".[sentry]"'
        ) from None
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env_str("DJANGO_SENTRY_ENVIRONMENT", "production"),
        # Performance traces are off unless asked for (a fraction, e.g. 0.1).
        traces_sample_rate=float(env_str("DJANGO_SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
        # No member's name, address or cookies leave the server.
        send_default_pii=False,
    )
