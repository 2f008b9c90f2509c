"""Reads of the API app, and the catalogue querysets its list endpoints filter and order."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from api.models import ApiKey, WebhookDelivery, WebhookSubscription
from grader.models import Submission
from quizzes.models import Attempt, QuestionTemplate, Topic


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def api_key_for_secret(*, secret: str) -> ApiKey | None:
    """The active key whose secret this is (looked up by hash: the secret is never stored)."""
    return (
        ApiKey.objects.select_related("owner")
        .filter(key_hash=secret_hash(secret), revoked_at__isnull=True)
        .first()
    )


def api_keys_for_owner(*, user: AbstractBaseUser) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(owner=user).order_by("-created_at", "-pk")


def webhooks_for_owner(*, user: AbstractBaseUser) -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.filter(api_key__owner=user).order_by("-created_at", "-pk")


def deliveries_for_webhook(*, subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    return subscription.deliveries.order_by("-created_at", "-pk")


def topics_visible() -> QuerySet[Topic]:
    return Topic.objects.filter(templates__is_published=True).distinct().order_by("position", "pk")


def templates_visible() -> QuerySet[QuestionTemplate]:
    return QuestionTemplate.objects.filter(is_published=True).select_related("topic")


def template_visible(*, slug: str) -> QuestionTemplate | None:
    return templates_visible().filter(slug=slug).first()


def _owner(user: AbstractBaseUser | AnonymousUser, session_key: str) -> Q | None:
    if user.is_authenticated:
        return Q(user_id=user.pk)
    if session_key:
        return Q(user__isnull=True, session_key=session_key)
    return None


def attempts_for_owner(
    *, user: AbstractBaseUser | AnonymousUser, session_key: str
) -> QuerySet[Attempt]:
    owner = _owner(user, session_key)
    if owner is None:
        return Attempt.objects.none()
    return Attempt.objects.filter(owner).select_related("variant", "variant__template")


def submissions_for_owner(
    *, user: AbstractBaseUser | AnonymousUser, session_key: str
) -> QuerySet[Submission]:
    owner = _owner(user, session_key)
    if owner is None:
        return Submission.objects.none()
    return Submission.objects.filter(owner).select_related("question", "result")
