"""API credentials (personal tokens and per-integration keys) and webhooks with their log."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiKeyKind(models.TextChoices):
    TOKEN = "token", "Personal token (a script acting as its owner)"
    INTEGRATION = "integration", "Integration key (an LMS or service, created by an instructor)"


class ApiKey(models.Model):
    """A bearer credential. Only a SHA-256 of the secret is stored; ``prefix`` identifies it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=ApiKeyKind.choices, default=ApiKeyKind.TOKEN)
    prefix = models.CharField(max_length=16, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}..., {self.kind})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class WebhookEvent(models.TextChoices):
    SUBMISSION_GRADED = "submission.graded", "A code submission was graded"
    ASSIGNMENT_COMPLETED = "assignment.completed", "A student completed an assignment"


class WebhookSubscription(models.Model):
    """An integration's request to be told about events, at ``url``, signed with ``secret``."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    # HMAC-SHA256 key shared with the receiver (shown once at creation, needed to sign).
    secret = models.CharField(max_length=64)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.url} ({', '.join(self.events)})"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    RETRYING = "retrying", "Retrying"
    FAILED = "failed", "Failed (retries exhausted)"


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one subscription: the delivery log."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    event_id = models.CharField(max_length=80)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("subscription", "event_id"), name="unique_delivery_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} -> {self.subscription_id}: {self.status}"


class WebhookDeliveryAttempt(models.Model):
    """One try at sending a delivery: the log an integration reads to see every retry."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveSmallIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    next_retry_in_s = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("delivery", "number")
        constraints = [
            models.UniqueConstraint(fields=("delivery", "number"), name="unique_delivery_try")
        ]

    def __str__(self) -> str:
        return f"try {self.number} of delivery {self.delivery_id}: {self.status_code}"
