"""One error format for the whole API: RFC 9457 problem details, whoever raised the error."""

from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def test_an_unknown_api_address_is_a_404_problem(api):
    # Given nothing at this address / when it is requested
    response = api.get("/api/v1/no-such-thing/?x=1")
    # then the 404 is a problem document
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "/api/problems/not_found",
        "title": "Not Found",
        "status": 404,
        "detail": "There is nothing at this address.",
        "instance": "/api/v1/no-such-thing/?x=1",
        "code": "not_found",
    }


def test_a_missing_object_is_a_404_problem_with_the_services_message(api, template):
    response = api.post("/api/v1/templates/nope/variants/", {}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == "No published template 'nope'."
    assert response.json()["instance"] == "/api/v1/templates/nope/variants/"


def test_a_wrong_method_is_a_405_problem_with_allow(api, template):
    response = api.delete("/api/v1/templates/")
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    body = response.json()
    assert (body["code"], body["status"], body["title"]) == (
        "method_not_allowed",
        405,
        "Method Not Allowed",
    )


def test_invalid_input_is_a_400_problem_with_field_errors(api, template):
    response = api.post(
        "/api/v1/templates/conv-output-medium/variants/",
        {"seed": -1, "difficulty": "impossible"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["type"] == "/api/problems/invalid"
    assert body["errors"] == {
        "seed": ["Ensure this value is greater than or equal to 0."],
        "difficulty": ['"impossible" is not a valid choice.'],
    }


def test_an_anonymous_call_to_a_protected_endpoint_is_a_401_problem(api):
    response = api.get("/api/v1/api-keys/")
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["code"] == "not_authenticated"


def test_a_bad_bearer_key_is_a_401_problem(api):
    response = api.get("/api/v1/topics/", HTTP_AUTHORIZATION="Bearer stride_forged")
    assert response.status_code == 401
    assert response.json()["detail"] == "This API key is not valid or was revoked."


def test_a_session_post_without_csrf_is_a_403_problem(student, template):
    # Given a browser session (CSRF enforced) and no CSRF token
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(student)
    response = client.post("/api/v1/api-keys/", {"name": "laptop"}, format="json")
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "permission_denied"
    assert "CSRF" in response.json()["detail"]


@override_settings(API_THROTTLE_RATES={"anon": "3/min", "user": "3/min"})
def test_too_many_requests_is_a_429_problem_with_retry_after(api, template):
    from django.core.cache import cache

    cache.clear()
    statuses = [api.get("/api/v1/topics/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/v1/topics/")
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0
    cache.clear()


@override_settings(CORS_ALLOWED_ORIGINS=["https://lms.example.edu"])
def test_cors_allows_the_configured_lms_origin_only(api, template):
    allowed = api.get("/api/v1/topics/", HTTP_ORIGIN="https://lms.example.edu")
    other = api.get("/api/v1/topics/", HTTP_ORIGIN="https://evil.example.com")
    assert allowed["Access-Control-Allow-Origin"] == "https://lms.example.edu"
    assert "Access-Control-Allow-Origin" not in other
