"""Analytics page server time with 1,000,000 assignment attempts in a scratch PostgreSQL database.

    .venv/bin/python benchmarks/analytics.py [--attempts 1000000] [--courses 20] [--runs 15]

Creates ``stride_bench_analytics`` (dropped at the end), migrates it, loads users, a course per
block of students, templates, variants and attempts with ``generate_series`` (no ORM loops), then
times GET /teach/<course>/analytics/ through Django's test client: first without the analytics
indexes (the baseline), then with them. Target: p50 <= 300 ms with the indexes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB_NAME = "stride_bench_analytics"
BASE_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
os.environ["DATABASE_URL"] = f"{BASE_URL}/{DB_NAME}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import psycopg  # noqa: E402

INDEXES = (
    "course_attempt_by_question",
    "course_attempt_by_student",
    "course_attempt_misconceptions",
)


def create_database() -> None:
    with psycopg.connect(f"{BASE_URL}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        connection.execute(f"CREATE DATABASE {DB_NAME}")


def drop_database() -> None:
    with psycopg.connect(f"{BASE_URL}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


LOAD_SQL = """
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
                       is_staff, is_active, date_joined)
SELECT '!', false, 'u' || g, '', '', '', false, true, now() FROM generate_series(1, %(students)s) g;
INSERT INTO quizzes_topic (slug, title, description, position)
SELECT 'topic-' || g, 'Topic ' || g, '', g FROM generate_series(1, 5) g;
INSERT INTO courses_course (title, join_code, created_at)
SELECT 'Course ' || g, 'C' || g, now() FROM generate_series(1, %(courses)s) g;
INSERT INTO courses_membership (course_id, user_id, role, joined_at)
SELECT 1 + (u.id - 1) %% %(courses)s, u.id, 'student', now() FROM auth_user u;
INSERT INTO quizzes_questiontemplate (slug, title, topic_id, family, difficulty, config, intro,
                                      is_published, created_at, updated_at)
SELECT 't-' || g, 'Template ' || g, (SELECT min(id) FROM quizzes_topic) + g %% 5, 'conv_output',
       'medium', '{}', '', false, now(), now()
FROM generate_series(1, %(templates)s) g;
INSERT INTO quizzes_variant (template_id, seed, difficulty, content, created_at)
SELECT t.id, 1, 'medium', '{}', now() FROM quizzes_questiontemplate t;
INSERT INTO courses_assignment (course_id, title, opens_at, closes_at, attempts_allowed,
                                late_policy, late_penalty_percent, is_published, seed_salt,
                                created_at)
SELECT c.id, 'A', now() - interval '90 days', now(), 3, 'refuse', 0, true, 'x', now()
FROM courses_course c;
"""

ATTEMPTS_SQL = """
CREATE TEMP TABLE bench_ids AS
SELECT g AS n,
       (SELECT min(id) FROM auth_user) + (g %% %(students)s) AS student_id,
       (SELECT min(id) FROM quizzes_variant) + (g * 7 %% %(templates)s) AS variant_id,
       (g * 7 %% %(templates)s) AS template_offset,
       (random() < 0.6) AS is_correct,
       (1000 + (random() * 60000))::int AS time_ms,
       CASE WHEN random() < 0.4 THEN (ARRAY['forgot_double_padding', 'ceil_instead_of_floor',
            'forgot_plus_one', 'ignored_dilation', 'kernel_stride_swapped'])[1 + (g %% 5)]
            ELSE '' END AS misconception,
       now() - (g %% 90) * interval '1 day' AS created_at
FROM generate_series(1, %(attempts)s) g;
INSERT INTO quizzes_attempt (variant_id, user_id, session_key, raw_answer, normalized_answer,
                             is_correct, is_readable, misconception, feedback, time_taken_ms,
                             created_at)
SELECT variant_id, student_id, '', '1', '1', is_correct, true, misconception, '', time_ms,
       created_at FROM bench_ids ORDER BY n;
"""

FACT_SQL = """
INSERT INTO courses_courseattempt (attempt_id, course_id, item_id, slot, student_id,
                                   template_id, topic_id, is_correct, is_late, time_taken_ms,
                                   misconception, created_at)
SELECT at.id, m.course_id, i.id, 0, at.user_id, v.template_id, t.topic_id, at.is_correct, false,
       at.time_taken_ms, at.misconception, at.created_at
FROM quizzes_attempt at
JOIN courses_membership m ON m.user_id = at.user_id
JOIN quizzes_variant v ON v.id = at.variant_id
JOIN quizzes_questiontemplate t ON t.id = v.template_id
JOIN courses_assignmentitem i ON i.assignment_id = (
    SELECT id FROM courses_assignment a WHERE a.course_id = m.course_id);
"""


def load(attempts: int, courses: int, students: int, templates: int) -> None:
    from django.db import connection

    params = {
        "attempts": attempts,
        "courses": courses,
        "students": students,
        "templates": templates,
    }
    with connection.cursor() as cursor:
        cursor.execute(LOAD_SQL, params)
        # one instructor per course, and one authored question + item per template per course
        cursor.execute(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, "
            "email, is_staff, is_active, date_joined) VALUES ('!', false, 'teacher', '', '', '', "
            "false, true, now())"
        )
        cursor.execute(
            "INSERT INTO courses_membership (course_id, user_id, role, joined_at) "
            "SELECT c.id, (SELECT id FROM auth_user WHERE username = 'teacher'), 'instructor', "
            "now() FROM courses_course c"
        )
    # An AssignmentItem needs an AuthoredQuestion: one per course (a handful of ORM rows).
    from courses.models import Assignment, AssignmentItem, AuthoredQuestion
    from quizzes.models import QuestionTemplate

    for index, assignment in enumerate(Assignment.objects.all()):
        template = QuestionTemplate.objects.create(
            slug=f"bench-{index}",
            title="bench",
            topic_id=QuestionTemplate.objects.first().topic_id,
            family="conv_output",
            is_published=False,
        )
        question = AuthoredQuestion.objects.create(
            course_id=assignment.course_id,
            kind="template",
            lineage=f"b{index}",
            template=template,
            status="published",
        )
        AssignmentItem.objects.create(assignment=assignment, question=question)
    with connection.cursor() as cursor:
        cursor.execute(ATTEMPTS_SQL, params)
        cursor.execute(FACT_SQL)
        cursor.execute("ANALYZE")


def time_page(course_id: int, runs: int) -> list[float]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="teacher"))
    url = f"/teach/{course_id}/analytics/"
    assert client.get(url).status_code == 200  # warm caches
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--courses", type=int, default=20)
    parser.add_argument("--students", type=int, default=4000)
    parser.add_argument("--templates", type=int, default=40)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    create_database()
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        settings.ALLOWED_HOSTS = ["*"]
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        load(args.attempts, args.courses, args.students, args.templates)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM courses_courseattempt")
            total = cursor.fetchone()[0]
            cursor.execute(
                "SELECT course_id, count(*) FROM courses_courseattempt GROUP BY 1 "
                "ORDER BY 2 DESC LIMIT 1"
            )
            course_id, in_course = cursor.fetchone()
        print(
            f"loaded {total:,} attempts ({in_course:,} in the measured course) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        with connection.cursor() as cursor:
            definitions = {}
            for name in INDEXES:
                cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
                definitions[name] = cursor.fetchone()[0]
                cursor.execute(f"DROP INDEX {name}")
            cursor.execute("ANALYZE courses_courseattempt")
        baseline = time_page(course_id, args.runs)
        with connection.cursor() as cursor:
            for definition in definitions.values():
                cursor.execute(definition)
        connection.close()
        with psycopg.connect(f"{BASE_URL}/{DB_NAME}", autocommit=True) as raw:
            raw.execute("VACUUM ANALYZE courses_courseattempt")
        indexed = time_page(course_id, args.runs)
        base_p50, p50 = statistics.median(baseline), statistics.median(indexed)
        print(f"analytics page p50 without the analytics indexes (baseline): {base_p50:.0f} ms")
        print(
            f"analytics page p50 with the indexes: {p50:.0f} ms "
            f"(p95 {sorted(indexed)[int(0.95 * (len(indexed) - 1))]:.0f} ms; target <= 300 ms: "
            f"{'met' if p50 <= 300 else 'NOT met'})"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    main()
