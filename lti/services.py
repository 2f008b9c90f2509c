"""LTI 1.3 on django-lti: who a launch is, which course and assignment it opens, deep-link
responses, grade passback (AGS) and roster sync (NRPS).

The LMS is trusted for identity and role *in its own course* only after pylti1p3 has verified the
launch JWT (signature against the platform's JWKS, issuer, audience, expiry, deployment, nonce).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from lti_tool.lti_core.constants import ContextRole
from lti_tool.lti_core.utils import normalize_role
from lti_tool.models import LtiContext, LtiLaunch, LtiRegistration, LtiResourceLink, LtiUser
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from core.exceptions import PermissionDeniedError
from courses import selectors as course_selectors
from courses import services as course_services
from courses.models import Assignment, Course, CourseSubmission, Membership, Role
from lti.models import AssignmentLink, CourseLink, SpentNonce

logger = logging.getLogger(__name__)

CUSTOM_ASSIGNMENT = "stride_assignment_id"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
HTTP_TIMEOUT_S = 10
INSTRUCTOR_ROLES = {
    ContextRole.INSTRUCTOR,
    ContextRole.ADMINISTRATOR,
    ContextRole.CONTENT_DEVELOPER,
}


class LaunchRejectedError(PermissionDeniedError):
    """A verified launch that Stride still refuses (replay, unknown assignment, no course yet)."""


class _TimeoutSession(requests.Session):
    """pylti1p3 calls the platform without a timeout; a hung LMS must not hang a worker."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", HTTP_TIMEOUT_S)
        return super().request(*args, **kwargs)


def _connector(registration: LtiRegistration) -> ServiceConnector:
    return ServiceConnector(registration.to_registration(), requests_session=_TimeoutSession())


# --- launches ----------------------------------------------------------------------------------


def role_from_claims(roles: list[str]) -> str | None:
    """LMS roles -> Stride course role: teaching roles become instructors, learners students."""
    normalized = {normalize_role(role) for role in roles}
    if normalized & INSTRUCTOR_ROLES or any("TeachingAssistant" in role for role in roles):
        return Role.INSTRUCTOR
    if ContextRole.LEARNER in normalized:
        return Role.STUDENT
    return None


def nonce_spend(*, issuer: str, nonce: str) -> None:
    """Refuse a launch whose nonce was already used (a replayed id_token)."""
    try:
        with transaction.atomic():
            SpentNonce.objects.create(issuer=issuer, nonce=nonce)
    except IntegrityError as error:
        raise LaunchRejectedError(
            "This launch was already used. Launch again from your LMS."
        ) from error


@transaction.atomic
def user_for_lti_user(*, lti_user: LtiUser) -> AbstractBaseUser:
    """The Stride account linked to an LMS identity, created on its first launch."""
    lti_user = LtiUser.objects.select_for_update().get(pk=lti_user.pk)
    if lti_user.auth_user is not None:
        return lti_user.auth_user
    user_model = get_user_model()
    username = f"lti-{lti_user.registration_id}-{secrets.token_hex(4)}"
    user = user_model.objects.create(
        username=username,
        email=lti_user.email or "",
        first_name=(lti_user.given_name or "")[:150],
        last_name=(lti_user.family_name or "")[:150],
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    lti_user.auth_user = user
    lti_user.save(update_fields=["auth_user"])
    return user


def membership_ensure(*, course: Course, user: AbstractBaseUser, role: str) -> None:
    """Give the LMS role in the linked course; never demote a Stride instructor to student."""
    current = course_selectors.role_in(user=user, course=course)
    if current == role or current == Role.INSTRUCTOR:
        return
    # Trusted: the LMS vouches for the role (a platform a Stride administrator registered, its
    # launch or roster verified), so an LMS instructor needs no Stride instructor access.
    course_services.membership_set_from_lms(course=course, user=user, role=role)


@dataclass(frozen=True)
class LaunchOutcome:
    user: AbstractBaseUser
    role: str
    course: Course | None
    assignment: Assignment | None


def _context_for(lti_launch: LtiLaunch) -> LtiContext:
    return lti_launch.context


def launch_accept(*, lti_launch: LtiLaunch) -> LaunchOutcome:
    """Link the launching user, their course and (for a resource link) the assignment."""
    role = role_from_claims(lti_launch.roles_claim or [])
    if role is None:
        raise LaunchRejectedError("Stride accepts launches from instructors and learners only.")
    user = user_for_lti_user(lti_user=lti_launch.user)
    context = _context_for(lti_launch)
    link = CourseLink.objects.filter(context=context).select_related("course").first()
    course = link.course if link else None
    if course is None and role == Role.INSTRUCTOR and lti_launch.is_resource_launch:
        # Trusted: the LMS vouches for the Instructor role (see course_create_from_lms).
        course = course_services.course_create_from_lms(
            user=user, title=context.title or context.label or "LMS course"
        )
        CourseLink.objects.create(context=context, course=course)
    if course is not None:
        membership_ensure(course=course, user=user, role=role)
    assignment = None
    if lti_launch.is_resource_launch:
        assignment = _assignment_for_launch(lti_launch=lti_launch, course=course)
    if course is None and role == Role.STUDENT:
        raise LaunchRejectedError(
            "Your instructor has not set up Stride for this course yet. Ask them to add a Stride "
            "assignment from the LMS first."
        )
    return LaunchOutcome(user=user, role=role, course=course, assignment=assignment)


def _assignment_for_launch(*, lti_launch: LtiLaunch, course: Course | None) -> Assignment | None:
    custom = lti_launch.get_claim("https://purl.imsglobal.org/spec/lti/claim/custom") or {}
    resource_link: LtiResourceLink = lti_launch.resource_link
    ags = lti_launch.ags_claim or {}
    existing = AssignmentLink.objects.filter(resource_link=resource_link).first()
    raw_id = str(custom.get(CUSTOM_ASSIGNMENT, "")).strip()
    if existing is None and not raw_id.isdigit():
        return None
    assignment_id = existing.assignment_id if existing else int(raw_id)
    assignment = Assignment.objects.filter(pk=assignment_id).select_related("course").first()
    if assignment is None or course is None or assignment.course_id != course.pk:
        raise LaunchRejectedError("This LMS link points to an assignment of another course.")
    AssignmentLink.objects.update_or_create(
        resource_link=resource_link,
        defaults={
            "assignment": assignment,
            "lineitem_url": ags.get("lineitem", "") or (existing.lineitem_url if existing else ""),
            "ags_scopes": ags.get("scope", []) or (existing.ags_scopes if existing else []),
        },
    )
    return assignment


# --- deep linking ------------------------------------------------------------------------------


def deep_link_choices(*, user: AbstractBaseUser, context: LtiContext) -> list[Assignment]:
    """Assignments the instructor may place: the linked course's, or any course they teach."""
    link = CourseLink.objects.filter(context=context).first()
    courses = (
        [link.course_id]
        if link
        else list(
            course_selectors.courses_for_user(user=user, role=Role.INSTRUCTOR).values_list(
                "pk", flat=True
            )
        )
    )
    return list(
        Assignment.objects.filter(
            course_id__in=courses,
            course__memberships__user=user,
            course__memberships__role=Role.INSTRUCTOR,
        )
        .select_related("course")
        .order_by("course__title", "title")
    )


@transaction.atomic
def deep_link_resource(
    *, user: AbstractBaseUser, context: LtiContext, assignment_id: int, launch_url: str
) -> DeepLinkResource:
    """The ltiResourceLink content item for one of the instructor's assignments."""
    assignment = Assignment.objects.filter(pk=assignment_id).select_related("course").first()
    if assignment is None or assignment not in deep_link_choices(user=user, context=context):
        raise PermissionDeniedError("You can only add assignments of courses you teach.")
    CourseLink.objects.get_or_create(context=context, defaults={"course": assignment.course})
    line_item = (
        LineItem()
        .set_score_maximum(1)
        .set_label(assignment.title)
        .set_resource_id(f"stride-assignment-{assignment.pk}")
    )
    return (
        DeepLinkResource()
        .set_url(launch_url)
        .set_title(assignment.title)
        .set_custom_params({CUSTOM_ASSIGNMENT: str(assignment.pk)})
        .set_lineitem(line_item)
    )


# --- grade passback (AGS) ----------------------------------------------------------------------


def assignment_score(*, student_id: int, assignment: Assignment) -> float:
    """The student's score on the assignment (0..1), as the course gradebook computes it."""
    book = course_selectors.gradebook(course=assignment.course)
    for row in book.rows:
        if row.student_id == student_id:
            return row.scores.get(assignment.pk, 0.0)
    return 0.0


def assignment_score_changed(*, student_id: int, assignment_id: int) -> None:
    """Call after a student's answer or graded submission: queues passback to every LMS line
    item this assignment is placed in (after commit; a no-op when it came from no LMS)."""
    from lti import tasks  # noqa: PLC0415 - tasks import this module (STYLE: breaks the cycle)

    link_ids = list(
        AssignmentLink.objects.filter(assignment_id=assignment_id)
        .exclude(lineitem_url="")
        .filter(resource_link__context__deployment__registration__users__auth_user_id=student_id)
        .values_list("pk", flat=True)
        .distinct()
    )
    for link_id in link_ids:
        transaction.on_commit(
            lambda pk=link_id: tasks.score_send_task.apply_async(args=[pk, student_id], queue="cpu")
        )


def submission_graded_listener(submission: Any) -> None:
    """api.events listener: a graded code submission may change an LMS-linked score."""
    row = (
        CourseSubmission.objects.filter(submission_id=submission.pk)
        .values_list("student_id", "item__assignment_id")
        .first()
    )
    if row is not None:
        assignment_score_changed(student_id=row[0], assignment_id=row[1])


def score_send(*, link_id: int, student_id: int) -> dict[str, Any] | None:
    """POST the student's current score to the line item. Raises on a platform failure."""
    link = (
        AssignmentLink.objects.select_related(
            "assignment__course", "resource_link__context__deployment__registration"
        )
        .filter(pk=link_id)
        .first()
    )
    if link is None or not link.lineitem_url:
        return None
    registration = link.resource_link.context.deployment.registration
    lti_user = LtiUser.objects.filter(registration=registration, auth_user_id=student_id).first()
    if lti_user is None:
        return None
    score = assignment_score(student_id=student_id, assignment=link.assignment)
    grade = (
        Grade()
        .set_score_given(round(score, 4))
        .set_score_maximum(1)
        .set_user_id(lti_user.sub)
        .set_timestamp(datetime.now(tz=UTC).isoformat())
        .set_activity_progress("Completed" if score >= 1 else "InProgress")
        .set_grading_progress("FullyGraded")
    )
    service = AssignmentsGradesService(
        _connector(registration),
        {"scope": link.ags_scopes or [SCORE_SCOPE], "lineitem": link.lineitem_url},
    )
    service.put_grade(grade)  # raises LtiServiceException on a non-2xx answer
    return {"score": score}


# --- roster sync (NRPS) ------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterOutcome:
    added: int
    unchanged: int
    skipped: int
    removed: int = 0


def rosters_sync_schedule() -> int:
    """Queue a roster sync for every linked course whose LMS offers Names and Role Provisioning
    (beat runs this periodically). One task per course: a platform that is down retries on its
    own without holding up the other courses. Returns how many were queued."""
    from lti import tasks  # noqa: PLC0415 - tasks import this module (STYLE: breaks the cycle)

    link_ids = list(
        CourseLink.objects.exclude(context__memberships_url="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for link_id in link_ids:
        tasks.roster_sync_task.apply_async(args=[link_id], queue="cpu")
    return len(link_ids)


def _fetch_members(context: LtiContext) -> list[dict[str, Any]]:
    """The platform's member list (every page), with NRPS's optional status made explicit."""
    service = NamesRolesProvisioningService(
        _connector(context.deployment.registration),  # with a timeout: a hung LMS
        {"context_memberships_url": context.memberships_url},
    )
    return [{"status": "Active", **member} for member in service.get_members()]


def roster_sync(*, course_link: CourseLink) -> RosterOutcome:
    """Mirror the LMS roster into the Stride course: active members get their LMS role; students
    who came from this LMS and are no longer active members there (dropped, or gone from the
    list) leave the course. Instructors and students who joined with the join code are never
    removed by a sync; a removed student's past answers stay."""
    context = course_link.context
    if not context.memberships_url:
        # No roster service: nothing to mirror, and an empty list must not empty the course.
        return RosterOutcome(added=0, unchanged=0, skipped=0)
    member_data = _fetch_members(context)
    context.update_memberships(member_data)  # django-lti's own record of the roster
    registration = context.deployment.registration
    added = unchanged = skipped = 0
    active_subs: set[str] = set()
    for member in member_data:
        role = role_from_claims(member.get("roles", []))
        if role is None or member["status"] != "Active":
            skipped += 1
            continue
        active_subs.add(member["user_id"])
        lti_user = LtiUser.objects.get(registration=registration, sub=member["user_id"])
        user = user_for_lti_user(lti_user=lti_user)
        before = course_selectors.role_in(user=user, course=course_link.course)
        membership_ensure(course=course_link.course, user=user, role=role)
        if before is None:
            added += 1
        else:
            unchanged += 1
    from_this_lms = LtiUser.objects.filter(registration=registration, auth_user__isnull=False)
    gone = Membership.objects.filter(
        course=course_link.course,
        role=Role.STUDENT,
        user_id__in=from_this_lms.values("auth_user_id"),
    ).exclude(user_id__in=from_this_lms.filter(sub__in=active_subs).values("auth_user_id"))
    removed = gone.count()
    gone.delete()
    return RosterOutcome(added=added, unchanged=unchanged, skipped=skipped, removed=removed)
