"""Domain events that become webhooks. Receivers of Celery's task signals, worker side: the
grader stays unaware of integrations (it only grades)."""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import task_success
from django.db import DatabaseError, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from grader.signals import submission_reused

logger = logging.getLogger(__name__)


def submission_graded(*, submission_id: int) -> None:
    """Tell subscribers (and the LMS, if the student came from one) that a grade exists."""
    # Imported here: this module is loaded at app start-up, before models are ready.
    from api import permissions, webhook_services  # noqa: PLC0415
    from grader.models import Submission, SubmissionKind, SubmissionStatus  # noqa: PLC0415

    submission = (
        Submission.objects.select_related("question", "result", "user")
        .filter(pk=submission_id, status=SubmissionStatus.GRADED)
        .first()
    )
    if submission is None or submission.kind != SubmissionKind.SUBMIT:
        return
    result = submission.result
    data: dict[str, Any] = {
        "submission": submission.pk,
        "question": submission.question.slug,
        "user": submission.user.username if submission.user else None,
        "score": result.score,
        "passed_cases": result.passed_cases,
        "total_cases": result.total_cases,
        "graded_at": submission.finished_at.isoformat() if submission.finished_at else None,
    }
    webhook_services.event_emit(
        event="submission.graded",
        event_id=f"submission-{submission.pk}",
        data=data,
        owner_ids=permissions.instructor_ids_for_student(submission.user_id),
    )
    for listener in SUBMISSION_GRADED_LISTENERS:
        listener(submission)
    course_submission = getattr(submission, "course_submission", None)
    if course_submission is not None:
        assignment_completed_check(
            student_id=course_submission.student_id,
            assignment_id=course_submission.item.assignment_id,
        )


def _slot_scores(assignment: Any, student_id: int) -> list[float | None]:
    """Each slot's score (0..1), or None while the slot is still open to the student.

    A formula slot is finished once answered correctly or out of attempts; a code slot once a
    graded submission scored full marks or the submissions ran out (courses has no notion of
    "complete" yet, so it is computed here from its selectors).
    """
    from courses import selectors as course_selectors  # noqa: PLC0415 - see submission_graded
    from courses.models import QuestionKind  # noqa: PLC0415

    usage = course_selectors.slot_usage(student_id=student_id, assignment=assignment)
    scores: list[float | None] = []
    for item in assignment.items.select_related("question"):
        is_code = item.question.kind == QuestionKind.CODE
        for slot in range(1 if is_code else item.count):
            used, correct, best = usage.get((item.pk, slot), (0, False, None))
            out_of_tries = used >= assignment.attempts_allowed
            if is_code:
                finished = best is not None and (best >= 1.0 or out_of_tries)
                scores.append(best if finished else None)
            else:
                scores.append((1.0 if correct else 0.0) if correct or out_of_tries else None)
    return scores


def assignment_completed_check(*, student_id: int, assignment_id: int) -> bool:
    """Emit "assignment.completed" once every slot is finished (once per student and assignment;
    the delivery's unique event id makes a second call a no-op)."""
    from api import webhook_services  # noqa: PLC0415 - see submission_graded
    from courses.models import Assignment, Membership, Role  # noqa: PLC0415

    assignment = Assignment.objects.select_related("course").filter(pk=assignment_id).first()
    if assignment is None:
        return False
    scores = _slot_scores(assignment, student_id)
    if not scores or any(score is None for score in scores):
        return False
    student = (
        Membership.objects.filter(
            course_id=assignment.course_id, user_id=student_id, role=Role.STUDENT
        )
        .select_related("user")
        .first()
    )
    if student is None:
        return False
    audience = set(
        Membership.objects.filter(course_id=assignment.course_id, role=Role.INSTRUCTOR).values_list(
            "user_id", flat=True
        )
    )
    audience |= set(type(student.user).objects.filter(is_staff=True).values_list("pk", flat=True))
    webhook_services.event_emit(
        event="assignment.completed",
        event_id=f"assignment-{assignment.pk}-student-{student_id}",
        data={
            "assignment": assignment.pk,
            "title": assignment.title,
            "course": assignment.course_id,
            "user": student.user.username,
            # Mean over the slots, before any late penalty (the gradebook applies that).
            "score": round(sum(scores) / len(scores), 4),
            "slots": len(scores),
        },
        owner_ids=audience,
    )
    return True


def _safely(function: Any, **kwargs: Any) -> None:
    try:
        function(**kwargs)
    except DatabaseError:
        logger.exception("could not emit webhook events (%s)", function.__name__)


@receiver(post_save, sender="courses.CourseAttempt")
def _on_course_attempt(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    student_id, assignment_id = instance.student_id, instance.item.assignment_id
    transaction.on_commit(
        lambda: _safely(
            assignment_completed_check, student_id=student_id, assignment_id=assignment_id
        )
    )


@receiver(submission_reused)
def _on_submission_reused(sender: Any, submission_id: int, **kwargs: Any) -> None:
    """The grader answered with an earlier grade (identical code): no worker task ran."""
    _safely(submission_graded, submission_id=submission_id)


# Other apps (lti: grade passback) add a callable(submission) here at start-up.
SUBMISSION_GRADED_LISTENERS: list[Any] = []


@task_success.connect
def _on_task_success(sender: Any = None, result: Any = None, **kwargs: Any) -> None:
    if sender is None or sender.name != "grader.tasks.grade_submission_task":
        return
    if result != "graded":
        return
    try:
        submission_graded(submission_id=int(sender.request.args[0]))
    except DatabaseError:
        logger.exception("could not emit submission.graded events")
