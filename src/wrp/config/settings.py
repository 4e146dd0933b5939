"""Settings of the wrp platform, read from the environment (see README §Configuration).

`WRP_ENV=production` turns on the production checks: no DEBUG, a real SECRET_KEY, explicit ALLOWED_HOSTS, secure
cookies. Development defaults run on the embedded SQLite database under `var/` with nothing else installed.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from wrp.accounts.crypto import field_key_from_env, retired_field_keys_from_env
from wrp.config.env import env_bool, env_choice, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = PACKAGE_DIR.parent.parent  # the checkout, for an editable install (src layout)

ENVIRONMENT = env_choice("WRP_ENV", "development", ("development", "production", "test"))
PRODUCTION = ENVIRONMENT == "production"
DEVELOPMENT_SECRET_KEY = "wrp-development-only-insecure-key-do-not-use-in-production-0123456789"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production (WRP_ENV=production): unset DEBUG or set it false")
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be set to a random value of 50+ characters in production")
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

DATA_DIR = Path(env_str("WRP_DATA_DIR", str(PROJECT_DIR / "var"))).resolve()
MEDIA_ROOT = DATA_DIR / "private"  # uploads: never served by URL, only streamed by a view that checks the right
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
    "axes",
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
    "wrp.api",
    "wrp.notifications",
    "wrp.tasks",
    "wrp.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "wrp.audit.context.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: answers locked-out sign-ins
]

ROOT_URLCONF = "wrp.config.urls"
WSGI_APPLICATION = "wrp.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:landing"
LOGOUT_REDIRECT_URL = "public:home"
# Failed sign-ins (django-axes, database handler): 5 failures for a username from one address lock it for 15 minutes.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wrp.public.context.office",
                "wrp.portal.navigation.navigation",
                "wrp.notifications.context.unread",
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
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every worker process: a table of the database (created by migration public 0001, or by
# `wrp createcachetable`), so rate limits count across processes; nothing else to run. wrp.core.cache is Django's
# database cache with an increment that keeps the expiry and counts under a row lock.
CACHES = {"default": {"BACKEND": "wrp.core.cache.DatabaseCache", "LOCATION": "wrp_cache"}}

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

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True  # the age above is an idle timeout
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

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

# Issued documents (wrp.documents.issuing, POLICY §11 L-RECORD): 文号 per series and year, gapless; {year} and {seq}
# are filled in. Decisions, certificates and extensions are the bureau's; receipts and notices the window's (the
# service centre's). A rejection names the bodies for reconsideration and suit (L-REFUSE).
DOCUMENT_NUMBER_FORMAT = env_str("WRP_DOCUMENT_NUMBER_FORMAT", "朝人社工居〔{year}〕第{seq:06d}号")
WINDOW_DOCUMENT_NUMBER_FORMAT = env_str("WRP_WINDOW_DOCUMENT_NUMBER_FORMAT", "朝人服工居〔{year}〕第{seq:06d}号")
REMEDY_RECONSIDERATION_BODY = env_str("WRP_REMEDY_RECONSIDERATION_BODY", "北京市朝阳区人民政府")
REMEDY_COURT = env_str("WRP_REMEDY_COURT", "有管辖权的人民法院")

# Public endpoints are rate-limited per client address (django-ninja throttling on the cache above).
RATE_LIMIT_PUBLIC = env_str("RATE_LIMIT_PUBLIC", "120/m")

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))},
}
