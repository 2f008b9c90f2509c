"""Instructor access is granted, never taken by signing up: an instructor's reference solutions
run as trusted code on the server. Who may create a course, who may be made a co-instructor,
and the ``grant_instructor`` command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.exceptions import PermissionDeniedError
from courses import selectors, services
from courses.models import Course, Membership, Role
from tests.factories import InstructorFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

GRANT_HINT = "python manage.py grant_instructor"


def _load(username: str):  # noqa: ANN202
    return get_user_model().objects.get(username=username)


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("grant_instructor", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- the group the migration creates ----------------------------------------------------------


def test_the_instructors_group_holds_the_add_course_permission():
    group = Group.objects.get(name="Instructors")
    assert list(group.permissions.values_list("content_type__app_label", "codename")) == [
        ("courses", "add_course")
    ]


# --- creating a course ------------------------------------------------------------------------


def test_a_signed_up_user_cannot_create_a_course():
    # Given an ordinary account (what anyone gets by signing up)
    user = UserFactory(username="eve")
    # When it asks for a course
    with pytest.raises(PermissionDeniedError) as refused:
        services.course_create(user=user, title="Mine")
    # Then it is refused with how to get access, and nothing was written
    assert GRANT_HINT in refused.value.message
    assert "trusted code" in refused.value.message
    assert not Course.objects.exists()
    assert not Membership.objects.exists()


def test_staff_without_the_permission_cannot_create_a_course_but_a_superuser_can():
    staff = UserFactory(username="clerk", is_staff=True)
    with pytest.raises(PermissionDeniedError):
        services.course_create(user=staff, title="Clerk's")
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    course = services.course_create(user=root, title="Root's")
    assert list(Course.objects.values_list("title", flat=True)) == ["Root's"]
    assert selectors.role_in(user=root, course=course) == Role.INSTRUCTOR


def test_an_inactive_instructor_cannot_create_a_course():
    user = InstructorFactory(username="gone", is_active=False)
    with pytest.raises(PermissionDeniedError):
        services.course_create(user=user, title="Ghost")
    assert not Course.objects.exists()


def test_the_new_course_page_hides_the_form_and_says_why(client):
    client.force_login(UserFactory(username="eve"))
    response = client.get(reverse("teach:home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Create course" not in page
    assert 'id="instructor-access"' in page
    assert GRANT_HINT in page


@pytest.mark.parametrize("data", [{"title": "Mine"}, {"title": ""}, {}])
def test_posting_the_new_course_form_without_access_is_a_403_that_writes_nothing(client, data):
    # Given a signed-up account that bypasses the hidden form
    client.force_login(UserFactory(username="eve"))
    # When it posts the new-course form (valid or not)
    response = client.post(reverse("teach:home"), data)
    # Then: 403, the reason on the page, no course, no membership
    assert response.status_code == 403
    page = response.content.decode()
    assert 'role="alert"' in page
    assert GRANT_HINT in page
    assert not Course.objects.exists()
    assert not Membership.objects.exists()


def test_a_granted_user_sees_the_form_and_creates_a_course(client):
    user = InstructorFactory(username="grace")
    client.force_login(user)
    assert "Create course" in client.get(reverse("teach:home")).content.decode()
    response = client.post(reverse("teach:home"), {"title": "Vision"})
    course = Course.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("teach:course", args=[course.pk])
    assert list(course.memberships.values_list("user__username", "role")) == [
        ("grace", Role.INSTRUCTOR)
    ]


# --- co-instructors ---------------------------------------------------------------------------


def test_a_student_without_access_cannot_be_promoted_to_instructor(course, instructor, students):
    membership = Membership.objects.get(course=course, user=students[0])
    with pytest.raises(PermissionDeniedError) as refused:
        services.membership_change_role(
            course=course, membership_id=membership.pk, role=Role.INSTRUCTOR, acting_user=instructor
        )
    assert f"{GRANT_HINT} s0" in refused.value.message
    membership.refresh_from_db()
    assert membership.role == Role.STUDENT


@pytest.mark.parametrize("who", ["granted", "staff"])
def test_a_member_with_access_or_staff_can_be_promoted(course, instructor, students, who):
    student = students[0]
    if who == "granted":
        services.instructor_access_grant(user=student)
    else:
        student.is_staff = True
        student.save(update_fields=["is_staff"])
    membership = Membership.objects.get(course=course, user=student)
    services.membership_change_role(
        course=course, membership_id=membership.pk, role=Role.INSTRUCTOR, acting_user=instructor
    )
    membership.refresh_from_db()
    assert membership.role == Role.INSTRUCTOR


def test_the_roster_page_refuses_the_promotion_with_the_reason(
    client, course, instructor, students
):
    membership = Membership.objects.get(course=course, user=students[0])
    client.force_login(instructor)
    url = reverse("teach:roster", args=[course.pk])
    response = client.post(
        url, {"membership": membership.pk, "action": "role", "role": "instructor"}, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "s0 cannot be made an instructor" in page
    assert 'id="instructor-rule"' in page  # the page states the rule before anyone tries
    assert "s0 is now instructor" not in page
    membership.refresh_from_db()
    assert membership.role == Role.STUDENT


def test_membership_set_adds_instructors_only_with_access(course, instructor):
    plain, granted = UserFactory(username="plain"), InstructorFactory(username="granted")
    with pytest.raises(PermissionDeniedError):
        services.membership_set(
            course=course, user=plain, role=Role.INSTRUCTOR, acting_user=instructor
        )
    assert selectors.role_in(user=plain, course=course) is None
    # a student is fine, and so is an instructor with access
    services.membership_set(course=course, user=plain, role=Role.STUDENT, acting_user=instructor)
    services.membership_set(
        course=course, user=granted, role=Role.INSTRUCTOR, acting_user=instructor
    )
    assert selectors.role_in(user=plain, course=course) == Role.STUDENT
    assert selectors.role_in(user=granted, course=course) == Role.INSTRUCTOR


def test_an_existing_instructor_without_access_can_still_be_demoted(course, instructor):
    # Given a second instructor from before access was needed (or from an LMS)
    legacy = MembershipFactory(
        course=course, user=UserFactory(username="legacy"), role="instructor"
    )
    # When the course's instructor makes them a student, it works: demotion needs no access
    services.membership_change_role(
        course=course, membership_id=legacy.pk, role=Role.STUDENT, acting_user=instructor
    )
    legacy.refresh_from_db()
    assert legacy.role == Role.STUDENT


def test_joining_with_the_code_only_ever_makes_a_student(course):
    user = UserFactory(username="linus")
    membership = services.course_join(user=user, join_code=course.join_code)
    assert membership.role == Role.STUDENT


# --- grant_instructor -------------------------------------------------------------------------


def test_grant_instructor_lets_the_user_create_a_course_and_revoke_takes_it_back():
    user = UserFactory(username="hopper")
    out, _err = _run("hopper")
    assert out == "Granted instructor access to 'hopper': they can now create courses.\n"
    user = _load("hopper")  # a fresh object, as the next request would load
    course = services.course_create(user=user, title="Compilers")
    assert Group.objects.get(name="Instructors").user_set.get() == user

    out, _err = _run("hopper")
    assert out == "'hopper' already had instructor access; nothing changed.\n"

    out, err = _run("hopper", "--revoke")
    assert out == "Revoked instructor access from 'hopper': they can no longer create courses.\n"
    assert "still an instructor of 1 course(s): Compilers" in err
    user = _load("hopper")
    with pytest.raises(PermissionDeniedError):
        services.course_create(user=user, title="Again")
    assert list(Course.objects.all()) == [course]
    assert not Group.objects.get(name="Instructors").user_set.exists()

    out, _err = _run("hopper", "--revoke")
    assert out == "'hopper' was not in the Instructors group; nothing changed.\n"


def test_grant_instructor_names_an_unknown_user_and_changes_nothing():
    UserFactory(username="Hopper")
    with pytest.raises(CommandError, match="No user named 'hopper'.*case-sensitive"):
        _run("hopper")
    assert not Group.objects.get(name="Instructors").user_set.exists()


def test_revoking_a_superuser_warns_that_they_keep_access():
    UserFactory(username="root", is_superuser=True, is_staff=True)
    _out, err = _run("root", "--revoke")
    assert "is a superuser" in err
    assert "can still create courses" in err


def test_grant_instructor_recreates_a_deleted_group():
    Group.objects.filter(name="Instructors").delete()
    UserFactory(username="hopper")
    _run("hopper")
    assert selectors.can_create_course(user=_load("hopper"))
