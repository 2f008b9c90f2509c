"""Courses, roles and object-level permissions, as the right and as the wrong user."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from courses import selectors, services
from courses.models import Membership, Role
from tests.factories import InstructorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_course_create_makes_the_creator_its_instructor():
    # Given a user with instructor access
    user = InstructorFactory(username="grace")
    # When they create a course
    course = services.course_create(user=user, title="  Vision  ")
    # Then they are its only member, as instructor, and it has an 8-character join code
    assert course.title == "Vision"
    assert list(course.memberships.values_list("user__username", "role")) == [
        ("grace", Role.INSTRUCTOR)
    ]
    assert len(course.join_code) == 8


def test_join_by_code_makes_a_student_once(course):
    student = UserFactory(username="linus")
    services.course_join(user=student, join_code="abcd2345")
    services.course_join(user=student, join_code="ABCD2345")
    assert Membership.objects.filter(course=course, user=student).count() == 1
    assert Membership.objects.get(course=course, user=student).role == Role.STUDENT


def test_join_with_a_wrong_code_adds_nobody(course):
    student = UserFactory(username="linus")
    with pytest.raises(ApplicationError):
        services.course_join(user=student, join_code="NOPE")
    assert not Membership.objects.filter(user=student).exists()


def test_student_is_refused_instructor_actions(course, students):
    with pytest.raises(PermissionDeniedError):
        selectors.course_for_instructor(user=students[0], course_id=course.pk)


def test_outsider_cannot_see_the_course_at_all(course):
    with pytest.raises(NotFoundError):
        selectors.course_for_instructor(user=UserFactory(username="eve"), course_id=course.pk)


def test_instructor_of_another_course_cannot_author_here(course):
    other = InstructorFactory(username="mallory")
    services.course_create(user=other, title="Other")
    with pytest.raises(NotFoundError):
        selectors.require_instructor(user=other, course=course)


def _instructor_urls(course, question, assignment):  # noqa: ANN001, ANN202
    return [
        ("get", reverse("teach:course", args=[course.pk])),
        ("get", reverse("teach:template-new", args=[course.pk])),
        ("get", reverse("teach:code-new", args=[course.pk])),
        ("get", reverse("teach:question", args=[question.pk])),
        ("get", reverse("teach:question-edit", args=[question.pk])),
        ("post", reverse("teach:question-publish", args=[question.pk])),
        ("get", reverse("teach:assignment-new", args=[course.pk])),
        ("post", reverse("teach:assignment-regrade", args=[assignment.pk])),
        ("get", reverse("teach:gradebook", args=[course.pk])),
        ("get", reverse("teach:gradebook-csv", args=[course.pk])),
        ("get", reverse("teach:analytics", args=[course.pk])),
        ("get", reverse("teach:export", args=[course.pk, "moodle"])),
        ("get", reverse("teach:export", args=[course.pk, "qti"])),
        ("get", reverse("teach:export", args=[course.pk, "gift"])),
    ]


def test_every_instructor_page_refuses_the_wrong_users(
    client, course, instructor, students, published_template, open_assignment
):
    # Given a student of the course and the instructor of another course
    other_instructor = InstructorFactory(username="mallory")
    services.course_create(user=other_instructor, title="Mallory's course")
    urls = _instructor_urls(course, published_template, open_assignment)
    for user, status in ((students[0], 403), (other_instructor, 404)):
        client.force_login(user)
        for method, url in urls:
            # When they open an instructor page of this course
            response = getattr(client, method)(url)
            # Then it is refused (a member without the role: 403; a stranger: 404)
            assert response.status_code == status, (user.username, url)
    # And the instructor gets every GET page
    client.force_login(instructor)
    for method, url in urls:
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_anonymous_users_are_sent_to_log_in(client, course):
    response = client.get(reverse("teach:course", args=[course.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_teach_home_lists_courses_in_constant_queries(client, django_assert_num_queries):
    user = InstructorFactory(username="ada")
    for index in range(5):
        services.course_create(user=user, title=f"Course {index}")
    client.force_login(user)
    # user, their permissions and their groups' (may they create a course?), the one annotated
    # course query (the session comes from its cache)
    with django_assert_num_queries(4):
        response = client.get(reverse("teach:home"))
    assert response.status_code == 200
    assert response.content.decode().count("join code") == 5
