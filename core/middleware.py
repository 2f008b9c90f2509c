"""Turn a database outage into a clear 503 instead of a 500 stack trace, and keep every API
error in one format (RFC 9457 problem details, see core.exceptions)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from core.exceptions import (
    PROBLEM_CONTENT_TYPE,
    SERVICE_UNAVAILABLE_MESSAGE,
    problem_json_response,
)

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# Pages served under /api/ that are not API endpoints (the docs); their errors stay HTML.
_NOT_API = ("/api/docs/", "/api/redoc/")


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX) and not request.path.startswith(_NOT_API)


def _detail_of(response: HttpResponse) -> str | None:
    if not response.get("Content-Type", "").startswith("application/json"):
        return None
    try:
        data = json.loads(response.content)
    except ValueError:
        return None
    detail = data.get("detail") if isinstance(data, dict) else None
    return str(detail) if detail else None


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api_request(request)
            and not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
            and not getattr(response, "streaming", False)
        ):
            # Django's own errors (an unknown URL, a CSRF failure, a 500) in the API's format.
            problem = problem_json_response(
                request, status_code=response.status_code, detail=_detail_of(response)
            )
            for header in ("Retry-After", "Allow", "WWW-Authenticate"):
                if header in response:
                    problem[header] = response[header]
            return problem
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if is_api_request(request):
            response: HttpResponse = problem_json_response(
                request,
                status_code=503,
                detail=SERVICE_UNAVAILABLE_MESSAGE,
                code="service_unavailable",
            )
        else:
            response = HttpResponse(
                "<!doctype html><title>Stride is briefly unavailable</title>"
                f"<h1>Briefly unavailable</h1><p>{SERVICE_UNAVAILABLE_MESSAGE}</p>",
                status=503,
            )
        response["Retry-After"] = "5"
        return response
