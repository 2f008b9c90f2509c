"""Server-side latency of every student page and of answer checking, on real PostgreSQL.

Targets: issue 2, p50 at most 15 ms for the practice page and for checking an answer; issue 5,
p50 at most 20 ms for every student page (catalogue, session, question with its feedback, diagram
and formula, progress, history, code questions, a course's assignment, accounts). Requests go
through Django's full middleware stack in-process (server time, no network), against a scratch
database ``stride_bench`` on the PostgreSQL at $BENCH_DATABASE_URL (default: local, user postgres).
Baseline measured in the same run: ``/healthz``, a view that does one ``SELECT 1``.

    python -m benchmarks.web_latency [--requests 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test import Client

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stride_bench"
)
TARGET_MS = 15.0
PAGE_TARGET_MS = 20.0


def _prepare_environment() -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import psycopg  # noqa: PLC0415 - before Django, to create the scratch database

    name = DATABASE_URL.rsplit("/", 1)[1]
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def _timed(function: Callable[[], object], count: int) -> list[float]:
    for _ in range(min(20, count)):
        function()
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def _report(name: str, timings: list[float], baseline_p50: float, target: float | None) -> bool:
    timings = sorted(timings)
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    verdict = ""
    passed = True
    if target is not None:
        passed = p50 <= target
        verdict = f"{'PASS' if passed else 'FAIL'} (p50 <= {target:g} ms)"
    print(f"{name:<34}{p50:>9.2f}{p95:>9.2f}{p50 / baseline_p50:>11.2f}x  {verdict}")
    return passed


def _course_student() -> tuple[Client, str]:
    """A signed-in student of a course with an open two-question assignment: (client, its URL)."""
    from datetime import timedelta  # noqa: PLC0415 - Django is set up by now

    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from courses import services  # noqa: PLC0415
    from quizzes.models import Topic  # noqa: PLC0415

    users = get_user_model()
    teacher = users.objects.create_user("bench-teacher", password="bench-teacher-pw")
    services.instructor_access_grant(user=teacher)
    course = services.course_create(user=teacher, title="CNN shapes 101")
    authored = services.template_author(
        course=course,
        user=teacher,
        data=services.TemplateInput(
            title="Output shape",
            topic=Topic.objects.get(slug="conv-output-size"),
            family="conv_output",
            difficulty="medium",
            config={},
        ),
    )
    report = services.question_publish(question=authored, user=teacher)
    assert report.is_valid, report.errors
    now = timezone.now()
    assignment = services.assignment_create(
        course=course,
        user=teacher,
        title="Week 1",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        items=[services.ItemInput(question=authored, count=2, difficulty="medium")],
        publish=True,
    )
    student = users.objects.create_user("bench-student", password="bench-student-pw")
    services.course_join(user=student, join_code=course.join_code)
    client = Client()
    client.force_login(student)
    url = f"/courses/assignments/{assignment.pk}/"
    assert client.get(url).status_code == 200, "the benchmark's assignment page does not open"
    return client, url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    arguments = parser.parse_args(argv)
    _prepare_environment()

    import django  # noqa: PLC0415 - settings depend on the environment prepared above

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    # DEBUG is off, so pages link hashed static files: production's whitenoise manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("import_bank", "fixtures/starter_bank.yaml", verbosity=0)
    client = Client()
    count = arguments.requests

    practice_url = "/practice/conv-output-size/?difficulty=medium"
    question_url = client.get(practice_url)["Location"]
    from quizzes.models import Variant  # noqa: PLC0415

    variant = Variant.objects.get(pk=int(question_url.split("?")[0].strip("/").split("/")[-1]))
    key = variant.content["answer"]["display"]
    wrong = variant.content["wrong_answers"][0]["value"] if variant.content["wrong_answers"] else 1
    wrong_text = (
        "(" + ", ".join(str(v) for v in wrong) + ")" if isinstance(wrong, list) else str(wrong)
    )

    # A student with some history, so the catalogue and progress pages have something to show.
    for _ in range(30):
        client.post(question_url, {"answer": key})
        client.post(question_url, {"answer": wrong_text})
    pooling_url = client.get("/practice/pooling/")["Location"]
    course_student, assignment_url = _course_student()
    anonymous = Client()  # one handler: a new Client() per request would re-scan static files

    baseline = _timed(lambda: client.get("/healthz"), count)
    baseline_p50 = statistics.median(baseline)
    print(f"{'endpoint':<34}{'p50 ms':>9}{'p95 ms':>9}{'vs base':>12}")
    _report("GET /healthz (baseline)", baseline, baseline_p50, None)

    def page(name: str, function: Callable[[], object], target: float = PAGE_TARGET_MS) -> bool:
        return _report(name, _timed(function, count), baseline_p50, target)

    results = [
        page("GET / (catalogue + mastery)", lambda: client.get("/")),
        page("GET practice -> new variant", lambda: client.get(practice_url), TARGET_MS),
        page("GET adaptive session -> next", lambda: client.get("/practice/conv-output-size/")),
        page("GET continue practising", lambda: client.get("/practice/continue/")),
        page("GET question page", lambda: client.get(question_url), TARGET_MS),
        page("GET question page (pooling)", lambda: client.get(pooling_url)),
        page(
            "POST answer (correct)",
            lambda: client.post(question_url, {"answer": key}),
            TARGET_MS,
        ),
        page(
            "POST answer (misconception)",
            lambda: client.post(question_url, {"answer": wrong_text}),
            TARGET_MS,
        ),
        page("GET progress (chart, 60 answers)", lambda: client.get("/progress/")),
        page("GET history", lambda: client.get("/history/")),
        page("GET code questions", lambda: client.get("/code/")),
        page("GET code question (editor)", lambda: client.get("/code/map-shape-1/")),
        page("GET my courses", lambda: course_student.get("/courses/")),
        page("GET assignment (2 questions)", lambda: course_student.get(assignment_url)),
        page("GET sign up", lambda: anonymous.get("/accounts/signup/")),
        page("GET log in", lambda: anonymous.get("/accounts/login/")),
        page("GET password reset", lambda: anonymous.get("/accounts/password_reset/")),
    ]
    print("RESULT:", "PASS" if all(results) else "FAIL")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
