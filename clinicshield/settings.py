"""The only settings file. Everything a deployment changes comes from CLINICSHIELD_* variables.

Each variable is documented in docs/configuration.md; tests/test_settings_documented.py fails
when one is missing there. With nothing set, ClinicShield runs on its embedded defaults:
SQLite in WAL mode, Huey on SQLite and the Parquet event store, all under ./var.
"""

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from clinicshield.lib.write_once import write_once

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """A setting from CLINICSHIELD_<NAME>, or from the file named by CLINICSHIELD_<NAME>_FILE."""
    file_path = os.environ.get(f"CLINICSHIELD_{name}_FILE")
    if file_path:
        return Path(file_path).read_text().strip()
    return os.environ.get(f"CLINICSHIELD_{name}", default)


def envbool(name: str, default: bool) -> bool:
    return env(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(env(name, str(default)))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
EVENTS_DIR = DATA_DIR / "events"
# Data derived from installed packages (the IP ranges table): safe to delete, rebuilt.
CACHE_DIR = Path(env("CACHE_DIR", str(DATA_DIR / "cache"))).resolve()


def _secret_key() -> str:
    """SECRET_KEY from the environment, else generated once into the data dir with mode 0600."""
    key = env("SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        write_once(key_file, secrets.token_urlsafe(50), mode=0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # No longer holds codes (accounts.RecoveryCodes keeps only their hashes); installed so
    # that accounts' migration 0005 can move the codes of an older installation.
    "django_otp.plugins.otp_static",
    "django_htmx",
    "huey.contrib.djhuey",
    "clinicshield.lib",
    "clinicshield.accounts",
    "clinicshield.training",
    "clinicshield.simulations",
    "clinicshield.readiness",
    "clinicshield.monitoring",
    "clinicshield.exposure",
    "clinicshield.dashboard",
    "clinicshield.sensor",
    "clinicshield.project",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "clinicshield.lib.security.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "clinicshield.accounts.setup.FirstRunMiddleware",
]

ROOT_URLCONF = "clinicshield.urls"
WSGI_APPLICATION = "clinicshield.wsgi.application"

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
                "clinicshield.lib.context.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'clinicshield.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; a busy timeout instead of errors.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background jobs ------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
HUEY_IMMEDIATE = envbool("HUEY_IMMEDIATE", False)
# How long a worker that stopped answering keeps its jobs before another one takes them back
# (Redis only; docs/decisions/0018-workers-on-redis.md).
WORKER_LEASE_SECONDS = envint("WORKER_LEASE_SECONDS", 30)
if REDIS_URL:
    HUEY = {
        "huey_class": "clinicshield.lib.leased_huey.LeasedRedisHuey",
        "name": "clinicshield",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "lease_seconds": WORKER_LEASE_SECONDS,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "clinicshield",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
    }

# --- Authentication and sessions ------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = envint("LOGIN_LOCKOUT_MINUTES", 15)
# Failures on one account from every address together, within LOGIN_LOCKOUT_MINUTES, after
# which only addresses it signed in from before may try it (guesses shared out over many
# addresses; accounts without a second factor are the ones it protects).
LOGIN_ACCOUNT_FAILURE_LIMIT = envint("LOGIN_ACCOUNT_FAILURE_LIMIT", 50)
# How many reverse proxies in front append the client's address to X-Forwarded-For; 0 = none,
# the peer is the client (a client's own X-Forwarded-For is then ignored).
PROXY_HOPS = envint("PROXY_HOPS", 0)
MAGIC_LINK_HOURS = envint("MAGIC_LINK_HOURS", 72)
OTP_TOTP_ISSUER = "ClinicShield"

SECURE_HTTPS = envbool("SECURE_HTTPS", False)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env("EMAIL_FROM", "ClinicShield <clinicshield@localhost>")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files: served by WhiteNoise from the app, never from a CDN ----------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Monitoring -----------------------------------------------------------------------------
GEOIP_MMDB = env("GEOIP_MMDB")
SYSLOG_ENABLED = envbool("SYSLOG_ENABLED", False)
SYSLOG_PORT = envint("SYSLOG_PORT", 5514)
# Where `make run`'s receiver listens: loopback unless the operator opens it to the network.
SYSLOG_BIND = env("SYSLOG_BIND", "127.0.0.1")
# The organisation (slug) the receiver stores for; empty = the only one there is.
SYSLOG_ORG = env("SYSLOG_ORG")
# Log files `make run` follows as they grow: comma-separated ORG:PATH pairs, e.g.
# "sol:/var/log/auth.log,sol:/var/log/secure". One `ingest --follow` per organisation.
MONITORING_FOLLOW = envlist("MONITORING_FOLLOW", "")
# Extra SigmaHQ-style rule folders, on top of our ClickFix pack (comma-separated paths).
MONITORING_SIGMA_DIRS = envlist("MONITORING_SIGMA_DIRS", "")
# Detector thresholds as a JSON object, e.g. {"brute_force_failures": 20}; names and defaults
# are in docs/monitoring-detections.md, and an unknown name is refused when detection runs.
MONITORING_DETECTION = json.loads(env("MONITORING_DETECTION", "{}"))
# Where detection queries run: "duckdb" in-process, or "spark" for a chain's store.
DETECTION_ENGINE = env("DETECTION_ENGINE", "duckdb")
# Spark master URL (e.g. spark://10.0.0.5:7077); empty = a local session on this machine.
DETECTION_SPARK_MASTER = env("DETECTION_SPARK_MASTER", "")
DETECTION_SPARK_MEMORY = env("DETECTION_SPARK_MEMORY", "1g")

# --- Simulations ----------------------------------------------------------------------------
# An interaction sooner than this after delivery counts as a mail scanner's, not a person's.
SIMULATIONS_MIN_HUMAN_SECONDS = envint("SIMULATIONS_MIN_HUMAN_SECONDS", 10)
# How long a crashed sender's claim on a recipient blocks a resumed send.
SIMULATIONS_SEND_LEASE_SECONDS = envint("SIMULATIONS_SEND_LEASE_SECONDS", 15)

# --- Site sensors (docs/sensor.md) ------------------------------------------------------------
# The key site tokens' secrets are derived with; empty = derived from SECRET_KEY. Changing it
# (or SECRET_KEY while it is empty) invalidates every site token.
SENSOR_TOKEN_KEY = env("SENSOR_TOKEN_KEY")
# How far a signed request's time may be from the server's clock.
SENSOR_CLOCK_SKEW_SECONDS = envint("SENSOR_CLOCK_SKEW_SECONDS", 300)
# The largest batch a sensor may send, once decompressed (MiB); larger is refused with 413.
SENSOR_MAX_BATCH_MB = envint("SENSOR_MAX_BATCH_MB", 64)
# A site whose sensor has not spoken for this long is listed as silent on the dashboard.
SENSOR_SILENT_MINUTES = envint("SENSOR_SILENT_MINUTES", 15)
# How often sensors run the segmentation probes of their zone (0 = never).
SENSOR_PROBE_MINUTES = envint("SENSOR_PROBE_MINUTES", 60)

# --- Staff directories (docs/directory-sync.md) -----------------------------------------------
# One file per directory, named <org slug>.<directory name>, holding its client secret or bind
# password (mode 0600); never in the database.
DIRECTORY_SECRETS_DIR = Path(env("DIRECTORY_SECRETS_DIR", str(DATA_DIR / "directory-secrets")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
