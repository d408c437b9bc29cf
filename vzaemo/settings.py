"""Settings for every environment, driven by environment variables.

Nothing here is production-only: the demo, the tests and production differ only in the
environment (DATABASE_URL, DEBUG, SECRET_KEY, ...), so what is tested is what runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
# Local state of the embedded demo (SQLite file, outbox, keys); ignored by git.
VAR_DIR = Path(os.environ.get("VZAEMO_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def kept_secret_key(path: Path) -> str:
    """A random key made on first run and kept in ``path`` (like the signing key), so sessions survive restarts."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f"{path.name}.{os.getpid()}")
    draft.write_text(secrets.token_urlsafe(50))
    draft.chmod(0o600)
    # link() refuses an existing name: when two processes start at once, exactly one key wins.
    with contextlib.suppress(FileExistsError):
        os.link(draft, path)
    draft.unlink()
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
# The embedded demo (scripts/demo sets VZAEMO_DEMO) and development (DEBUG) make and keep their own key in var/.
# Anywhere else SECRET_KEY must come from the environment: left empty, Django refuses to sign anything
# (ImproperlyConfigured) and the servers refuse to start (vzaemo/wsgi.py, vzaemo/asgi.py, runplatform,
# chronograph); `check --deploy` names the problem (vzaemo/core/checks.py). It is not refused here because
# tools that never sign (mypy's Django plugin, makemigrations, export_openapi) load these settings too.
VZAEMO_DEMO = env_bool("VZAEMO_DEMO", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and (DEBUG or VZAEMO_DEMO):
    SECRET_KEY = kept_secret_key(VAR_DIR / "keys" / "secret_key")
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "vzaemo.core",
    "vzaemo.accounts",
    "vzaemo.petitions",
    "vzaemo.appeals",
    "vzaemo.consultations",
    "vzaemo.responsiveness",
    "vzaemo.documents",
    "vzaemo.auctions",
    # After every module that registers participation items (core.participation).
    "vzaemo.onestop",
    "vzaemo.live",
    # django-ninja's own static files: Swagger UI loads from /static/, which the CSP allows.
    "ninja",
    "vzaemo.broker_api",
    "vzaemo.web",
    # Loads every module's demo data (manage.py seed_demo); it has no models.
    "vzaemo.demo",
]

MIDDLEWARE = [
    # First: what the rest believe about the scheme (SSL redirect, secure cookies, CSRF) comes from a trusted proxy.
    "vzaemo.core.client_ip.ProxyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the database: marks the anonymous public reads the replica may answer.
    "vzaemo.core.replica.ReplicaReadsMiddleware",
    # Before anything reads the request or the database: the broker API answers its JSON envelope on every error.
    "vzaemo.broker_api.middleware.BrokerApiErrorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "vzaemo.accounts.middleware.StaffMFAMiddleware",
]

ROOT_URLCONF = "vzaemo.urls"
WSGI_APPLICATION = "vzaemo.wsgi.application"
ASGI_APPLICATION = "vzaemo.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "vzaemo" / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "vzaemo.web.context_processors.demo",
            ],
        },
    }
]

# Embedded SQLite for the demo; PostgreSQL (DATABASE_URL) in CI and production.
# Persistent connections matter: opening one per request halves signing throughput.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'vzaemo.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "600")),
        # A health check is a round trip on every request. Without it a connection broken by a
        # database restart fails one request, and Django then drops it and reconnects.
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side binding lets psycopg prepare the hot statements (signing, auth, session) once per
    # connection instead of PostgreSQL parsing and planning them on every request.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = env_bool("DB_SERVER_SIDE_BINDING", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web workers, the task worker and the chronograph share one file.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("SQLITE_TEST_NAME") or None

# A PostgreSQL streaming replica (hot standby) for public reads: anonymous visitors' pages, open data and the
# broker change feed (vzaemo/core/replica.py, ADR 0018). Unset: everything reads from the primary. Writes, and every
# read inside a transaction or of a signed-in request, always use the primary. Tests mirror the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"] or 0
    )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["vzaemo.core.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Sessions are read from the shared cache below and written through to the database (ADR 0016): with Redis
# every request's session costs the database nothing, a session logged out on one machine is gone on all, and a
# lost or flushed cache loses no session. On the embedded database cache the two copies share one database.
SESSION_ENGINE = os.environ.get("SESSION_ENGINE", "django.contrib.sessions.backends.cached_db")
SESSION_CACHE_ALIAS = "default"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = 60 * 60 * 12

# One cache shared by every process and machine, because the rate limits count in it (ADR 0013): Redis in
# production and CI (REDIS_URL), otherwise the database's own cache table, so the embedded demo needs nothing
# more (`migrate` creates the table: vzaemo/core/apps.py). A per-process cache would count per worker.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Django's database cache with an atomic incr (vzaemo/core/cache.py). Expired rows are deleted once the table
# holds MAX_ENTRIES; Django's default of 300 would start culling live counters.
VZAEMO_DATABASE_CACHE = {
    "BACKEND": "vzaemo.core.cache.DatabaseCache",
    "LOCATION": "vzaemo_cache",
    "OPTIONS": {"MAX_ENTRIES": 100_000},
}
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "vzaemo"}
        if REDIS_URL
        else VZAEMO_DATABASE_CACHE
    )
}

# Proxies whose X-Forwarded-For is believed (comma-separated CIDRs, e.g. nginx on 127.0.0.1/32). Empty: the
# direct peer is the client (vzaemo/core/client_ip.py).
TRUSTED_PROXIES = [cidr.strip() for cidr in os.environ.get("TRUSTED_PROXIES", "").split(",") if cidr.strip()]

# Rate limits of the actions a person can repeat (vzaemo/core/rate_limits.py, ADR 0013): amount/period/scope,
# scope account, ip (an IPv6 client's /64) or subnet (/24, /48); "" switches an action's limits off. The address
# limits are wide because mobile operators put many people behind one address. VZAEMO_RATE_LIMITS in the
# environment (a JSON object) overrides single actions, e.g. '{"petition.sign": ""}' for a throughput benchmark.
VZAEMO_RATE_LIMITS: dict[str, str] = {
    "petition.sign": "20/m/account,300/h/account,120/m/ip,600/m/subnet",
    "petition.create": "5/h/account,20/d/account,30/h/ip,150/h/subnet",
    "appeal.submit": "10/h/account,30/d/account,60/h/ip,300/h/subnet",
    "proposal.submit": "20/h/account,100/d/account,120/h/ip,600/h/subnet",
    "subscription.change": "60/h/account,300/h/ip,1200/h/subnet",
    # Unsubscribe links are used without signing in; a flood of forged tokens is refused cheaply anyway.
    "subscription.unsubscribe": "30/m/ip,300/m/subnet",
    "lot.photo_add": "60/h/account,300/d/account,120/h/ip,600/h/subnet",
    **json.loads(os.environ.get("VZAEMO_RATE_LIMITS") or "{}"),
}
VZAEMO_RATE_LIMIT_CACHE = "default"

LANGUAGE_CODE = "uk"
LANGUAGES = [("uk", _("Ukrainian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "vzaemo" / "web" / "locale"]
USE_I18N = True
USE_TZ = True
# Every legal date boundary is in Kyiv (docs/reference/ukraine-rules.md §7).
TIME_ZONE = "Europe/Kyiv"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Production collects the static files with a hash of their content in each name (`collectstatic` on every
# release, docs/deploy.md), so nginx can let browsers keep them for a year; the demo and the tests serve the
# apps' files as they are (whitenoise's finders), with no collect step.
VZAEMO_STATIC_HASHED = env_bool("VZAEMO_STATIC_HASHED", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if VZAEMO_STATIC_HASHED
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Outgoing mail: the embedded demo keeps it in a table shown at /outbox/ (vzaemo/core/outbox.py), development prints
# it, end-to-end tests use a file outbox (a fake SMTP) and production sets an SMTP backend.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "vzaemo.core.outbox.EmailBackend" if VZAEMO_DEMO else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "outbox"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Vzaemo <no-reply@vzaemo.example>")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- accounts (django-allauth) ---
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# allauth's own limits (sign-up, sign-in, password reset, ...) count in the shared cache above, per client
# address as vzaemo/core/client_ip.py derives it (AccountAdapter.get_client_ip). These override allauth's
# defaults; the actions not named keep them.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip,200/h/ip",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_SIGNUP_FORM_CLASS = "vzaemo.accounts.forms.SignupForm"
ACCOUNT_ADAPTER = "vzaemo.accounts.adapters.AccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Vzaemo"
SOCIALACCOUNT_ADAPTER = "vzaemo.accounts.adapters.SocialAccountAdapter"
# ID.GOV.UA (the state's integrated identification system) speaks OpenID Connect. It is
# configured here and switched on by IDGOVUA_ENABLED with real client credentials; the demo
# keeps it off because no outside system is reachable.
IDGOVUA_ENABLED = env_bool("IDGOVUA_ENABLED", False)
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "APPS": [
            {
                "provider_id": "idgovua",
                "name": "ID.GOV.UA",
                "client_id": os.environ.get("IDGOVUA_CLIENT_ID", ""),
                "secret": os.environ.get("IDGOVUA_CLIENT_SECRET", ""),
                "settings": {
                    "server_url": os.environ.get(
                        "IDGOVUA_SERVER_URL", "https://id.gov.ua/.well-known/openid-configuration"
                    ),
                },
            }
        ]
        if IDGOVUA_ENABLED
        else []
    }
}
# Staff (Django admin users) must have TOTP; the middleware sends them to set it up.
VZAEMO_STAFF_MFA_REQUIRED = env_bool("STAFF_MFA_REQUIRED", True)

# Where browsers open the live auction streams (the ASGI process). Empty: the page's own origin (nginx routes
# /live/<id>/events to the ASGI process); runplatform without nginx sets the ASGI port. Comma-separated: the
# first is the one pages use; all are allowed in CSP connect-src.
SSE_ORIGIN = os.environ.get("SSE_ORIGIN", "")

# --- content security policy: no unsafe-inline anywhere ---
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'", *[o for o in SSE_ORIGIN.split(",") if o]],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- HTTPS behind nginx (docs/deploy.md; deploy/vzaemo.env sets all of these). Off by default: the demo and the
# tests serve plain HTTP on loopback. nginx terminates TLS and says so in X-Forwarded-Proto; the header is
# believed only from TRUSTED_PROXIES (vzaemo.core.client_ip.ProxyHeadersMiddleware drops it from anyone else).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# The host is the Host header nginx passes on, checked against ALLOWED_HOSTS; a client's X-Forwarded-Host or
# X-Forwarded-Port never names it (absolute links, password-reset emails).
USE_X_FORWARDED_HOST = False
USE_X_FORWARDED_PORT = False

# --- platform ---
# Document service: size limit, link lifetimes, where files live (never served directly: nginx must not
# expose MEDIA_ROOT; downloads go through signed, expiring links).
VZAEMO_DOCUMENT_MAX_BYTES = int(os.environ.get("VZAEMO_DOCUMENT_MAX_BYTES", str(50 * 1024 * 1024)))
VZAEMO_DOCUMENT_DOWNLOAD_LINK_SECONDS = int(os.environ.get("VZAEMO_DOCUMENT_DOWNLOAD_LINK_SECONDS", "300"))
VZAEMO_DOCUMENT_UPLOAD_LINK_SECONDS = int(os.environ.get("VZAEMO_DOCUMENT_UPLOAD_LINK_SECONDS", "3600"))
# Images people upload (lot photos, ADR 0023; vzaemo/documents/conf.py): file size, declared pixels (more is refused
# before decoding: a decompression bomb), the longest side kept and the thumbnail's; photos per lot.
VZAEMO_IMAGE_MAX_BYTES = int(os.environ.get("VZAEMO_IMAGE_MAX_BYTES", str(15 * 1024 * 1024)))
VZAEMO_IMAGE_MAX_PIXELS = int(os.environ.get("VZAEMO_IMAGE_MAX_PIXELS", "40000000"))
VZAEMO_IMAGE_MAX_EDGE = int(os.environ.get("VZAEMO_IMAGE_MAX_EDGE", "2560"))
VZAEMO_IMAGE_THUMBNAIL_EDGE = int(os.environ.get("VZAEMO_IMAGE_THUMBNAIL_EDGE", "480"))
VZAEMO_LOT_MAX_PHOTOS = int(os.environ.get("VZAEMO_LOT_MAX_PHOTOS", "20"))
# Empty: MEDIA_ROOT / "documents" (documents/conf.py).
VZAEMO_DOCUMENTS_ROOT = os.environ.get("VZAEMO_DOCUMENTS_ROOT") or None
# Sandbox time accelerator: 1 means real time. Only sandbox deployments (demos, broker
# certification) set more; core.clock refuses it when VZAEMO_SANDBOX is off.
VZAEMO_SANDBOX = env_bool("VZAEMO_SANDBOX", False)
VZAEMO_TIME_ACCELERATION = float(os.environ.get("VZAEMO_TIME_ACCELERATION", "1"))
VZAEMO_TIME_ACCELERATION_EPOCH = os.environ.get("VZAEMO_TIME_ACCELERATION_EPOCH", "2026-01-01T00:00:00+00:00")
# Signature counts are written in batches by the chronograph, at most this many seconds behind.
VZAEMO_COUNT_INTERVAL_SECONDS = float(os.environ.get("VZAEMO_COUNT_INTERVAL_SECONDS", "2"))
VZAEMO_AUDIT_SEAL_INTERVAL_SECONDS = float(os.environ.get("VZAEMO_AUDIT_SEAL_INTERVAL_SECONDS", "2"))
# The one-stop index follows the sealed audit chain, at most about this many seconds behind the sealer.
VZAEMO_ONESTOP_INTERVAL_SECONDS = float(os.environ.get("VZAEMO_ONESTOP_INTERVAL_SECONDS", "5"))
# Subscriptions: the daily digest leaves at this hour, Kyiv time; the chronograph looks for due digests this often
# and hands them to the task worker in batches of this many people.
VZAEMO_DIGEST_HOUR = int(os.environ.get("VZAEMO_DIGEST_HOUR", "8"))
VZAEMO_DIGEST_INTERVAL_SECONDS = float(os.environ.get("VZAEMO_DIGEST_INTERVAL_SECONDS", "30"))
VZAEMO_DIGEST_BATCH = int(os.environ.get("VZAEMO_DIGEST_BATCH", "100"))
# The most items one digest lists (the rest are on the notifications page it links to).
VZAEMO_DIGEST_MAX_ITEMS = 50
VZAEMO_SUBSCRIPTIONS_PER_PERSON = 200
# A state-changing form's one-time key (vzaemo.core.idempotency): a repeat within this many seconds of the
# form's display returns the first result; an older form is refused and shown again with a new key.
VZAEMO_IDEMPOTENCY_KEY_SECONDS = int(os.environ.get("VZAEMO_IDEMPOTENCY_KEY_SECONDS", str(24 * 60 * 60)))
# The same person's appeal to the same authority with the same text within this many seconds is probably a
# resend: the form asks them to confirm before a second appeal (and a second duty of the authority) is filed.
VZAEMO_APPEAL_DUPLICATE_SECONDS = int(os.environ.get("VZAEMO_APPEAL_DUPLICATE_SECONDS", str(24 * 60 * 60)))
VZAEMO_SITE_URL = os.environ.get("VZAEMO_SITE_URL", "http://127.0.0.1:8000")
# While the database is out, pages and APIs answer 503 and ask clients to come back after this many seconds
# (vzaemo/web/outage.py); the supervisors and the database itself are back within a few.
VZAEMO_OUTAGE_RETRY_AFTER_SECONDS = int(os.environ.get("VZAEMO_OUTAGE_RETRY_AFTER_SECONDS", "10"))
# Broker API rate limits per key (per client address for anonymous reads), fixed windows on the shared cache;
# 0 switches a limit off (vzaemo.broker_api.throttling).
VZAEMO_BROKER_API_WRITES_PER_SECOND = int(os.environ.get("VZAEMO_BROKER_API_WRITES_PER_SECOND", "50"))
VZAEMO_BROKER_API_READS_PER_SECOND = int(os.environ.get("VZAEMO_BROKER_API_READS_PER_SECOND", "100"))
VZAEMO_BROKER_API_RATE_WINDOW_SECONDS = int(os.environ.get("VZAEMO_BROKER_API_RATE_WINDOW_SECONDS", "1"))
# Live auctions (vzaemo.live, ADR 0010). "production": 180-s turns and pauses; "legacy": the older 120/120.
LIVE_ENGLISH_TIMING = os.environ.get("LIVE_ENGLISH_TIMING", "production")
# One bid request per bidder per this many seconds (1/s, ADR 0010); 0 switches the throttle off (tests only).
LIVE_BID_INTERVAL_SECONDS = float(os.environ.get("LIVE_BID_INTERVAL_SECONDS", "1"))
# The stream process reads an auction once per change and derives every viewer's state from that one read.
LIVE_STREAM_BASE = "vzaemo.live.selectors.stream_base"
LIVE_STREAM_VIEW = "vzaemo.live.selectors.stream_view"
LIVE_SQLITE_POLL_SECONDS = float(os.environ.get("LIVE_SQLITE_POLL_SECONDS", "0.25"))
LIVE_SSE_HEARTBEAT_SECONDS = float(os.environ.get("LIVE_SSE_HEARTBEAT_SECONDS", "4"))
# Ed25519 key that signs audit checkpoints; generated into var/ for the demo when absent. Production keeps it off
# the database host (ADR 0015): a path to a mounted secret (VZAEMO_SIGNING_KEY_PATH, e.g. a systemd credential) or
# the key itself in VZAEMO_SIGNING_KEY (PEM, or base64 of the raw 32-byte private key), which wins over the path.
VZAEMO_SIGNING_KEY_PATH = os.environ.get("VZAEMO_SIGNING_KEY_PATH", str(VAR_DIR / "keys" / "ed25519.pem"))
VZAEMO_SIGNING_KEY = os.environ.get("VZAEMO_SIGNING_KEY", "")
# Witnesses of the audit chain's signed checkpoints (vzaemo/core/audit_witness.py, ADR 0015). The append-only
# JSON Lines file is on by default (empty switches it off); put it on another disk or host in production.
VZAEMO_AUDIT_WITNESS_LOG = os.environ.get("VZAEMO_AUDIT_WITNESS_LOG", str(VAR_DIR / "audit" / "witness.jsonl"))
# HTTP endpoints that receive a checkpoint as a JSON POST, and addresses that receive one by email (comma-separated;
# none by default). Each gets the newest checkpoint at most once per its interval, through the task worker.
VZAEMO_AUDIT_WITNESS_URLS = [u.strip() for u in os.environ.get("VZAEMO_AUDIT_WITNESS_URLS", "").split(",") if u.strip()]
VZAEMO_AUDIT_WITNESS_EMAILS = [
    a.strip() for a in os.environ.get("VZAEMO_AUDIT_WITNESS_EMAILS", "").split(",") if a.strip()
]
VZAEMO_AUDIT_WITNESS_HTTP_INTERVAL_SECONDS = float(os.environ.get("VZAEMO_AUDIT_WITNESS_HTTP_INTERVAL_SECONDS", "60"))
VZAEMO_AUDIT_WITNESS_EMAIL_INTERVAL_SECONDS = float(
    os.environ.get("VZAEMO_AUDIT_WITNESS_EMAIL_INTERVAL_SECONDS", str(24 * 60 * 60))
)
VZAEMO_AUDIT_WITNESS_TIMEOUT_SECONDS = float(os.environ.get("VZAEMO_AUDIT_WITNESS_TIMEOUT_SECONDS", "10"))
# A push that fails is retried with a doubling delay (from 30 s, at most 1 h) this many times, then given up.
VZAEMO_AUDIT_WITNESS_MAX_ATTEMPTS = int(os.environ.get("VZAEMO_AUDIT_WITNESS_MAX_ATTEMPTS", "12"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"vzaemo": {"level": os.environ.get("VZAEMO_LOG_LEVEL", "INFO")}},
}

# Benchmark hook (bench/README.md): the bench-only app is loaded only when VZAEMO_BENCH=1; production never loads it.
VZAEMO_BENCH = env_bool("VZAEMO_BENCH", False)
if VZAEMO_BENCH:
    INSTALLED_APPS.append("bench.signatures.benchapp")
