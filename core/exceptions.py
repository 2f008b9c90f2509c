"""Domain errors and their one mapping to HTTP (STYLE: map ApplicationError once).

Every API error, whoever raises it (a service, DRF, Django's URL resolver, the database going
away), leaves as an RFC 9457 problem document (``application/problem+json``)::

    {"type": "/api/problems/not_found", "title": "Not found", "status": 404,
     "detail": "No such submission.", "instance": "/api/v1/submissions/7/", "code": "not_found"}

plus ``errors`` (field -> list of messages) for a request that failed validation. ``code`` is the
stable machine-readable name; ``type`` is a URI reference naming the same problem.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "/api/problems/"


class ApplicationError(Exception):
    """A rule of the domain said no. ``message`` is safe to show to the user."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class NotFoundError(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"


class PermissionDeniedError(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "permission_denied"


class RateLimitedError(ApplicationError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "rate_limited"


class ConflictError(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


SERVICE_UNAVAILABLE_MESSAGE = (
    "Stride's database is unavailable right now. Nothing was saved; please try again in a moment."
)

# Stable codes for the HTTP errors that do not come from a domain rule.
_CODES_BY_STATUS = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "server_error",
    503: "service_unavailable",
}
_DEFAULT_DETAILS = {
    404: "There is nothing at this address.",
    405: "This method is not allowed here.",
    500: "Something went wrong on Stride's side. It has been logged.",
}


def problem(
    *,
    status_code: int,
    detail: str,
    instance: str = "",
    code: str | None = None,
    errors: dict[str, list[str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The problem document for one error (the body only; see ``problem_response``)."""
    code = code or _CODES_BY_STATUS.get(status_code, "error")
    try:
        title = HTTPStatus(status_code).phrase
    except ValueError:
        title = "Error"
    body: dict[str, Any] = {
        "type": f"{PROBLEM_TYPE_PREFIX}{code}",
        "title": title,
        "status": status_code,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    if extra:
        body.update({key: value for key, value in extra.items() if key not in body})
    return body


def problem_json_response(
    request: HttpRequest, *, status_code: int, detail: str | None = None, **kwargs: Any
) -> JsonResponse:
    """A plain Django response in the problem format (middleware, URL-level 404s)."""
    body = problem(
        status_code=status_code,
        detail=detail or _DEFAULT_DETAILS.get(status_code, HTTPStatus(status_code).phrase),
        instance=request.get_full_path(),
        **kwargs,
    )
    return JsonResponse(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def _field_errors(data: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation errors flattened to ``{"field.sub": ["message", ...]}``."""
    if isinstance(data, dict):
        flat: dict[str, list[str]] = {}
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_field_errors(value, name))
        return flat
    if isinstance(data, list) and data and all(isinstance(item, str) for item in data):
        return {prefix or "non_field_errors": [str(item) for item in data]}
    if isinstance(data, list):
        flat = {}
        for index, value in enumerate(data):
            flat.update(_field_errors(value, f"{prefix}[{index}]" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(data)]}


def _instance(context: dict[str, Any]) -> str:
    request = context.get("request")
    return request.get_full_path() if request is not None else ""


def _response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(body, status=body["status"], headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    instance = _instance(context)
    if isinstance(exc, ApplicationError):
        body = problem(
            status_code=exc.status_code,
            detail=exc.message,
            instance=instance,
            code=exc.code,
            extra=exc.extra,
        )
        headers = {"Retry-After": "60"} if exc.status_code == 429 else None
        return _response(body, headers)
    if isinstance(exc, OperationalError | InterfaceError):
        logger.warning("database unavailable: %s", exc, exc_info=exc)
        body = problem(
            status_code=503,
            detail=SERVICE_UNAVAILABLE_MESSAGE,
            instance=instance,
            code="service_unavailable",
        )
        return _response(body, {"Retry-After": "5"})
    if isinstance(exc, DatabaseError):
        raise exc
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    if not isinstance(exc, drf_exceptions.APIException):
        return None  # a bug: Django's 500 handling, turned into a problem by the middleware
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    status_code = exc.status_code
    if isinstance(exc, drf_exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        body = problem(
            status_code=status_code,
            detail="The request is not valid: see errors.",
            instance=instance,
            code="invalid",
            errors=errors,
        )
    else:
        code = _CODES_BY_STATUS.get(status_code) or str(exc.default_code)
        if status_code == 429:
            code = "rate_limited"
        body = problem(
            status_code=status_code, detail=str(exc.detail), instance=instance, code=code
        )
    return _response(body, headers or None)
