"""Celery tasks: thin. They take an id, call one service, and retry only what is transient."""

from __future__ import annotations

import logging
import threading

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init, worker_ready
from django.conf import settings
from django.db import InterfaceError, OperationalError

from grader.models import SubmissionKind

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError, ConnectionError)


def enqueue_grading(submission_id: int, queue: str) -> None:
    grade_submission_task.apply_async(args=[submission_id], queue=queue)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_backoff_max=30,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def grade_submission_task(self, submission_id: int) -> str:  # noqa: ANN001 - Celery's bound task
    # Imported here to break the services -> tasks -> services cycle (STYLE.md's one exception).
    from grader import services  # noqa: PLC0415

    try:
        result = services.submission_grade(submission_id=submission_id)
    except SoftTimeLimitExceeded:
        services.submission_mark_failed(
            submission_id=submission_id,
            message="Grading took too long on Stride's side; please submit again.",
        )
        return "failed: time limit"
    except TRANSIENT:
        if self.request.retries >= self.max_retries:
            services.submission_mark_failed(
                submission_id=submission_id,
                message="Stride could not reach its database to store this grade; submit again.",
            )
        raise
    if result is None:
        return "already finished"
    # api.events announces "graded" (webhooks, LMS scores). A run is not scored and has nothing
    # to announce: saying so here spares that listener a query per run.
    return "graded" if result.submission.kind == SubmissionKind.SUBMIT else "ran"


@shared_task(acks_late=True, soft_time_limit=30, time_limit=60)
def requeue_stalled_submissions_task() -> int:
    """Periodic (Celery beat) and at worker start: nothing queued is ever lost for good."""
    from grader import services  # noqa: PLC0415 - breaks the services -> tasks cycle

    return services.submissions_requeue_stalled(
        queued_for_s=settings.GRADER_REQUEUE_QUEUED_AFTER_S,
        running_for_s=settings.GRADER_REQUEUE_RUNNING_AFTER_S,
    )


@worker_ready.connect
def _requeue_on_worker_start(sender: object = None, **kwargs: object) -> None:
    # A worker starting after a broker restart finds the database's backlog and queues it again.
    from grader import services  # noqa: PLC0415 - breaks the services -> tasks cycle

    try:
        services.submissions_requeue_stalled(
            queued_for_s=settings.GRADER_REQUEUE_QUEUED_AFTER_S,
            running_for_s=settings.GRADER_REQUEUE_RUNNING_AFTER_S,
        )
    except TRANSIENT:
        logger.exception("could not look for stalled submissions at start-up; beat will retry")


@worker_process_init.connect
def _warm_sandbox(sender: object = None, **kwargs: object) -> None:
    # Starting the fork-server imports torch and the first meta ops load torch's Python
    # reference implementations (seconds); pay that now, not on a student's first job.
    from grader.reference import warm_up  # noqa: PLC0415 - only worker processes need these
    from sandbox.client import shared_client  # noqa: PLC0415

    def warm() -> None:
        try:
            shared_client().info()
            warm_up()
        except Exception:  # noqa: BLE001 - the first real job reports any failure properly
            logger.exception("could not warm up the sandbox server or the reference")

    threading.Thread(target=warm, name="sandbox-warm-up", daemon=True).start()
