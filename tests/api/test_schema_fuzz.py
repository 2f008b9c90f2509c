"""Property-based fuzzing of our own OpenAPI schema (schemathesis, in-process over WSGI).

Every operation gets a bounded number of generated requests: none may answer 5xx, and every
response must match the schema (status code, content type and body), errors included.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import api_key_create

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 25


@pytest.mark.parametrize("caller", ["anonymous", "student token"])
@override_settings(API_THROTTLE_RATES={"anon": "100000/min", "user": "100000/min"})
def test_no_server_error_and_every_response_matches_the_schema(
    template, code_question, student, caller
):
    # As nobody, and as a student whose script sends a bearer token (reaching past the 401s)
    headers: dict[str, str] = {}
    if caller == "student token":
        _key, secret = api_key_create(owner=student, name="fuzz", kind="token")
        headers["Authorization"] = f"Bearer {secret}"
    # Like Django's test client: requests must not close the test's database connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    # Given the schema Stride serves, loaded through the real WSGI application
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case) -> None:  # noqa: ANN001
            # Runs and submits are rolled back with the test, so nothing reaches a worker.
            case.call_and_validate(checks=CHECKS, headers=headers)

        try:
            fuzz()
        except Exception as failure:  # noqa: BLE001 - schemathesis raises groups; report all
            failures.append(f"{operation.label}: {failure}")
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
    # then nothing failed
    assert failures == []
