"""Grade passback for code questions: a student launched from the LMS submits code, the real
Celery worker grades it in the sandbox, and the score arrives at the platform's line item (the
lti1p3platform platform on loopback, token-protected AGS endpoint)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from lti_tool.models import LtiUser

from courses import services as course_services
from courses.models import CourseSubmission
from grader.models import Submission, SubmissionStatus
from grader.questions import get_template
from lti.models import AssignmentLink, CourseLink
from tests.factories import (
    CourseFactory,
    MembershipFactory,
    TopicFactory,
    UserFactory,
    written_out_code_question,
)
from tests.lti.conftest import INSTRUCTOR, LEARNER, oidc_login, platform_launch
from tests.lti.platform import LoopbackPlatform

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

NO_PADDING = "import torch.nn as nn\nmodel = nn.Conv2d({c_in}, {c_out}, kernel_size=5)\n"


@pytest.fixture
def code_assignment():  # noqa: ANN201
    course = CourseFactory(title="CNN shapes 101", join_code="CODE2345")
    teacher = UserFactory(username="teacher")
    MembershipFactory(course=course, user=teacher, role="instructor")
    spec = get_template("map-shape").generate(seed=1).to_dict()
    question = course_services.code_question_author(
        course=course,
        user=teacher,
        data=written_out_code_question(
            seed=1,
            title="Map one shape to another",
            topic=TopicFactory(slug="conv-output-size", title="Conv2d output size"),
        ),
    )
    report = course_services.question_publish(question=question, user=teacher, use_sandbox=False)
    assert report.is_valid, report.errors
    now = timezone.now()
    assignment = course_services.assignment_create(
        course=course,
        user=teacher,
        title="Code week",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        items=[course_services.ItemInput(question=question)],
        attempts_allowed=3,
        publish=True,
    )
    return course, assignment, spec


def _launched_student(platform: LoopbackPlatform, course: Any, assignment: Any) -> Client:
    teacher_lms = Client()
    form = platform_launch(platform, oidc_login(teacher_lms), sub="teacher-1", roles=[INSTRUCTOR])
    assert teacher_lms.post("/lti/launch/", form).status_code == 302
    CourseLink.objects.filter(context__id_on_platform="course-42").update(course=course)
    student = Client()
    form = platform_launch(
        platform,
        oidc_login(student, login_hint="student"),
        sub="student-7",
        roles=[LEARNER],
        custom={"stride_assignment_id": str(assignment.pk)},
    )
    response = student.post("/lti/launch/", form)
    assert response.status_code == 302
    assert response["Location"] == f"/courses/assignments/{assignment.pk}/"
    return student


def _wait_for_scores(platform: LoopbackPlatform, count: int, timeout: float = 90.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(platform.scores) >= count:
            return platform.scores
        time.sleep(0.1)
    states = list(Submission.objects.values_list("pk", "status"))
    raise AssertionError(f"{len(platform.scores)} scores after {timeout}s; submissions {states}")


def _submit(student: Client, item_id: int, code: str) -> Submission:
    before = set(Submission.objects.values_list("pk", flat=True))
    response = student.post(f"/courses/items/{item_id}/submit/", {"code": code, "kind": "submit"})
    assert response.status_code == 302
    return Submission.objects.exclude(pk__in=before).get()


def test_a_code_submission_graded_by_the_worker_sends_its_score_to_the_line_item(
    celery_worker, platform, code_assignment
):
    course, assignment, spec = code_assignment
    student = _launched_student(platform, course, assignment)
    link = AssignmentLink.objects.get(assignment=assignment)
    assert link.lineitem_url == platform.lineitem_url("1")
    item = assignment.items.get()
    c_in = spec["visible_input"][1]
    c_out = spec["params"].get("out_channels", 16)

    # When the student submits code that forgets the padding, the worker grades it partly right
    wrong = _submit(student, item.pk, NO_PADDING.format(c_in=c_in, c_out=c_out))
    [first] = _wait_for_scores(platform, 1)

    # then the platform received that grade for this student, still in progress
    wrong.refresh_from_db()
    assert wrong.status == SubmissionStatus.GRADED
    assert wrong.result.score == 0.25
    assert CourseSubmission.objects.get(submission=wrong).item == item
    assert (first["lineitem"], first["userId"]) == ("1", "student-7")
    assert (first["scoreGiven"], first["scoreMaximum"]) == (0.25, 1)
    assert (first["activityProgress"], first["gradingProgress"]) == ("InProgress", "FullyGraded")

    # When they submit the reference's solution, the worker gives full marks
    right = _submit(student, item.pk, spec["reference_code"])
    [_, second] = _wait_for_scores(platform, 2)

    # and the line item gets the full score, the activity completed
    right.refresh_from_db()
    assert right.result.score == 1.0
    assert (second["userId"], second["scoreGiven"], second["scoreMaximum"]) == ("student-7", 1.0, 1)
    assert second["activityProgress"] == "Completed"
    assert platform.tokens_issued >= 1  # the worker authenticated with the tool's own key
    assert LtiUser.objects.get(sub="student-7").auth_user_id == right.user_id
