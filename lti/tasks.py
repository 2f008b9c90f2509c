"""Celery tasks for LTI: thin, retried with backoff while the platform is unreachable."""

from __future__ import annotations

import logging

import requests
from celery import shared_task
from django.db import InterfaceError, OperationalError
from pylti1p3.exception import LtiServiceException

from lti import services
from lti.models import CourseLink

logger = logging.getLogger(__name__)

# The platform down, slow or answering 5xx/429: all worth another try later.
PLATFORM_TRANSIENT = (
    requests.RequestException,
    LtiServiceException,
    OperationalError,
    InterfaceError,
)


@shared_task(
    acks_late=True,
    autoretry_for=PLATFORM_TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=60,
    time_limit=90,
)
def score_send_task(link_id: int, student_id: int) -> str:
    """Send one student's current score to one LMS line item (idempotent: the latest score)."""
    outcome = services.score_send(link_id=link_id, student_id=student_id)
    return "sent" if outcome is not None else "nothing to send"


@shared_task(
    acks_late=True,
    autoretry_for=PLATFORM_TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=120,
    time_limit=180,
)
def roster_sync_task(course_link_id: int) -> str:
    link = (
        CourseLink.objects.select_related("context__deployment__registration", "course")
        .filter(pk=course_link_id)
        .first()
    )
    if link is None:
        return "no link"
    outcome = services.roster_sync(course_link=link)
    return (
        f"added {outcome.added}, unchanged {outcome.unchanged}, skipped {outcome.skipped}, "
        f"removed {outcome.removed}"
    )


@shared_task(soft_time_limit=60, time_limit=90)
def rosters_sync_scheduled_task() -> str:
    """Beat: keep every LMS-linked course's roster in step with the LMS."""
    return f"queued {services.rosters_sync_schedule()} roster syncs"
