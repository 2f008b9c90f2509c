"""Request rate limits per user (or per client address when anonymous).

Rates come from ``settings.API_THROTTLE_RATES`` at request time, so deployments tune them with
environment variables and tests can override them.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _SettingsRate:
    scope: str

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATES.get(self.scope)


class ApiAnonThrottle(_SettingsRate, AnonRateThrottle):
    scope = "anon"


class ApiUserThrottle(_SettingsRate, UserRateThrottle):
    scope = "user"
