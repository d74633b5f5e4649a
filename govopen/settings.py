"""Settings for the govopen portal, all read from the environment (see docs/deployment.md).

Defaults run on one machine with no servers: SQLite under ``var/``, a local-memory cache and Celery on kombu's
filesystem transport. Production sets ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` (broker and cache).
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

from celery.schedules import crontab

from accounts.profiles import PROFILES as _PASSWORD_PROFILES
from accounts.profiles import password_validators as _password_validators
from core.crypto import load_key_settings
from core.env import (
    EnvError,
    env_bool,
    env_choice,
    env_database,
    env_deadline,
    env_int,
    env_list,
    env_redis_url,
    env_str,
    env_url_prefix,
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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ops",
    "catalog",
    "disclosure",
    "requests_app",
    "emergencies",
    "errorreports",
    "audits",
    "accounts",
    "auditlog",
    "integrity",
    "syndication",
    "subscriptions",
    "opendata",
    "performance",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    # The project itself, the top layer: the back office of the jobs and the outbox, and the commands that span
    # apps (load_demo, rotate_field_key).
    "govopen",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "govopen.headers.SecurityHeadersMiddleware",
    "govopen.hostile.RejectHostileInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A visitor's display preferences (大字号, 高对比度, 长者模式, 繁體) adapt every page, cached or not, on its way out.
    "core.display.DisplayPreferencesMiddleware",
    # Anonymous pages from the cache: after static files, before sessions, so a hit costs no session or query work.
    "core.pagecache.PageCacheMiddleware",
    # Public reads from a replica that has replayed the last publication (DATABASE_REPLICA_URLS; no-op without).
    "core.dbrouter.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # The demo (DEBUG on) answers with the site's Chinese 404 and 500 pages; not loaded otherwise.
    "govopen.errorpages.SiteErrorPagesMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]
# With DEBUG on (the demo), show the site's error pages instead of Django's technical ones (scripts/run sets it).
GOVOPEN_DEBUG_SITE_ERROR_PAGES = env_bool("GOVOPEN_DEBUG_SITE_ERROR_PAGES", False)

ROOT_URLCONF = "govopen.urls"
WSGI_APPLICATION = "govopen.wsgi.application"

# A deployer's own templates, searched first: the main site's header and footer (templates/_site_header.html and
# _site_footer.html) when the portal is a column of the government's site (docs/deployment.md).
GOVOPEN_TEMPLATE_DIR = env_str("GOVOPEN_TEMPLATE_DIR")
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [*([Path(GOVOPEN_TEMPLATE_DIR)] if GOVOPEN_TEMPLATE_DIR else []), BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "govopen.context_processors.site",
                "govopen.pagemeta.page_meta",
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
# Streaming replicas for public reads (issue 15): comma-separated PostgreSQL URLs, routed by core/dbrouter.py.
for _n, _url in enumerate(filter(None, (u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(","))), 1):
    DATABASES[f"replica{_n}"] = env_database(
        "DATABASE_REPLICA_URLS",
        _url,
        conn_max_age=DATABASES["default"].get("CONN_MAX_AGE", 60),
        environ={"DATABASE_REPLICA_URLS": _url},
    )
    if DATABASES[f"replica{_n}"]["ENGINE"] != "django.db.backends.postgresql":
        raise EnvError("DATABASE_REPLICA_URLS", "只支持 PostgreSQL 流复制备库（postgres://）")
DATABASE_ROUTERS = ["core.dbrouter.ReplicaRouter"] if len(DATABASES) > 1 else []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "govopen"}}

# --- The JSON API (read-only, public data only; see api/ and docs/api.md) ----------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],  # public data only: nobody logs in to the API
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],  # read-only
    # Every DRF view of every app gets these (docs/api.md "For the developers of other apps"): documented errors in
    # the schema, cursor pages, the anonymous rate limit, JSON errors with a Chinese message.
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PublicCursorPagination",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonymousRateThrottle"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNICODE_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "政务公开 开放接口",
    "DESCRIPTION": (
        "只读，只含已公开的信息（与网站相同）。列表用游标翻页（next、previous），检索按页码翻页；每个响应带 ETag 和 "
        "Cache-Control，可用 If-None-Match 做条件请求（未变时 304）；匿名访问按来源地址限速，超过时返回 429 和 "
        "Retry-After。错误为 JSON：detail（中文说明）和 code。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": False,
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "defaultModelsExpandDepth": 0},
}

# --- Auth and permissions ---------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address before the password
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
AXES_VERBOSE = False  # no start-up banner: management commands print one line on a bad setting

# --- Language and time ------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Mounted under a path of the main site (国办公开办函〔2019〕61号: the platform is a column of the government's
# site): GOVOPEN_URL_PREFIX=/zwgk serves every page, static file and cookie under /zwgk/. govopen/wsgi.py moves the
# prefix from the path to SCRIPT_NAME whether the proxy passes it or strips it; FORCE_SCRIPT_NAME gives the same
# URLs to jobs and commands, which have no request.
GOVOPEN_URL_PREFIX = env_url_prefix("GOVOPEN_URL_PREFIX")
if GOVOPEN_URL_PREFIX:
    FORCE_SCRIPT_NAME = GOVOPEN_URL_PREFIX
SESSION_COOKIE_PATH = CSRF_COOKIE_PATH = LANGUAGE_COOKIE_PATH = GOVOPEN_URL_PREFIX + "/"

# --- Static and uploaded files ----------------------------------------------------------------------------------
STATIC_URL = GOVOPEN_URL_PREFIX + "/static/"
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
# Mail to applicants carries their address and, once, their 查询密码: it never goes to the console (the server log)
# in production. Without EMAIL_HOST, production writes each message to a file under the var directory, readable only
# by the service user; the demo (DEBUG) prints to the terminal so the tester sees the secret.
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH") or VAR_DIR / "mail")
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "govopen.mail.PrivateFileBackend"
)
if not DEBUG and EMAIL_BACKEND.endswith("console.EmailBackend"):
    raise EnvError(
        "EMAIL_BACKEND", "关闭 DEBUG 时不能使用 console 后端（邮件会连同申请人的邮箱和查询密码写进服务器日志）"
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
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(_control_dir),
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
    "error-report-clocks": {
        "task": "errorreports.tasks.sweep_error_report_clocks",
        "schedule": crontab(minute="*/15"),
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
    "filters": {"personal_data": {"()": "core.logfilters.PersonalDataFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- The portal -------------------------------------------------------------------------------------------------
GOVOPEN_SITE_NAME = env_str("GOVOPEN_SITE_NAME") or "示范县人民政府"
# The portal's public address, for links in e-mails (no request to derive it from in a job).
GOVOPEN_SITE_URL = (env_str("GOVOPEN_SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
if not GOVOPEN_SITE_URL.startswith(("http://", "https://")):
    raise EnvError("GOVOPEN_SITE_URL", f"“{GOVOPEN_SITE_URL}” 不是以 http:// 或 https:// 开头的网址")
# The site's identity (政府网站发展指引, 国办发〔2017〕47号): the 政府网站 meta tags and the footer (govopen/pagemeta.py,
# docs/deployment.md "The site's identity"). Empty values are left out of the footer.
GOVOPEN_SITE_DOMAIN = env_str("GOVOPEN_SITE_DOMAIN") or ""  # SiteDomain; the host of GOVOPEN_SITE_URL when empty
GOVOPEN_SITE_ID_CODE = env_str("GOVOPEN_SITE_ID_CODE") or ""  # 网站标识码 (10 characters), SiteIDCode
GOVOPEN_SPONSOR = env_str("GOVOPEN_SPONSOR") or GOVOPEN_SITE_NAME  # 主办单位
GOVOPEN_ORGANISER = env_str("GOVOPEN_ORGANISER") or ""  # 承办单位
GOVOPEN_CONTACT_PHONE = env_str("GOVOPEN_CONTACT_PHONE") or ""
GOVOPEN_CONTACT_EMAIL = env_str("GOVOPEN_CONTACT_EMAIL") or ""
GOVOPEN_ICP_NUMBER = env_str("GOVOPEN_ICP_NUMBER") or ""  # ICP备案号, linked to beian.miit.gov.cn
GOVOPEN_PSB_NUMBER = env_str("GOVOPEN_PSB_NUMBER") or ""  # 公安机关备案号, linked to its record on beian.gov.cn
# 党政机关 identification: the badge's image (a URL, or a path under STATIC_ROOT) and the link to the registration.
GOVOPEN_DZJG_IMAGE = env_str("GOVOPEN_DZJG_IMAGE") or ""
GOVOPEN_DZJG_URL = env_str("GOVOPEN_DZJG_URL") or ""
if GOVOPEN_SITE_ID_CODE and not (
    len(GOVOPEN_SITE_ID_CODE) == 10 and GOVOPEN_SITE_ID_CODE.isascii() and GOVOPEN_SITE_ID_CODE.isalnum()
):
    raise EnvError("GOVOPEN_SITE_ID_CODE", f"“{GOVOPEN_SITE_ID_CODE}” 不是 10 位的网站标识码（字母和数字）")
for _name in ("GOVOPEN_DZJG_URL",):
    if globals()[_name] and not globals()[_name].startswith(("http://", "https://")):
        raise EnvError(_name, f"“{globals()[_name]}” 不是以 http:// 或 https:// 开头的网址")
# R2: from this day of the year (month, day) on, a missing next-year calendar is raised to the disclosure office.
GOVOPEN_NEXT_YEAR_CALENDAR_WARN_FROM = (11, 1)
# Attachments: the largest file accepted (MB); types are fixed in disclosure/content.py.
GOVOPEN_ATTACHMENT_MAX_BYTES = env_int("GOVOPEN_ATTACHMENT_MAX_MB", 20, minimum=1, maximum=500) * 1024 * 1024
# Text extraction of PDF and DOCX uploads (the R13 scan) stops at these limits, so a zip bomb or a huge PDF is refused
# with a message instead of taking the worker's memory and time.
GOVOPEN_EXTRACT_MAX_MB = env_int("GOVOPEN_EXTRACT_MAX_MB", 200, minimum=1, maximum=4096)
GOVOPEN_EXTRACT_MAX_MEMBER_MB = env_int("GOVOPEN_EXTRACT_MAX_MEMBER_MB", 50, minimum=1, maximum=1024)
GOVOPEN_EXTRACT_MAX_SECONDS = env_int("GOVOPEN_EXTRACT_MAX_SECONDS", 15, minimum=1, maximum=300)
GOVOPEN_EXTRACT_MAX_PAGES = env_int("GOVOPEN_EXTRACT_MAX_PAGES", 2000, minimum=1, maximum=100_000)
# [letters] The reply letter's PDF (requests_app/letter_pdf.py) embeds a CJK font: a .ttf/.otf/.ttc path, optionally
# "#n" for the n-th face of a collection. Empty: the first Simplified Chinese serif (then sans) face found on the
# system (fonts-noto-cjk on Debian). Without one the printable page still works and the PDF link is not shown.
GOVOPEN_PDF_FONT = os.environ.get("GOVOPEN_PDF_FONT", "").strip()
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
# 我为政府网站找错 (国办发〔2017〕47号): the office acknowledges a citizen's error report by the end of this many working
# days after the day it arrived, and answers it by the end of that many (the website inspection's 1 and 5); reports
# filed from one address per hour.
GOVOPEN_ERROR_REPORT_ACK_WORKDAYS = env_int("GOVOPEN_ERROR_REPORT_ACK_WORKDAYS", 1, minimum=1, maximum=20)
GOVOPEN_ERROR_REPORT_ANSWER_WORKDAYS = env_int("GOVOPEN_ERROR_REPORT_ANSWER_WORKDAYS", 5, minimum=1, maximum=60)
if GOVOPEN_ERROR_REPORT_ANSWER_WORKDAYS < GOVOPEN_ERROR_REPORT_ACK_WORKDAYS:
    raise EnvError(
        "GOVOPEN_ERROR_REPORT_ANSWER_WORKDAYS",
        f"答复期限（{GOVOPEN_ERROR_REPORT_ANSWER_WORKDAYS} 个工作日）不能短于确认期限 GOVOPEN_ERROR_REPORT_ACK_WORKDAYS"
        f"（{GOVOPEN_ERROR_REPORT_ACK_WORKDAYS} 个工作日）",
    )
GOVOPEN_ERROR_REPORT_LIMIT_PER_IP_HOUR = env_int(
    "GOVOPEN_ERROR_REPORT_LIMIT_PER_IP_HOUR", 10, minimum=1, maximum=10_000
)
# R10: the 依申请公开目录 is compiled and published for each past month, or each past quarter.
GOVOPEN_DIRECTORY_PERIOD = env_choice("GOVOPEN_DIRECTORY_PERIOD", "month", ("month", "quarter"))
# R9 (Art 26): a proactive document is public within this many working days of being formed or changed.
GOVOPEN_PUBLICATION_WORKING_DAYS = env_int("GOVOPEN_PUBLICATION_WORKING_DAYS", 20, minimum=1, maximum=120)
# R11: a withheld document is re-reviewed when its last review is this many days old.
GOVOPEN_WITHHELD_REVIEW_DAYS = env_int("GOVOPEN_WITHHELD_REVIEW_DAYS", 365, minimum=30, maximum=3660)
# R30: annual reports are due 31 Jan (departments) and 31 Mar (the government); the office is warned this many
# days before each deadline, and again once it has passed.
GOVOPEN_ANNUAL_REPORT_WARN_DAYS = env_int("GOVOPEN_ANNUAL_REPORT_WARN_DAYS", 10, minimum=1, maximum=60)

# --- Staff authentication and sessions (accounts app) ------------------------------------------------------------
# [accounts] settings below are owned by the accounts work; keep them in this block.

# Login throttling (django-axes, database handler so a login never depends on Redis): an account is locked after
# this many failures from anywhere, and an address after this many failures whatever the account, for this long.
GOVOPEN_LOGIN_FAILURE_LIMIT = env_int("GOVOPEN_LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
GOVOPEN_LOGIN_LOCKOUT_MINUTES = env_int("GOVOPEN_LOGIN_LOCKOUT_MINUTES", 5, minimum=1, maximum=24 * 60)
AXES_ENABLED = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = GOVOPEN_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = _dt.timedelta(minutes=GOVOPEN_LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
AXES_CLIENT_IP_CALLABLE = "accounts.addresses.axes_client_ip"  # the address the other brakes count
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"  # the admin login page in Chinese, HTTP 429
# Axes would also clear the address's failures on success, letting an attacker who owns one account reset the
# address brake by signing in to it; accounts.services.login_failures_reset clears only the account's.
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ADMIN = True
# MFA (TOTP with single-use recovery codes) is required for these roles: office (政务公开办, its head and superusers),
# reviewer, handler, drafter; empty makes it optional for everyone.
_MFA_ROLES = ("office", "reviewer", "handler", "drafter")
GOVOPEN_MFA_REQUIRED_ROLES = env_list("GOVOPEN_MFA_REQUIRED_ROLES", ["office", "reviewer"])
if _unknown_mfa_roles := sorted(set(GOVOPEN_MFA_REQUIRED_ROLES) - set(_MFA_ROLES)):
    raise EnvError(
        "GOVOPEN_MFA_REQUIRED_ROLES", f"未知角色 {'、'.join(_unknown_mfa_roles)}，可选 {'、'.join(_MFA_ROLES)}"
    )
GOVOPEN_MFA_RECOVERY_CODES = env_int("GOVOPEN_MFA_RECOVERY_CODES", 10, minimum=5, maximum=20)
OTP_TOTP_ISSUER = env_str("GOVOPEN_MFA_ISSUER") or "政务公开平台"
# Staff sessions end after this long without a request, and this long after login whatever the activity.
GOVOPEN_SESSION_IDLE_MINUTES = env_int("GOVOPEN_SESSION_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60)
GOVOPEN_SESSION_MAX_HOURS = env_int("GOVOPEN_SESSION_MAX_HOURS", 12, minimum=1, maximum=24 * 14)
# Password policy (accounts/profiles.py): "asvs" (OWASP ASVS: ≥ 12 characters, no common passwords, no composition
# rules, no forced rotation) or "dengbao" (GB/T 22239-2019 practice: ≥ 8 characters from at least three of upper case,
# lower case, digits and symbols, changed every GOVOPEN_PASSWORD_MAX_AGE_DAYS days; 0 turns the expiry off).
GOVOPEN_PASSWORD_PROFILE = env_choice("GOVOPEN_PASSWORD_PROFILE", "asvs", _PASSWORD_PROFILES)
GOVOPEN_PASSWORD_MAX_AGE_DAYS = (
    env_int("GOVOPEN_PASSWORD_MAX_AGE_DAYS", 90, minimum=0, maximum=3650)
    if GOVOPEN_PASSWORD_PROFILE == "dengbao"
    else 0
)
AUTH_PASSWORD_VALIDATORS = _password_validators(GOVOPEN_PASSWORD_PROFILE)

# --- Field encryption of applicants' personal data ---------------------------------------------------------------
# [crypto] settings below are owned by the field-encryption work; keep them in this block.
# PIPL Art 28: identity numbers (and by default phones, e-mails, addresses) are encrypted at rest with keys of their
# own (core/crypto.py). GOVOPEN_FIELD_KEYS: Fernet keys, comma-separated, newest first (rotate with
# `manage.py rotate_field_key`); GOVOPEN_BLIND_INDEX_KEY: the HMAC key of the equality index on identity numbers.
# Both are required without DEBUG; in DEBUG a missing one comes from var/field-keys.env, created once (mode 0600).
# GOVOPEN_ENCRYPTED_FIELDS: id_number always, plus any of phone, email, address (default: all).
_crypto = load_key_settings(environ=os.environ, debug=DEBUG, var_dir=VAR_DIR)
GOVOPEN_FIELD_KEYS = _crypto.field_keys
GOVOPEN_BLIND_INDEX_KEY = _crypto.blind_index_key
GOVOPEN_ENCRYPTED_FIELDS = _crypto.encrypted_fields
# Status lookup (requests_app/throttle.py): after this many failures on one code, an address that already failed
# on it may try that code again only once per GOVOPEN_STATUS_CODE_RETRY_SECONDS; other addresses are unaffected.
GOVOPEN_STATUS_CODE_RETRY_SECONDS = env_int("GOVOPEN_STATUS_CODE_RETRY_SECONDS", 60, minimum=1, maximum=3600)
# Wrong secrets one address may try on one code within the window before that pair is refused outright.
GOVOPEN_STATUS_LIMIT_PER_IP_CODE = env_int("GOVOPEN_STATUS_LIMIT_PER_IP_CODE", 10, minimum=1, maximum=1000)

# --- Outbox and fault tolerance -------------------------------------------------------------------------------------
# [outbox] settings below are owned by the outbox work; keep them in this block.
# Redis is a broker and a cache, never a dependency of a write: short socket timeouts so an unreachable Redis fails
# fast (the rate limiter then counts in process; outbox messages wait for the drain job).
if REDIS_URL:
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1}
# An outbox message not done this many seconds after it was written is run by the drain job instead of the broker.
GOVOPEN_OUTBOX_GRACE_SECONDS = env_int("GOVOPEN_OUTBOX_GRACE_SECONDS", 30, minimum=0, maximum=3600)
# A job run still "running" after this many minutes lost its worker: the reaper marks it failed.
GOVOPEN_JOB_TIMEOUT_MINUTES = env_int("GOVOPEN_JOB_TIMEOUT_MINUTES", 60, minimum=1, maximum=7 * 24 * 60)
CELERY_BEAT_SCHEDULE["outbox-drain"] = {"task": "ops.tasks.drain_outbox", "schedule": crontab()}  # every minute
CELERY_BEAT_SCHEDULE["jobs-reap"] = {"task": "ops.tasks.reap_job_runs", "schedule": crontab(minute="*/5")}

# --- Audit log and response headers ----------------------------------------------------------------------------------
# [auditlog] settings below are owned by the audit-log work; keep them in this block.
# 网络安全法 Art 21: network logs are kept at least six months; audit_prune refuses anything younger than this.
GOVOPEN_AUDIT_RETENTION_DAYS = env_int("GOVOPEN_AUDIT_RETENTION_DAYS", 365, minimum=180, maximum=36_500)
# Rows are sealed into the chain after their writer's commit; this seals what an interrupted process left behind.
CELERY_BEAT_SCHEDULE["audit-seal"] = {"task": "auditlog.tasks.seal_audit_log", "schedule": crontab()}  # every minute
# Daily: verify the chain and log its tail (position and hash), the outside copy that shows deleted newest rows.
CELERY_BEAT_SCHEDULE["audit-verify"] = {
    "task": "auditlog.tasks.verify_audit_log",
    "schedule": crontab(hour=4, minute=40),
}
# Extra sources a deployment allows in the Content-Security-Policy (e.g. "https://stats.example.gov.cn" for an
# analytics host); comma-separated, added to script-src, img-src and connect-src.
GOVOPEN_CSP_EXTRA_SOURCES = env_list("GOVOPEN_CSP_EXTRA_SOURCES", [])
if any(ch in source for source in GOVOPEN_CSP_EXTRA_SOURCES for ch in " ;'\"*"):
    raise EnvError(
        "GOVOPEN_CSP_EXTRA_SOURCES", "每一项应是一个来源（如 https://stats.example.gov.cn），不能含空格、分号、引号或 *"
    )

# --- Anonymous page cache ------------------------------------------------------------------------------------------
# Catalogue totals (documents per catalogue item, disclosure/paging.py) are counted once per publication version and
# kept at most this many seconds: the bound on a total's lag behind a scheduled publication reaching its time.
GOVOPEN_COUNT_CACHE_SECONDS = env_int("GOVOPEN_COUNT_CACHE_SECONDS", 300, minimum=0, maximum=3600)
# After a publication (or that lifetime), the last total is shown while a worker counts again, if it is at most this
# many seconds old, so no visitor waits for a count (up to a second for a large organisation at 1M documents). Needs
# a cache shared with the worker (Redis): 0, the default without Redis, counts in the request instead.
GOVOPEN_COUNT_STALE_SECONDS = env_int("GOVOPEN_COUNT_STALE_SECONDS", 900 if REDIS_URL else 0, minimum=0, maximum=86_400)
# [pagecache] settings below are owned by the page-cache work; keep them in this block.
# Public pages for visitors without cookies are kept in the default cache (core/pagecache.py), keyed by URL and the
# publication versions every public change bumps (core/pubversion.py). An entry lives this many seconds at most:
# the bound on staleness if a bump is lost (cache unreachable at the moment of a write). 0 turns the cache off.
GOVOPEN_PAGE_CACHE_SECONDS = env_int("GOVOPEN_PAGE_CACHE_SECONDS", 300, minimum=0, maximum=3600)
# Cache-Control max-age of those pages: how long browsers and a proxy (docs/deployment.md, nginx) may keep them.
GOVOPEN_PAGE_CACHE_MAX_AGE = env_int("GOVOPEN_PAGE_CACHE_MAX_AGE", 60, minimum=0, maximum=3600)
# After the cache fails, pages are served uncached for this long before it is tried again.
GOVOPEN_PAGE_CACHE_RETRY_SECONDS = env_int("GOVOPEN_PAGE_CACHE_RETRY_SECONDS", 5, minimum=1, maximum=300)
# Never cached: the admin and every applicant page.
GOVOPEN_PAGE_CACHE_EXCLUDED_PATHS = ("/admin/", "/apply/")
# Cookies that do not make a visitor someone, besides the CSRF cookie (cached pages never carry a token): e.g. the
# cookies an analytics script of GOVOPEN_CSP_EXTRA_SOURCES sets ("Hm_lvt_*" style names: give them in full). Any other
# cookie (session, messages, anything unknown) makes the request bypass the cache.
GOVOPEN_PAGE_CACHE_IGNORED_COOKIES = env_list("GOVOPEN_PAGE_CACHE_IGNORED_COOKIES", [])
if _identifying := {"sessionid", "messages"} & set(GOVOPEN_PAGE_CACHE_IGNORED_COOKIES):
    raise EnvError("GOVOPEN_PAGE_CACHE_IGNORED_COOKIES", f"{'、'.join(sorted(_identifying))} 标识访问者，不能忽略")

# --- opendata (issue 17) ---
# The nightly bulk export files of the open-data page (/open-data/): written here, served by opendata.views (never
# under MEDIA_URL). Only the latest generation is kept; a run needs room for about twice the files' size.
GOVOPEN_OPEN_DATA_DIR = Path(env_str("GOVOPEN_OPEN_DATA_DIR") or VAR_DIR / "opendata")
if not GOVOPEN_OPEN_DATA_DIR.is_absolute():
    raise EnvError("GOVOPEN_OPEN_DATA_DIR", f"“{GOVOPEN_OPEN_DATA_DIR}” 不是绝对路径")
# Every night at 02:30 Beijing time: all public documents' metadata and every published annual report's tables.
CELERY_BEAT_SCHEDULE["open-data-export"] = {
    "task": "opendata.tasks.export_open_data",
    "schedule": crontab(hour=2, minute=30),
}
# Every 5 minutes: a withdrawal since the files were made takes them offline; this rebuilds them at once.
CELERY_BEAT_SCHEDULE["open-data-refresh"] = {
    "task": "opendata.tasks.refresh_stale_open_data",
    "schedule": crontab(minute="*/5"),
}

# --- integrity (issue 17) ---
# The head of the integrity log at the end of each day (Beijing time), for /feeds/integrity/; safe to run twice.
CELERY_BEAT_SCHEDULE["integrity-checkpoint"] = {
    "task": "integrity.tasks.record_integrity_checkpoint",
    "schedule": crontab(hour=0, minute=7),
}
# Walk the whole chain daily; a break fails the run, the head goes to the server log.
CELERY_BEAT_SCHEDULE["integrity-verify"] = {
    "task": "integrity.tasks.verify_integrity_log",
    "schedule": crontab(hour=4, minute=23),
}

# --- syndication and subscriptions (issue 17) ---------------------------------------------------------------------
# Atom feeds (/feeds/…) hold the newest this many entries.
GOVOPEN_FEED_ITEMS = env_int("GOVOPEN_FEED_ITEMS", 50, minimum=1, maximum=500)
# URLs per sitemap page of /sitemap.xml (50,000 is the sitemap protocol's maximum).
GOVOPEN_SITEMAP_LIMIT = env_int("GOVOPEN_SITEMAP_LIMIT", 50_000, minimum=1, maximum=50_000)
# A subscription's confirmation link works this many days; unconfirmed subscriptions are then deleted.
GOVOPEN_SUBSCRIPTION_CONFIRM_DAYS = env_int("GOVOPEN_SUBSCRIPTION_CONFIRM_DAYS", 7, minimum=1, maximum=30)
# Items listed in one digest mail (the mail says when there were more).
GOVOPEN_SUBSCRIPTION_DIGEST_ITEMS = env_int("GOVOPEN_SUBSCRIPTION_DIGEST_ITEMS", 30, minimum=1, maximum=200)
# A digest covers publications up to this many minutes before the job runs (commits and indexing catch up).
GOVOPEN_SUBSCRIPTION_DIGEST_LAG_MINUTES = env_int("GOVOPEN_SUBSCRIPTION_DIGEST_LAG_MINUTES", 10, minimum=0, maximum=720)
# Brakes on the subscribe form: requests per network address and hour, confirmation mails per e-mail address and day.
GOVOPEN_SUBSCRIPTION_LIMIT_PER_IP_HOUR = env_int(
    "GOVOPEN_SUBSCRIPTION_LIMIT_PER_IP_HOUR", 20, minimum=1, maximum=10_000
)
GOVOPEN_SUBSCRIPTION_LIMIT_PER_ADDRESS_DAY = env_int(
    "GOVOPEN_SUBSCRIPTION_LIMIT_PER_ADDRESS_DAY", 5, minimum=1, maximum=100
)
CELERY_BEAT_SCHEDULE["subscriptions-digest"] = {
    "task": "subscriptions.tasks.send_digests",
    "schedule": crontab(hour=7, minute=30),  # Asia/Shanghai
}

# --- api (issue 17) ---------------------------------------------------------------------------------------------
# The JSON API (api/, docs/api.md). Anonymous clients may make this many requests per address per window; past it,
# 429 with Retry-After. Counted in Redis, or in each process while Redis does not answer (core/ratelimit.py).
# 0 turns the limit off.
GOVOPEN_API_RATE_LIMIT = env_int("GOVOPEN_API_RATE_LIMIT", 120, minimum=0, maximum=1_000_000)
GOVOPEN_API_RATE_WINDOW_SECONDS = env_int("GOVOPEN_API_RATE_WINDOW_SECONDS", 60, minimum=1, maximum=86_400)
# Cache-Control max-age of API answers (200, 400, 404), and the longest an ETag outlives a change that bumps no
# publication version (a scheduled publication reaching its time).
GOVOPEN_API_MAX_AGE = env_int("GOVOPEN_API_MAX_AGE", 60, minimum=0, maximum=3600)
GOVOPEN_API_ETAG_SECONDS = env_int("GOVOPEN_API_ETAG_SECONDS", 300, minimum=1, maximum=86_400)
# Cursor pages: rows per page by default, and the most a client may ask for with ?page_size=.
GOVOPEN_API_PAGE_SIZE = env_int("GOVOPEN_API_PAGE_SIZE", 20, minimum=1, maximum=1000)
GOVOPEN_API_MAX_PAGE_SIZE = env_int("GOVOPEN_API_MAX_PAGE_SIZE", 100, minimum=1, maximum=1000)
if GOVOPEN_API_MAX_PAGE_SIZE < GOVOPEN_API_PAGE_SIZE:
    raise EnvError("GOVOPEN_API_MAX_PAGE_SIZE", f"不能小于 GOVOPEN_API_PAGE_SIZE（{GOVOPEN_API_PAGE_SIZE}）")
# Outermost but for the security headers: it also turns the 400 of the hostile-input guard into JSON, and counts
# and tags what the page cache answers (api/middleware.py).
MIDDLEWARE.insert(MIDDLEWARE.index("govopen.hostile.RejectHostileInputMiddleware"), "api.middleware.ApiMiddleware")

# --- performance (issue 17) ---------------------------------------------------------------------------------------
# The public statistics (政务公开工作统计) are computed nightly into snapshots (performance/services.py); the pages and
# the API read them. On demand: `manage.py statistics_refresh`. About 25 s and 150 MB at a million applications and
# a million documents (docs/statistics.md).
CELERY_BEAT_SCHEDULE["statistics-refresh"] = {
    "task": "performance.tasks.refresh_statistics",
    "schedule": crontab(hour=2, minute=43),
}
