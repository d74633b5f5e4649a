"""Settings for the govopen portal, all read from the environment (see docs/deployment.md).

Defaults run on one machine with no servers: SQLite under ``var/``, a local-memory cache and Celery on kombu's
filesystem transport. Production sets ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` (broker and cache).
"""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab

from govopen.env import (
    EnvError,
    env_bool,
    env_choice,
    env_database,
    env_deadline,
    env_int,
    env_list,
    env_redis_url,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("GOVOPEN_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise EnvError("SECRET_KEY", "关闭 DEBUG 时必须设置（至少 50 个字符的随机串）")
    SECRET_KEY = "insecure-development-key-only-for-DEBUG-mode-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "guardian",
    "simple_history",
    "ops",
    "catalog",
    "disclosure",
    "requests_app",
    "emergencies",
    "audits",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "govopen.urls"
WSGI_APPLICATION = "govopen.wsgi.application"

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
                "govopen.context_processors.site",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------------------------------
DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        f"sqlite:///{VAR_DIR / 'govopen.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo runs a web server and a Celery worker on one SQLite file: wait for the writer instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "govopen"}}

# --- Auth and permissions ---------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# The public never logs in; guardian's anonymous user would only be a row to protect.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Language and time ------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files are never served by URL prefix: every file goes through a view that checks it may be public.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- E-mail -----------------------------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST") or ""
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1, maximum=600)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "政务公开办 <noreply@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security (production values whenever DEBUG is off) ---------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("BEHIND_TLS_PROXY", False):
    # Only behind a proxy that always sets this header; otherwise a client could claim HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Celery (one schedule, here) --------------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    _queue_dir = VAR_DIR / "celery" / "queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    _control_dir = VAR_DIR / "celery" / "control"  # broadcast state; kombu's default is ./control in the checkout
    _control_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir), "data_folder_out": str(_queue_dir), "control_folder": str(_control_dir),
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_IGNORE_RESULT = True  # jobs record what they did in the database (ops.JobRun)
CELERY_TASK_ACKS_LATE = True  # a job interrupted mid-way runs again; every job is safe to run twice
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "calendar-sync": {
        "task": "catalog.tasks.sync_package_calendars",
        "schedule": crontab(hour=3, minute=17),
    },
    "calendar-watch": {
        "task": "catalog.tasks.watch_next_year_calendar",
        "schedule": crontab(hour=8, minute=5),
    },
    "notifications-retry": {
        "task": "ops.tasks.retry_notifications",
        "schedule": crontab(minute="*/15"),
    },
    "requests-sweep": {
        "task": "requests_app.tasks.sweep_request_deadlines",
        "schedule": crontab(minute="*/15"),
    },
    "reposts-clocks": {
        "task": "disclosure.tasks.sweep_repost_clocks",
        "schedule": crontab(minute="*/5"),
    },
    "feeds-poll": {
        "task": "disclosure.tasks.poll_feeds",
        "schedule": crontab(minute="*/30"),
    },
    "emergency-clocks": {
        "task": "emergencies.tasks.sweep_emergency_clocks",
        "schedule": crontab(minute="*/5"),  # the 5-hour clock needs minutes, not quarter hours (R19)
    },
    "on-request-directory": {
        "task": "disclosure.tasks.compile_on_request_directory",
        # Monthly on the 1st; with GOVOPEN_DIRECTORY_PERIOD=quarter the job publishes only once a quarter is over.
        "schedule": crontab(day_of_month=1, hour=2, minute=30),
    },
    "self-audit": {
        "task": "audits.tasks.run_self_audit",
        "schedule": crontab(month_of_year=11, day_of_month=1, hour=6, minute=0),  # R36: each November
    },
    "annual-report-drafts": {
        "task": "audits.tasks.draft_annual_reports",
        "schedule": crontab(month_of_year=1, day_of_month="2-5", hour=7, minute=0),  # R30: early January, idempotent
    },
    "annual-report-clocks": {
        "task": "audits.tasks.sweep_annual_report_clocks",
        "schedule": crontab(month_of_year="1-3", hour=8, minute=15),
    },
    "documents-publish-due": {
        "task": "disclosure.tasks.publish_scheduled_documents",
        "schedule": crontab(),  # every minute: a scheduled publication is never more than a minute late (R9)
    },
}

# --- Logging ----------------------------------------------------------------------------------------------------
LOG_LEVEL = (env_str("LOG_LEVEL") or "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise EnvError("LOG_LEVEL", f"“{LOG_LEVEL}” 不是日志级别，应为 DEBUG、INFO、WARNING、ERROR 或 CRITICAL")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- The portal -------------------------------------------------------------------------------------------------
GOVOPEN_SITE_NAME = env_str("GOVOPEN_SITE_NAME") or "示范县人民政府"
# The portal's public address, for links in e-mails (no request to derive it from in a job).
GOVOPEN_SITE_URL = (env_str("GOVOPEN_SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
if not GOVOPEN_SITE_URL.startswith(("http://", "https://")):
    raise EnvError("GOVOPEN_SITE_URL", f"“{GOVOPEN_SITE_URL}” 不是以 http:// 或 https:// 开头的网址")
# R2: from this day of the year (month, day) on, a missing next-year calendar is raised to the disclosure office.
GOVOPEN_NEXT_YEAR_CALENDAR_WARN_FROM = (11, 1)
# Attachments: the largest file accepted (MB); types are fixed in disclosure/content.py.
GOVOPEN_ATTACHMENT_MAX_BYTES = env_int("GOVOPEN_ATTACHMENT_MAX_MB", 20, minimum=1, maximum=500) * 1024 * 1024
# R35: a catalogue item silent for longer than this many days is stale (kind → days); configurable per deployment.
GOVOPEN_FRESHNESS_DAYS = {
    "news": env_int("GOVOPEN_FRESHNESS_NEWS_DAYS", 14, minimum=1, maximum=366),
    "notice": env_int("GOVOPEN_FRESHNESS_NOTICE_DAYS", 183, minimum=1, maximum=3660),
}
# Where the seed documents of the demo live (shared/seeds beside the checkout).
GOVOPEN_SEEDS_DIR = Path(env_str("GOVOPEN_SEEDS_DIR") or BASE_DIR.parent / "shared" / "seeds")
# R28 (Art 44): this many applications for the same information within this many months form a cluster.
GOVOPEN_ART44_THRESHOLD = env_int("GOVOPEN_ART44_THRESHOLD", 3, minimum=2, maximum=100)
GOVOPEN_ART44_MONTHS = env_int("GOVOPEN_ART44_MONTHS", 12, minimum=1, maximum=60)
# The status page: lookups allowed per client address, and failures per tracking code, each per window.
GOVOPEN_STATUS_LIMIT_PER_IP = env_int("GOVOPEN_STATUS_LIMIT_PER_IP", 20, minimum=1, maximum=10_000)
GOVOPEN_STATUS_LIMIT_PER_CODE = env_int("GOVOPEN_STATUS_LIMIT_PER_CODE", 5, minimum=1, maximum=1000)
GOVOPEN_STATUS_LIMIT_WINDOW_MINUTES = env_int("GOVOPEN_STATUS_LIMIT_WINDOW_MINUTES", 15, minimum=1, maximum=1440)
GOVOPEN_APPLY_LIMIT_PER_IP_HOUR = env_int("GOVOPEN_APPLY_LIMIT_PER_IP_HOUR", 10, minimum=1, maximum=10_000)
# Behind a reverse proxy, the request header (as in request.META) that carries the client's address, e.g.
# HTTP_X_REAL_IP; empty means REMOTE_ADDR. Only set it when the proxy always overwrites that header.
GOVOPEN_CLIENT_IP_HEADER = env_str("GOVOPEN_CLIENT_IP_HEADER") or ""
# Interpretation media (R16): audio and video are larger than document attachments.
GOVOPEN_MEDIA_MAX_BYTES = env_int("GOVOPEN_MEDIA_MAX_MB", 200, minimum=1, maximum=2000) * 1024 * 1024
# R18: the repost deadline after the superior's publication: "1d" = by the end of the next working day (R1 calendar),
# "8h" = within eight hours. Some provinces use the hours rule.
GOVOPEN_REPOST_DEADLINE = env_deadline("GOVOPEN_REPOST_DEADLINE", "1d")
GOVOPEN_REPOST_WARN_HOURS = env_int("GOVOPEN_REPOST_WARN_HOURS", 4, minimum=1, maximum=72)
# Superior portals' feeds: polled by Celery; a feed larger than this or slower than the timeout is refused.
GOVOPEN_FEED_MAX_BYTES = env_int("GOVOPEN_FEED_MAX_KB", 2048, minimum=16, maximum=65536) * 1024
GOVOPEN_FEED_TIMEOUT_SECONDS = env_int("GOVOPEN_FEED_TIMEOUT_SECONDS", 20, minimum=1, maximum=300)
# R19: a particularly serious or major emergency: authoritative information within 5 hours, a press conference
# within 24 hours of the event; the office is warned this many minutes before each.
GOVOPEN_EMERGENCY_INFO_HOURS = env_int("GOVOPEN_EMERGENCY_INFO_HOURS", 5, minimum=1, maximum=72)
GOVOPEN_EMERGENCY_PRESS_HOURS = env_int("GOVOPEN_EMERGENCY_PRESS_HOURS", 24, minimum=1, maximum=168)
GOVOPEN_EMERGENCY_WARN_MINUTES = env_int("GOVOPEN_EMERGENCY_WARN_MINUTES", 60, minimum=5, maximum=1440)
# R10: the 依申请公开目录 is compiled and published for each past month, or each past quarter.
GOVOPEN_DIRECTORY_PERIOD = env_choice("GOVOPEN_DIRECTORY_PERIOD", "month", ("month", "quarter"))
# R9 (Art 26): a proactive document is public within this many working days of being formed or changed.
GOVOPEN_PUBLICATION_WORKING_DAYS = env_int("GOVOPEN_PUBLICATION_WORKING_DAYS", 20, minimum=1, maximum=120)
# R11: a withheld document is re-reviewed when its last review is this many days old.
GOVOPEN_WITHHELD_REVIEW_DAYS = env_int("GOVOPEN_WITHHELD_REVIEW_DAYS", 365, minimum=30, maximum=3660)
# R30: annual reports are due 31 Jan (departments) and 31 Mar (the government); the office is warned this many
# days before each deadline, and again once it has passed.
GOVOPEN_ANNUAL_REPORT_WARN_DAYS = env_int("GOVOPEN_ANNUAL_REPORT_WARN_DAYS", 10, minimum=1, maximum=60)
