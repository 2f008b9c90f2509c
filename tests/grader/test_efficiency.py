"""What one submission costs the database: the queries of the web request and of the worker,
and a worker that keeps its connection between tasks yet recovers when PostgreSQL cuts it."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grader import services
from grader.models import CodeQuestion, GradeResult, Submission, SubmissionStatus
from grader.questions import get_template
from grader.tasks import grade_submission_task
from tests.grader.conftest import WorkerProcess

GOOD = "import torch.nn as nn\nmodel = nn.Conv2d({c_in}, {c_out}, kernel_size=5, padding=2)\n"


def _question(slug: str) -> CodeQuestion:
    variant = get_template("map-shape").generate(seed=1)
    return CodeQuestion.objects.create(slug=slug, title=variant.title, spec=variant.to_dict())


def _good_code(question: CodeQuestion, index: int = 0) -> str:
    _batch, c_in, _h, _w = question.variant.visible_input
    c_out = question.spec["params"].get("out_channels", 16)
    return GOOD.format(c_in=c_in, c_out=c_out) + f"# {index}\n"


def _statements(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"].split(None, 1)[0].upper() for query in queries.captured_queries]


@pytest.mark.django_db
def test_creating_a_submission_reads_the_owners_history_once_and_inserts_once():
    # Given a question and an anonymous session with an earlier, different submission
    question = _question("efficiency-create")
    services.submission_create(
        question=question, code=_good_code(question, 1), kind="run", user=None, session_key="s1"
    )
    # when another one is created
    with CaptureQueriesContext(connection) as queries:
        submission = services.submission_create(
            question=question, code=_good_code(question, 2), kind="run", user=None, session_key="s1"
        )
    # then limits and reuse come from one read, and the row from one insert (in a savepoint: the
    # test's own transaction wraps it)
    assert _statements(queries) == ["SAVEPOINT", "SELECT", "INSERT", "RELEASE"]
    assert "SUM(CASE WHEN created_at" in queries.captured_queries[1]["sql"]
    assert submission.status == SubmissionStatus.QUEUED


@pytest.mark.django_db
def test_identical_code_is_reused_from_the_same_single_read():
    # Given a graded submission
    question = _question("efficiency-reuse")
    code = _good_code(question)
    earlier = services.submission_create(
        question=question, code=code, kind="run", user=None, session_key="s1"
    )
    Submission.objects.filter(pk=earlier.pk).update(status=SubmissionStatus.GRADED)
    GradeResult.objects.create(
        submission=earlier, score=1.0, passed_cases=1, total_cases=1, sandbox_status="ok"
    )
    # when the same code comes again
    with CaptureQueriesContext(connection) as queries:
        again = services.submission_create(
            question=question, code=code, kind="run", user=None, session_key="s1"
        )
    # then the history read finds it, and its grade is copied without queueing anything
    assert _statements(queries) == ["SAVEPOINT", "SELECT", "SELECT", "INSERT", "INSERT", "RELEASE"]
    assert again.reused_from_id == earlier.pk
    assert again.status == SubmissionStatus.GRADED
    assert again.result.score == 1.0


@pytest.mark.integration
@pytest.mark.django_db
def test_grading_claims_with_one_update_and_stores_in_one_transaction():
    # Given a queued submission
    question = _question("efficiency-grade")
    submission = services.submission_create(
        question=question, code=_good_code(question), kind="run", user=None, session_key="s1"
    )
    # when the worker's service grades it (the real sandbox runs the code)
    with CaptureQueriesContext(connection) as queries:
        result = services.submission_grade(submission_id=submission.pk)
    # then: claim (a conditional UPDATE that returns the row), one read of the question's spec,
    # and the result with the status change in one transaction; no locking read, no reload; all
    # of it committed without waiting for the disk, and the session put back afterwards
    assert _statements(queries) == [
        "SET",
        "UPDATE",
        "SELECT",
        "SAVEPOINT",
        "UPDATE",
        "INSERT",
        "RELEASE",
        "RESET",
    ]
    assert queries.captured_queries[0]["sql"] == "SET synchronous_commit TO off"
    assert result is not None
    assert result.score == 1.0
    submission.refresh_from_db()
    assert (submission.status, submission.task_attempts) == (SubmissionStatus.GRADED, 1)
    assert submission.started_at is not None
    assert submission.started_at <= submission.finished_at
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
    # and a redelivery stores nothing and costs one UPDATE that matches no row
    with CaptureQueriesContext(connection) as queries:
        assert services.submission_grade(submission_id=submission.pk) is None
    assert _statements(queries) == ["SET", "UPDATE", "RESET"]
    assert GradeResult.objects.filter(submission=submission).count() == 1


def _sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def _wait_graded(submission_id: int, timeout: float, worker: WorkerProcess) -> Submission:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submission = Submission.objects.get(pk=submission_id)
        if submission.status == SubmissionStatus.GRADED:
            return submission
        time.sleep(0.1)
    raise AssertionError(f"submission {submission_id} not graded; log:\n{worker.log()}")


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_connection_between_tasks_and_reconnects_after_a_cut(tmp_path):
    # Given a worker with persistent connections that has graded one submission
    question = _question("efficiency-connection")
    worker = WorkerProcess("conn", "f-conn", tmp_path / "worker.log", TEST_CONN_MAX_AGE="600")
    # Rows only: submission_create would also queue them on "cpu", for another worker to take.
    submissions = [
        Submission.objects.create(
            question=question,
            session_key=f"conn-{index}",
            kind="run",
            code=_good_code(question, index),
            code_sha256=f"{index:064d}",
            input_shapes=[list(question.variant.visible_input)],
            queue="f-conn",
        )
        for index in range(8)
    ]
    try:
        worker.wait_ready()
        grade_submission_task.apply_async(args=[submissions[0].pk], queue="f-conn")
        _wait_graded(submissions[0].pk, 90, worker)
        sessions_before = _sessions()
        # when it grades six more, one after the other
        for submission in submissions[1:7]:
            grade_submission_task.apply_async(args=[submission.pk], queue="f-conn")
            _wait_graded(submission.pk, 30, worker)
        # then it did not open a session per task (that would be 6). PostgreSQL may count the
        # first task's session late, and the second pool process may connect for the first time.
        assert _sessions() - sessions_before <= 2
        # and when PostgreSQL drops its connections (a restart), the next grade still lands
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        grade_submission_task.apply_async(args=[submissions[7].pk], queue="f-conn")
        graded = _wait_graded(submissions[7].pk, 60, worker)
    finally:
        worker.stop()
    assert graded.result.score == 1.0
    assert GradeResult.objects.filter(submission__question=question).count() == 8
