"""Settings shared by every deployment. Everything that differs comes from the environment.

The embedded default (``banhao.settings.embedded``) runs with SQLite, in-process tasks and local
files; production (``banhao.settings.production``) reads PostgreSQL, Redis and Celery from
environment variables and refuses to start without its secrets.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("BANHAO_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "oauth2_provider",
    "banhao.core",
    "banhao.org",
    "banhao.accounts",
    "banhao.audit",
    "banhao.notifications",
    "banhao.webhooks",
    "banhao.catalog",
    "banhao.onething",
    "banhao.hotline",
    "banhao.ledger",
    "banhao.payments",
    "banhao.archives",
    "banhao.policies",
    "banhao.sso",
    "banhao.clients",
    "banhao.exchange",
    # The site assembly sits above every app.
    "banhao.portal",
]

# Session, authentication and messages: Django's own, idle on the api_key paths (/open311/).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "banhao.core.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "banhao.core.middleware.AuthenticationMiddleware",
    "banhao.core.middleware.MessageMiddleware",
    # Refreshes a unified-login session's access token before it expires (docs/adr/0015).
    "banhao.sso.middleware.TokenRefreshMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "banhao.audit.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "banhao.portal.urls"
WSGI_APPLICATION = "banhao.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "banhao" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "banhao.core.context_processors.ui",
                "banhao.sso.context_processors.sso",
            ],
        },
    },
]

# Database: DATABASE_URL (e.g. postgres://user@127.0.0.1:5432/banhao) or the embedded SQLite.
SQLITE_PATH = VAR_DIR / "banhao.sqlite3"
DATABASE_URL = env("DATABASE_URL")
# Kept connections matter on SQLite too: a new one runs the PRAGMAs below and starts with an
# empty page cache, and closing the last one checkpoints the WAL, on every request.
CONN_MAX_AGE = int(env("DATABASE_CONN_MAX_AGE", "60"))
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE)}
    # Lets a helper process (the test run's Celery worker) use another database on the same server.
    if env("BANHAO_DATABASE_NAME"):
        DATABASES["default"]["NAME"] = env("BANHAO_DATABASE_NAME")
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        # The hot paths' statements (banhao.core.rows) bind on the server and are prepared on
        # their first run on a connection (Django's own queries bind on the client and are
        # never prepared): a step's batch statements come in many shapes, and preparing only
        # from the fifth run cost the server 4 % per bundle (docs/adr/0011-lean-sql.md). Turn it off behind a pooler that cannot
        # keep prepared statements (PgBouncer in transaction mode < 1.21).
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 0)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            # A helper process of a test run (the webhook dispatcher) opens the test database.
            "NAME": env("BANHAO_DATABASE_NAME") or SQLITE_PATH,
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "OPTIONS": {
                # WAL lets readers run beside the single writer; IMMEDIATE avoids
                # "database is locked" upgrades from read to write inside a transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-64000;"
                    "PRAGMA temp_store=MEMORY;"
                    # Checkpoint every 10,000 WAL pages (40 MB), not 1,000: the pages a busy
                    # writer dirties again and again are copied back once per checkpoint.
                    "PRAGMA wal_autocheckpoint=10000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set, else in-process memory.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background jobs: Celery on CELERY_BROKER_URL, or run in-process (eagerly) when none is set.
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Shanghai"
# Built lazily from banhao.core.registry.periodic_jobs by banhao/celery.py (settings must not
# import tasks; the apps register their jobs in AppConfig.ready).
CELERY_BEAT_SCHEDULE: dict = {}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "banhao" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env("BANHAO_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# Electronic licences (ADR 0016): the private signing key is a PEM file outside the database,
# created by `banhao licence_keys create` (or on first use where autocreate is on).
BANHAO_LICENCE_KEY_FILE = Path(
    env("BANHAO_LICENCE_KEY_FILE", str(VAR_DIR / "keys" / "licence-signing.pem"))
)
BANHAO_LICENCE_KEY_AUTOCREATE = env_bool("BANHAO_LICENCE_KEY_AUTOCREATE", True)
# The site's public address for links that leave it (a licence's QR code), e.g.
# https://zwfw.example.gov.cn; empty: taken from the request.
BANHAO_PUBLIC_URL = (env("BANHAO_PUBLIC_URL", "") or "").rstrip("/")

# Notifications: e-mail through Django's backends; SMS through banhao.notifications.sms.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "banhao@localhost")
# Lean statements (banhao.core.rows) on hot paths; BANHAO_LEAN_SQL=0 runs their ORM
# equivalents instead (docs/adr/0011-lean-sql.md).
BANHAO_LEAN_SQL = env_bool("BANHAO_LEAN_SQL", True)
BANHAO_SMS_BACKEND = env("BANHAO_SMS_BACKEND", "banhao.notifications.sms.FileBackend")
BANHAO_SMS_FILE_PATH = VAR_DIR / "sms"
BANHAO_SMS_GATEWAY_URL = env("BANHAO_SMS_GATEWAY_URL")
BANHAO_SMS_GATEWAY_TOKEN = env("BANHAO_SMS_GATEWAY_TOKEN")

# Unified login (一网通办) by OpenID Connect beside local accounts (docs/adr/0015): off unless
# BANHAO_OIDC_ISSUER is set; then the client id and secret are required.
BANHAO_OIDC_ISSUER = (env("BANHAO_OIDC_ISSUER", "") or "").rstrip("/")
BANHAO_OIDC_CLIENT_ID = env("BANHAO_OIDC_CLIENT_ID", "")
BANHAO_OIDC_CLIENT_SECRET = env("BANHAO_OIDC_CLIENT_SECRET", "")
if BANHAO_OIDC_ISSUER and not (BANHAO_OIDC_CLIENT_ID and BANHAO_OIDC_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "BANHAO_OIDC_ISSUER is set: BANHAO_OIDC_CLIENT_ID and BANHAO_OIDC_CLIENT_SECRET are required"
    )
# The least assurance level (2 remote real-name check, 3 in person) a unified login must carry;
# below 2 an identity opens no archive, so 1 is refused here rather than half-admitted.
BANHAO_OIDC_MIN_ASSURANCE = int(env("BANHAO_OIDC_MIN_ASSURANCE", "2") or 2)
if BANHAO_OIDC_MIN_ASSURANCE not in (2, 3):
    raise ImproperlyConfigured("BANHAO_OIDC_MIN_ASSURANCE must be 2 or 3")
# The provider's ``acr`` values and the assurance level each stands for ("acr:level,…").
BANHAO_OIDC_ACR_LEVELS = {
    acr.strip(): int(level)
    for acr, _sep, level in (
        item.partition(":") for item in env_list("BANHAO_OIDC_ACR_LEVELS", "loa1:1,loa2:2,loa3:3")
    )
}
BANHAO_OIDC_SCOPES = env("BANHAO_OIDC_SCOPES", "openid profile realname staff offline_access")
# Refresh the access token this many seconds before it expires.
BANHAO_OIDC_REFRESH_MARGIN = int(env("BANHAO_OIDC_REFRESH_MARGIN", "60") or 60)

# Outbound webhooks (banhao.webhooks, docs/adr/0017-outbound-webhooks.md): where links in
# payloads point (empty: paths only), the timeout of one POST, attempts before a delivery is
# given up, and the back-off between attempts (doubling from BASE up to MAX, with jitter).
BANHAO_SITE_URL = env("BANHAO_SITE_URL", "")
BANHAO_WEBHOOK_TIMEOUT = float(env("BANHAO_WEBHOOK_TIMEOUT", "10"))
BANHAO_WEBHOOK_MAX_ATTEMPTS = int(env("BANHAO_WEBHOOK_MAX_ATTEMPTS", "12"))
BANHAO_WEBHOOK_BACKOFF_BASE = float(env("BANHAO_WEBHOOK_BACKOFF_BASE", "30"))
BANHAO_WEBHOOK_BACKOFF_MAX = float(env("BANHAO_WEBHOOK_BACKOFF_MAX", "21600"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("BANHAO_LOG_LEVEL", "WARNING")},
}

BANHAO_SITE_NAME = _("Banhao")

# Machine clients (docs/adr/0018-machine-clients-and-exchange.md): OAuth2 client-credentials
# tokens from /oauth/token/, scopes per client (banhao.clients.scopes).
OAUTH2_PROVIDER = {
    "SCOPES_BACKEND_CLASS": "banhao.clients.scopes.ClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "banhao.clients.validator.ClientValidator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(env("BANHAO_MACHINE_TOKEN_SECONDS", "3600")),
    # Only the client-credentials grant is used; take every RFC 9700 (OAuth 2.0 Security BCP)
    # behaviour now rather than the toolkit's lenient defaults (which change in its 4.0).
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# DOT's default, named so that banhao.clients can refer to it as the swappable model it is.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
# Exchange platform file drop: CSV files named <source>__<kind>__<batch id>.csv land here and
# move to done/ or failed/ (with an error report beside them) when `banhao exchange scan` runs.
BANHAO_EXCHANGE_DROP_DIR = Path(env("BANHAO_EXCHANGE_DROP_DIR", str(VAR_DIR / "exchange")))

# Payment finder map: a tile URL template such as https://tiles.example/{z}/{x}/{y}.png and its
# attribution. Empty (the default) shows the plain list only; no page loads anything external.
BANHAO_MAP_TILE_URL = env("BANHAO_MAP_TILE_URL", "")
BANHAO_MAP_ATTRIBUTION = env("BANHAO_MAP_ATTRIBUTION", "")
