"""What a caller may see of a row. Pure functions over loaded rows; no queries.

Students get the question, never its key: no answer, no worked solution, no distractor
diagnosis, no parameters, no reference code, no hidden input ranges.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from quizzes.misconceptions import get_misconception
from quizzes.models import Attempt, Variant


def variant_public(variant: Variant) -> dict[str, Any]:
    generated = variant.generated
    return {
        "id": variant.pk,
        "template": variant.template.slug,
        "topic": variant.template.topic.slug,
        "family": generated.family,
        "seed": variant.seed,
        "difficulty": variant.difficulty,
        "prompt": generated.prompt,
        "answer_format": generated.answer_format,
        "choices": [{"label": c.label, "text": c.text} for c in generated.choices],
        "hints": list(generated.hints),
        "attempts_url": reverse("api:variant-attempts", args=[variant.pk]),
    }


def attempt_public(attempt: Attempt) -> dict[str, Any]:
    entry = get_misconception(attempt.misconception) if attempt.misconception else None
    return {
        "id": attempt.pk,
        "variant": attempt.variant_id,
        "template": attempt.variant.template.slug,
        "answer": attempt.raw_answer,
        "normalized_answer": attempt.normalized_answer,
        "is_correct": attempt.is_correct,
        "is_readable": attempt.is_readable,
        "misconception": {"id": entry.id, "title": entry.title, "explanation": entry.explanation}
        if entry
        else None,
        "feedback": attempt.feedback,
        "time_taken_ms": attempt.time_taken_ms,
        "created_at": attempt.created_at,
    }


def api_key_public(api_key: Any, secret: str | None = None) -> dict[str, Any]:
    payload = {
        "id": api_key.pk,
        "name": api_key.name,
        "kind": api_key.kind,
        "prefix": api_key.prefix,
        "created_at": api_key.created_at,
        "last_used_at": api_key.last_used_at,
        "revoked_at": api_key.revoked_at,
        "is_active": api_key.is_active,
    }
    if secret is not None:
        payload["secret"] = secret
    return payload


def webhook_public(subscription: Any, secret: str | None = None) -> dict[str, Any]:
    payload = {
        "id": subscription.pk,
        "url": subscription.url,
        "events": list(subscription.events),
        "is_active": subscription.is_active,
        "created_at": subscription.created_at,
    }
    if secret is not None:
        payload["secret"] = secret
    return payload


def delivery_public(delivery: Any) -> dict[str, Any]:
    """One delivery with every try (``tries`` prefetched). The payload stays server-side."""
    return {
        "id": delivery.pk,
        "event": delivery.event,
        "event_id": delivery.event_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
        "delivered_at": delivery.delivered_at,
        "tries": [
            {
                "number": attempt.number,
                "status_code": attempt.status_code,
                "error": attempt.error,
                "duration_ms": attempt.duration_ms,
                "next_retry_in_s": attempt.next_retry_in_s,
                "created_at": attempt.created_at,
            }
            for attempt in delivery.tries.all()
        ],
    }
