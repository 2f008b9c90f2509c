"""Tests run against the real services: PostgreSQL and Redis on loopback (started by make test)."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = False
DATABASES = {
    "default": env.db("TEST_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/stride"),
}
# Closed after each request and task, unless a test's worker asks for persistent connections.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("TEST_CONN_MAX_AGE", default=0)
CELERY_BROKER_URL = env.str("TEST_CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
USES_EMBEDDED_REDIS = False
WEBHOOK_BACKOFF_BASE_S = 1.0  # retries after 1 s, 2 s, ...: the webhook tests see real backoff
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed, tests only
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
