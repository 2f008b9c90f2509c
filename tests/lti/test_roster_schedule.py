"""Roster sync runs on beat: every LMS-linked course's roster is fetched from the platform's
Names and Role Provisioning endpoint (the lti1p3platform platform on loopback)."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from lti_tool.models import LtiContext

from config.celery import app as celery_app
from courses.models import Membership, Role
from lti import services, tasks
from lti.models import CourseLink
from tests.factories import CourseFactory, MembershipFactory, UserFactory
from tests.lti.conftest import INSTRUCTOR, LEARNER, oidc_login, platform_launch


def _linked_course(platform, course_with_assignment):  # noqa: ANN001, ANN202
    course, _teacher, _assignment = course_with_assignment
    client = Client()
    form = platform_launch(platform, oidc_login(client), sub="teacher-1", roles=[INSTRUCTOR])
    assert client.post("/lti/launch/", form).status_code == 302
    CourseLink.objects.update(course=course)
    return course


def _lms_members(course) -> dict[str, str]:  # noqa: ANN001
    return {
        m.user.lti_users.get().sub: m.role
        for m in Membership.objects.filter(course=course, user__lti_users__isnull=False)
    }


def test_the_beat_entry_syncs_every_linked_course_from_the_platform(
    platform, course_with_assignment, eager_celery
):
    course = _linked_course(platform, course_with_assignment)
    # and a second LMS course linked to Stride whose platform offers no roster service
    bare_context = LtiContext.objects.create(
        deployment=LtiContext.objects.get().deployment, id_on_platform="course-43"
    )
    CourseLink.objects.create(context=bare_context, course=CourseFactory(join_code="BARE2345"))
    platform.members = [
        {"user_id": "s-1", "roles": [LEARNER], "name": "Ann", "status": "Active"},
        {"user_id": "s-2", "roles": [LEARNER], "status": "Inactive"},
        {"user_id": "ta-1", "roles": [INSTRUCTOR], "status": "Active"},
    ]
    entry = settings.CELERY_BEAT_SCHEDULE["lti-roster-sync"]

    # When beat fires the entry (eagerly: the task and the per-course syncs it queues run here)
    result = celery_app.tasks[entry["task"]].apply()

    # then only the course whose platform has NRPS was queued, and it has the LMS's roster
    assert result.get() == "queued 1 roster syncs"
    assert _lms_members(course) == {"s-1": Role.STUDENT, "ta-1": Role.INSTRUCTOR}
    assert entry["options"] == {"queue": "cpu"}
    assert entry["schedule"] > 0

    # and when someone else enrols in the LMS, the next run adds just them
    platform.members.append({"user_id": "s-3", "roles": [LEARNER], "status": "Active"})
    celery_app.tasks[entry["task"]].apply()
    assert _lms_members(course) == {"s-1": "student", "ta-1": "instructor", "s-3": "student"}
    assert Membership.objects.filter(course=course).count() == 4  # and the Stride teacher


def test_nothing_is_queued_without_linked_courses(db, eager_celery):  # noqa: ANN001
    assert tasks.rosters_sync_scheduled_task.apply().get() == "queued 0 roster syncs"


def test_students_dropped_in_the_lms_leave_the_course_and_no_one_else_does(
    platform, course_with_assignment, eager_celery
):
    course = _linked_course(platform, course_with_assignment)
    joined_by_code = MembershipFactory(course=course, user=UserFactory(username="by-code")).user
    platform.members = [
        {"user_id": "s-1", "roles": [LEARNER]},  # NRPS: no status means Active
        {"user_id": "s-2", "roles": [LEARNER], "status": "Active"},
        {"user_id": "ta-1", "roles": [INSTRUCTOR], "status": "Active"},
    ]
    tasks.rosters_sync_scheduled_task.apply()
    assert _lms_members(course) == {"s-1": "student", "s-2": "student", "ta-1": "instructor"}

    # When s-1 is dropped (inactive), s-2 leaves the LMS course and the TA goes inactive
    platform.members = [
        {"user_id": "s-1", "roles": [LEARNER], "status": "Inactive"},
        {"user_id": "ta-1", "roles": [INSTRUCTOR], "status": "Inactive"},
    ]
    link = CourseLink.objects.get(course=course)
    outcome = services.roster_sync(course_link=link)

    # then both students leave the course; the TA and the join-code student stay
    assert (outcome.added, outcome.skipped, outcome.removed) == (0, 2, 2)
    assert _lms_members(course) == {"ta-1": "instructor"}
    assert Membership.objects.filter(course=course, user=joined_by_code).exists()
