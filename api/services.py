"""Writes of the API app: credentials created and revoked."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from api import permissions
from api.models import ApiKey, ApiKeyKind
from api.selectors import secret_hash
from core.exceptions import NotFoundError, PermissionDeniedError

SECRET_PREFIX = "stride_"  # noqa: S105 - a label, not a secret
MAX_ACTIVE_KEYS = 50


@transaction.atomic
def api_key_create(*, owner: AbstractBaseUser, name: str, kind: str) -> tuple[ApiKey, str]:
    """A new key and its secret. The secret is returned once and only its hash is kept."""
    if kind == ApiKeyKind.INTEGRATION and not permissions.is_instructor(owner):
        raise PermissionDeniedError("Only instructors can create integration keys.")
    active = ApiKey.objects.filter(owner=owner, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_KEYS:
        raise PermissionDeniedError(
            f"You already have {active} active keys; revoke one before creating another."
        )
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        owner=owner,
        name=name.strip() or "unnamed",
        kind=kind,
        prefix=secret[: len(SECRET_PREFIX) + 6],
        key_hash=secret_hash(secret),
    )
    return api_key, secret


@transaction.atomic
def api_key_revoke(*, owner: AbstractBaseUser, api_key_id: int) -> ApiKey:
    api_key = ApiKey.objects.select_for_update().filter(pk=api_key_id, owner=owner).first()
    if api_key is None:
        raise NotFoundError("No such API key.")
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        api_key.webhooks.update(is_active=False)
    return api_key
