"""Credentials, and every endpoint tried as the wrong user: nobody sees another's work, and no
student ever sees an answer key or a reference solution."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from api.models import ApiKey
from grader import services as grader_services
from quizzes import services as quiz_services
from tests.api.conftest import login

pytestmark = pytest.mark.django_db

SECRET_FIELDS = {
    "answer_display",
    "solution_steps",
    "wrong_answers",
    "is_correct_choice",
    "reference_code",
    "hidden_inputs",
    "params",
    "key_hash",
    "spec",
}


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_a_token_authenticates_a_script_until_revoked_and_only_its_hash_is_kept(api, student):
    # Given a token created from the student's browser session
    login(api, student)
    created = api.post("/api/v1/api-keys/", {"name": "laptop"}, format="json")
    assert created.status_code == 201
    secret = created.json()["secret"]
    key = ApiKey.objects.get()
    assert secret.startswith("stride_")
    assert secret not in json.dumps(list(ApiKey.objects.values()), default=str)
    assert key.prefix == secret[:13]
    # when a script uses it
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    listed = script.get("/api/v1/api-keys/")
    # then it acts as the student, and never sees the secret again
    assert listed.status_code == 200
    assert [k["name"] for k in listed.json()] == ["laptop"]
    assert "secret" not in listed.json()[0]
    # when it is revoked, then the script is refused
    assert api.delete(f"/api/v1/api-keys/{key.pk}/").status_code == 204
    refused = script.get("/api/v1/api-keys/")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "This API key is not valid or was revoked."


def test_only_instructors_create_integration_keys(api, student, staff_instructor):
    login(api, student)
    refused = api.post("/api/v1/api-keys/", {"name": "lms", "kind": "integration"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only instructors can create integration keys."
    assert ApiKey.objects.count() == 0
    login(api, staff_instructor)
    created = api.post("/api/v1/api-keys/", {"name": "lms", "kind": "integration"}, format="json")
    assert created.status_code == 201
    assert created.json()["kind"] == "integration"


def test_nobody_revokes_another_users_key(api, student, other_student):
    login(api, student)
    key_id = api.post("/api/v1/api-keys/", {"name": "mine"}, format="json").json()["id"]
    login(api, other_student)
    assert api.delete(f"/api/v1/api-keys/{key_id}/").status_code == 404
    assert ApiKey.objects.get(pk=key_id).revoked_at is None


def test_another_student_or_anonymous_cannot_read_an_attempt_or_a_submission(
    api, student, other_student, template, code_question
):
    # Given a student's attempt and submission
    variant = quiz_services.variant_get_or_create(template=template, seed=5)
    attempt = quiz_services.attempt_create(variant=variant, raw_answer="3", user=student).attempt
    submission = grader_services.submission_create(
        question=code_question, code="model = None\n", kind="run", user=student
    )
    urls = [f"/api/v1/attempts/{attempt.pk}/", f"/api/v1/submissions/{submission.pk}/"]
    # when someone else asks for them
    for client in (APIClient(), login(APIClient(), other_student)):
        for url in urls:
            response = client.get(url)
            # then they do not exist for them
            assert response.status_code == 404, url
            assert response["Content-Type"] == "application/problem+json"
        assert client.get("/api/v1/attempts/").json()["count"] == 0
        assert client.get("/api/v1/submissions/").json()["count"] == 0
    # and the owner sees both
    login(api, student)
    assert [api.get(url).status_code for url in urls] == [200, 200]


def test_no_endpoint_shows_a_student_an_answer_key_or_a_reference(
    api, student, template, code_question
):
    # Given a student practising through every student endpoint
    login(api, student)
    variant = api.post(
        "/api/v1/templates/conv-output-medium/variants/", {"seed": 11}, format="json"
    ).json()
    bodies = [
        variant,
        api.get(f"/api/v1/variants/{variant['id']}/").json(),
        api.post(
            f"/api/v1/variants/{variant['id']}/attempts/", {"answer": "1"}, format="json"
        ).json(),
        api.get("/api/v1/attempts/").json(),
        api.get("/api/v1/topics/").json(),
        api.get("/api/v1/templates/").json(),
        api.get("/api/v1/templates/conv-output-medium/").json(),
        api.get("/api/v1/code-questions/").json(),
        api.get(f"/api/v1/code-questions/{code_question.slug}/").json(),
        api.get("/api/schema/?format=json").json(),
    ]
    text = json.dumps(bodies)
    # then no secret field appears anywhere, nor the reference code itself
    assert _keys(bodies[:-1]) & SECRET_FIELDS == set()
    assert code_question.spec["reference_code"].strip() not in text
    assert all(set(choice) == {"label", "text"} for choice in variant["choices"])


def test_a_course_instructor_creates_an_integration_key(api):
    from courses import services as course_services
    from tests.factories import InstructorFactory

    teacher = InstructorFactory(username="turing")
    course_services.course_create(user=teacher, title="Vision 101")
    login(api, teacher)
    created = api.post(
        "/api/v1/api-keys/", {"name": "canvas", "kind": "integration"}, format="json"
    )
    assert created.status_code == 201
    assert ApiKey.objects.get().kind == "integration"
