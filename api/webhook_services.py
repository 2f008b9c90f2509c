"""Writes for webhooks: subscriptions, events fanned out to deliveries, one attempt logged."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from api import permissions, tasks, webhooks
from api.models import (
    ApiKey,
    ApiKeyKind,
    DeliveryStatus,
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookEvent,
    WebhookSubscription,
)
from core.exceptions import NotFoundError, PermissionDeniedError

logger = logging.getLogger(__name__)


def backoff_seconds(retries: int) -> float:
    """Exponential: base, 2*base, 4*base, ... capped (settings.WEBHOOK_BACKOFF_BASE_S)."""
    base = float(getattr(settings, "WEBHOOK_BACKOFF_BASE_S", 10.0))
    return min(base * (2**retries), 3600.0)


@transaction.atomic
def webhook_create(
    *, owner: AbstractBaseUser, url: str, events: list[str], api_key: ApiKey | None = None
) -> tuple[WebhookSubscription, str]:
    """Subscribe an integration key to events. Instructors only.

    ``api_key`` is the integration key the request came with; from a browser session (no key)
    the owner's newest active integration key is used.
    """
    if not permissions.is_instructor(owner):
        raise PermissionDeniedError("Only instructors can subscribe integrations to webhooks.")
    is_integration = (
        api_key is not None
        and api_key.owner_id == owner.pk
        and api_key.kind == ApiKeyKind.INTEGRATION
        and api_key.revoked_at is None
    )
    if not is_integration:
        api_key = (
            ApiKey.objects.filter(owner=owner, kind=ApiKeyKind.INTEGRATION, revoked_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
    if api_key is None:
        raise PermissionDeniedError("Create an integration key first; webhooks belong to one.")
    secret = secrets.token_hex(32)
    subscription = WebhookSubscription.objects.create(
        api_key=api_key, url=url, events=sorted(set(events)), secret=secret
    )
    return subscription, secret


@transaction.atomic
def webhook_delete(*, owner: AbstractBaseUser, webhook_id: int) -> None:
    deleted, _ = WebhookSubscription.objects.filter(pk=webhook_id, api_key__owner=owner).delete()
    if not deleted:
        raise NotFoundError("No such webhook.")


def event_emit(
    *, event: str, event_id: str, data: dict[str, Any], owner_ids: set[int]
) -> list[int]:
    """Log a delivery per active subscription to ``event`` and queue them after commit.

    ``owner_ids`` limits the event to integrations of those users: the instructors of the
    student's courses and staff. Nobody else's integration hears about a student.
    """
    assert event in WebhookEvent.values, event
    subscriptions = WebhookSubscription.objects.filter(
        is_active=True, api_key__revoked_at__isnull=True
    )
    subscriptions = subscriptions.filter(api_key__owner_id__in=owner_ids)
    created: list[int] = []
    with transaction.atomic():
        for subscription in subscriptions:
            if event not in subscription.events:  # JSON containment differs across backends
                continue
            delivery, is_new = WebhookDelivery.objects.get_or_create(
                subscription=subscription,
                event_id=event_id,
                defaults={"event": event, "payload": data},
            )
            if is_new:
                created.append(delivery.pk)
        for delivery_id in created:
            transaction.on_commit(lambda pk=delivery_id: tasks.enqueue_delivery(pk))
    return created


def delivery_attempt(*, delivery_id: int, is_last_attempt: bool) -> str:
    """Send once and log it. Returns "delivered", "retry", "failed" or "skipped"."""
    delivery = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
        return "skipped"
    subscription = delivery.subscription
    body = webhooks.body_for(
        event=delivery.event, event_id=delivery.event_id, data=delivery.payload
    )
    status_code: int | None = None
    error = ""
    started = time.perf_counter()
    try:
        status_code = webhooks.send(
            url=subscription.url,
            secret=subscription.secret,
            event=delivery.event,
            event_id=delivery.event_id,
            body=body,
        )
    except requests.RequestException as exception:
        error = f"{type(exception).__name__}: {exception}"[:300]
    is_delivered = status_code is not None and 200 <= status_code < 300
    if is_delivered:
        status = DeliveryStatus.DELIVERED
    elif is_last_attempt:
        status = DeliveryStatus.FAILED
    else:
        status = DeliveryStatus.RETRYING
    if status_code is not None and not is_delivered:
        error = f"HTTP {status_code}"
    duration_ms = int((time.perf_counter() - started) * 1000)
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            attempts=F("attempts") + 1,
            status=status,
            last_status_code=status_code,
            last_error=error,
            delivered_at=timezone.now() if is_delivered else None,
        )
        number = WebhookDelivery.objects.values_list("attempts", flat=True).get(pk=delivery_id)
        WebhookDeliveryAttempt.objects.create(
            delivery_id=delivery_id,
            number=number,
            status_code=status_code,
            error=error,
            duration_ms=duration_ms,
            next_retry_in_s=backoff_seconds(number - 1)
            if status == DeliveryStatus.RETRYING
            else None,
        )
    if status == DeliveryStatus.FAILED:
        logger.warning("webhook delivery %s failed for good: %s", delivery_id, error)
    return {"delivered": "delivered", "failed": "failed"}.get(status, "retry")
