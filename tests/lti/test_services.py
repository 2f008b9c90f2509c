"""Deep linking, roster sync and passback failures against the lti1p3platform platform."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from lti_tool.models import LtiUser
from pylti1p3.exception import LtiServiceException

from courses.models import Membership, Role
from courses.selectors import can_be_made_instructor
from lti import services
from lti.models import AssignmentLink, CourseLink
from tests.lti.conftest import INSTRUCTOR, LEARNER, oidc_login, platform_launch


def _user(client: Client):  # noqa: ANN202
    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


def test_deep_linking_returns_a_signed_lti_resource_link(platform, course_with_assignment):
    course, _teacher, assignment = course_with_assignment
    client = Client()
    form = platform_launch(
        platform, oidc_login(client), sub="teacher-1", roles=[INSTRUCTOR], deep_link=True
    )
    picker = client.post("/lti/launch/", form)
    assert picker.status_code == 200
    assert b"Week 1" not in picker.content  # a new Stride user teaches nothing yet
    Membership.objects.create(course=course, user=_user(client), role=Role.INSTRUCTOR)

    response = client.post("/lti/deep-link/", {"assignment": assignment.pk})

    assert response.status_code == 200
    token = html.unescape(re.search(rb'name="JWT" value="([^"]+)"', response.content)[1].decode())
    items = platform.conf.validate_deeplinking_resp({"JWT": token})  # the platform verifies it
    assert len(items) == 1
    assert (items[0]["type"], items[0]["title"], items[0]["url"]) == (
        "ltiResourceLink",
        "Week 1",
        "http://testserver/lti/launch/",
    )
    assert items[0]["custom"] == {"stride_assignment_id": str(assignment.pk)}
    assert items[0]["lineItem"]["scoreMaximum"] == 1
    assert CourseLink.objects.get().course == course


def test_deep_linking_refuses_another_teachers_assignment(platform, course_with_assignment):
    _course, _teacher, assignment = course_with_assignment
    client = Client()
    form = platform_launch(
        platform, oidc_login(client), sub="teacher-2", roles=[INSTRUCTOR], deep_link=True
    )
    assert client.post("/lti/launch/", form).status_code == 200
    response = client.post("/lti/deep-link/", {"assignment": assignment.pk})
    assert response.status_code == 403
    assert not CourseLink.objects.exists()


def test_roster_sync_adds_lms_members_to_the_course(platform, course_with_assignment):
    course, _teacher, _assignment = course_with_assignment
    client = Client()
    form = platform_launch(platform, oidc_login(client), sub="teacher-1", roles=[INSTRUCTOR])
    assert client.post("/lti/launch/", form).status_code == 302
    link = CourseLink.objects.get()
    link.course = course
    link.save()
    platform.members = [
        {"user_id": "s-1", "roles": [LEARNER], "name": "Ann", "status": "Active"},
        {"user_id": "s-2", "roles": [LEARNER], "status": "Inactive"},
        {"user_id": "ta-1", "roles": [INSTRUCTOR], "status": "Active"},
    ]

    outcome = services.roster_sync(course_link=link)

    assert (outcome.added, outcome.skipped) == (2, 1)
    roles = {
        m.user.lti_users.get().sub: m.role
        for m in Membership.objects.filter(course=course, user__lti_users__isnull=False)
    }
    assert roles == {"s-1": Role.STUDENT, "ta-1": Role.INSTRUCTOR}
    # the LMS vouched for the TA's role: no Stride instructor access was needed, none was given
    teaching_assistant = LtiUser.objects.get(sub="ta-1").auth_user
    assert not can_be_made_instructor(user=teaching_assistant)


def test_platform_down_raises_for_celery_to_retry(platform, course_with_assignment):
    course, _teacher, assignment = course_with_assignment
    client = Client()
    form = platform_launch(platform, oidc_login(client), sub="teacher-1", roles=[INSTRUCTOR])
    client.post("/lti/launch/", form)
    CourseLink.objects.update(course=course)
    student = Client()
    form = platform_launch(
        platform,
        oidc_login(student),
        sub="s-9",
        roles=[LEARNER],
        custom={"stride_assignment_id": str(assignment.pk)},
    )
    assert student.post("/lti/launch/", form).status_code == 302
    link = AssignmentLink.objects.get()
    platform.fail_scores_with = 503

    with pytest.raises(LtiServiceException):
        services.score_send(link_id=link.pk, student_id=LtiUser.objects.get(sub="s-9").auth_user_id)

    assert platform.scores == []
    platform.fail_scores_with = None
    outcome = services.score_send(
        link_id=link.pk, student_id=LtiUser.objects.get(sub="s-9").auth_user_id
    )
    assert outcome == {"score": 0.0}
    assert [s["userId"] for s in platform.scores] == ["s-9"]
