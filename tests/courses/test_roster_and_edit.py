"""The roster page (list, change role, remove) and the assignment edit page, as the right and
the wrong users (issue 6, gap 5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.models import Membership, Role
from tests.factories import CourseFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_instructor():  # noqa: ANN201
    other = CourseFactory(title="Other", join_code="QQQQ2345")
    return MembershipFactory(
        course=other, user=UserFactory(username="otherprof"), role=Role.INSTRUCTOR
    ).user


def _urls(course, assignment, membership):  # noqa: ANN001, ANN202
    return [
        ("get", reverse("teach:roster", args=[course.pk]), {}),
        (
            "post",
            reverse("teach:roster", args=[course.pk]),
            {"membership": membership.pk, "action": "remove"},
        ),
        (
            "post",
            reverse("teach:roster", args=[course.pk]),
            {"membership": membership.pk, "action": "role", "role": "instructor"},
        ),
        ("get", reverse("teach:assignment-edit", args=[assignment.pk]), {}),
        ("post", reverse("teach:assignment-edit", args=[assignment.pk]), {"title": "Hacked"}),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("student", 403), ("outsider", 404), ("other_instructor", 404)],
)
def test_wrong_users_are_refused(
    client, course, students, open_assignment, other_instructor, who, status
):
    users = {
        "student": students[0],
        "outsider": UserFactory(username="nobody"),
        "other_instructor": other_instructor,
    }
    if who != "anonymous":
        client.force_login(users[who])
    target = Membership.objects.get(course=course, user=students[1])
    for method, url, data in _urls(course, open_assignment, target):
        response = getattr(client, method)(url, data)
        assert response.status_code == status, (method, url)
    assert Membership.objects.filter(pk=target.pk, role=Role.STUDENT).exists()
    open_assignment.refresh_from_db()
    assert open_assignment.title == "Week 1"


def test_instructor_lists_changes_role_and_removes(client, course, instructor, students):
    services.instructor_access_grant(user=students[0])  # may be made a co-instructor
    client.force_login(instructor)
    page = client.get(reverse("teach:roster", args=[course.pk])).content.decode()
    for user in (instructor, *students):
        assert user.username in page
    url = reverse("teach:roster", args=[course.pk])
    promoted = Membership.objects.get(course=course, user=students[0])
    response = client.post(url, {"membership": promoted.pk, "action": "role", "role": "instructor"})
    assert response.status_code == 302
    promoted.refresh_from_db()
    assert promoted.role == Role.INSTRUCTOR
    removed = Membership.objects.get(course=course, user=students[1])
    client.post(url, {"membership": removed.pk, "action": "remove"})
    assert not Membership.objects.filter(pk=removed.pk).exists()
    page = client.get(url).content.decode()
    assert "Removed s1 from the course." in page
    assert f'id="member-{removed.pk}"' not in page


def test_the_last_instructor_cannot_leave_or_be_demoted(client, course, instructor):
    client.force_login(instructor)
    url = reverse("teach:roster", args=[course.pk])
    own = Membership.objects.get(course=course, user=instructor)
    client.post(url, {"membership": own.pk, "action": "role", "role": "student"})
    client.post(url, {"membership": own.pk, "action": "remove"})
    own.refresh_from_db()
    assert own.role == Role.INSTRUCTOR
    page = client.get(url).content.decode()
    assert "at least one instructor" in page


def test_a_member_of_another_course_cannot_be_touched_through_this_one(
    client, course, instructor, other_instructor
):
    client.force_login(instructor)
    foreign = Membership.objects.get(user=other_instructor)
    response = client.post(
        reverse("teach:roster", args=[course.pk]), {"membership": foreign.pk, "action": "remove"}
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def _form(assignment, **changes):  # noqa: ANN001, ANN003, ANN202
    data = {
        "title": assignment.title,
        "opens_at": assignment.opens_at.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": assignment.closes_at.strftime("%Y-%m-%dT%H:%M"),
        "attempts_allowed": assignment.attempts_allowed,
        "late_policy": assignment.late_policy,
        "late_penalty_percent": assignment.late_penalty_percent,
        "publish": "on" if assignment.is_published else "",
    }
    data.update(changes)
    return data


def test_instructor_edits_the_assignment_settings(client, instructor, open_assignment):
    client.force_login(instructor)
    url = reverse("teach:assignment-edit", args=[open_assignment.pk])
    assert "Week 1" in client.get(url).content.decode()
    later = (timezone.localtime() + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url,
        _form(
            open_assignment,
            title="Week 1 (extended)",
            closes_at=later,
            attempts_allowed=5,
            late_policy="penalty",
            late_penalty_percent=20,
        ),
    )
    assert response.status_code == 302
    open_assignment.refresh_from_db()
    assert (open_assignment.title, open_assignment.attempts_allowed) == ("Week 1 (extended)", 5)
    assert open_assignment.late_penalty_percent == 20
    assert open_assignment.items.count() == 1


def test_edit_refuses_a_window_that_closes_before_it_opens(client, instructor, open_assignment):
    client.force_login(instructor)
    url = reverse("teach:assignment-edit", args=[open_assignment.pk])
    early = (open_assignment.opens_at - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, _form(open_assignment, closes_at=early))
    assert response.status_code == 200
    assert "must close after it opens" in response.content.decode()


def test_an_answered_assignment_stays_published(client, instructor, students, open_assignment):
    item = open_assignment.items.get()
    services.assignment_answer(student=students[0], item=item, slot=0, raw_answer="1")
    client.force_login(instructor)
    url = reverse("teach:assignment-edit", args=[open_assignment.pk])
    response = client.post(url, _form(open_assignment, publish=""))
    assert "stays published" in response.content.decode()
    open_assignment.refresh_from_db()
    assert open_assignment.is_published
