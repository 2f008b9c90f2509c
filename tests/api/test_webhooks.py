"""Webhooks: subscribe and unsubscribe (owner-only), and real deliveries to a loopback receiver
through a real Celery worker: signed, retried with exponential backoff, every try logged."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api import webhooks
from api.models import WebhookDelivery, WebhookSubscription
from courses import services as course_services
from courses.models import Role
from grader import services as grader_services
from grader.models import CodeQuestion, GradeResult, Submission, SubmissionStatus
from grader.questions import get_template
from tests.api.conftest import login
from tests.factories import CourseFactory, MembershipFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- a real receiver on loopback ----------------------------------------------------------------


class Receiver:
    """A threaded HTTP server that answers with scripted statuses and checks each signature."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.secret = ""
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.requests.append(
                        {
                            "at": time.monotonic(),
                            "headers": dict(self.headers),
                            "body": json.loads(body),
                            "verified": webhooks.verify(
                                secret=receiver.secret,
                                body=body,
                                header=self.headers.get("Stride-Signature", ""),
                            ),
                            "status": status,
                        }
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/stride"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.05)
        raise AssertionError(f"{len(self.requests)} of {count} deliveries arrived: {self.requests}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


# --- a course with a formula assignment ---------------------------------------------------------


@pytest.fixture
def course_setup(db):  # noqa: ANN001, ANN201
    course = CourseFactory(title="Vision 101")
    teacher = UserFactory(username="turing")
    pupil = UserFactory(username="lovelace")
    MembershipFactory(course=course, user=teacher, role=Role.INSTRUCTOR)
    MembershipFactory(course=course, user=pupil, role=Role.STUDENT)
    topic = TopicFactory(slug="conv-output-size", title="Conv2d output size")
    authored = course_services.template_author(
        course=course,
        user=teacher,
        data=course_services.TemplateInput(
            title="Output shape",
            topic=topic,
            family="conv_output",
            difficulty="easy",
            config={"kernel_size": [3, 5], "input_size": [16, 32]},
        ),
    )
    assert course_services.question_publish(question=authored, user=teacher).is_valid
    now = timezone.now()
    assignment = course_services.assignment_create(
        course=course,
        user=teacher,
        title="Week 1",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        items=[course_services.ItemInput(question=authored, count=2, difficulty="easy")],
        attempts_allowed=2,
        publish=True,
    )
    return course, teacher, pupil, assignment


def _integration(teacher) -> tuple[APIClient, str]:  # noqa: ANN001
    """The instructor's integration key, and a client that sends it as a bearer token."""
    browser = login(APIClient(), teacher)
    created = browser.post(
        "/api/v1/api-keys/", {"name": "canvas", "kind": "integration"}, format="json"
    )
    assert created.status_code == 201, created.json()
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Bearer {created.json()['secret']}")
    return script, created.json()["secret"]


def _subscribe(script: APIClient, url: str, events: list[str]) -> dict:
    response = script.post("/api/v1/webhooks/", {"url": url, "events": events}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


# --- endpoints, and the wrong users -------------------------------------------------------------


def test_an_integration_subscribes_lists_reads_its_log_and_unsubscribes(course_setup):
    _course, teacher, _pupil, _assignment = course_setup
    script, _ = _integration(teacher)
    hook = _subscribe(script, "https://lms.example/hooks", ["assignment.completed"])
    assert len(hook["secret"]) == 64
    listed = script.get("/api/v1/webhooks/").json()
    assert [(h["id"], h["events"]) for h in listed] == [(hook["id"], ["assignment.completed"])]
    assert "secret" not in listed[0]
    log = script.get(f"/api/v1/webhooks/{hook['id']}/deliveries/").json()
    assert (log["count"], log["results"]) == (0, [])
    assert script.delete(f"/api/v1/webhooks/{hook['id']}/").status_code == 204
    assert script.get("/api/v1/webhooks/").json() == []
    assert not WebhookSubscription.objects.exists()


def test_webhooks_are_the_owners_alone(course_setup):
    _course, teacher, pupil, _assignment = course_setup
    script, _ = _integration(teacher)
    hook = _subscribe(script, "https://lms.example/hooks", ["submission.graded"])
    other_teacher = UserFactory(username="hopper")
    MembershipFactory(course=CourseFactory(title="B"), user=other_teacher, role=Role.INSTRUCTOR)
    other_script, _ = _integration(other_teacher)
    callers = {
        "anonymous": APIClient(),
        "student": login(APIClient(), pupil),
        "another course's instructor": other_script,
    }
    base = f"/api/v1/webhooks/{hook['id']}/"
    seen = {
        name: (
            client.get(base).status_code,
            client.get(base + "deliveries/").status_code,
            client.delete(base).status_code,
            [h["id"] for h in client.get("/api/v1/webhooks/").json()]
            if name != "anonymous"
            else client.get("/api/v1/webhooks/").status_code,
        )
        for name, client in callers.items()
    }
    assert seen == {
        "anonymous": (401, 401, 401, 401),
        "student": (404, 404, 404, []),
        "another course's instructor": (404, 404, 404, []),
    }
    # a student cannot subscribe (no integration key, not an instructor)
    refused = login(APIClient(), pupil).post(
        "/api/v1/webhooks/", {"url": "https://x.example/", "events": ["submission.graded"]}
    )
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert WebhookSubscription.objects.filter(pk=hook["id"], is_active=True).exists()


# --- real deliveries through a real worker ------------------------------------------------------


def _answer_every_slot(assignment, pupil) -> None:  # noqa: ANN001
    item = assignment.items.get()
    for slot in range(item.count):
        variant = course_services.student_variant(student_id=pupil.pk, item=item, slot=slot)
        course_services.assignment_answer(
            student=pupil, item=item, slot=slot, raw_answer=variant.generated.answer.display
        )


@pytest.mark.django_db(transaction=True)
def test_assignment_completed_arrives_signed_once_every_slot_is_answered(
    celery_worker, receiver, course_setup
):
    _course, teacher, pupil, assignment = course_setup
    script, _ = _integration(teacher)
    hook = _subscribe(script, receiver.url, ["assignment.completed"])
    receiver.secret = hook["secret"]
    # When the student answers the first slot, nothing is complete yet
    item = assignment.items.get()
    first = course_services.student_variant(student_id=pupil.pk, item=item, slot=0)
    course_services.assignment_answer(
        student=pupil, item=item, slot=0, raw_answer=first.generated.answer.display
    )
    assert not WebhookDelivery.objects.exists()
    # and when the last slot is answered, one signed event arrives
    _answer_every_slot(assignment, pupil)
    [request] = receiver.wait_for(1)
    assert request["verified"] is True
    assert request["headers"]["Stride-Event"] == "assignment.completed"
    assert request["body"]["type"] == "assignment.completed"
    assert request["body"]["data"] == {
        "assignment": assignment.pk,
        "title": "Week 1",
        "course": assignment.course_id,
        "user": "lovelace",
        "score": 1.0,
        "slots": 2,
    }
    # and a forged signature would not verify
    assert not webhooks.verify(
        secret="not-the-secret", body=b"{}", header=request["headers"]["Stride-Signature"]
    )
    log = _wait_log(script, hook["id"], "delivered")
    assert [t["status_code"] for t in log["tries"]] == [200]


def _wait_log(script: APIClient, hook_id: int, status: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        results = script.get(f"/api/v1/webhooks/{hook_id}/deliveries/").json()["results"]
        if results and results[0]["status"] == status:
            return results[0]
        time.sleep(0.05)
    raise AssertionError(f"delivery never became {status}: {results}")


def _graded_earlier(pupil, question: CodeQuestion, code: str) -> Submission:  # noqa: ANN001
    earlier = Submission.objects.create(
        question=question,
        user=pupil,
        kind="submit",
        code=code,
        code_sha256=hashlib.sha256(code.encode()).hexdigest(),
        status=SubmissionStatus.GRADED,
        input_shapes=[],
        reference_version=question.reference_version,
        finished_at=timezone.now(),
    )
    GradeResult.objects.create(
        submission=earlier, score=0.5, passed_cases=2, total_cases=4, sandbox_status="ok"
    )
    return earlier


@pytest.mark.django_db(transaction=True)
def test_a_reused_grade_fires_submission_graded_and_a_500_is_retried_with_backoff(
    celery_worker, receiver, course_setup
):
    _course, teacher, pupil, _assignment = course_setup
    variant = get_template("map-shape").generate(seed=1)
    question = CodeQuestion.objects.create(slug="map-shape-1", title="Map", spec=variant.to_dict())
    script, _ = _integration(teacher)
    hook = _subscribe(script, receiver.url, ["submission.graded"])
    receiver.secret = hook["secret"]
    receiver.statuses = [500, 500]  # then 200
    code = "import torch.nn as nn\nmodel = nn.Identity()\n"
    _graded_earlier(pupil, question, code)
    # When the student submits the same code again: no worker task, the earlier grade is reused
    reused = grader_services.submission_create(
        question=question, code=code, kind="submit", user=pupil
    )
    assert reused.reused_from_id is not None
    # then the receiver is called three times: 500, 500 (retried after ~1 s, then ~2 s), 200
    tries = receiver.wait_for(3, timeout=40)
    assert [t["status"] for t in tries] == [500, 500, 200]
    assert all(t["verified"] for t in tries)
    assert {t["body"]["id"] for t in tries} == {f"submission-{reused.pk}"}
    assert tries[0]["body"]["data"]["score"] == 0.5
    first_gap, second_gap = tries[1]["at"] - tries[0]["at"], tries[2]["at"] - tries[1]["at"]
    assert 0.9 <= first_gap < 10, first_gap
    assert second_gap >= 1.8, (first_gap, second_gap)
    assert second_gap > first_gap * 1.5, (first_gap, second_gap)
    # and the delivery log shows each try
    entry = _wait_log(script, hook["id"], "delivered")
    assert entry["attempts"] == 3
    assert [(t["number"], t["status_code"]) for t in entry["tries"]] == [
        (1, 500),
        (2, 500),
        (3, 200),
    ]
    assert [t["next_retry_in_s"] for t in entry["tries"]] == [1.0, 2.0, None]
    assert entry["tries"][0]["error"] == "HTTP 500"
