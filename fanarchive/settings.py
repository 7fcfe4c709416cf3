"""fanarchive settings: everything an operator may change comes from the environment."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("FANARCHIVE_DATA_DIR", "var")).expanduser().resolve()


def load_secret_key(data_dir: Path) -> str:
    """Use SECRET_KEY from the environment, else one generated once and kept in the data dir."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # O_EXCL: two processes starting at once must not overwrite each other's key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = load_secret_key(DATA_DIR)
DEBUG = env_flag("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = os.environ.get("FANARCHIVE_SITE_NAME", "fanarchive")
# Where the archive is served, for links written into downloads, which outlive the
# request that made them (and the `export` command has none).
SITE_URL = os.environ.get("FANARCHIVE_SITE_URL", "http://127.0.0.1:8000")
# Ask search engines to stay away: robots.txt, a meta tag and an X-Robots-Tag header.
NOINDEX = env_flag("FANARCHIVE_NOINDEX")
WORKS_PER_PAGE = int(os.environ.get("FANARCHIVE_WORKS_PER_PAGE", "20"))
# Suggested tags at or above this confidence protect readers: exclusion filters and
# the adult gate count them. Below it they are only shown to wranglers.
SUGGESTION_THRESHOLD = float(os.environ.get("FANARCHIVE_SUGGESTION_THRESHOLD", "0.5"))
# The largest story file (or member of a zip archive) an import reads.
MAX_FILE_BYTES = int(os.environ.get("FANARCHIVE_MAX_FILE_BYTES", str(200_000_000)))
# Estimated share of five-word shingles two texts must have in common for an import to
# call the new one a copy of the stored one (ingest/writer.py, lib/minhash.py).
DUPLICATE_SIMILARITY = float(os.environ.get("FANARCHIVE_DUPLICATE_SIMILARITY", "0.9"))
# Make exact-equivalence relationship variants ("B/A" for "A/B") synonyms without a
# wrangler; otherwise they are only suggested.
AUTO_SYNONYMS = env_flag("FANARCHIVE_AUTO_SYNONYMS")
# Language code given to imported works whose source names none.
DEFAULT_WORK_LANGUAGE = os.environ.get("FANARCHIVE_DEFAULT_LANGUAGE", "en")
# Load the in-memory listing columns when a server process starts, not on its first
# listing (search/columns.py).
WARM_COLUMNS = env_flag("FANARCHIVE_WARM_COLUMNS", default=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before WhiteNoise's runserver, so ours (which announces the archive) wins.
    "fanarchive.core",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks_db",
    # django-ninja, for its API docs page's own static files (no CDN).
    "ninja",
    "fanarchive.accounts",
    "fanarchive.tags",
    "fanarchive.works",
    "fanarchive.ingest",
    "fanarchive.search",
    "fanarchive.downloads",
    "fanarchive.feeds",
    "fanarchive.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "fanarchive.lib.middleware.NoIndexMiddleware",
]

ROOT_URLCONF = "fanarchive.urls"
WSGI_APPLICATION = "fanarchive.wsgi.application"

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
                "fanarchive.lib.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'fanarchive.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers (the web server) go on while an import writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# The embedded default runs tasks at once, in-process, so `make run` needs no worker.
# FANARCHIVE_TASKS=database queues them in the database for `fanarchive db_worker`.
if os.environ.get("FANARCHIVE_TASKS", "immediate") == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Built downloads (EPUB, PDF...), one file per version of a book; safe to delete.
DOWNLOAD_CACHE_DIR = Path(
    os.environ.get("FANARCHIVE_DOWNLOAD_CACHE_DIR", str(DATA_DIR / "downloads"))
).expanduser()
# How long a download request waits for a queued build (FANARCHIVE_TASKS=database)
# before answering "being prepared, try again shortly".
DOWNLOAD_WAIT_SECONDS = float(os.environ.get("FANARCHIVE_DOWNLOAD_WAIT_SECONDS", "20"))
# Requests per client for the JSON API ("60/minute"; also N/second, hour, day); empty: no
# limit.
API_RATE_LIMIT = os.environ.get("FANARCHIVE_API_RATE_LIMIT", "")
# calibre's converter, for AZW3 and MOBI downloads (not offered when it is missing).
EBOOK_CONVERT = os.environ.get("FANARCHIVE_EBOOK_CONVERT", "ebook-convert")
EBOOK_CONVERT_TIMEOUT = int(os.environ.get("FANARCHIVE_EBOOK_CONVERT_TIMEOUT", "900"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise warns about a missing STATIC_ROOT even when it serves from the finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# WhiteNoise serves the app's static files straight from the package, so a fresh
# install works without `collectstatic`; run it for compressed, cached copies.
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_flag("FANARCHIVE_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Story HTML is sanitised on the way in; this is the second wall. Same-origin script
# files only (the admin's), never inline script or event handlers. Story images may be
# hot-linked from anywhere, as on AO3.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "https:", "http:", "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
