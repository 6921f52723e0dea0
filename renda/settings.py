"""Settings for renda, read from the environment.

Every variable is optional for local development; a bad value stops the process at start-up with a message
that names the variable, rather than running half-configured.
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer; got {raw!r}") from None


def cache_from_url(url: str) -> dict:
    """CACHE_URL as a Django cache: redis://… or rediss://… (Redis), db://table (database), locmem:// or empty."""
    url = url.strip()
    scheme, _, rest = url.partition("://")
    if not url or scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest or "renda"}
    if scheme in {"redis", "rediss", "unix"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "renda"}
    if scheme == "db" and rest.isidentifier():
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": rest}
    raise ImproperlyConfigured(f"CACHE_URL must be redis://host:port/db, db://table_name or locmem://; got {url!r}")


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see README, Configuration).")
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

_database_url = os.environ.get("DATABASE_URL", "").strip()
if _database_url:
    try:
        # A kept connection is checked before a request reuses it: a database restart costs no failed request.
        _default_db = dj_database_url.parse(
            _database_url, conn_max_age=envint("CONN_MAX_AGE", 60), conn_health_checks=True
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if _default_db.get("ENGINE") not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://…) or SQLite (sqlite:///…)")
else:
    _default_db = {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
DATABASES = {"default": _default_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Piece positions are unique per issue through constraints deferred to commit, so reordering can swap them.
# SQLite (the demo default) cannot defer them and creates none; PostgreSQL, which production and tests use, does.
SILENCED_SYSTEM_CHECKS = ["models.W038"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_filters",
    "django_ckeditor_5",
    "simple_history",
    "adminsortable2",
    "renda.apps.AxesConfig",  # django-axes and django-tasks-db, named in Chinese
    "renda.apps.TasksConfig",
    "csp",
    "renda",
    "reports",
    "issues",
    "network",
    "distribution",
]

MIDDLEWARE = [
    "renda.middleware.RequestLogMiddleware",  # outermost: its duration covers the whole request
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "issues.middleware.ReaderPageCacheMiddleware",  # readers' cached public pages skip what follows
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "reports.uploads.UploadNameMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "renda.urls"
WSGI_APPLICATION = "renda.wsgi.application"

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
                "distribution.context_processors.footer_links",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/submit/"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
# A lock-out is per (user name, address): failures under made-up names lock only those names, and an account
# attacked from one address can still log in from another.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Proxies in front of the app whose X-Forwarded-For is believed (1 behind one nginx); 0 reads REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more; got {TRUSTED_PROXY_COUNT}")
AXES_CLIENT_IP_CALLABLE = "renda.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "locale"]  # a few strings Django 6.1's own Chinese catalogue lacks
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The daily 催报 run of the background worker, Asia/Shanghai time (HH:MM).
_reminder_time = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", os.environ.get("NETWORK_REMINDER_TIME", "08:30").strip())
if _reminder_time is None:
    raise ImproperlyConfigured("NETWORK_REMINDER_TIME must be HH:MM, e.g. 08:30")
NETWORK_REMINDER_TIME = (int(_reminder_time[1]), int(_reminder_time[2]))

# The cache that every app server shares (readers' cached issue pages and their version key, filter choices, the
# marks that a draft's preview render is queued and that a subscription mail was just sent; a PDF render is claimed
# in the database, not here): CACHE_URL=redis://host:6379/0 (Redis), db://table_name (the database; `migrate`
# creates the table) or locmem:// (this process only: the zero-configuration default, right for one process).
CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL", ""))}
# /health/ answers 503 when a task has waited longer than this to start: the worker is down or far behind.
HEALTH_TASK_MAX_WAIT_SECONDS = envint("HEALTH_TASK_MAX_WAIT_SECONDS", 15 * 60)

# An issue PDF renders in seconds: one still 'rendering' after this long died with its process and is redone.
ISSUE_PDF_RENDER_TIMEOUT = envint("ISSUE_PDF_RENDER_TIMEOUT_SECONDS", 600)
if ISSUE_PDF_RENDER_TIMEOUT < 1:
    raise ImproperlyConfigured(f"ISSUE_PDF_RENDER_TIMEOUT_SECONDS must be 1 or more; got {ISSUE_PDF_RENDER_TIMEOUT}")
# How long a reader's download waits for a render another process is doing, before a 请稍后 page.
ISSUE_PDF_WAIT_SECONDS = 15

# Files sent with reports: outside MEDIA_ROOT, served only through the portal's access checks.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
REPORT_ATTACHMENT_MAX_BYTES = envint("REPORT_ATTACHMENT_MAX_MB", 20) * 1024 * 1024
REPORT_IMAGE_MAX_BYTES = envint("REPORT_IMAGE_MAX_MB", 10) * 1024 * 1024
REPORT_DOCX_MAX_BYTES = envint("REPORT_DOCX_MAX_MB", 20) * 1024 * 1024
REPORT_MAX_ATTACHMENTS = envint("REPORT_MAX_ATTACHMENTS", 20)
# Django's own ceilings for a request: the largest upload plus the form around it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The portal's CKEditor is our own build (ckeditor/, `make install`), which overrides the package's bundle.
CKEDITOR_5_CONFIGS = {
    "default": {
        "language": "zh-cn",
        "toolbar": {
            "items": [
                "heading",
                "|",
                "bold",
                "italic",
                "underline",
                "link",
                "bulletedList",
                "numberedList",
                "blockQuote",
                "|",
                "insertTable",
                "uploadImage",
                "|",
                "removeFormat",
                "undo",
                "redo",
            ],
            "shouldNotGroupWhenFull": True,
        },
        "heading": {
            "options": [
                {"model": "paragraph", "title": "正文", "class": "ck-heading_paragraph"},
                {"model": "heading2", "view": "h2", "title": "标题", "class": "ck-heading_heading2"},
                {"model": "heading3", "view": "h3", "title": "小标题", "class": "ck-heading_heading3"},
                {"model": "heading4", "view": "h4", "title": "三级标题", "class": "ck-heading_heading4"},
            ]
        },
        "image": {
            "toolbar": ["toggleImageCaption", "imageTextAlternative", "|", "resizeImage"],
            "resizeUnit": "%",
        },
        "table": {"contentToolbar": ["tableColumn", "tableRow", "mergeTableCells", "toggleTableCaption"]},
        "link": {"defaultProtocol": "https://"},
    },
}
CK_EDITOR_5_UPLOAD_FILE_VIEW_NAME = "reports:upload_image"
CKEDITOR_5_UPLOAD_FILE_TYPES = ["jpeg", "png", "gif", "webp"]
CKEDITOR_5_FILE_UPLOAD_PERMISSION = "authenticated"

# Notifications: the address units are told to visit, and the mail server (printed to the console unless
# EMAIL_HOST is set).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")
_email_host = os.environ.get("EMAIL_HOST", "")
_email_backend = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if _email_host else "django.core.mail.backends.console.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _email_backend,
        "OPTIONS": {
            "host": _email_host,
            "port": envint("EMAIL_PORT", 25),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": envbool("EMAIL_USE_TLS", False),
            "use_ssl": envbool("EMAIL_USE_SSL", False),
            "timeout": envint("EMAIL_TIMEOUT", 10),
        }
        if _email_backend.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "renda@localhost")

# E-mail distribution of published issues (distribution/): batch size, retries of a failed address (the n-th retry
# waits n × the delay), the PDF attached up to this size (linked above it), and how long to wait for the PDF.
DISTRIBUTION_BATCH_SIZE = envint("DISTRIBUTION_BATCH_SIZE", 50)
DISTRIBUTION_MAX_ATTEMPTS = envint("DISTRIBUTION_MAX_ATTEMPTS", 4)
DISTRIBUTION_RETRY_DELAY_SECONDS = envint("DISTRIBUTION_RETRY_DELAY_SECONDS", 300)
DISTRIBUTION_ATTACH_MAX_MB = envint("DISTRIBUTION_ATTACH_MAX_MB", 5)
# A reader's own subscription not confirmed within this many days is removed (the address was never consented to).
DISTRIBUTION_CONFIRM_DAYS = envint("DISTRIBUTION_CONFIRM_DAYS", 7)
DISTRIBUTION_PDF_WAIT_SECONDS = 30
DISTRIBUTION_PDF_MAX_WAITS = 60

# Off by default: the intranet may serve plain HTTP. Turn on behind HTTPS.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"  # nothing frames the site, not even itself
# HTTPS behind a reverse proxy (deploy/nginx-renda.conf): the proxy terminates TLS and says so in a header, named
# by SECURE_PROXY_SSL_HEADER (e.g. X-Forwarded-Proto, whose value is then "https"). Set it only when a proxy that
# overwrites that header stands in front of gunicorn, or any client could claim HTTPS.
_proxy_ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # the load balancer asks gunicorn directly, over plain HTTP
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)

# Content-Security-Policy (django-csp): everything from the site itself, and no inline script or event handler.
# Styles allow 'unsafe-inline': CKEditor 5 and the Django admin set style attributes from their scripts, and a
# style cannot run code. Pages that need a script load it from static/ (docs/deploy.md, "Content-Security-Policy").
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Logs go to standard error (journald under systemd): one line per request (renda.middleware) and per background
# task (renda.tasklog); LOG_FORMAT=json makes every line a JSON object for a log collector.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json; got {LOG_FORMAT!r}")
#: Loggers kept to warnings and errors: as their levels, and as a filter on the handler, which holds even when a
#: command resets a level (db_worker sets django.tasks to INFO).
_QUIET_LOGGERS = {
    "django.server": "WARNING",  # runserver's access lines: renda.request writes one already
    "django.tasks": "WARNING",  # its start/finish lines: renda.tasks writes one already (failures still show)
    "jieba": "WARNING",
    "weasyprint": "WARNING",  # a line per layout step of every PDF; failures still show
    "fontTools": "WARNING",
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "renda.logs.JSONFormatter"},
    },
    "filters": {"quiet": {"()": "renda.logs.LevelFloor", "floors": _QUIET_LOGGERS}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["quiet"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},  # not twice through root
        **{name: {"level": level} for name, level in _QUIET_LOGGERS.items()},
    },
}
AXES_VERBOSE = False

# Editor's desk. Sign-off (签发): when on, an approver must approve an assembled issue before it can be published.
SIGN_OFF_REQUIRED = envbool("SIGN_OFF_REQUIRED", False)
# History is for reading: a published issue changes only through a recorded correction, never by a revert.
SIMPLE_HISTORY_REVERT_DISABLED = True
