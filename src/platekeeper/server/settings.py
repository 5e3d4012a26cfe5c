"""Django settings, all driven by PLATEKEEPER_* environment variables with safe defaults.

The README's configuration table lists every variable read here; a test keeps the two in step.
"""

from __future__ import annotations

import os

from platekeeper.server.environment import (
    ConfigurationError,
    data_dir,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_seconds,
    env_str,
    environment_kind,
    persistent_secret,
    replica_databases,
    sqlite_database,
)

DATA_DIR = data_dir()
#: `production` makes `serve` refuse settings unsafe for real data (see `server.startup`).
PLATEKEEPER_ENV = environment_kind()

SECRET_KEY = persistent_secret("PLATEKEEPER_SECRET_KEY", "secret_key")
DEBUG = env_bool("PLATEKEEPER_DEBUG", False)
ALLOWED_HOSTS = env_list("PLATEKEEPER_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("PLATEKEEPER_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Listed so the API docs page uses ninja's bundled Swagger UI files, not a CDN.
    "ninja",
    "platekeeper.server.access",
    "platekeeper.server.agencies",
    "platekeeper.server.cameras",
    "platekeeper.server.reads",
    "platekeeper.server.hotlists",
    "platekeeper.server.alerts",
    "platekeeper.server.dispatch",
    "platekeeper.server.corrections",
    "platekeeper.server.retention",
    "platekeeper.server.transparency",
    "platekeeper.server.investigations",
    "platekeeper.server.sharing",
    "platekeeper.server.records",
    "platekeeper.server.reviews",
    "platekeeper.server.compliance",
    "platekeeper.server.cases",
    "platekeeper.server.approvals",
    "platekeeper.server.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that touches the database: a full connection pool answers 503 at once.
    "platekeeper.server.common.busy.ServerBusyMiddleware",
    "platekeeper.server.web.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "platekeeper.server.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "platekeeper.server.web.middleware.GateRefusalMiddleware",
]

ROOT_URLCONF = "platekeeper.server.urls"
ASGI_APPLICATION = "platekeeper.server.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_database_url = os.environ.get("DATABASE_URL")
DATABASES = {
    "default": database_from_url(_database_url)
    if _database_url
    else sqlite_database(DATA_DIR / "platekeeper.sqlite3")
}
#: PostgreSQL hot standbys that answer gated searches and canvasses (`server.replicas`).
_replica_urls = env_list("DATABASE_REPLICA_URLS", [])
if _replica_urls:
    if not _database_url or not _database_url.startswith("postgres"):
        raise ConfigurationError("DATABASE_REPLICA_URLS needs DATABASE_URL on PostgreSQL")
    DATABASES.update(replica_databases(_replica_urls))
    DATABASE_ROUTERS = ["platekeeper.server.replicas.ReplicaRouter"]
#: How far behind the primary a standby may be and still answer searches.
PLATEKEEPER_REPLICA_MAX_LAG_SECONDS = env_seconds(
    "PLATEKEEPER_REPLICA_MAX_LAG_SECONDS", 5.0, minimum=0.0
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "access.User"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
# CJIS-style password rules: long, unlike the username, not a common password, not all digits.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "platekeeper.server.access.passwords.NotContainingUsernameValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PLATEKEEPER_PASSWORD_MIN_LENGTH", 12, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"

# Sessions end after this many idle seconds: each request pushes the expiry forward.
SESSION_COOKIE_AGE = env_int("PLATEKEEPER_SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"
# A form that went stale (an old tab, a sign-out elsewhere): the site's page, saying to reload.
CSRF_FAILURE_VIEW = "platekeeper.server.web.errors.csrf_failure"
# Behind HTTPS (production), cookies must never travel in clear text.
SESSION_COOKIE_SECURE = env_bool("PLATEKEEPER_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = 31_536_000 if SESSION_COOKIE_SECURE else 0

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("PLATEKEEPER_TIME_ZONE") or "America/Los_Angeles"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "file_permissions_mode": 0o640},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve vendored static files straight from the package folders: no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Ingestion limits. A batch of 1000 reads with small crops fits comfortably in 64 MiB.
PLATEKEEPER_MAX_IMAGE_BYTES = env_int("PLATEKEEPER_MAX_IMAGE_BYTES", 5 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int(
    "PLATEKEEPER_MAX_REQUEST_BYTES", 64 * 1024 * 1024, minimum=1024 * 1024
)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
#: Reads stamped further than this into the future are refused: a camera clock is wrong.
PLATEKEEPER_MAX_CLOCK_SKEW_SECONDS = env_int("PLATEKEEPER_MAX_CLOCK_SKEW_SECONDS", 300)
#: Server processes `serve` starts; each holds its own pool of PLATEKEEPER_DB_POOL_SIZE.
PLATEKEEPER_WORKERS = env_int("PLATEKEEPER_WORKERS", 1, minimum=1)
#: How often the audit chain head is checkpointed outside the database while events are written.
PLATEKEEPER_AUDIT_CHECKPOINT_SECONDS = env_int(
    "PLATEKEEPER_AUDIT_CHECKPOINT_SECONDS", 60, minimum=1
)
#: A second place for checkpoints: a syslog socket (/dev/log) or host:port (UDP); empty: none.
PLATEKEEPER_AUDIT_SYSLOG = env_str("PLATEKEEPER_AUDIT_SYSLOG", "")
#: Time budget of one search, canvass or other gated read of ALPR data (`common.budget`).
PLATEKEEPER_QUERY_SECONDS = env_seconds("PLATEKEEPER_QUERY_SECONDS", 15.0, minimum=0.1)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

#: Local business hours; audit reports flag data access outside them (and at weekends).
PLATEKEEPER_BUSINESS_HOURS = os.environ.get("PLATEKEEPER_BUSINESS_HOURS") or "07:00-19:00"

# Hotlist files dropped here are imported (replacing the list named like the file) every few
# minutes while the server runs.
PLATEKEEPER_HOTLIST_DROP_DIR = os.environ.get("PLATEKEEPER_HOTLIST_DROP_DIR") or str(
    DATA_DIR / "hotlist-drop"
)
PLATEKEEPER_HOTLIST_DROP_MINUTES = env_int("PLATEKEEPER_HOTLIST_DROP_MINUTES", 15, minimum=1)

# Alerts sent to dispatch (`platekeeper hotlist dispatch`): how often the queue is sent, and the
# address people open the server at, for the alert link in each delivery.
PLATEKEEPER_DISPATCH_SECONDS = env_int("PLATEKEEPER_DISPATCH_SECONDS", 5, minimum=1)
PLATEKEEPER_PUBLIC_URL = env_str("PLATEKEEPER_PUBLIC_URL", "http://localhost:8000").rstrip("/")

# The department's ALPR policy as posted on the public transparency page (438.2.1(g));
# `platekeeper policy publish FILE` puts a new version there.
PLATEKEEPER_POLICY_FILE = os.environ.get("PLATEKEEPER_POLICY_FILE") or str(DATA_DIR / "policy.txt")

# Alert maps: a tile URL template such as https://tile.example.gov/{z}/{x}/{y}.png; empty draws
# markers on a plain background (agency networks often have no internet).
PLATEKEEPER_MAP_TILES = os.environ.get("PLATEKEEPER_MAP_TILES", "")
PLATEKEEPER_MAP_ATTRIBUTION = os.environ.get("PLATEKEEPER_MAP_ATTRIBUTION", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PLATEKEEPER_LOG_LEVEL", "INFO")},
}
