"""Assignments: per-student seeds, the window, attempts, gradebook CSV, regrade, analytics."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError, PermissionDeniedError
from courses import selectors, services
from courses.models import CourseAttempt
from quizzes.models import Attempt

pytestmark = pytest.mark.django_db


def _key(variant) -> str:  # noqa: ANN001
    return variant.generated.answer.display


def test_every_student_gets_different_numbers_deterministically(open_assignment, students):
    item = open_assignment.items.get()
    seeds = {
        (s.pk, slot): services.student_seed(
            assignment=open_assignment, student_id=s.pk, item_id=item.pk, slot=slot
        )
        for s in students
        for slot in range(2)
    }
    assert len(set(seeds.values())) == 6
    again = services.student_variant(student_id=students[0].pk, item=item, slot=0)
    assert again.seed == seeds[(students[0].pk, 0)]
    slots = services.assignment_for_student(student=students[0], assignment=open_assignment)
    assert [s.variant.seed for s in slots] == [
        seeds[(students[0].pk, 0)],
        seeds[(students[0].pk, 1)],
    ]


def test_answer_is_checked_recorded_and_limited(open_assignment, students):
    item = open_assignment.items.get()
    student = students[0]
    variant = services.student_variant(student_id=student.pk, item=item, slot=0)
    wrong = services.assignment_answer(student=student, item=item, slot=0, raw_answer="(1, 1)")
    right = services.assignment_answer(
        student=student, item=item, slot=0, raw_answer=_key(variant), time_taken_ms=4000
    )
    assert (wrong.attempt.is_correct, right.attempt.is_correct) == (False, True)
    row = CourseAttempt.objects.get(attempt=right.attempt)
    assert (row.slot, row.is_late, row.time_taken_ms, row.template_id) == (
        0,
        False,
        4000,
        item.question.template_id,
    )
    with pytest.raises(ApplicationError, match="used all 2 attempts"):
        services.assignment_answer(student=student, item=item, slot=0, raw_answer="1")
    assert Attempt.objects.filter(user=student).count() == 2


def test_instructor_cannot_answer_and_closed_assignment_refuses(
    open_assignment, instructor, students
):
    item = open_assignment.items.get()
    with pytest.raises(PermissionDeniedError):
        services.assignment_answer(student=instructor, item=item, slot=0, raw_answer="1")
    open_assignment.opens_at = timezone.now() - timedelta(days=3)
    open_assignment.closes_at = timezone.now() - timedelta(days=1)
    open_assignment.save()
    item.refresh_from_db()
    with pytest.raises(ApplicationError, match="closed"):
        services.assignment_answer(student=students[0], item=item, slot=0, raw_answer="1")
    assert not CourseAttempt.objects.exists()


def test_late_answers_get_the_penalty_in_the_gradebook(open_assignment, students):
    open_assignment.late_policy = "penalty"
    open_assignment.late_penalty_percent = 50
    open_assignment.opens_at = timezone.now() - timedelta(days=3)
    open_assignment.closes_at = timezone.now() - timedelta(days=1)
    open_assignment.save()
    item = open_assignment.items.get()
    item.assignment = open_assignment
    variant = services.student_variant(student_id=students[0].pk, item=item, slot=0)
    outcome = services.assignment_answer(
        student=students[0], item=item, slot=0, raw_answer=_key(variant)
    )
    assert CourseAttempt.objects.get(attempt=outcome.attempt).is_late is True
    book = selectors.gradebook(course=open_assignment.course)
    # one of two slots right, late at 50%: 0.25
    assert {row.username: row.scores[open_assignment.pk] for row in book.rows} == {
        "s0": 0.25,
        "s1": 0.0,
        "s2": 0.0,
    }


def test_gradebook_csv_has_one_row_per_student(client, open_assignment, instructor, students):
    item = open_assignment.items.get()
    for slot in range(2):
        variant = services.student_variant(student_id=students[1].pk, item=item, slot=slot)
        services.assignment_answer(
            student=students[1], item=item, slot=slot, raw_answer=_key(variant)
        )
    client.force_login(instructor)
    response = client.get(reverse("teach:gradebook-csv", args=[open_assignment.course_id]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["student", "Week 1", "total"],
        ["s0", "0.0", "0.0"],
        ["s1", "100.0", "100.0"],
        ["s2", "0.0", "0.0"],
    ]


def test_student_pages_show_own_variants_and_accept_answers(client, open_assignment, students):
    client.force_login(students[0])
    page = client.get(reverse("courses:assignment", args=[open_assignment.pk]))
    assert page.status_code == 200
    item = open_assignment.items.get()
    variant = services.student_variant(student_id=students[0].pk, item=item, slot=1)
    response = client.post(reverse("courses:answer", args=[item.pk, 1]), {"answer": _key(variant)})
    assert response.status_code == 302
    assert CourseAttempt.objects.get().is_correct is True


def test_another_student_cannot_open_an_assignment_of_a_course_they_are_not_in(
    client, open_assignment
):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="outsider"))
    assert client.get(reverse("courses:assignment", args=[open_assignment.pk])).status_code == 404


def test_regrade_rechecks_formula_answers(open_assignment, instructor, students):
    item = open_assignment.items.get()
    variant = services.student_variant(student_id=students[0].pk, item=item, slot=0)
    outcome = services.assignment_answer(
        student=students[0], item=item, slot=0, raw_answer=_key(variant)
    )
    CourseAttempt.objects.update(is_correct=False)  # as if an older checker had been wrong
    Attempt.objects.update(is_correct=False)
    result = services.assignment_regrade(assignment=open_assignment, user=instructor)
    assert (result.attempts_rechecked, result.attempts_changed, result.code_regrades) == (1, 1, [])
    assert Attempt.objects.get(pk=outcome.attempt.pk).is_correct is True


def test_analytics_numbers(open_assignment, students):
    item = open_assignment.items.get()
    # s0 right on both slots, s1 wrong then right on slot 0, s2 wrong
    for slot in range(2):
        v = services.student_variant(student_id=students[0].pk, item=item, slot=slot)
        services.assignment_answer(
            student=students[0], item=item, slot=slot, raw_answer=_key(v), time_taken_ms=1000
        )
    v = services.student_variant(student_id=students[1].pk, item=item, slot=0)
    services.assignment_answer(
        student=students[1], item=item, slot=0, raw_answer="(9, 9)", time_taken_ms=3000
    )
    services.assignment_answer(
        student=students[1], item=item, slot=0, raw_answer=_key(v), time_taken_ms=5000
    )
    services.assignment_answer(
        student=students[2], item=item, slot=0, raw_answer="(9, 9)", time_taken_ms=7000
    )
    data = selectors.course_analytics(course=open_assignment.course)
    [stats] = data.questions
    assert (stats.attempts, stats.percent_correct, stats.median_time_ms) == (5, 60.0, 3000.0)
    # ranked by share correct: s2 (0) lower 27%, s0 and s1 (1) upper: 1 - 0
    assert stats.discrimination == 1.0
    assert [(s.username, s.attempts, s.questions_correct) for s in data.students] == [
        ("s0", 2, 2),
        ("s1", 2, 1),
        ("s2", 1, 0),
    ]


def test_analytics_page_runs_in_constant_queries(
    client, open_assignment, instructor, django_assert_num_queries
):
    client.force_login(instructor)
    url = reverse("teach:analytics", args=[open_assignment.course_id])
    # user, course, role, five analytics queries, versions (the session comes from its cache)
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200
