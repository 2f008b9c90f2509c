"""Webhook signing and sending: pure helpers, no database.

Receivers verify ``Stride-Signature: t=<unix seconds>,v1=<hex>`` where ``v1`` is
HMAC-SHA256(secret, "<t>.<raw body>"); reject a timestamp older than a few minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import requests

USER_AGENT = "Stride-Webhooks/1"
TIMEOUT_S = 5.0


def sign(*, secret: str, body: bytes, timestamp: int) -> str:
    message = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(*, secret: str, body: bytes, header: str, tolerance_s: int = 300) -> bool:
    """What a receiver does (used by our tests and documented for integrators)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance_s:
        return False
    expected = sign(secret=secret, body=body, timestamp=timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def body_for(*, event: str, event_id: str, data: dict[str, Any]) -> bytes:
    return json.dumps(
        {"id": event_id, "type": event, "data": data}, separators=(",", ":"), sort_keys=True
    ).encode()


def send(*, url: str, secret: str, event: str, event_id: str, body: bytes) -> int:
    """POST the event; returns the HTTP status. Raises ``requests.RequestException``."""
    timestamp = int(time.time())
    response = requests.post(
        url,
        data=body,
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Stride-Event": event,
            "Stride-Delivery": event_id,
            "Stride-Signature": sign(secret=secret, body=body, timestamp=timestamp),
        },
        timeout=TIMEOUT_S,
        allow_redirects=False,
    )
    return response.status_code
