"""Code submissions end to end: API -> PostgreSQL -> Redis -> a real worker -> sandbox -> grade."""

from __future__ import annotations

import time

import pytest
import redis
from django.conf import settings
from django.test import Client

from grader import services
from grader.models import CodeQuestion, GradeResult, Submission, SubmissionStatus
from grader.questions import get_template

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

GOOD = "import torch.nn as nn\nmodel = nn.Conv2d({c_in}, {c_out}, kernel_size=5, padding=2)\n"
NO_PADDING = "import torch.nn as nn\nmodel = nn.Conv2d({c_in}, {c_out}, kernel_size=5)\n"


@pytest.fixture
def question() -> CodeQuestion:
    variant = get_template("map-shape").generate(seed=1)
    return CodeQuestion.objects.create(
        slug="map-shape-1", title=variant.title, spec=variant.to_dict()
    )


def _code(template: str, question: CodeQuestion) -> str:
    _batch, c_in, _h, _w = question.variant.visible_input
    c_out = question.spec["params"].get("out_channels", 16)
    return template.format(c_in=c_in, c_out=c_out)


def wait_finished(client: Client, url: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        payload = client.get(url).json()
        if payload["status"] in ("graded", "failed"):
            return payload
        time.sleep(0.05)
    raise AssertionError(f"not graded within {timeout}s: {payload}")


def _submit(client: Client, question: CodeQuestion, code: str, kind: str = "submit"):
    return client.post(
        f"/api/v1/code-questions/{question.slug}/submissions/",
        {"code": code, "kind": kind},
        content_type="application/json",
    )


def test_a_correct_submission_is_graded_full_marks_by_the_real_worker(celery_worker, question):
    client = Client()
    response = _submit(client, question, _code(GOOD, question))
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    payload = wait_finished(client, response.json()["url"])
    result = payload["result"]
    assert payload["status"] == "graded"
    assert result["score"] == 1.0
    assert result["passed_cases"] == result["total_cases"] == 4  # example + 2 hidden + rules
    assert [case["is_visible"] for case in result["cases"]] == [True, False, False]
    assert GradeResult.objects.count() == 1


def test_a_wrong_submission_gets_partial_feedback_and_a_catalogue_hint(celery_worker, question):
    client = Client()
    response = _submit(client, question, _code(NO_PADDING, question))
    result = wait_finished(client, response.json()["url"])["result"]
    assert result["score"] == 0.25  # only the rules point
    assert result["misconception"] == "ignored_padding"
    assert "4 pixels smaller in each spatial dimension" in result["hint"]
    assert "padding 0 with a 5x5 kernel" in result["hint"]


def test_run_checks_only_the_visible_example_and_is_not_scored(celery_worker, question):
    client = Client()
    response = _submit(client, question, _code(GOOD, question), kind="run")
    result = wait_finished(client, response.json()["url"])["result"]
    assert result["is_scored"] is False
    assert len(result["cases"]) == 1
    assert result["cases"][0]["is_visible"] is True


def test_a_student_exception_is_a_grade_not_a_failure(celery_worker, question):
    client = Client()
    code = "import torch.nn as nn\n\n\nmodel = nn.Conv2d(7, 16, kernel_size=5, padding=2)\n"
    result = wait_finished(client, _submit(client, question, code).json()["url"])["result"]
    # Code that does not run earns nothing, not even the rules point.
    assert result["score"] == 0.0
    error = result["cases"][0]["error"]
    assert error["type"] == "RuntimeError"
    assert "channels" in error["message"]
    assert "raised RuntimeError" in result["summary"]
    assert result["constraints"][0]["message"] == "Could not be checked: the code did not run."


def test_grading_twice_stores_one_result(celery_worker, question):
    # Given a graded submission
    client = Client()
    url = _submit(client, question, _code(GOOD, question)).json()["url"]
    wait_finished(client, url)
    submission = Submission.objects.get()
    # when its task is delivered again (a redelivery after a worker died)
    again = services.submission_grade(submission_id=submission.pk)
    # then nothing new is stored
    assert again is None
    assert GradeResult.objects.filter(submission=submission).count() == 1


def test_identical_code_reuses_the_earlier_grade_without_running(celery_worker, question):
    client = Client()
    code = _code(GOOD, question)
    first = wait_finished(client, _submit(client, question, code).json()["url"])
    response = _submit(client, question, code)
    assert response.status_code == 202
    assert response.json()["status"] == "graded"
    assert response.json()["reused"] is True
    assert response.json()["result"]["score"] == first["result"]["score"]


def test_another_student_cannot_read_a_submission(celery_worker, question):
    owner, stranger = Client(), Client()
    url = _submit(owner, question, _code(GOOD, question)).json()["url"]
    wait_finished(owner, url)
    response = stranger.get(url)
    assert response.status_code == 404
    assert "model" not in response.content.decode()


def test_the_public_question_never_contains_the_reference(question):
    payload = Client().get(f"/api/v1/code-questions/{question.slug}/").json()
    assert "reference_code" not in payload
    assert "hidden_inputs" not in payload
    assert question.spec["reference_code"] not in str(payload)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"code": "", "kind": "submit"}, "code"),
        ({"code": "x", "kind": "grade-me"}, "kind"),
        ({"code": "a\x00b", "kind": "submit"}, "Null characters"),
    ],
)
def test_bad_requests_get_a_clear_400_and_store_nothing(question, body, message):
    response = Client().post(
        f"/api/v1/code-questions/{question.slug}/submissions/",
        body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Submission.objects.count() == 0


def test_the_rate_limit_refuses_with_a_clear_message_and_no_row(question, settings):
    settings.GRADER_SUBMISSIONS_PER_MINUTE = 2
    settings.GRADER_MAX_UNFINISHED_PER_USER = 10
    client = Client()
    for index in range(2):
        assert _submit(client, question, f"# attempt {index}\n").status_code == 202
    response = _submit(client, question, "# one too many\n")
    assert response.status_code == 429
    assert "in the last minute" in response.json()["detail"]
    assert Submission.objects.count() == 2


def test_the_cap_on_unfinished_submissions(settings):
    # A strict gpu question with no GPU worker keeps the first submission unfinished for sure:
    # on the cpu queue, a worker running in this session could grade it before the second.
    settings.GRADER_MAX_UNFINISHED_PER_USER = 1
    question = _gpu_question(allow_cpu_fallback=False)
    client = Client()
    assert _submit(client, question, "# first\n").status_code == 202
    response = _submit(client, question, "# second\n")
    assert response.status_code == 429
    assert "waiting to be graded" in response.json()["detail"]
    assert Submission.objects.count() == 1
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("gpu")


def _gpu_question(*, allow_cpu_fallback: bool) -> CodeQuestion:
    spec = get_template("map-shape").generate(seed=2).to_dict()
    spec["device"] = "gpu"
    spec["allow_cpu_fallback"] = allow_cpu_fallback
    slug = f"gpu-{'fallback' if allow_cpu_fallback else 'strict'}"
    return CodeQuestion.objects.create(slug=slug, title="GPU question", spec=spec)


def test_a_gpu_question_without_gpu_workers_falls_back_to_cpu_when_allowed(celery_worker):
    question = _gpu_question(allow_cpu_fallback=True)
    client = Client()
    response = _submit(client, question, _code(GOOD, question))
    assert response.json()["status"] == "queued"
    assert "No GPU worker is online" in response.json()["status_message"]
    submission = Submission.objects.get()
    assert (submission.queue, submission.device) == ("cpu", "cpu")
    assert wait_finished(client, response.json()["url"])["status"] == "graded"


def test_a_strict_gpu_question_waits_for_a_gpu_worker_instead_of_running_on_cpu(celery_worker):
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    waiting_before = broker.llen("gpu")
    question = _gpu_question(allow_cpu_fallback=False)
    client = Client()
    response = _submit(client, question, _code(GOOD, question))
    payload = response.json()
    assert payload["status"] == SubmissionStatus.WAITING_FOR_GPU
    assert "Waiting for a GPU worker" in payload["status_message"]
    time.sleep(1.0)  # the cpu worker must not take it
    assert Submission.objects.get().status == SubmissionStatus.WAITING_FOR_GPU
    assert broker.llen("gpu") == waiting_before + 1
    broker.delete("gpu")
