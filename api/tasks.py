"""Celery tasks of the API app: webhook deliveries, retried with exponential backoff."""

from __future__ import annotations

from celery import shared_task

MAX_ATTEMPTS = 6


@shared_task(
    bind=True, acks_late=True, max_retries=MAX_ATTEMPTS - 1, soft_time_limit=20, time_limit=30
)
def deliver_webhook_task(self, delivery_id: int) -> str:  # noqa: ANN001 - Celery's bound task
    # Imported here to break the services -> tasks -> services cycle (STYLE.md's one exception).
    from api import webhook_services  # noqa: PLC0415

    outcome = webhook_services.delivery_attempt(
        delivery_id=delivery_id, is_last_attempt=self.request.retries >= self.max_retries
    )
    if outcome == "retry":
        countdown = webhook_services.backoff_seconds(self.request.retries)
        raise self.retry(countdown=countdown)
    return outcome


def enqueue_delivery(delivery_id: int) -> None:
    deliver_webhook_task.apply_async(args=[delivery_id], queue="cpu")
