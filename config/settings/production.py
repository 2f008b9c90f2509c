"""Production: every secret comes from the environment and start-up fails loudly without it."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=False)
if not env.str("SECRET_KEY", default=""):
    raise ImproperlyConfigured("SECRET_KEY must be set in production (see .env.example).")
SECRET_KEY = env.str("SECRET_KEY")
if not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured("DATABASE_URL must be set in production (PostgreSQL).")
if not env.str("CELERY_BROKER_URL", default=""):
    raise ImproperlyConfigured("CELERY_BROKER_URL must be set in production (Redis).")
if env.bool("STRIDE_SANDBOX_ALLOW_UNSAFE", default=False):
    raise ImproperlyConfigured(
        "STRIDE_SANDBOX_ALLOW_UNSAFE is a development flag; production refuses to run without "
        "full sandbox isolation."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
# An LMS that embeds Stride in an iframe (LTI) needs SameSite=None cookies (with Secure).
SESSION_COOKIE_SAMESITE = env.str("SESSION_COOKIE_SAMESITE", default="Lax")
CSRF_COOKIE_SAMESITE = env.str("CSRF_COOKIE_SAMESITE", default=SESSION_COOKIE_SAMESITE)
# Several web processes share LTI nonces, throttle counters and the GPU-worker probe: use Redis.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.str("CACHE_URL", default=env.str("CELERY_BROKER_URL")),
    }
}
# Sessions too (see base.py): every web replica must see a log-out at once.
SESSION_CACHE_ALIAS = "default"
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
