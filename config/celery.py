"""The Celery app. Workers: ``celery -A config worker -Q cpu`` (and ``-Q gpu`` on GPU hosts)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("stride")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
