"""Netral settings: one module, every knob read from the environment (README, "Configuration")."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from netral.env import env_bool, env_int, env_list, env_str, storage_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("NETRAL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("NETRAL_DEBUG", False)
TESTING = env_bool("NETRAL_TESTING", "pytest" in sys.modules)

_DEV_SECRET = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = env_str("NETRAL_SECRET_KEY", _DEV_SECRET if (DEBUG or TESTING) else "")
if not SECRET_KEY:
    raise RuntimeError("NETRAL_SECRET_KEY must be set when NETRAL_DEBUG is off.")
# AES-256-GCM keys for reporters' identities, "id:base64,id2:base64"; the first encrypts.
_DEV_IDENTITY_KEY = "dev:ZGV2LW9ubHktaWRlbnRpdHkta2V5LTMyLWJ5dGVzISE="
NETRAL_IDENTITY_KEYS = env_str(
    "NETRAL_IDENTITY_KEYS", _DEV_IDENTITY_KEY if (DEBUG or TESTING) else ""
)
# Ed25519 key that signs the audit trail's checkpoints, "id:base64" of 32 random bytes; it
# never enters the database. Retired keys' public halves stay trusted in
# NETRAL_AUDIT_PUBLIC_KEYS ("id:base64,..."), so old checkpoints still verify after a rotation.
_DEV_AUDIT_KEY = "dev:ZGV2LW9ubHktYXVkaXQtc2lnbmluZy1rZXktMzJieXQ="
NETRAL_AUDIT_SIGNING_KEY = env_str(
    "NETRAL_AUDIT_SIGNING_KEY", _DEV_AUDIT_KEY if (DEBUG or TESTING) else ""
)
NETRAL_AUDIT_PUBLIC_KEYS = env_str("NETRAL_AUDIT_PUBLIC_KEYS", "")
# A checkpoint every this many entries of a stream (and hourly for every stream that moved).
NETRAL_AUDIT_CHECKPOINT_EVERY = env_int("NETRAL_AUDIT_CHECKPOINT_EVERY", 100)
# Key for HMAC-SHA256 of random secrets (API tokens, receipt secrets); separate so that
# rotating SECRET_KEY (sessions) does not invalidate every partner's token.
HMAC_KEY = env_str("NETRAL_HMAC_KEY", SECRET_KEY)

ALLOWED_HOSTS = env_list("NETRAL_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("NETRAL_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "netral.core",
    "netral.regions",
    "netral.registry",
    "netral.accounts",
    "netral.rules",
    "netral.intake",
    "netral.cases",
    "netral.commitments",
    "netral.screening",
    "netral.insights",
    "netral.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "netral.core.limits.RequestSizeLimitMiddleware",
    "netral.core.routing.ReadYourWritesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "netral.core.middleware.CookieLocaleMiddleware",
    "netral.core.inputs.CleanInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "netral.accounts.middleware.RequireOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

if not (DEBUG or TESTING):  # runserver serves static files in development
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "netral.urls"
WSGI_APPLICATION = "netral.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "netral" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "netral.core.context.menu",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# DATABASE_URL picks the engine: SQLite (embedded default, WAL) or PostgreSQL (production).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'netral.sqlite3'}")


def _database(url: str) -> dict[str, Any]:
    config: dict[str, Any] = dict(dj_database_url.parse(url))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if config["NAME"] and config["NAME"] != ":memory:":
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock at BEGIN,
        # and the busy timeout makes concurrent writers wait instead of failing.
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("NETRAL_SQLITE_TIMEOUT", 20),
        }
        config["CONN_MAX_AGE"] = 0
    else:
        config["CONN_MAX_AGE"] = env_int("NETRAL_DB_CONN_MAX_AGE", 600)
        config["CONN_HEALTH_CHECKS"] = True
    config["TEST"] = {"NAME": env_str("NETRAL_TEST_DB_NAME") or None}
    return config


DATABASES = {"default": _database(DATABASE_URL)}
# A streaming replica of the primary (PostgreSQL, e.g. made with pg_basebackup -R): dashboards,
# exports, the transparency page and officer lists read it (netral.core.routing); writes, forms
# and the pages shown right after a write read the primary.
NETRAL_DATABASE_REPLICA_URL = env_str("NETRAL_DATABASE_REPLICA_URL")
if NETRAL_DATABASE_REPLICA_URL:
    DATABASES["replica"] = _database(NETRAL_DATABASE_REPLICA_URL)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests never build a second database
DATABASE_ROUTERS = ["netral.core.routing.ReplicaRouter"]
# For this long after a browser's successful write, its reads stay on the primary.
NETRAL_REPLICA_STICKY_SECONDS = env_int("NETRAL_REPLICA_STICKY_SECONDS", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security ----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "work"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:  # speed only: tests create many users; production always hashes with Argon2
    PASSWORD_HASHERS.insert(0, "django.contrib.auth.hashers.MD5PasswordHasher")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("NETRAL_AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("NETRAL_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("NETRAL_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
# Two separate counters: failures per username (from any address: a locked user stays locked when
# the attacker moves on) and failures per address (across usernames: one address cannot spray one
# password over many users).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("NETRAL_PROXY_COUNT", 0)

OTP_TOTP_ISSUER = "Netral"
OTP_TOTP_TOLERANCE = 1

SESSION_COOKIE_AGE = env_int("NETRAL_SESSION_SECONDS", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

_HTTPS = env_bool("NETRAL_HTTPS", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_SSL_REDIRECT = _HTTPS
SECURE_HSTS_SECONDS = env_int("NETRAL_HSTS_SECONDS", 31536000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_HSTS_PRELOAD = _HTTPS
if env_bool("NETRAL_BEHIND_PROXY", not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^health$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Languages ----------------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "netral_lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"  # display default; data is stored in UTC
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "netral" / "static"]
MEDIA_ROOT = VAR_DIR / "media"  # outside the web root; files are served only through views
# Evidence, letters, pacts, circulars, imports and exports: a local directory by default, or an
# S3-compatible bucket from NETRAL_STORAGE_URL (s3://bucket/prefix?endpoint_url=...): netral.env.
NETRAL_STORAGE_URL = env_str("NETRAL_STORAGE_URL")
STORAGES: dict[str, dict[str, Any]] = {
    "default": storage_from_url(NETRAL_STORAGE_URL, str(MEDIA_ROOT)),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
NETRAL_IMPORT_MAX_BYTES = env_int("NETRAL_IMPORT_MAX_BYTES", 200 * 1024 * 1024)
# Whole request; larger ones are refused from Content-Length before the body is read.
NETRAL_MAX_REQUEST_BYTES = env_int("NETRAL_MAX_REQUEST_BYTES", 210 * 1024 * 1024)

# --- Background work ----------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("NETRAL_TASKS_IMMEDIATE", TESTING)
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}
NETRAL_WORKER_STALE_SECONDS = env_int("NETRAL_WORKER_STALE_SECONDS", 180)
# A running export or import whose worker has not refreshed its lease for this long is marked
# failed by the scheduler's sweep and offered for a retry (netral.core.leases).
NETRAL_JOB_LEASE_SECONDS = env_int("NETRAL_JOB_LEASE_SECONDS", 120)

# --- Cache (rate limits) ----------------------------------------------------------------------
# Shared by every process: Redis when NETRAL_CACHE_URL is set, else a database table.
_CACHE_URL = env_str("NETRAL_CACHE_URL")
CACHES: dict[str, dict[str, Any]] = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
        if _CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "netral_cache",
        }
    )
}
# Counters (rate limits, proof-of-work replay): the same Redis, else core_counter, where each
# count is one atomic statement (netral.core.counters).
CACHES["counters"] = (
    CACHES["default"]
    if _CACHE_URL
    else {"BACKEND": "netral.core.counters.CounterCache", "LOCATION": "default"}
)
RATELIMIT_USE_CACHE = "counters"
RATELIMIT_IP_META_KEY = (
    "HTTP_X_FORWARDED_FOR" if env_int("NETRAL_PROXY_COUNT", 0) else "REMOTE_ADDR"
)
# Per client address; "count/period" with period s, m, h or d.
NETRAL_RATE_REPORTS = env_str("NETRAL_RATE_REPORTS", "1000/h" if TESTING else "20/h")
NETRAL_RATE_REPORTS_NO_POW = env_str("NETRAL_RATE_REPORTS_NO_POW", "1000/h" if TESTING else "5/h")
NETRAL_RATE_UPLOADS = env_str("NETRAL_RATE_UPLOADS", "1000/h" if TESTING else "100/h")
NETRAL_RATE_RECEIPTS = env_str("NETRAL_RATE_RECEIPTS", "1000/h" if TESTING else "30/h")

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "NETRAL_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("NETRAL_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("NETRAL_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("NETRAL_FROM_EMAIL", "Netral <netral@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# How long the public transparency counts are shared through the cache before a recount.
NETRAL_PUBLIC_STATS_SECONDS = env_int("NETRAL_PUBLIC_STATS_SECONDS", 0 if TESTING else 300)
# How long an export's download link works.
NETRAL_EXPORT_HOURS = env_int("NETRAL_EXPORT_HOURS", 24)
# The address links in e-mails and letters point to.
NETRAL_SITE_URL = env_str("NETRAL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Logging ------------------------------------------------------------------------------------
LOG_FORMAT = env_str("NETRAL_LOG_FORMAT", "text" if DEBUG or TESTING else "json")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("NETRAL_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- API ----------------------------------------------------------------------------------------
NETRAL_API_DEFAULT_LIMIT = 50
NETRAL_API_MAX_LIMIT = 500

# (dotted task path, period in seconds); `manage.py run_scheduler` enqueues each once per period.
NETRAL_PERIODIC_TASKS: list[tuple[str, int]] = [
    ("netral.core.tasks.heartbeat", 60),
    ("netral.core.tasks.checkpoint_audit", 3600),
    ("netral.cases.tasks.watch_deadlines", 3600),
    ("netral.commitments.tasks.remind_lagging_agencies", 86400),
    ("netral.registry.tasks.refresh_all_headcounts", 86400),
    ("netral.commitments.tasks.refresh_all_tallies", 86400),
    ("netral.insights.tasks.expire_exports", 3600),
    ("netral.insights.tasks.sweep_stale_exports", 60),
    ("netral.registry.tasks.sweep_stale_imports", 60),
    ("netral.insights.tasks.weekly_summaries", 3600),
    ("netral.insights.tasks.refresh_rollup", 3600),  # recounts once a day, after midnight
    ("netral.core.tasks.purge_counters", 3600),
    ("netral.core.tasks.purge_held_files", 3600),
    ("netral.intake.tasks.purge_idempotency", 86400),
]
# Seconds a process may use its memo of reference data (netral.core.reference) before it
# checks whether another process changed that data.
NETRAL_REFERENCE_RECHECK_SECONDS = env_int("NETRAL_REFERENCE_RECHECK_SECONDS", 2)
