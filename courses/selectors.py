"""Reads of the courses app, with the object-level permission checks every caller goes through.

A course is invisible (NotFoundError) to anyone who is not a member, so a wrong guess at an id
tells nothing; a member without the needed role gets PermissionDeniedError.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Count, Max, Prefetch, Q, QuerySet

from core.exceptions import NotFoundError, PermissionDeniedError
from courses.bank import (
    CourseCodeQuestionData,
    CourseTemplateData,
    dump_course_code_questions,
    dump_course_templates,
)
from courses.exports.common import ExportBundle, ExportCategory, question_from_variant
from courses.models import (
    CREATE_COURSE_PERMISSION,
    Assignment,
    AssignmentItem,
    AuthoredQuestion,
    Course,
    CourseAttempt,
    CourseSubmission,
    Membership,
    QuestionKind,
    QuestionStatus,
    Role,
)
from grader.models import SubmissionKind, SubmissionStatus
from quizzes.generators import get_generator
from quizzes.misconceptions import get_misconception

# --- permissions -----------------------------------------------------------------------------


def role_in(*, user: AbstractBaseUser, course: Course) -> str | None:
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(course=course, user=user).values_list("role", flat=True).first()
    )


def require_instructor(*, user: AbstractBaseUser, course: Course) -> None:
    role = role_in(user=user, course=course)
    if role is None:
        raise NotFoundError("No such course.")
    if role != Role.INSTRUCTOR:
        raise PermissionDeniedError("Only the course's instructors can do that.")


INSTRUCTOR_ACCESS_MESSAGE = (
    "Creating a course needs instructor access, which an administrator grants: an instructor's "
    "reference solutions run as trusted code on Stride's server. Ask a Stride administrator to "
    "run 'python manage.py grant_instructor <your username>' (or to add you to the Instructors "
    "group), or open Stride from your LMS as the course's instructor."
)


def can_create_course(*, user: AbstractBaseUser) -> bool:
    """Holds ``courses.add_course`` (the Instructors group, or a superuser); active users only."""
    return bool(user.is_authenticated and user.has_perm(CREATE_COURSE_PERMISSION))


def require_course_creator(*, user: AbstractBaseUser) -> None:
    if not can_create_course(user=user):
        raise PermissionDeniedError(INSTRUCTOR_ACCESS_MESSAGE)


def can_be_made_instructor(*, user: AbstractBaseUser) -> bool:
    """Whether a course's instructor may make ``user`` a co-instructor: they must be trusted
    with reference code already (instructor access, or staff)."""
    return bool(user.is_active and (user.is_staff or user.has_perm(CREATE_COURSE_PERMISSION)))


def require_bank_user(*, user: AbstractBaseUser) -> None:
    """Bank files are for staff and instructors (of at least one course), as in the API."""
    if user.is_staff or Membership.objects.filter(user=user, role=Role.INSTRUCTOR).exists():
        return
    raise PermissionDeniedError("Only staff and instructors can import or export the bank.")


def require_student(*, user: AbstractBaseUser, course: Course) -> None:
    role = role_in(user=user, course=course)
    if role is None:
        raise NotFoundError("No such course.")
    if role != Role.STUDENT:
        raise PermissionDeniedError("Only the course's students answer its assignments.")


def course_for_instructor(*, user: AbstractBaseUser, course_id: int) -> Course:
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        raise NotFoundError("No such course.")
    require_instructor(user=user, course=course)
    return course


def question_for_instructor(*, user: AbstractBaseUser, question_id: int) -> AuthoredQuestion:
    question = (
        AuthoredQuestion.objects.select_related(
            "course", "template", "template__topic", "code_question"
        )
        .filter(pk=question_id)
        .first()
    )
    if question is None:
        raise NotFoundError("No such question.")
    require_instructor(user=user, course=question.course)
    return question


def assignment_for_instructor(*, user: AbstractBaseUser, assignment_id: int) -> Assignment:
    assignment = Assignment.objects.select_related("course").filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFoundError("No such assignment.")
    require_instructor(user=user, course=assignment.course)
    return assignment


def assignment_for_student(*, user: AbstractBaseUser, assignment_id: int) -> Assignment:
    assignment = (
        Assignment.objects.select_related("course")
        .filter(pk=assignment_id, is_published=True)
        .first()
    )
    if assignment is None:
        raise NotFoundError("No such assignment.")
    require_student(user=user, course=assignment.course)
    return assignment


def item_for_student(*, user: AbstractBaseUser, item_id: int) -> AssignmentItem:
    item = (
        AssignmentItem.objects.select_related(
            "assignment__course", "question__template", "question__code_question"
        )
        .filter(pk=item_id, assignment__is_published=True)
        .first()
    )
    if item is None:
        raise NotFoundError("No such question.")
    require_student(user=user, course=item.assignment.course)
    return item


# --- lists -----------------------------------------------------------------------------------


def courses_for_user(*, user: AbstractBaseUser, role: str) -> QuerySet[Course]:
    return (
        Course.objects.filter(memberships__user=user, memberships__role=role)
        .annotate(
            student_count=Count("memberships", filter=Q(memberships__role=Role.STUDENT)),
        )
        .order_by("title", "pk")
    )


def questions_for_course(
    *, course: Course, current_only: bool = True
) -> QuerySet[AuthoredQuestion]:
    questions = AuthoredQuestion.objects.filter(course=course).select_related(
        "template", "template__topic", "code_question"
    )
    if current_only:
        questions = questions.filter(is_current=True)
    return questions.order_by("kind", "lineage")


def assignments_for_course(*, course: Course) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(course=course)
        .prefetch_related(
            Prefetch(
                "items",
                queryset=AssignmentItem.objects.select_related(
                    "question__template", "question__code_question"
                ),
            )
        )
        .order_by("opens_at", "pk")
    )


def assignments_for_student(*, user: AbstractBaseUser) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(
            is_published=True,
            course__memberships__user=user,
            course__memberships__role=Role.STUDENT,
        )
        .select_related("course")
        .order_by("closes_at", "pk")
    )


def roster(*, course: Course) -> QuerySet[Membership]:
    return course.memberships.select_related("user").order_by("role", "user__username")


# --- student work ----------------------------------------------------------------------------


def slot_usage(
    *, student_id: int, assignment: Assignment
) -> dict[tuple[int, int], tuple[int, bool, float | None]]:
    """(item, slot) -> (attempts used, answered correctly, best code score)."""
    usage: dict[tuple[int, int], tuple[int, bool, float | None]] = {}
    for row in (
        CourseAttempt.objects.filter(item__assignment=assignment, student_id=student_id)
        .values("item_id", "slot")
        .annotate(used=Count("pk"), correct=Count("pk", filter=Q(is_correct=True)))
    ):
        usage[(row["item_id"], row["slot"])] = (row["used"], row["correct"] > 0, None)
    for row in (
        CourseSubmission.objects.filter(
            item__assignment=assignment,
            student_id=student_id,
            submission__kind=SubmissionKind.SUBMIT,
        )
        .values("item_id", "slot")
        .annotate(used=Count("pk"), best=Max("submission__result__score"))
    ):
        best = row["best"]
        usage[(row["item_id"], row["slot"])] = (row["used"], best == 1.0, best)
    return usage


# --- gradebook -------------------------------------------------------------------------------


@dataclass
class GradebookRow:
    student_id: int
    username: str
    scores: dict[int, float] = field(default_factory=dict)  # assignment id -> 0..1

    @property
    def total(self) -> float:
        return sum(self.scores.values()) / len(self.scores) if self.scores else 0.0


@dataclass(frozen=True)
class Gradebook:
    assignments: list[Assignment]
    rows: list[GradebookRow]


def _slot_scores(course: Course) -> dict[tuple[int, int, int], float]:
    """(student, item, slot) -> score after the late penalty; a constant three queries."""
    penalty = {
        item_id: (100 - percent) / 100
        for item_id, percent in AssignmentItem.objects.filter(
            assignment__course=course
        ).values_list("pk", "assignment__late_penalty_percent")
    }
    scores: dict[tuple[int, int, int], float] = {}
    for row in (
        CourseAttempt.objects.filter(course=course)
        .values("student_id", "item_id", "slot")
        .annotate(
            on_time=Count("pk", filter=Q(is_correct=True, is_late=False)),
            late=Count("pk", filter=Q(is_correct=True, is_late=True)),
        )
    ):
        key = (row["student_id"], row["item_id"], row["slot"])
        scores[key] = 1.0 if row["on_time"] else (penalty[row["item_id"]] if row["late"] else 0.0)
    for row in (
        CourseSubmission.objects.filter(
            course=course,
            submission__kind=SubmissionKind.SUBMIT,
            submission__status=SubmissionStatus.GRADED,
        )
        .values("student_id", "item_id", "slot", "is_late")
        .annotate(best=Max("submission__result__score"))
    ):
        key = (row["student_id"], row["item_id"], row["slot"])
        best = (row["best"] or 0.0) * (penalty[row["item_id"]] if row["is_late"] else 1.0)
        scores[key] = max(scores.get(key, 0.0), best)
    return scores


def gradebook(*, course: Course) -> Gradebook:
    """Every student's score (0..1) on every assignment of the course, in five queries."""
    assignments = list(assignments_for_course(course=course))
    students = list(
        get_user_model()
        .objects.filter(course_memberships__course=course, course_memberships__role=Role.STUDENT)
        .order_by("username")
        .values_list("pk", "username")
    )
    scores = _slot_scores(course)
    rows = []
    for student_id, username in students:
        row = GradebookRow(student_id, username)
        for assignment in assignments:
            items = list(assignment.items.all())
            total_slots = sum(item.count for item in items)
            earned = sum(
                scores.get((student_id, item.pk, slot), 0.0)
                for item in items
                for slot in range(item.count)
            )
            row.scores[assignment.pk] = earned / total_slots if total_slots else 0.0
        rows.append(row)
    return Gradebook(assignments=assignments, rows=rows)


# --- analytics -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionStats:
    template_id: int
    title: str
    version: int
    attempts: int
    percent_correct: float
    median_time_ms: float | None
    discrimination: float | None  # upper 27% minus lower 27% of students, -1..1


@dataclass(frozen=True)
class MisconceptionCount:
    misconception: str
    title: str
    topic: str
    count: int


@dataclass(frozen=True)
class StudentProgress:
    student_id: int
    username: str
    attempts: int
    percent_correct: float
    questions_correct: int


@dataclass(frozen=True)
class Analytics:
    questions: list[QuestionStats]
    misconceptions_by_topic: list[MisconceptionCount]
    misconceptions_over_time: dict[str, list[tuple[datetime, int]]]  # weekly counts, top five
    students: list[StudentProgress]


QUESTION_STATS_SQL = """
SELECT ca.template_id, t.title, count(*) AS attempts,
       avg(ca.is_correct::int) AS correct,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ca.time_taken_ms) AS median_time
FROM courses_courseattempt ca JOIN quizzes_questiontemplate t ON t.id = ca.template_id
WHERE ca.course_id = %s
GROUP BY ca.template_id, t.title
ORDER BY t.title, ca.template_id
"""

# Classical discrimination index: students ranked by their share of questions answered correctly
# (ever, per question); p(top 27%) - p(bottom 27%) per question, at least one student per group.
DISCRIMINATION_SQL = """
WITH per_item AS (
    SELECT student_id, template_id, bool_or(is_correct)::int AS ok
    FROM courses_courseattempt WHERE course_id = %s
    GROUP BY student_id, template_id
), per_student AS (
    SELECT student_id,
           row_number() OVER (ORDER BY avg(ok), student_id) AS position,
           count(*) OVER () AS students
    FROM per_item GROUP BY student_id
), groups AS (
    SELECT student_id, position, students,
           greatest(1, round(0.27 * students)) AS group_size
    FROM per_student
)
SELECT template_id,
       avg(ok) FILTER (WHERE position > students - group_size)
       - avg(ok) FILTER (WHERE position <= group_size)
FROM per_item JOIN groups USING (student_id)
GROUP BY template_id
"""

MISCONCEPTIONS_BY_TOPIC_SQL = """
SELECT ca.misconception, tp.title, count(*) AS n
FROM courses_courseattempt ca JOIN quizzes_topic tp ON tp.id = ca.topic_id
WHERE ca.course_id = %s AND ca.misconception <> ''
GROUP BY ca.misconception, tp.title
ORDER BY n DESC, ca.misconception, tp.title
LIMIT 20
"""

MISCONCEPTIONS_OVER_TIME_SQL = """
WITH top AS (
    SELECT misconception FROM courses_courseattempt
    WHERE course_id = %s AND misconception <> ''
    GROUP BY misconception ORDER BY count(*) DESC, misconception LIMIT 5
)
SELECT ca.misconception, date_trunc('week', ca.created_at) AS week, count(*)
FROM courses_courseattempt ca JOIN top USING (misconception)
WHERE ca.course_id = %s AND ca.misconception <> ''
GROUP BY ca.misconception, week
ORDER BY ca.misconception, week
"""

STUDENTS_SQL = """
SELECT u.id, u.username, count(ca.id), coalesce(avg(ca.is_correct::int), 0),
       count(DISTINCT (ca.item_id, ca.slot)) FILTER (WHERE ca.is_correct)
FROM courses_membership m JOIN auth_user u ON u.id = m.user_id
LEFT JOIN courses_courseattempt ca ON ca.course_id = m.course_id AND ca.student_id = m.user_id
WHERE m.course_id = %s AND m.role = 'student'
GROUP BY u.id, u.username
ORDER BY u.username
"""


def _misconception_title(identifier: str) -> str:
    entry = get_misconception(identifier)
    return entry.title if entry else identifier.replace("_", " ")


def course_analytics(*, course: Course) -> Analytics:
    """Per question, per misconception and per student numbers for one course, in five queries."""
    with connection.cursor() as cursor:
        cursor.execute(DISCRIMINATION_SQL, [course.pk])
        discrimination = {
            row[0]: None if row[1] is None else float(row[1]) for row in cursor.fetchall()
        }
        cursor.execute(QUESTION_STATS_SQL, [course.pk])
        stats = cursor.fetchall()
        cursor.execute(MISCONCEPTIONS_BY_TOPIC_SQL, [course.pk])
        by_topic = [
            MisconceptionCount(name, _misconception_title(name), topic, count)
            for name, topic, count in cursor.fetchall()
        ]
        cursor.execute(MISCONCEPTIONS_OVER_TIME_SQL, [course.pk, course.pk])
        over_time: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
        for name, week, count in cursor.fetchall():
            over_time[name].append((week, count))
        cursor.execute(STUDENTS_SQL, [course.pk])
        students = [
            StudentProgress(pk, username, attempts, float(correct) * 100, solved)
            for pk, username, attempts, correct, solved in cursor.fetchall()
        ]
    versions = dict(
        AuthoredQuestion.objects.filter(course=course, kind=QuestionKind.TEMPLATE).values_list(
            "template_id", "version"
        )
    )
    questions = [
        QuestionStats(
            template_id=template_id,
            title=title,
            version=versions.get(template_id, 1),
            attempts=attempts,
            percent_correct=float(correct) * 100,
            median_time_ms=None if median is None else float(median),
            discrimination=discrimination.get(template_id),
        )
        for template_id, title, attempts, correct, median in stats
    ]
    return Analytics(questions, by_topic, dict(over_time), students)


# --- LMS exports -----------------------------------------------------------------------------

DEFAULT_EXPORT_VARIANTS = 10


def course_export_bundle(
    *, course: Course, variants_per_template: int = DEFAULT_EXPORT_VARIANTS
) -> ExportBundle:
    """Every published, current template of the course as a category of N seeded variants."""
    categories = []
    skipped: list[str] = []
    questions = questions_for_course(course=course).filter(
        kind=QuestionKind.TEMPLATE, status=QuestionStatus.PUBLISHED
    )
    for authored in questions:
        template = authored.template
        generator = get_generator(template.family)
        exported = []
        for seed in range(1, variants_per_template + 1):
            variant = generator.generate(
                seed=seed, difficulty=template.difficulty, config=template.config
            )
            question = question_from_variant(
                variant,
                identifier=f"{template.slug}-{seed}",
                name=f"{template.title} #{seed}",
                intro=template.intro,
            )
            if question is None:
                skipped.append(f"{template.title} #{seed} (design questions need Stride's checker)")
                continue
            exported.append(question)
        if exported:
            categories.append(ExportCategory(template.slug, template.title, exported))
    return ExportBundle(title=course.title, categories=categories, skipped=skipped)


# --- bank files ------------------------------------------------------------------------------


def _in_courses(
    rows: QuerySet[AuthoredQuestion], course_ids: set[int] | None
) -> QuerySet[AuthoredQuestion]:
    return rows if course_ids is None else rows.filter(course_id__in=course_ids)


def course_code_questions_for_export(*, course_ids: set[int] | None = None) -> list[dict[str, Any]]:
    """The current version of every course code question (of ``course_ids`` only, if given):
    written out in full, or the grader template it is drawn from (its spec is that template at
    the preview seed)."""
    from courses.services import is_seeded_code_question  # noqa: PLC0415 - services import us

    rows = _in_courses(
        AuthoredQuestion.objects.filter(kind=QuestionKind.CODE, is_current=True)
        .select_related("course", "code_question__topic")
        .order_by("course__join_code", "lineage"),
        course_ids,
    )
    return dump_course_code_questions(
        [
            CourseCodeQuestionData(
                course=row.course.join_code,
                lineage=row.lineage,
                title=row.code_question.title,
                spec=row.code_question.spec,
                topic=row.code_question.topic.slug if row.code_question.topic else "",
                status=row.status,
                template=(
                    row.code_question.spec["template"]
                    if is_seeded_code_question(row.code_question)
                    else ""
                ),
            )
            for row in rows
        ]
    )


def course_templates_for_export(*, course_ids: set[int] | None = None) -> list[dict[str, Any]]:
    """The current version of every formula template a course (of ``course_ids``) authored."""
    rows = _in_courses(
        AuthoredQuestion.objects.filter(kind=QuestionKind.TEMPLATE, is_current=True)
        .select_related("course", "template__topic")
        .order_by("course__join_code", "lineage"),
        course_ids,
    )
    return dump_course_templates(
        [
            CourseTemplateData(
                course=row.course.join_code,
                lineage=row.lineage,
                title=row.template.title,
                topic=row.template.topic.slug,
                family=row.template.family,
                difficulty=row.template.difficulty,
                config=row.template.config,
                intro=row.template.intro,
                status=row.status,
            )
            for row in rows
        ]
    )


def course_template_slugs() -> set[str]:
    """Storage slugs of every version of every course's templates (public export leaves them)."""
    return set(
        AuthoredQuestion.objects.filter(kind=QuestionKind.TEMPLATE).values_list(
            "template__slug", flat=True
        )
    )


def bank_course_scope(*, user: AbstractBaseUser | None) -> set[int] | None:
    """Which courses' sections of a bank file ``user`` may export and import: None (all) for the
    command line and staff, otherwise the courses they teach."""
    if user is None or user.is_staff:
        return None
    return set(
        Membership.objects.filter(user=user, role=Role.INSTRUCTOR).values_list(
            "course_id", flat=True
        )
    )
