"""Courses, enrolment, assignments and gradebook through the API, and as the wrong user."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from courses import services as course_services
from courses.models import Membership
from tests.api.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_student_enrols_with_the_join_code_and_the_instructor_sees_the_roster(api, student):
    # Given an instructor's course created through the API
    teacher = UserFactory(username="turing")
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
    teacher = UserFactory(username="turing")
    stranger = UserFactory(username="hopper")
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
