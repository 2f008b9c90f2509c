"""Courses, enrolment, assignments and gradebook through the API, and as the wrong user."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from api.services import api_key_create
from courses import services as course_services
from courses.models import Course, Membership
from courses.selectors import INSTRUCTOR_ACCESS_MESSAGE
from tests.api.conftest import login
from tests.factories import InstructorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_student_enrols_with_the_join_code_and_the_instructor_sees_the_roster(api, student):
    # Given an instructor's course created through the API
    teacher = InstructorFactory(username="turing")
    login(api, teacher)
    course = api.post("/api/v1/courses/", {"title": "Vision 101"}, format="json").json()
    assert (course["title"], course["role"]) == ("Vision 101", "instructor")
    # when a student enrols with the code
    login(api, student)
    enrolled = api.post(
        "/api/v1/enrolments/", {"join_code": course["join_code"]}, format="json"
    ).json()
    # then the student is in it (without seeing the code) and on the instructor's roster
    assert (enrolled["id"], enrolled["role"], enrolled["join_code"]) == (
        course["id"],
        "student",
        None,
    )
    login(api, teacher)
    roster = api.get(f"/api/v1/courses/{course['id']}/roster/").json()
    assert [(m["username"], m["role"]) for m in roster] == [
        ("turing", "instructor"),
        ("ada", "student"),
    ]
    gradebook = api.get(f"/api/v1/courses/{course['id']}/gradebook/").json()
    assert gradebook == {
        "assignments": [],
        "rows": [{"username": "ada", "scores": {}, "total": 0.0}],
    }


def test_course_data_is_hidden_from_the_wrong_users(student, other_student):
    # Given course A with a student, and another course's instructor
    teacher = InstructorFactory(username="turing")
    stranger = InstructorFactory(username="hopper")
    course = course_services.course_create(user=teacher, title="A")
    course_services.course_create(user=stranger, title="B")
    Membership.objects.create(course=course, user=student, role="student")
    base = f"/api/v1/courses/{course.pk}/"
    callers = {
        "anonymous": APIClient(),
        "outsider student": login(APIClient(), other_student),
        "other instructor": login(APIClient(), stranger),
        "enrolled student": login(APIClient(), student),
    }
    seen = {
        name: [client.get(base + suffix).status_code for suffix in ("", "roster/", "gradebook/")]
        for name, client in callers.items()
    }
    # then outsiders learn nothing, and a student cannot read the roster or the gradebook
    assert seen == {
        "anonymous": [401, 401, 401],
        "outsider student": [404, 404, 404],
        "other instructor": [404, 404, 404],
        "enrolled student": [200, 403, 403],
    }


@pytest.mark.parametrize("body", [{"title": "Mine"}, {"title": ""}, {}])
def test_a_user_without_instructor_access_cannot_create_a_course(api, student, body):
    # Given a signed-up account with a bearer token (no instructor access)
    _key, secret = api_key_create(owner=student, name="laptop", kind="token")
    # When it posts a course, valid or not
    response = api.post(
        "/api/v1/courses/", body, format="json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    # Then: a 403 problem saying how to get access, and nothing written
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["code"], problem["status"]) == ("permission_denied", 403)
    assert problem["detail"] == INSTRUCTOR_ACCESS_MESSAGE
    assert "python manage.py grant_instructor" in problem["detail"]
    assert not Course.objects.exists()
    assert not Membership.objects.exists()


def test_a_granted_user_creates_a_course_and_a_staff_member_without_it_does_not(api):
    login(api, UserFactory(username="clerk", is_staff=True))
    assert api.post("/api/v1/courses/", {"title": "X"}, format="json").status_code == 403
    login(api, InstructorFactory(username="turing"))
    created = api.post("/api/v1/courses/", {"title": "Vision 101"}, format="json")
    assert created.status_code == 201
    assert list(Course.objects.values_list("title", "created_by__username")) == [
        ("Vision 101", "turing")
    ]
