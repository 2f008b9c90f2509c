"""Bearer credentials for scripts and integrations: ``Authorization: Bearer stride_...``."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api import selectors


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """A personal token or an integration key; the request acts as the key's owner.

    Listed first so that an anonymous request to a protected endpoint gets 401 with
    ``WWW-Authenticate: Bearer`` (session users authenticate through the next class).
    """

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in (b"bearer", b"token"):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send exactly one credential: 'Bearer <key>'.")
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("This API key is not valid.") from None
        api_key = selectors.api_key_for_secret(secret=secret)
        if api_key is None or not api_key.owner.is_active:
            raise exceptions.AuthenticationFailed("This API key is not valid or was revoked.")
        now = timezone.now()
        if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
            type(api_key).objects.filter(pk=api_key.pk).update(last_used_at=now)
        return api_key.owner, api_key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
