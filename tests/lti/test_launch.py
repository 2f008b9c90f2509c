"""Launches from a real LTI 1.3 platform (lti1p3platform) and the ones Stride must refuse."""

from __future__ import annotations

import time

import jwt
import pytest
from django.test import Client
from lti_tool.models import LtiUser

from courses.models import Course, CourseAttempt, Membership, Role
from courses.selectors import can_create_course
from courses.services import student_variant
from lti.models import AssignmentLink, CourseLink, SpentNonce
from tests.lti.conftest import INSTRUCTOR, LEARNER, oidc_login, platform_launch


def test_full_round_trip_launch_practice_submit_score_received(
    platform, course_with_assignment, eager_celery, django_capture_on_commit_callbacks
):
    course, teacher, assignment = course_with_assignment
    # Given the LMS course's teacher launched Stride once (their LMS course now has a Stride
    # course) and it is pointed at the course holding the assignment
    teacher_lms = Client()
    form = platform_launch(platform, oidc_login(teacher_lms), sub="teacher-1", roles=[INSTRUCTOR])
    assert teacher_lms.post("/lti/launch/", form).status_code == 302
    CourseLink.objects.filter(context__id_on_platform="course-42").update(course=course)

    # when a student launches the placed assignment from the LMS
    student_browser = Client()
    auth = oidc_login(student_browser, login_hint="student")
    form = platform_launch(
        platform,
        auth,
        sub="student-7",
        roles=[LEARNER],
        custom={"stride_assignment_id": str(assignment.pk)},
    )
    response = student_browser.post("/lti/launch/", form)

    # then they are a Stride student of the course, logged in, on the assignment page
    assert response.status_code == 302
    assert response["Location"] == f"/courses/assignments/{assignment.pk}/"
    lti_user = LtiUser.objects.get(sub="student-7")
    student = lti_user.auth_user
    assert Membership.objects.get(course=course, user=student).role == Role.STUDENT
    page = student_browser.get(response["Location"])
    assert page.status_code == 200
    link = AssignmentLink.objects.get(assignment=assignment)
    assert link.lineitem_url == platform.lineitem_url("1")

    # when they practise: one wrong answer, then the right one
    item = assignment.items.get()
    key = student_variant(student_id=student.pk, item=item, slot=0).generated.answer.display
    with django_capture_on_commit_callbacks(execute=True):
        student_browser.post(f"/courses/items/{item.pk}/0/answer/", {"answer": "(1, 1)"})
    with django_capture_on_commit_callbacks(execute=True):
        student_browser.post(f"/courses/items/{item.pk}/0/answer/", {"answer": key})

    # then the platform received both scores through its token-protected AGS endpoint
    assert CourseAttempt.objects.filter(student=student).count() == 2
    assert [
        (s["lineitem"], s["userId"], s["scoreGiven"], s["scoreMaximum"]) for s in platform.scores
    ] == [
        ("1", "student-7", 0.0, 1),
        ("1", "student-7", 1.0, 1),
    ]
    assert platform.scores[-1]["gradingProgress"] == "FullyGraded"
    assert platform.tokens_issued >= 1


def test_student_launch_before_any_setup_is_a_clear_403(platform):
    client = Client()
    form = platform_launch(platform, oidc_login(client), sub="s-1", roles=[LEARNER])
    response = client.post("/lti/launch/", form)
    assert response.status_code == 403
    assert b"has not set up Stride for this course" in response.content


def _tamper(token: str, **claims: object) -> str:
    """Re-sign changed claims with a key that is not the platform's."""
    from tests.lti.platform import new_key_pair  # noqa: PLC0415

    body = jwt.decode(token, options={"verify_signature": False})
    body.update(claims)
    header = jwt.get_unverified_header(token)
    private_pem, _public = new_key_pair()
    return jwt.encode(body, private_pem, algorithm="RS256", headers={"kid": header["kid"]})


def test_bad_signature_is_refused(platform):
    client = Client()
    form = platform_launch(platform, oidc_login(client), sub="s-1", roles=[LEARNER])
    form["id_token"] = _tamper(form["id_token"])
    response = client.post("/lti/launch/", form)
    assert response.status_code == 403
    assert b"Stride refused this launch" in response.content
    assert not LtiUser.objects.exists()
    assert "_auth_user_id" not in client.session


def test_wrong_audience_is_refused(platform):
    client = Client()
    auth = oidc_login(client)
    form = platform_launch(
        platform, auth, sub="s-1", roles=[LEARNER], extra={"aud": "some-other-tool", "azp": "x"}
    )
    response = client.post("/lti/launch/", form)
    assert response.status_code == 403
    assert not LtiUser.objects.exists()


def test_expired_token_is_refused(platform):
    client = Client()
    auth = oidc_login(client)
    form = platform_launch(platform, auth, sub="s-1", roles=[LEARNER], expiration=1)
    time.sleep(2.1)
    response = client.post("/lti/launch/", form)
    assert response.status_code == 403
    assert b"expired" in response.content.lower()
    assert not LtiUser.objects.exists()


def test_replayed_nonce_is_refused(platform, course_with_assignment):
    course, _teacher, assignment = course_with_assignment
    client = Client()
    form = platform_launch(platform, oidc_login(client), sub="teacher-9", roles=[INSTRUCTOR])
    first = client.post("/lti/launch/", form)
    assert first.status_code == 302
    replay = Client()
    replay.cookies = client.cookies  # the attacker holds the same state cookie and id_token
    second = replay.post("/lti/launch/", form)
    assert second.status_code == 403
    assert b"already used" in second.content
    assert SpentNonce.objects.count() == 1


@pytest.mark.parametrize(
    "data", [{}, {"id_token": "not.a.jwt", "state": "x"}, {"id_token": "abc", "state": "s"}]
)
def test_garbage_launches_are_4xx(platform, data):
    response = Client().post("/lti/launch/", data)
    assert 400 <= response.status_code < 500


def test_login_with_unknown_issuer_is_400(platform):
    response = Client().get(
        "/lti/login/",
        {
            "iss": "https://evil.example",
            "login_hint": "x",
            "target_link_uri": "http://testserver/lti/launch/",
            "lti1p3_new_window": "1",
        },
    )
    assert response.status_code == 400


def test_jwks_publishes_the_generated_key(platform):
    keys = Client().get("/lti/jwks/").json()["keys"]
    assert len(keys) == 1
    assert (keys[0]["kty"], keys[0]["alg"], keys[0]["use"]) == ("RSA", "RS256", "sig")
    assert "d" not in keys[0]  # never the private part


def test_an_lms_instructor_gets_a_course_without_stride_instructor_access(platform):
    # Given a registered platform and an LMS teacher Stride has never seen (no instructor access)
    client = Client()
    form = platform_launch(platform, oidc_login(client), sub="teacher-5", roles=[INSTRUCTOR])
    # When they launch a resource link from their LMS course
    response = client.post("/lti/launch/", form)
    # Then the LMS vouches for the role: a Stride course, linked to the LMS course, with them as
    # its instructor
    teacher = LtiUser.objects.get(sub="teacher-5").auth_user
    course = CourseLink.objects.get(context__id_on_platform="course-42").course
    assert response.status_code == 302
    assert response["Location"] == f"/teach/{course.pk}/"
    assert course.title == "CNN shapes"
    assert list(course.memberships.values_list("user", "role")) == [(teacher.pk, Role.INSTRUCTOR)]
    # but that is no Stride-wide grant: they cannot create other courses themselves
    assert not can_create_course(user=teacher)
    refused = client.post("/teach/", {"title": "Another"})
    assert refused.status_code == 403
    assert list(Course.objects.all()) == [course]


def test_a_learner_launch_never_creates_a_course(platform):
    client = Client()
    form = platform_launch(platform, oidc_login(client), sub="s-9", roles=[LEARNER])
    assert client.post("/lti/launch/", form).status_code == 403
    assert not Course.objects.exists()
    assert not Membership.objects.exists()
