"""An assignment regrade that changes a student's formula results sends their new score to the
LMS line item; a regrade that changes nothing sends nothing."""

from __future__ import annotations

from django.test import Client

from courses import services as course_services
from courses.models import CourseAttempt
from lti.models import CourseLink
from quizzes.models import Attempt
from tests.lti.conftest import INSTRUCTOR, LEARNER, oidc_login, platform_launch


def test_a_regrade_that_changes_a_result_sends_the_new_score(
    platform, course_with_assignment, eager_celery, django_capture_on_commit_callbacks
):
    course, teacher, assignment = course_with_assignment
    teacher_lms = Client()
    form = platform_launch(platform, oidc_login(teacher_lms), sub="teacher-1", roles=[INSTRUCTOR])
    assert teacher_lms.post("/lti/launch/", form).status_code == 302
    CourseLink.objects.update(course=course)
    browser = Client()
    form = platform_launch(
        platform,
        oidc_login(browser, login_hint="student"),
        sub="student-7",
        roles=[LEARNER],
        custom={"stride_assignment_id": str(assignment.pk)},
    )
    assert browser.post("/lti/launch/", form).status_code == 302
    item = assignment.items.get()
    student_id = int(browser.session["_auth_user_id"])
    key = course_services.student_variant(student_id=student_id, item=item, slot=0)
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(
            f"/courses/items/{item.pk}/0/answer/", {"answer": key.generated.answer.display}
        )
    assert [s["scoreGiven"] for s in platform.scores] == [1.0]

    # Given the checker of the time had refused that right answer
    CourseAttempt.objects.update(is_correct=False)
    Attempt.objects.update(is_correct=False)

    # when the instructor regrades with today's checker
    with django_capture_on_commit_callbacks(execute=True):
        outcome = course_services.assignment_regrade(assignment=assignment, user=teacher)

    # then the answer is right again and the LMS gets the full score
    assert (outcome.attempts_rechecked, outcome.attempts_changed) == (1, 1)
    assert CourseAttempt.objects.get().is_correct is True
    assert [(s["userId"], s["scoreGiven"]) for s in platform.scores] == [
        ("student-7", 1.0),
        ("student-7", 1.0),
    ]

    # and a regrade that changes nothing sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        again = course_services.assignment_regrade(assignment=assignment, user=teacher)
    assert again.attempts_changed == 0
    assert len(platform.scores) == 2
