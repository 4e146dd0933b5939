"""Settings of the wrp platform, read from the environment (see README §Configuration).

`WRP_ENV=production` turns on the production checks: no DEBUG, a real SECRET_KEY, explicit ALLOWED_HOSTS, secure
cookies. Development defaults run on the embedded SQLite database under `var/` with nothing else installed.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import dj_database_url
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured

from wrp.accounts.crypto import field_key_from_env, retired_field_keys_from_env
from wrp.audit.keys import audit_key_from_env
from wrp.config.env import env_bool, env_choice, env_int, env_list, env_rate, env_str
from wrp.config.secret import database_files_private, private_dir, secret_key_from_env
from wrp.core.storage import storage_config as private_storage_config

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = PACKAGE_DIR.parent.parent  # the checkout, for an editable install (src layout)

ENVIRONMENT = env_choice("WRP_ENV", "development", ("development", "production", "test"))
PRODUCTION = ENVIRONMENT == "production"
# Private data (the SQLite database, uploads, the generated secret key): readable by the server's user alone (0700).
DATA_DIR = private_dir(Path(env_str("WRP_DATA_DIR", str(PROJECT_DIR / "var"))).resolve())

# DEBUG is off unless asked for (`make dev`): its pages list every URL and show a frame's locals (keys among them).
DEBUG = env_bool("DEBUG", default=False)
# From SECRET_KEY or SECRET_KEY_FILE; outside production, without them, generated once into DATA_DIR/secret_key.
# A weak key (Django's security.W009, the old development constant) stops start-up (wrp.config.secret).
SECRET_KEY = secret_key_from_env(
    value=env_str("SECRET_KEY", ""), file=env_str("SECRET_KEY_FILE", ""), production=PRODUCTION, data_dir=DATA_DIR
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production (WRP_ENV=production): unset DEBUG or set it false")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must name this server's host names in production")

# Field encryption of personal data at rest (resident ID numbers; wrp.accounts.crypto). WRP_FIELD_KEY is the base64 of
# 32 random bytes, kept outside the repository and required in production; development and test runs derive a key
# from SECRET_KEY. To rotate: give the new key a new WRP_FIELD_KEY_VERSION, list the old one in WRP_FIELD_KEYS_RETIRED
# (VERSION:BASE64,…) and run `wrp user rekey`.
FIELD_ENCRYPTION_KEY = field_key_from_env(env_str("WRP_FIELD_KEY", ""), production=PRODUCTION, secret_key=SECRET_KEY)
FIELD_ENCRYPTION_KEY_VERSION = env_int("WRP_FIELD_KEY_VERSION", 1, minimum=1, maximum=255)
FIELD_ENCRYPTION_RETIRED_KEYS = retired_field_keys_from_env(
    env_str("WRP_FIELD_KEYS_RETIRED", ""), current_version=FIELD_ENCRYPTION_KEY_VERSION
)
# The audit trail (wrp.audit.keys): WRP_AUDIT_KEY, the base64 of 32 random bytes, keys the event chain and its anchors;
# required in production, never in the database (outside production derived from SECRET_KEY when unset). `wrp audit
# anchor` (hourly) appends signed checkpoints to AUDIT_ANCHOR_FILE: ship that file off this machine (docs/operations.md).
AUDIT_KEY = audit_key_from_env(env_str("WRP_AUDIT_KEY", ""), production=PRODUCTION)
AUDIT_ANCHOR_FILE = Path(env_str("WRP_AUDIT_ANCHOR_FILE", str(DATA_DIR / "audit" / "anchors.jsonl")))
# A process chains the audit events after a commit at most once per AUDIT_CHAIN_INTERVAL_MS, or sooner once
# AUDIT_CHAIN_PENDING events of its commits wait (wrp.audit.chainer); the worker's `audit.chain` job chains every
# minute what is left. 0 chains after every commit: the tests, where an event is chained as its transaction commits.
AUDIT_CHAIN_INTERVAL_MS = env_int("WRP_AUDIT_CHAIN_INTERVAL_MS", 0 if ENVIRONMENT == "test" else 200, minimum=0,
                                  maximum=60_000)
AUDIT_CHAIN_PENDING = env_int("WRP_AUDIT_CHAIN_PENDING", 1000, minimum=1)

MEDIA_ROOT = DATA_DIR / "private"  # uploads: never served by URL, only streamed by a view that checks the right
# The private files (wrp.core.storage.private_storage(), storage alias "private"): the folder MEDIA_ROOT by default;
# WRP_STORAGE=s3 puts them in the bucket WRP_S3_BUCKET of an S3-compatible store (WRP_S3_ENDPOINT_URL, empty for AWS;
# credentials WRP_S3_ACCESS_KEY_ID/WRP_S3_SECRET_ACCESS_KEY, or boto3's usual chain when empty), private objects,
# AES256 server-side encryption with WRP_S3_SSE. "default" is the same store, so nothing lands in a public place.
PRIVATE_STORAGE_KIND = env_choice("WRP_STORAGE", "local", ("local", "s3"))
if PRIVATE_STORAGE_KIND == "s3" and not env_str("WRP_S3_BUCKET", ""):
    raise ImproperlyConfigured("WRP_STORAGE=s3 needs WRP_S3_BUCKET, the bucket of the private files")
PRIVATE_STORAGE = private_storage_config(
    PRIVATE_STORAGE_KIND,
    bucket=env_str("WRP_S3_BUCKET", ""),
    endpoint_url=env_str("WRP_S3_ENDPOINT_URL", ""),
    access_key_id=env_str("WRP_S3_ACCESS_KEY_ID", ""),
    secret_access_key=env_str("WRP_S3_SECRET_ACCESS_KEY", ""),
    region=env_str("WRP_S3_REGION", "us-east-1"),
    sse=env_bool("WRP_S3_SSE", False),
)
STORAGES = {
    "default": PRIVATE_STORAGE,
    "private": PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = DATA_DIR / "static"
STATIC_URL = "/static/"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from it; `make run` fills it (collectstatic)
CALENDAR_FILE = env_str("WRP_CALENDAR_FILE", "") or None  # extra holiday notices (wrp.policy.workdays format)
# Issued documents are signed (PAdES, wrp.documents.signing) with the bureau's key: PEM files of the key (encrypted
# with the passphrase when one is set), its certificate and the CA chain, whose root is also what signatures are
# verified against. Outside production, `wrp demo` (or the first signature) makes a demo CA and signer in var/signing/.
SIGNING_DIR = DATA_DIR / "signing"
SIGNING_KEY_FILE = Path(env_str("WRP_SIGNING_KEY_FILE", str(SIGNING_DIR / "signer.key")))
SIGNING_CERT_FILE = Path(env_str("WRP_SIGNING_CERT_FILE", str(SIGNING_DIR / "signer.crt")))
SIGNING_CA_FILE = Path(env_str("WRP_SIGNING_CA_FILE", str(SIGNING_DIR / "ca.crt")))
SIGNING_KEY_PASSPHRASE = env_str("WRP_SIGNING_KEY_PASSPHRASE", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "wrp.accounts",
    "wrp.audit",
    "wrp.units",
    "wrp.quotas",
    "wrp.permits",
    "wrp.employment",
    "wrp.documents",
    "wrp.cases",
    "wrp.appointments",
    "wrp.reference",
    "wrp.public",
    "wrp.portal",
    "wrp.exports",
    "wrp.api",
    "wrp.notifications",
    "wrp.tasks",
    "wrp.statistics",
    "wrp.webhooks",
    "wrp.imports",
    "wrp.demo",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "wrp.core.requestlimits.RequestSizeMiddleware",  # a body over MAX_REQUEST_BYTES: 413 before it is read
    "wrp.config.security.ResponseHeadersMiddleware",  # downloads sandboxed; no-store for signed-in pages and the API
    "csp.middleware.CSPMiddleware",
    "wrp.audit.context.RequestIdMiddleware",
    "wrp.ops.metrics.RequestMetricsMiddleware",  # requests counted and timed per view (/metrics), one log line each
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # is this session confirmed with a second factor?
    "wrp.accounts.middleware.StaffSecondFactorMiddleware",  # staff confirm it before anything else
    "django.contrib.messages.middleware.MessageMiddleware",
    "wrp.accounts.session_lifetime.AbsoluteSessionLifetimeMiddleware",  # a session ends 12 h after sign-in
    "wrp.accounts.session_touch.SessionTouchMiddleware",  # the idle timeout: re-saved once a minute at most
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wrp.config.security.IntegrityFailureMiddleware",  # altered ciphertext or stored file: the integrity page, an alert
]

ROOT_URLCONF = "wrp.config.urls"
WSGI_APPLICATION = "wrp.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:landing"
LOGOUT_REDIRECT_URL = "public:home"
# Staff second factor (wrp.accounts.devices): clerks, approvers and administrators confirm each session with a TOTP
# code from an authenticator app or a recovery code. Wrong codes make the next try wait 1, 2, 4, … seconds.
STAFF_OTP_REQUIRED = env_bool("STAFF_OTP_REQUIRED", True)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Chaoyang WRP")  # ASCII: a short otpauth address, an easy QR code
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Sign-in limits (wrp.accounts.signin_limits, on wrp.core.ratelimit): every attempt costs a 100 MiB Argon2 hash, so
# attempts are counted before the password is hashed — per client address, and for the whole platform (the server's
# own protection); an account with RATE_LIMIT_LOGIN_ACCOUNT failures, from any addresses, is slowed to one attempt per
# RATE_LIMIT_LOGIN_ACCOUNT_INTERVAL seconds (never locked: its owner still gets turns). Refused: 429 and a page saying
# when to try again.
RATE_LIMIT_LOGIN_ADDRESS = env_rate("RATE_LIMIT_LOGIN_ADDRESS", "20/m")
RATE_LIMIT_LOGIN_GLOBAL = env_rate("RATE_LIMIT_LOGIN_GLOBAL", "20/10s")
RATE_LIMIT_LOGIN_ACCOUNT = env_rate("RATE_LIMIT_LOGIN_ACCOUNT", "5/15m")
RATE_LIMIT_LOGIN_ACCOUNT_INTERVAL = env_int("RATE_LIMIT_LOGIN_ACCOUNT_INTERVAL", 30, minimum=1, maximum=3600)
# An absolute session lifetime from sign-in (wrp.accounts.session_limits), besides the idle timeout below.
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600, minimum=60)
# API tokens expire this many days after they are issued (`wrp user token USERNAME [--rotate]`).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=1, maximum=3650)
# City unified login (北京市统一身份认证, wrp.accounts.oidc, docs/deploy.md §Unified login): OpenID Connect, code flow
# with PKCE, RS256 id_tokens checked against the provider's keys (JWKS) — issuer, audience, expiry, nonce. On when
# WRP_OIDC_CLIENT_ID, WRP_OIDC_CLIENT_SECRET and the provider are set: WRP_OIDC_ISSUER (the endpoints read from its
# discovery document) and/or the four WRP_OIDC_*_ENDPOINT; half a configuration stops start-up. Off, the sign-in page
# has no button and /oidc/ answers 404. The person is the holder of the verified ID number (WRP_OIDC_ID_NUMBER_CLAIM).
OIDC_RP_CLIENT_ID = env_str("WRP_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("WRP_OIDC_CLIENT_SECRET", "")
OIDC_OP_ISSUER = env_str("WRP_OIDC_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("WRP_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("WRP_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("WRP_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("WRP_OIDC_JWKS_ENDPOINT", "")
_oidc_endpoints = [OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_USER_ENDPOINT, OIDC_OP_JWKS_ENDPOINT]
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID or OIDC_RP_CLIENT_SECRET or OIDC_OP_ISSUER or any(_oidc_endpoints))
if OIDC_ENABLED:
    if not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET and (OIDC_OP_ISSUER or all(_oidc_endpoints))):
        raise ImproperlyConfigured(
            "Unified login needs WRP_OIDC_CLIENT_ID, WRP_OIDC_CLIENT_SECRET and WRP_OIDC_ISSUER (or all four of "
            "WRP_OIDC_AUTHORIZATION_ENDPOINT, WRP_OIDC_TOKEN_ENDPOINT, WRP_OIDC_USERINFO_ENDPOINT, WRP_OIDC_JWKS_ENDPOINT)"
        )
    if PRODUCTION and not all(url.startswith("https://") for url in [OIDC_OP_ISSUER, *_oidc_endpoints] if url):
        raise ImproperlyConfigured("The unified login's issuer and endpoints must be https:// addresses in production")
    AUTHENTICATION_BACKENDS += ["wrp.accounts.oidc.CityIdentityBackend"]
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = env_str("WRP_OIDC_SCOPES", "openid profile phone")
OIDC_ID_NUMBER_CLAIM = env_str("WRP_OIDC_ID_NUMBER_CLAIM", "id_number")
OIDC_NAME_CLAIM = env_str("WRP_OIDC_NAME_CLAIM", "name")
OIDC_PHONE_CLAIM = env_str("WRP_OIDC_PHONE_CLAIM", "phone_number")
OIDC_TOKEN_USE_BASIC_AUTH = env_bool("WRP_OIDC_TOKEN_BASIC_AUTH", False)  # client_secret_basic instead of _post
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("WRP_OIDC_TIMEOUT_SECONDS", 10, minimum=1, maximum=60)
OIDC_PROXY = None
OIDC_AUTHENTICATE_CLASS = "wrp.accounts.oidc.CityIdentityRequestView"
OIDC_CALLBACK_CLASS = "wrp.accounts.oidc.CityIdentityCallbackView"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "OPTIONS": {
            # Django's cached loader over the platform's and the apps' templates, each constant {% translate %} said
            # once per language (wrp.core.templates)
            "loaders": [("wrp.core.templates.Loader", ["django.template.loaders.filesystem.Loader",
                                                       "django.template.loaders.app_directories.Loader"])],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wrp.public.context.office",
                "wrp.portal.navigation.navigation",
                "wrp.notifications.context.unread",
                "wrp.accounts.oidc.unified_login",
            ],
        },
    },
]
STATICFILES_DIRS = [PACKAGE_DIR / "static"]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'wrp.sqlite3'}")
try:
    _database = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0))
except Exception as error:  # the library raises several kinds; all mean the same to the operator
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL Django understands: {error}") from None
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the single writer work at once; IMMEDIATE takes the write lock at BEGIN, so two writers
    # queue instead of failing with "database is locked" half-way through a transaction.
    _database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        " PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    _database["CONN_MAX_AGE"] = 0
else:
    _database["CONN_HEALTH_CHECKS"] = True
    # A statement run DATABASE_PREPARE_THRESHOLD times on one kept connection is prepared on the server: PostgreSQL
    # then parses and plans it once per connection, not once per request (a page's database CPU 4.2 -> 1.5 ms on the
    # clerk's workbench). 0 turns this off: for PgBouncer in transaction mode, whose connections are not the server's.
    _prepare = env_int("DATABASE_PREPARE_THRESHOLD", 5, minimum=0)
    if _prepare:
        _database["OPTIONS"] = {**_database.get("OPTIONS", {}), "server_side_binding": True,
                                "prepare_threshold": _prepare}
DATABASES = {"default": _database}
database_files_private(_database)  # an SQLite file made before `umask 077` (scripts/run.sh) becomes 0600
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every worker process: a table of the database (created by migration public 0001, or by
# `wrp createcachetable`), so rate limits count across processes; nothing else to run. wrp.core.cache is Django's
# database cache with an increment that keeps the expiry and counts under a row lock.
CACHES = {
    "default": {
        "BACKEND": "wrp.core.cache.DatabaseCache",
        "LOCATION": "wrp_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},  # a flood of addresses must not cull the counters of the limits
    }
}
# Several nodes (docs/deploy.md §Two nodes): WRP_CACHE=redis puts that cache — rate limits, workers' heartbeat — on
# Redis at REDIS_URL (wrp.ops.redis_cache: Django's RedisCache with an atomic increment that keeps the expiry);
# WRP_SESSIONS=cache keeps sessions in the database and reads them through the cache (cached_db). The embedded
# defaults need nothing but the database.
CACHE_BACKEND = env_choice("WRP_CACHE", "database", ("database", "redis"))
if CACHE_BACKEND == "redis":
    CACHES = {
        "default": {
            "BACKEND": "wrp.ops.redis_cache.RedisCache",
            "LOCATION": env_str("WRP_CACHE_REDIS_URL", "") or env_str("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "KEY_PREFIX": env_str("WRP_CACHE_KEY_PREFIX", "wrp"),
            "TIMEOUT": 300,
        }
    }
SESSION_STORE = env_choice("WRP_SESSIONS", "database", ("database", "cache"))
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if SESSION_STORE == "cache" else "django.contrib.sessions.backends.db"
)

# Public verification (wrp.public.verification, docs/operations.md): certificates print links under
# WRP_PUBLIC_BASE_URL, never the request's Host. The client address behind a reverse proxy is read from
# X-Forwarded-For only when TRUST_X_FORWARDED_FOR is on (every peer is the proxy) or the peer is one of
# TRUSTED_PROXIES; otherwise REMOTE_ADDR.
PUBLIC_BASE_URL = env_str("WRP_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
if not PUBLIC_BASE_URL.startswith(("http://", "https://")) or "/" in PUBLIC_BASE_URL.split("://", 1)[1]:
    raise ImproperlyConfigured("WRP_PUBLIC_BASE_URL must be scheme and host only, e.g. https://wrp.example.gov.cn")
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
# One catalogue per language (zh_Hans, en), Chinese msgids; built by makemessages and kept complete by
# tests/config/test_catalogues.py.
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Production (docs/deploy.md §Security): HTTPS only — cookies Secure and named __Host- (path /, no domain: the browser
# refuses them from any other origin or subdomain), redirect to HTTPS and HSTS on by default; `manage.py check --deploy
# --fail-level WARNING` passes with the documented environment (tests/config/test_deploy_check.py).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
if PRODUCTION:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
# The age above is an idle timeout: a request re-saves the session (new expiry) when it was last saved more than
# SESSION_TOUCH_SECONDS ago (wrp.accounts.session_touch), not on every request — a plain page view writes nothing.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = env_int("SESSION_TOUCH_SECONDS", 60, minimum=1, maximum=3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy (django-csp 4): scripts, styles and images from the platform alone — no inline script or
# style, no eval (htmx runs with allowEval off) — no plugins, no <base>, never framed, forms post only here. Downloads
# replace it with `sandbox` (wrp.config.security).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_NONE],
        "frame-ancestors": [CSP_NONE],
        "form-action": [CSP_SELF],
    },
}
# Error pages in the site frame (templates/400, 403, 404, 500, 403_csrf, integrity): wrp.config.errors.
CSRF_FAILURE_VIEW = "wrp.config.errors.csrf_failure"

# Scan pre-checks of uploaded materials (wrp.documents.scanchecks): warnings for the uploader and the clerk, never a
# refusal. A scanned page below SCAN_MIN_DPI is low_resolution; a page is blank when no more than
# SCAN_BLANK_MAX_INK_PER_10000 ‱ of its pixels (20 = 0.2 %) lie farther than SCAN_INK_DISTANCE grey levels from its
# background; it is grey (not_colour, for colour materials) when fewer than SCAN_COLOUR_MIN_PER_10000 ‱ of its pixels
# reach a chroma of SCAN_COLOUR_MIN_CHROMA. Only the first SCAN_MAX_RENDERED_PAGES pages are rendered.
SCAN_MIN_DPI = env_int("WRP_SCAN_MIN_DPI", 150, minimum=50, maximum=1200)
SCAN_BLANK_MAX_INK_PER_10000 = env_int("WRP_SCAN_BLANK_MAX_INK_PER_10000", 20, minimum=0, maximum=10000)
SCAN_INK_DISTANCE = env_int("WRP_SCAN_INK_DISTANCE", 48, minimum=1, maximum=254)
SCAN_COLOUR_MIN_CHROMA = env_int("WRP_SCAN_COLOUR_MIN_CHROMA", 24, minimum=1, maximum=255)
SCAN_COLOUR_MIN_PER_10000 = env_int("WRP_SCAN_COLOUR_MIN_PER_10000", 10, minimum=0, maximum=10000)
SCAN_MAX_RENDERED_PAGES = env_int("WRP_SCAN_MAX_RENDERED_PAGES", 50, minimum=0, maximum=200)
# Uploads are checked off the request path (wrp.documents.uploads): the request quarantines the file, `wrp worker`
# checks it. UPLOAD_CHECK_INLINE runs the check in the request instead (the tests' general suite). The API waits up to
# UPLOAD_API_WAIT_SECONDS for the verdict, then answers 202 with the check to ask later. A request body over
# MAX_REQUEST_BYTES (the 20 MB upload limit and a margin for the multipart envelope) is refused with 413 before it
# is read (wrp.core.requestlimits). MALWARE_SCANNER: a clamd `host:port` every upload is scanned by (off when empty).
UPLOAD_CHECK_INLINE = env_bool("WRP_UPLOAD_CHECK_INLINE", False)
UPLOAD_API_WAIT_SECONDS = env_int("WRP_UPLOAD_API_WAIT_SECONDS", 20, minimum=0, maximum=50)
MAX_REQUEST_BYTES = env_int("WRP_MAX_REQUEST_BYTES", 21 * 1024 * 1024, minimum=3 * 1024 * 1024)
MALWARE_SCANNER = env_str("WRP_CLAMD_ADDRESS", "")

# Issued documents (wrp.documents.issuing, POLICY §11 L-RECORD): 文号 per series and year, gapless; {year} and {seq}
# are filled in. Decisions, certificates and extensions are the bureau's; receipts and notices the window's (the
# service centre's). A rejection names the bodies for reconsideration and suit (L-REFUSE).
DOCUMENT_NUMBER_FORMAT = env_str("WRP_DOCUMENT_NUMBER_FORMAT", "朝人社工居〔{year}〕第{seq:06d}号")
WINDOW_DOCUMENT_NUMBER_FORMAT = env_str("WRP_WINDOW_DOCUMENT_NUMBER_FORMAT", "朝人服工居〔{year}〕第{seq:06d}号")
REMEDY_RECONSIDERATION_BODY = env_str("WRP_REMEDY_RECONSIDERATION_BODY", "北京市朝阳区人民政府")
REMEDY_COURT = env_str("WRP_REMEDY_COURT", "有管辖权的人民法院")

# Public endpoints are rate-limited per client address (wrp.core.ratelimit, on the cache above): the assessment API
# and the self-check's posts; lookups that find nothing (permit and document verification, the case tracker) and bad
# API tokens have limits of their own.
RATE_LIMIT_PUBLIC = env_rate("RATE_LIMIT_PUBLIC", "120/m")
RATE_LIMIT_VERIFY_MISSES = env_rate("RATE_LIMIT_VERIFY_MISSES", "30/m")
RATE_LIMIT_TRACK_MISSES = env_rate("RATE_LIMIT_TRACK_MISSES", "10/m")
RATE_LIMIT_TRACK_MISSES_LONG = env_rate("RATE_LIMIT_TRACK_MISSES_LONG", "30/h")
RATE_LIMIT_BAD_TOKENS = env_rate("RATE_LIMIT_BAD_TOKENS", "20/m")
# One-time codes of self-registration and password reset (wrp.accounts.codes): requests per client address,
# and codes per mobile or e-mail address sent to.
RATE_LIMIT_CODE_CLIENT = env_rate("RATE_LIMIT_CODE_CLIENT", "30/h")
RATE_LIMIT_CODE_ADDRESS = env_rate("RATE_LIMIT_CODE_ADDRESS", "5/h")

# Notifications (wrp.notifications): e-mail through Django's mail backends — SMTP when EMAIL_HOST is set, printed to
# the console otherwise (development), or the backend EMAIL_BACKEND names; SMS through the provider class named by
# WRP_SMS_PROVIDER (the default writes messages to the log). Links in messages start with WRP_SITE_URL. A failed
# delivery is retried NOTIFY_MAX_ATTEMPTS times in all, after NOTIFY_RETRY_SECONDS × 2ⁿ.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "朝阳区工作居住证服务平台 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMS_PROVIDER = env_str("WRP_SMS_PROVIDER", "wrp.notifications.sms.LogSmsProvider")
SMS_SIGNATURE = env_str("WRP_SMS_SIGNATURE", "朝阳人社")
SITE_URL = env_str("WRP_SITE_URL", "http://127.0.0.1:8000")
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 5, minimum=1, maximum=20)
NOTIFY_RETRY_SECONDS = env_int("NOTIFY_RETRY_SECONDS", 60, minimum=1)
# Webhooks (wrp.webhooks): a failed delivery is retried after WEBHOOK_RETRY_SECONDS × 2^(tries−1), WEBHOOK_MAX_ATTEMPTS
# tries in all; WEBHOOK_DISABLE_AFTER failed tries in a row disable the endpoint; a rotated secret keeps signing for
# WEBHOOK_SECRET_GRACE_HOURS. WEBHOOK_ALLOW_LOCAL (development and tests only) allows http:// and private addresses.
WEBHOOK_RETRY_SECONDS = env_int("WRP_WEBHOOK_RETRY_SECONDS", 30, minimum=1)
WEBHOOK_MAX_ATTEMPTS = env_int("WRP_WEBHOOK_MAX_ATTEMPTS", 8, minimum=1, maximum=20)
WEBHOOK_DISABLE_AFTER = env_int("WRP_WEBHOOK_DISABLE_AFTER", 30, minimum=1)
WEBHOOK_SECRET_GRACE_HOURS = env_int("WRP_WEBHOOK_SECRET_GRACE_HOURS", 24, minimum=0, maximum=720)
WEBHOOK_TIMEOUT_SECONDS = env_int("WRP_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1, maximum=60)
WEBHOOK_ALLOW_LOCAL = env_bool("WRP_WEBHOOK_ALLOW_LOCAL", False)
IDEMPOTENCY_KEY_HOURS = 24
# Exports (wrp.exports): a CSV streams whatever its size; an Excel file is written in the request, up to this many rows.
EXPORT_XLSX_MAX_ROWS = env_int("WRP_EXPORT_XLSX_MAX_ROWS", 50_000, minimum=1, maximum=1_000_000)

# Background work (wrp.tasks, docs/workers.md): Django's task API through django-tasks. The database backend
# (django-tasks-db: the queue is a table of this database) is the embedded default, run by `wrp worker`; with
# WRP_TASKS_BACKEND=rq the queue is Redis at REDIS_URL (django-tasks-rq), for several nodes. `wrp scheduler` enqueues
# each periodic job once per period; a failed attempt is retried up to TASKS_MAX_ATTEMPTS times, waiting
# TASKS_RETRY_BASE_SECONDS × 4^(attempt-1) between attempts. Delivery logs older than DELIVERY_LOG_RETENTION_DAYS are
# deleted by the daily retention job.
TASKS_BACKEND = env_choice("WRP_TASKS_BACKEND", "database", ("database", "rq"))
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": env_int("WRP_TASKS_TIMEOUT_SECONDS", 3600, minimum=1)}}
TASKS = {
    "default": (
        {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
        if TASKS_BACKEND == "rq"
        else {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    )
}
INSTALLED_APPS += ["django_tasks", "django_tasks_db"] + (["django_rq"] if TASKS_BACKEND == "rq" else [])
TASKS_MAX_ATTEMPTS = env_int("WRP_TASKS_MAX_ATTEMPTS", 5, minimum=1, maximum=20)
TASKS_RETRY_BASE_SECONDS = env_int("WRP_TASKS_RETRY_BASE_SECONDS", 60, minimum=1)
TASKS_SCHEDULER_INTERVAL_SECONDS = env_int("WRP_SCHEDULER_INTERVAL_SECONDS", 60, minimum=1, maximum=3600)
TASKS_STALE_MINUTES = env_int("WRP_TASKS_STALE_MINUTES", 180, minimum=5)  # a run left `running` this long is retried
TASKS_RESULT_RETENTION_DAYS = env_int("WRP_TASKS_RESULT_RETENTION_DAYS", 30, minimum=1)
DELIVERY_LOG_RETENTION_DAYS = env_int("WRP_DELIVERY_LOG_RETENTION_DAYS", 180, minimum=1)
# The uploaded files of a withdrawn case are deleted this many days after the withdrawal (wrp.cases.retention).
WITHDRAWN_FILES_RETENTION_DAYS = env_int("WRP_WITHDRAWN_FILES_RETENTION_DAYS", 90, minimum=1)

# Operations (wrp.ops, docs/deploy.md §Operating): /health/live and /health/ready (unready when the newest worker
# heartbeat is older than WRP_HEALTH_WORKER_MAX_AGE_SECONDS; 0: the workers are not checked); Prometheus metrics on
# /metrics for the networks of WRP_METRICS_ALLOWED_NETWORKS alone (anyone else: 404), the client address read as for
# the rate limits (TRUSTED_PROXIES). gunicorn's processes share their figures through PROMETHEUS_MULTIPROC_DIR.
HEALTH_WORKER_MAX_AGE_SECONDS = env_int("WRP_HEALTH_WORKER_MAX_AGE_SECONDS", 300, minimum=0)
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]  # probes on the internal network speak plain HTTP to a node
try:
    METRICS_ALLOWED_NETWORKS = [
        ipaddress.ip_network(network, strict=False)
        for network in env_list("WRP_METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"])
    ]
except ValueError as error:
    raise ImproperlyConfigured(f"WRP_METRICS_ALLOWED_NETWORKS: {error}") from None

# Logs on standard error: one JSON object per line (WRP_LOG_FORMAT=json, production's default) or plain text; each
# carries the request id, and anything shaped like a resident ID number is masked (wrp.ops.logs). WRP_LOG_REQUESTS adds
# a line per request (view name, status, milliseconds; never the path or query).
LOG_FORMAT = env_choice("WRP_LOG_FORMAT", "json" if PRODUCTION else "plain", ("json", "plain"))
LOG_REQUESTS = env_bool("WRP_LOG_REQUESTS", PRODUCTION)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "wrp.ops.logs.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "wrp.ops.logs.json_formatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]}},
    "root": {"handlers": ["console"], "level": env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))},
}
