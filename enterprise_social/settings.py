"""Settings for Enterprise Social, read from environment variables only.

Unset variables give the embedded default (SQLite, local-memory cache, live events in process,
DEBUG on) so `make run` needs nothing. See README.md for the table.
"""

import logging
import re
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

# Values are read by django-environ. A value it cannot read stops startup with one line that
# names the variable (`stop`), never a traceback; an empty value is the same as an unset one.
env = environ.Env()
BOOL_WORDS = {*environ.Env.BOOLEAN_TRUE_STRINGS, "false", "off", "no", "n", "0"}
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}


def stop(name: str, problem: str) -> None:
    raise SystemExit(f"{name}: {problem}")


def env_str(name: str, default: str = "") -> str:
    return env.str(name, default="").strip() or default


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name).lower()
    if not value:
        return default
    if value not in BOOL_WORDS:
        stop(name, f"{value!r} is not on or off; use 1 or 0 (or true/false, yes/no, on/off).")
    return env.bool(name)


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if not value:
        return default
    try:
        return env.int(name)
    except ValueError:
        stop(name, f"{value!r} is not a whole number.")


def env_float(name: str, default: float) -> float:
    value = env_str(name)
    if not value:
        return default
    try:
        return env.float(name)
    except ValueError:
        stop(name, f"{value!r} is not a number.")


def env_list(name: str) -> list[str]:
    return [item.strip() for item in env.list(name, default=[]) if item.strip()]


def database_from_url(name: str) -> dict:
    """`postgres://user:pass@host:port/name?opt=v` as Django's DATABASES entry, with the pool."""
    url = env_str(name)
    scheme = urlparse(url).scheme
    if scheme not in POSTGRES_SCHEMES:
        stop(name, f"unsupported scheme {scheme!r}; use postgres://")
    try:
        config = env.db_url_config(url)
    except ValueError as exc:
        stop(name, f"cannot be read ({exc}).")
    options = config.get("OPTIONS", {})
    pool_max = options.pop("pool_max_size", None)
    if pool_max is None:
        pool_max = env_int("DATABASE_POOL_MAX_SIZE", 20)
    elif not isinstance(pool_max, int):
        stop(name, f"pool_max_size {pool_max!r} is not a whole number.")
    db_name = config["NAME"] or "enterprise_social"
    return {
        **config,
        "NAME": db_name,
        # Django's pool needs CONN_MAX_AGE 0: the pool, not the request, keeps connections.
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {**options, "pool": {"min_size": 2, "max_size": pool_max, "timeout": 10}},
        "TEST": {"NAME": f"test_{db_name}"},
    }


def throttle_rate(name: str, default: str) -> str:
    rate = env_str(name, default)
    if not re.fullmatch(r"[0-9]+/[smhd][a-z]*", rate):
        stop(name, f"{rate!r} is not a rate such as 1200/min, 20/s, 5000/hour or 100000/day.")
    return rate


def log_level(name: str, default: str) -> str:
    level = env_str(name, default).upper()
    if level not in logging.getLevelNamesMapping():
        stop(name, f"{level!r} is not a logging level (DEBUG, INFO, WARNING, ERROR, CRITICAL).")
    return level


def time_zone(name: str, default: str) -> str:
    zone = env_str(name, default)
    try:
        ZoneInfo(zone)
    except (ValueError, LookupError):
        stop(name, f"{zone!r} is not a time zone such as UTC or Europe/Paris.")
    return zone


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not DEBUG:
    missing = [
        name
        for name, value in (
            ("DJANGO_SECRET_KEY", SECRET_KEY),
            ("DJANGO_ALLOWED_HOSTS", ALLOWED_HOSTS),
        )
        if not value
    ]
    if missing:
        raise SystemExit(
            f"Enterprise Social: {' and '.join(missing)} must be set when DJANGO_DEBUG is off."
        )
else:
    # A development-only key: it signs nothing that outlives the local database.
    SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-not-for-production-6f1c2b9d8e7a"  # noqa: S105
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]

HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
# The benchmarks' floor view (`make bench`): never on in a deployment.
BENCH_ENDPOINTS = env_bool("DJANGO_BENCH_ENDPOINTS", False)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# How many proxies (load balancer, nginx) stand in front of Django and append to
# X-Forwarded-For: the client's address, for rate limits, is the entry that many from the
# right (core.ratelimit.client_ip). 0: REMOTE_ADDR (Uvicorn's --proxy-headers may
# already have put the client's address there).
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    stop("DJANGO_TRUSTED_PROXY_COUNT", "must be 0 or more.")

INSTALLED_APPS = [
    "daphne",
    "audit.admin_config.AuditedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "allauth.headless",
    "django_q",
    "core",
    "audit",
    "profiles",
    "activity",
    "notifications",
    "attachments",
    "communities",
    "provisioning",
    "feeds",
    "exec_blog",
    "engagement",
    "ideas",
    "reach",
    "webhooks",
    "app_accounts",
    "governance",
    "ediscovery",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before sessions and authentication: a NUL in a cookie or token must not reach a lookup.
    "core.middleware.UnstorableInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.context.AuditOriginMiddleware",
    "core.middleware.LoginRequiredMiddleware",
    "activity.middleware.DailyVisitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.ratelimit.RateLimitMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "core.middleware.UnknownSocialAppMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "enterprise_social.urls"
ASGI_APPLICATION = "enterprise_social.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "enterprise_social" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "enterprise_social.context_processors.navigation",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": database_from_url("DATABASE_URL")}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": Path(env_str("SQLITE_PATH") or BASE_DIR / "db.sqlite3"),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
# What this deployment's keys and live events are named under in Redis.
# Parallel test workers on one Redis (pytest-xdist names each in PYTEST_XDIST_WORKER) get one
# each, so they never read each other's counters or hear each other's events.
REDIS_PREFIX = env_str("REDIS_PREFIX", "es") + env_str("PYTEST_XDIST_WORKER")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# No CHANNEL_LAYERS: live events travel through the process hub's own Redis pub/sub
# (core.realtime, core.streaming), and no consumer joins a group or has a channel.

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Accounts ----------------------------------------------------------------------------------

AUTH_USER_MODEL = "profiles.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

ALLOWED_SIGNUP_DOMAINS = [d.lower().lstrip("@") for d in env_list("ALLOWED_SIGNUP_DOMAINS")]

ACCOUNT_ADAPTER = "profiles.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "profiles.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# No mail to addresses that have no account: a reset form must not become a spam relay.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
# Sign-in (issue 22): failures per account only here (5 per 5 minutes); per address only
# failures at accounts that never signed in from it, 100 per 5 minutes (profiles/login_limits.py,
# RATE_LIMITS "login_failed_address"), so an office behind one address is never locked out.
# allauth's "login" (30 attempts a minute per address, successes included) would refuse an
# office's 9 a.m. rush: off.
ACCOUNT_RATE_LIMITS = {
    "login": "",
    "login_failed": "5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "change_password": "5/m/user",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Enterprise Social] "
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_ONLY = False

# Single sign-on: any OpenID Connect provider, from the environment (or the admin's
# "Social applications"). See docs/single-sign-on.md.
SOCIALACCOUNT_PROVIDERS: dict = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": []}}
if env_str("OIDC_CLIENT_ID") and env_str("OIDC_SERVER_URL"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
        {
            "provider_id": env_str("OIDC_PROVIDER_ID", "sso"),
            "name": env_str("OIDC_NAME", "Company single sign-on"),
            "client_id": env_str("OIDC_CLIENT_ID"),
            "secret": env_str("OIDC_CLIENT_SECRET"),
            "settings": {"server_url": env_str("OIDC_SERVER_URL")},
        }
    )

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Enterprise Social")

HEADLESS_ONLY = False
# Mobile and desktop apps use tokens; the web front end is server-rendered with sessions.
HEADLESS_CLIENTS = ("app",)
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": "/accounts/confirm-email/{key}/",
    "account_reset_password_from_key": "/accounts/password/reset/key/{key}/",
    "account_signup": "/accounts/signup/",
}

# --- Email -------------------------------------------------------------------------------------

if env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Enterprise Social <noreply@localhost>")
# A mail server that does not answer must not hold a job for minutes.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 15)

# --- Reach: email, web push, the installable app (docs/architecture.md, "Reach") ---------------

# Where links in emails and pushes point (no request to read the host from in a job).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Emails and pushes say who did what ("Alice mentioned you — open to read"), never the content.
NOTIFY_WITHOUT_CONTENT = env_bool("NOTIFY_WITHOUT_CONTENT", False)

# Governance (docs/governance.md). The audit log outlives content: at least a year (the
# PostgreSQL trigger refuses to delete a younger entry), seven years unless configured.
AUDIT_RETENTION_DAYS = max(365, env_int("AUDIT_RETENTION_DAYS", 2555))
# eDiscovery exports: a ready ZIP can be downloaded (by Compliance, with its signed link) for
# this many days, then the daily cleanup deletes it. The job that builds one may run this
# many seconds (an export with large videos takes minutes; other jobs keep JOBS_TIMEOUT).
EDISCOVERY_LINK_DAYS = env_int("EDISCOVERY_LINK_DAYS", 7)
if EDISCOVERY_LINK_DAYS < 1:
    stop("EDISCOVERY_LINK_DAYS", "must be at least 1.")
EDISCOVERY_JOB_TIMEOUT = env_int("EDISCOVERY_JOB_TIMEOUT", 3600)
# Web push (`python manage.py vapid_keys` prints both); unset: push is off.
VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY")
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY")
if bool(VAPID_PUBLIC_KEY) != bool(VAPID_PRIVATE_KEY):
    stop("VAPID_PRIVATE_KEY", "set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or neither.")
VAPID_SUBJECT = env_str("VAPID_SUBJECT", "mailto:noreply@localhost")
# Hosts allowed to receive push and webhooks although not public (a loopback receiver in tests).
WEBHOOK_ALLOW_HOSTS = env_list("WEBHOOK_ALLOW_HOSTS")
# Immediate emails wait this long so a burst of notifications becomes one email.
REACH_MAIL_DELAY = env_int("REACH_MAIL_DELAY", 90)
# Attempts at sending an email before it is marked failed (backoff 1, 2, 4 … 60 minutes).
REACH_MAIL_MAX_ATTEMPTS = env_int("REACH_MAIL_MAX_ATTEMPTS", 8)
# An optional mailto: for List-Unsubscribe beside the one-click https link.
REACH_UNSUBSCRIBE_MAILTO = env_str("REACH_UNSUBSCRIBE_MAILTO")

# --- API ---------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.SessionTokenAuthentication",
        # `Authorization: Bearer <token>` of an app account (app_accounts), which only posts.
        "app_accounts.auth.AppTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.IsActiveEmployee"],
    "DEFAULT_PAGINATION_CLASS": "core.api.KeysetPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_RENDERER_CLASSES": [
        # DRF's, which also sends pages of cached cards as they are (core.api.EncodedJSON).
        "core.api.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # DRF's UserRateThrottle, in one Redis round trip with the view's rate limit.
    "DEFAULT_THROTTLE_CLASSES": ["core.ratelimit.ApiThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": throttle_rate("API_THROTTLE_RATE", "1200/min")},
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Enterprise Social API",
    "DESCRIPTION": "The JSON API of Enterprise Social. Every endpoint requires an authenticated, "
    "active employee: the browser session (with the CSRF token for unsafe methods) or an allauth "
    "headless app session token in the `X-Session-Token` header.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["core.api.IsActiveEmployee"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for a choice set used by several fields (ideas: state, from/to, next states).
    "ENUM_NAME_OVERRIDES": {
        "IdeaStateEnum": "ideas.models.IdeaState",
        "VisibilityEnum": "feeds.models.Visibility",
        "CommunityVisibilityEnum": "communities.models.Visibility",
        "JoinPolicyEnum": "communities.models.JoinPolicy",
    },
}

# --- Static and uploaded files -----------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files are private: never served from a public path, only through views that
# check the login (see profiles.views.avatar).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_SIZE = 256
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# An uploaded file above this size streams to a temporary file instead of memory (Django's
# default); under ASGI the request body is spooled to disk past the same size.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The first handler stops an upload above UPLOAD_MAX_BYTES while it streams (core.uploads).
FILE_UPLOAD_HANDLERS = [
    "core.uploads.UploadSizeGuard",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Attachments (pictures, files and video on posts; docs/security.md, "Uploads"). Sizes in MB.
MB = 1024 * 1024
ATTACHMENTS_IMAGE_MAX_BYTES = env_int("ATTACHMENTS_IMAGE_MAX_MB", 20) * MB
ATTACHMENTS_FILE_MAX_BYTES = env_int("ATTACHMENTS_FILE_MAX_MB", 100) * MB
ATTACHMENTS_VIDEO_MAX_BYTES = env_int("ATTACHMENTS_VIDEO_MAX_MB", 200) * MB
# What one person may upload in 24 hours, all kinds together.
ATTACHMENTS_DAILY_QUOTA_BYTES = env_int("ATTACHMENTS_DAILY_QUOTA_MB", 1024) * MB
# An upload attached to nothing is deleted after this many hours (attachments.jobs).
ATTACHMENTS_UNATTACHED_HOURS = env_int("ATTACHMENTS_UNATTACHED_HOURS", 24)
UPLOAD_MAX_BYTES = max(
    ATTACHMENTS_IMAGE_MAX_BYTES, ATTACHMENTS_FILE_MAX_BYTES, ATTACHMENTS_VIDEO_MAX_BYTES
)
if min(ATTACHMENTS_IMAGE_MAX_BYTES, ATTACHMENTS_FILE_MAX_BYTES, ATTACHMENTS_VIDEO_MAX_BYTES) <= 0:
    stop("ATTACHMENTS_*_MAX_MB", "must be at least 1.")
# Hand authorised downloads to nginx: the prefix of an `internal` location that serves
# MEDIA_ROOT (docs/deployment.md), e.g. /protected-media/. Empty: Django streams the file.
MEDIA_ACCEL_REDIRECT = env_str("MEDIA_ACCEL_REDIRECT")
if MEDIA_ACCEL_REDIRECT and not (
    MEDIA_ACCEL_REDIRECT.startswith("/") and MEDIA_ACCEL_REDIRECT.endswith("/")
):
    stop("MEDIA_ACCEL_REDIRECT", "must start and end with / (e.g. /protected-media/).")
# Where uploads are kept: `local` (MEDIA_ROOT) or `s3` (any S3-compatible store through
# django-storages; downloads are redirects to URLs signed for MEDIA_URL_EXPIRE_SECONDS).
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "local").lower()
if MEDIA_STORAGE not in ("local", "s3"):
    stop("MEDIA_STORAGE", f"{MEDIA_STORAGE!r} is not local or s3.")
MEDIA_URL_EXPIRE_SECONDS = env_int("MEDIA_URL_EXPIRE_SECONDS", 60)
if MEDIA_STORAGE == "s3":
    if not env_str("MEDIA_S3_BUCKET"):
        stop("MEDIA_S3_BUCKET", "must name the bucket when MEDIA_STORAGE is s3.")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("MEDIA_S3_BUCKET"),
            "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": env_str("MEDIA_S3_REGION") or None,
            "location": env_str("MEDIA_S3_PREFIX"),
            # Private objects, reached only through URLs signed after the access check.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": MEDIA_URL_EXPIRE_SECONDS,
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    }

# --- Security ----------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# No third-party origins anywhere: the company's content stays on the company's server.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the TOTP QR code allauth.mfa renders as an inline SVG image.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The installable app: its service worker (/sw.js) and manifest, from the site only.
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Locale ------------------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = time_zone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Logging -----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": log_level("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Jobs --------------------------------------------------------------------------------------

# django-q2 with its ORM broker: the database (SQLite or PostgreSQL) is the queue, so the embedded
# default needs no other service and several workers on several machines share one queue.
# docs/architecture.md ("Jobs") says why; docs/operations.md how to run and watch workers.
JOBS_TIMEOUT = env_int("JOBS_TIMEOUT", 120)
Q_CLUSTER = {
    "name": "enterprise_social",
    "orm": "default",
    # Processes per `manage.py worker`; the jobs are short and mostly wait on the database.
    "workers": env_int("JOBS_WORKERS", 2),
    "queue_limit": 4,
    "recycle": 500,
    # A job running longer than `timeout` is stopped; one not acknowledged within `retry`
    # seconds (its worker died) is handed out again, so retry must exceed timeout.
    "timeout": JOBS_TIMEOUT,
    "retry": env_int("JOBS_RETRY", JOBS_TIMEOUT + 60),
    # A failing job stays queued and is tried again after `retry` seconds, 5 times at most;
    # each failure is kept (admin: "Failed tasks").
    "ack_failures": False,
    "max_attempts": 5,
    "save_limit": 500,
    "poll": env_float("JOBS_POLL", 0.5),
    # A schedule missed while no worker ran runs once, not once per missed minute.
    "catch_up": False,
    # `manage.py worker` runs the scheduler itself every JOBS_TICK seconds (django-q2's own
    # runs every 30 s, too coarse to release a post within a minute of its time).
    "scheduler": False,
    "label": "Jobs",
    "cache": "default",
}
JOBS_TICK = env_float("JOBS_TICK", 5.0)
if Q_CLUSTER["retry"] <= Q_CLUSTER["timeout"]:
    stop("JOBS_RETRY", "must be longer than JOBS_TIMEOUT, or a running job runs twice.")

# --- Ideas -------------------------------------------------------------------------------------

# An idea with at least this many votes that has waited 30 days for a decision is listed as
# "waiting for leadership" on /ideas/.
IDEAS_REVIEW_VOTES = env_int("IDEAS_REVIEW_VOTES", 10)

# --- Engagement reports ------------------------------------------------------------------------

# The fewest people a published figure may rest on. Never below 5, whatever the environment says.
ENGAGEMENT_MIN_GROUP = env_int("ENGAGEMENT_MIN_GROUP", 5)
if ENGAGEMENT_MIN_GROUP < 5:
    stop("ENGAGEMENT_MIN_GROUP", "cannot be below 5: small groups identify people.")

# Communities (issue 16): empty lets every employee create one; a group name (e.g. "Community
# creators", managed in the admin) limits creation to that group and admins.
COMMUNITY_CREATORS = env_str("COMMUNITY_CREATORS", "")

# --- Integrations: outgoing webhooks and app accounts (issue 19) -------------------------------

# Hosts allowed to receive webhook deliveries although they are not public (or over http):
# for tests only. Comma-separated, e.g. "127.0.0.1,localhost". Every other URL must be https
# and resolve to public addresses only (core/net.py), checked when subscribed and when sent.
WEBHOOK_ALLOW_HOSTS = env_list("WEBHOOK_ALLOW_HOSTS")
# Seconds a subscriber has to answer.
WEBHOOK_TIMEOUT = env_float("WEBHOOK_TIMEOUT", 10.0)
# Retries: after the n-th failed attempt, wait WEBHOOK_RETRY_BASE × 2^(n-1) seconds, at most
# WEBHOOK_RETRY_MAX; after WEBHOOK_DISABLE_AFTER failures in a row the endpoint is disabled
# and the admins notified (docs/provisioning.md).
WEBHOOK_RETRY_BASE = env_float("WEBHOOK_RETRY_BASE", 30.0)
WEBHOOK_RETRY_MAX = env_float("WEBHOOK_RETRY_MAX", 6 * 3600.0)
WEBHOOK_DISABLE_AFTER = env_int("WEBHOOK_DISABLE_AFTER", 10)
if WEBHOOK_DISABLE_AFTER < 1:
    stop("WEBHOOK_DISABLE_AFTER", "must be 1 or more.")

# --- Provisioning (SCIM 2.0, issue 19) ---------------------------------------------------------

# Directory groups that are roles rather than communities: "Directory group=Role" pairs,
# comma-separated (the role is a Django group: Executives, HR, Moderators, or Compliance once it
# exists). Every other group the directory pushes becomes a provisioned community.
SCIM_ROLE_GROUPS: dict[str, str] = {}
_SCIM_ROLE_DEFAULT = ["Executives=Executives", "HR=HR", "Moderators=Moderators"]
for _pair in env_list("SCIM_ROLE_GROUPS") or _SCIM_ROLE_DEFAULT:
    _name, _sep, _role = _pair.partition("=")
    if not _sep or not _name.strip() or not _role.strip():
        stop("SCIM_ROLE_GROUPS", f"{_pair!r} is not 'Directory group=Role'.")
    SCIM_ROLE_GROUPS[_name.strip()] = _role.strip()
# The most resources one page of a SCIM list returns (`count` above it is lowered to it).
SCIM_MAX_RESULTS = env_int("SCIM_MAX_RESULTS", 200)
