"""The Celery app. Workers: ``celery -A config worker -Q cpu`` (and ``-Q gpu`` on GPU hosts)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("stride")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _close_old_database_connections(**kwargs: object) -> None:
    # Celery's Django fixup would close every connection around every task (a new PostgreSQL
    # session per grade); CELERY_DB_REUSE_MAX turns that into a rare recycle, and this applies
    # Django's own per-request rule instead: drop a connection that is broken (PostgreSQL
    # restarted) or older than CONN_MAX_AGE, keep a healthy one.
    # An eager task runs inside its caller's request or transaction (as the fixup knows): closing
    # that connection would break the caller, so leave it alone.
    if getattr(getattr(kwargs.get("task"), "request", None), "is_eager", False):
        return
    close_old_connections()
