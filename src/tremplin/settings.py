"""Django settings. Everything that differs between machines comes from the environment."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("TREMPLIN_DEBUG", True)
SECRET_KEY = os.environ.get("TREMPLIN_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("TREMPLIN_SECRET_KEY must be set when TREMPLIN_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-never-use-in-production"
ALLOWED_HOSTS = os.environ.get("TREMPLIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
    ","
)
CSRF_TRUSTED_ORIGINS = [
    origin for origin in os.environ.get("TREMPLIN_CSRF_TRUSTED_ORIGINS", "").split(",") if origin
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_bootstrap5",
    "django_tasks",
    "django_tasks_db",
    "tremplin.core",
    "tremplin.organisations",
    "tremplin.notifications",
    "tremplin.procurement",
    "tremplin.inclusion",
    "tremplin.matching",
    "tremplin.decp",
    "tremplin.reporting",
    "tremplin.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "tremplin.core.middleware.RejectNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Access is denied by default: a public page opts out with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "tremplin.organisations.middleware.NetworkTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "tremplin.urls"
WSGI_APPLICATION = "tremplin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tremplin.organisations.context_processors.navigation",
                "tremplin.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{os.environ.get('TREMPLIN_SQLITE_PATH', PROJECT_DIR / 'db.sqlite3')}",
        conn_max_age=int(os.environ.get("TREMPLIN_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while a command writes. SQLite's defaults (a cache of
    # 2 MB, the log written back to the base every 4 MB) made an import of open data wait
    # on the disk at every other batch: 32 MB of cache, write-back every 64 MB.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA cache_size=-32000; PRAGMA wal_autocheckpoint=16000;"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisations.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# French first: every page is French whatever the browser asks. The English translation
# will come through Django's i18n (LocaleMiddleware) once the catalogue exists.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Identifiers in links and forms must never be grouped ("?buyer=1 194"): figures are
# grouped explicitly by the filters of core.templatetags.french.
USE_THOUSAND_SEPARATOR = False
# Fallback only: each network has its own time zone (Mayotte is UTC+3).
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = PROJECT_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("TREMPLIN_MEDIA_ROOT", PROJECT_DIR / "media"))
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

EMAIL_BACKEND = os.environ.get(
    "TREMPLIN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get(
    "TREMPLIN_FROM_EMAIL", "Tremplin <ne-pas-repondre@tremplin.local>"
)

# The address of the site, for the absolute links of the emails (the daily digest).
TREMPLIN_SITE_URL = os.environ.get("TREMPLIN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

# Background work (django-tasks). Long jobs, such as a spreadsheet of hours with more
# than HOURS_IMPORT_BACKGROUND_ROWS rows, are stored in the database and run by a worker
# process started beside the web server:
#
#     python -m tremplin db_worker
#
# (the command of django-tasks-db; ``--batch`` runs what is waiting and stops). Without a
# worker such jobs wait, and their page says so. TREMPLIN_TASKS_BACKEND=immediate runs
# them inside the request instead, which needs no worker (tests use it).
TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {
    "default": {
        "BACKEND": TASKS_BACKENDS[os.environ.get("TREMPLIN_TASKS_BACKEND", "database")],
        "QUEUES": ["default"],
    }
}

# Imports whose background work died (core.recovery): a running import silent for
# IMPORT_STALE_SECONDS, or queued for IMPORT_QUEUED_MAX_SECONDS, is run again or, after
# IMPORT_MAX_ATTEMPTS runs, closed as failed, by `python -m tremplin recover_imports`
# (to schedule) and when its page is viewed.
IMPORT_STALE_SECONDS = int(os.environ.get("TREMPLIN_IMPORT_STALE_SECONDS", 15 * 60))
IMPORT_QUEUED_MAX_SECONDS = int(os.environ.get("TREMPLIN_IMPORT_QUEUED_MAX_SECONDS", 24 * 3600))
IMPORT_MAX_ATTEMPTS = int(os.environ.get("TREMPLIN_IMPORT_MAX_ATTEMPTS", "3"))
IMPORT_RECOVERIES = [
    "tremplin.decp.decp_import.decp_import_recover",
    "tremplin.inclusion.hours_import.hours_import_recover",
]
# What one DECP file may cost the reader: nesting, digits of a number, bytes of a text.
DECP_IMPORT_MAX_DEPTH = int(os.environ.get("TREMPLIN_DECP_MAX_DEPTH", "64"))
DECP_IMPORT_MAX_NUMBER_DIGITS = int(os.environ.get("TREMPLIN_DECP_MAX_NUMBER_DIGITS", "100"))
DECP_IMPORT_MAX_STRING_BYTES = int(os.environ.get("TREMPLIN_DECP_MAX_STRING_BYTES", 1024 * 1024))

# Spreadsheet imports of hours: size limit of a file, and the number of rows above which
# the import runs in the background with a progress bar.
HOURS_IMPORT_MAX_BYTES = int(os.environ.get("TREMPLIN_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
HOURS_IMPORT_BACKGROUND_ROWS = int(os.environ.get("TREMPLIN_IMPORT_BACKGROUND_ROWS", "5000"))
# What one spreadsheet may cost to read: a workbook inflated (bytes, and ratio to its
# compressed size), its sheet's cells and columns, a CSV line.
HOURS_IMPORT_MAX_UNZIPPED_BYTES = int(
    os.environ.get("TREMPLIN_IMPORT_MAX_UNZIPPED_BYTES", 200 * 1024 * 1024)
)
HOURS_IMPORT_MAX_ZIP_RATIO = int(os.environ.get("TREMPLIN_IMPORT_MAX_ZIP_RATIO", "200"))
HOURS_IMPORT_MAX_CELLS = int(os.environ.get("TREMPLIN_IMPORT_MAX_CELLS", "2000000"))
HOURS_IMPORT_MAX_COLUMNS = int(os.environ.get("TREMPLIN_IMPORT_MAX_COLUMNS", "200"))
HOURS_IMPORT_MAX_LINE_BYTES = int(os.environ.get("TREMPLIN_IMPORT_MAX_LINE_BYTES", 64 * 1024))

BOOTSTRAP5 = {
    "css_url": {"url": "/static/vendor/bootstrap-5.3.8/bootstrap.min.css"},
    "javascript_url": {"url": "/static/vendor/bootstrap-5.3.8/bootstrap.bundle.min.js"},
    "set_placeholder": False,
    "required_css_class": "required",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TREMPLIN_LOG_LEVEL", "WARNING")},
}

# The dashboards' covering indexes (INCLUDE columns) serve PostgreSQL; SQLite builds them
# without those columns, which is fine for the demo and the tests.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
