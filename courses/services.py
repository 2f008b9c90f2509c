"""Writes of the courses app: courses and roles, authoring with versions, assignments, answers.

Every service that acts for a user checks that user's role in the course itself (object-level
permissions live here and in ``courses.selectors``, not in views), so the pages, the REST API and
LTI launches all get the same rules.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from courses import selectors
from courses.bank import TEMPLATE_PREVIEW_SEED
from courses.models import (
    CREATE_COURSE_PERMISSION,
    INSTRUCTORS_GROUP,
    Assignment,
    AssignmentItem,
    AuthoredQuestion,
    Course,
    CourseAttempt,
    CourseSubmission,
    LatePolicy,
    Membership,
    QuestionKind,
    QuestionStatus,
    Role,
    StudentCodeQuestion,
)
from courses.validation import ValidationReport, validate_code_question, validate_template
from grader.models import CodeQuestion, Regrade, Submission, SubmissionKind
from grader.questions import UnknownCodeTemplateError, get_template, template_slugs
from grader.questions.base import CodeVariant
from grader.reference import BrokenReferenceError, expected_outputs
from grader.services import question_regrade, submission_create
from quizzes.generators import get_generator
from quizzes.generators.base import ConfigError
from quizzes.generators.base import Variant as GeneratedVariant
from quizzes.models import Attempt, Difficulty, QuestionTemplate, Topic, Variant
from quizzes.services import AttemptOutcome, attempt_create, variant_get_or_create

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in class
MAX_SEED = 2**62


def _join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(8))


# --- courses and roles -----------------------------------------------------------------------


@transaction.atomic
def course_create(*, user: AbstractBaseUser, title: str) -> Course:
    """A new course with ``user`` as its first instructor.

    Only users with instructor access (``courses.add_course``: the Instructors group, or a
    superuser) may: an instructor's reference solutions run as trusted code on the server.
    """
    selectors.require_course_creator(user=user)
    return _course_create(user=user, title=title)


@transaction.atomic
def course_create_from_lms(*, user: AbstractBaseUser, title: str) -> Course:
    """A new course for a verified LTI launch with the LMS's Instructor role.

    Trusted: the LMS vouches for the role. The platform was registered (and its deployment
    activated) by a Stride administrator, and the launch JWT is verified against its keys before
    this runs, so no Stride permission is checked. Call it from the LTI launch only.
    """
    return _course_create(user=user, title=title)


def _course_create(*, user: AbstractBaseUser, title: str) -> Course:
    title = title.strip()
    if not title:
        raise ApplicationError("Give the course a title.")
    course = Course.objects.create(title=title[:160], join_code=_join_code(), created_by=user)
    Membership.objects.create(course=course, user=user, role=Role.INSTRUCTOR)
    return course


@transaction.atomic
def course_join(*, user: AbstractBaseUser, join_code: str) -> Membership:
    """Join as a student with the code the instructor shared. Joining twice changes nothing."""
    course = Course.objects.filter(join_code=join_code.strip().upper()).first()
    if course is None:
        raise ApplicationError("No course has that join code. Check it with your instructor.")
    membership, _created = Membership.objects.get_or_create(
        course=course, user=user, defaults={"role": Role.STUDENT}
    )
    return membership


def _require_may_become_instructor(*, user: AbstractBaseUser) -> None:
    if not selectors.can_be_made_instructor(user=user):
        name = user.get_username()
        raise PermissionDeniedError(
            f"{name} cannot be made an instructor: they have no instructor access, and an "
            "instructor's reference solutions run as trusted code on the server. A Stride "
            f"administrator grants it with 'python manage.py grant_instructor {name}'."
        )


@transaction.atomic
def membership_set(
    *, course: Course, user: AbstractBaseUser, role: str, acting_user: AbstractBaseUser
) -> Membership:
    """Add someone to the roster (or change their role): instructors only. A new instructor
    must have instructor access or be staff (a co-instructor's code runs as trusted code)."""
    selectors.require_instructor(user=acting_user, course=course)
    if role not in Role.values:
        raise ApplicationError(f"Unknown role '{role}'.")
    if role == Role.INSTRUCTOR and selectors.role_in(user=user, course=course) != role:
        _require_may_become_instructor(user=user)
    membership, _created = Membership.objects.update_or_create(
        course=course, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def membership_set_from_lms(*, course: Course, user: AbstractBaseUser, role: str) -> Membership:
    """Give ``user`` the role the LMS states for them in a course linked to it (LTI launches and
    roster sync).

    Trusted: the LMS vouches for the role (a platform registered by a Stride administrator,
    its launch or roster fetched and verified with its keys), so no Stride permission is
    checked. Call it from the LTI services only.
    """
    if role not in Role.values:
        raise ApplicationError(f"Unknown role '{role}'.")
    membership, _created = Membership.objects.update_or_create(
        course=course, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def membership_remove(
    *, course: Course, membership_id: int, acting_user: AbstractBaseUser
) -> Membership:
    """Take someone off the roster: instructors only, and never the course's last instructor.

    Their past answers stay (the gradebook lists members only, so they leave it).
    """
    selectors.require_instructor(user=acting_user, course=course)
    membership = (
        Membership.objects.select_for_update().filter(course=course, pk=membership_id).first()
    )
    if membership is None:
        raise NotFoundError("No such member in this course.")
    _keep_an_instructor(course=course, membership=membership)
    membership.delete()
    return membership


@transaction.atomic
def membership_change_role(
    *, course: Course, membership_id: int, role: str, acting_user: AbstractBaseUser
) -> Membership:
    """Change a member's role: instructors only; a member made instructor must have instructor
    access or be staff; the course keeps at least one instructor."""
    selectors.require_instructor(user=acting_user, course=course)
    if role not in Role.values:
        raise ApplicationError(f"Unknown role '{role}'.")
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(course=course, pk=membership_id)
        .first()
    )
    if membership is None:
        raise NotFoundError("No such member in this course.")
    if role == Role.INSTRUCTOR and membership.role != Role.INSTRUCTOR:
        _require_may_become_instructor(user=membership.user)
    if role != Role.INSTRUCTOR:
        _keep_an_instructor(course=course, membership=membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def _keep_an_instructor(*, course: Course, membership: Membership) -> None:
    if membership.role != Role.INSTRUCTOR:
        return
    others = (
        Membership.objects.select_for_update()
        .filter(course=course, role=Role.INSTRUCTOR)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ApplicationError("A course needs at least one instructor: add another one first.")


# --- instructor access -----------------------------------------------------------------------


def _instructors_group() -> Group:
    """The group migration 0003 creates; recreated with its permission if someone deleted it."""
    group, _created = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
    app_label, codename = CREATE_COURSE_PERMISSION.split(".")
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    group.permissions.add(permission)
    return group


def _forget_cached_permissions(user: AbstractBaseUser) -> None:
    # ModelBackend caches permissions on the user object; the next has_perm must see the change.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)


@transaction.atomic
def instructor_access_grant(*, user: AbstractBaseUser) -> bool:
    """Add ``user`` to the Instructors group: they may create courses and be made co-instructors.
    Returns False when they were in it already."""
    group = _instructors_group()
    is_new = not group.user_set.filter(pk=user.pk).exists()
    group.user_set.add(user)
    _forget_cached_permissions(user)
    return is_new


@transaction.atomic
def instructor_access_revoke(*, user: AbstractBaseUser) -> bool:
    """Take ``user`` out of the Instructors group. Returns False when they were not in it.

    The courses they already teach keep them as instructor (the roster page removes them); a
    superuser keeps every permission whatever their groups.
    """
    group = _instructors_group()
    was_member = group.user_set.filter(pk=user.pk).exists()
    group.user_set.remove(user)
    _forget_cached_permissions(user)
    return was_member


# --- authoring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateInput:
    title: str
    topic: Topic
    family: str
    difficulty: str
    config: dict[str, Any]
    intro: str = ""


@dataclass(frozen=True)
class CodeQuestionInput:
    title: str
    prompt: str
    starter_code: str
    reference_code: str
    entry: str
    visible_input: tuple[int, ...]
    hidden_inputs: tuple[dict[str, Any], ...]
    constraints: tuple[dict[str, Any], ...] = ()
    device: str = "cpu"
    is_fix_it: bool = False
    topic: Topic | None = None


def _lineage(course: Course, title: str) -> str:
    base = slugify(title)[:40] or "question"
    taken = set(
        AuthoredQuestion.objects.filter(course=course, lineage__startswith=base).values_list(
            "lineage", flat=True
        )
    )
    lineage, number = base, 2
    while lineage in taken:
        lineage, number = f"{base}-{number}", number + 1
    return lineage


def _storage_slug(course: Course, lineage: str, version: int) -> str:
    return f"c{course.pk}-{lineage}-v{version}"


def _next_version(
    *, course: Course, user: AbstractBaseUser, kind: str, previous: AuthoredQuestion | None
) -> tuple[str, int, AuthoredQuestion | None]:
    """(lineage, version, row to update in place or None for a new row)."""
    if previous is None:
        return "", 1, None
    if previous.course_id != course.pk or previous.kind != kind:
        raise PermissionDeniedError("That question belongs to another course.")
    if not previous.is_current:
        raise ApplicationError("Only the current version of a question can be edited.")
    if previous.status == QuestionStatus.DRAFT:
        return previous.lineage, previous.version, previous
    return previous.lineage, previous.version + 1, None


def _check_template(data: TemplateInput) -> dict[str, Any]:
    if data.difficulty not in Difficulty.values:
        raise ApplicationError(f"Unknown difficulty '{data.difficulty}'.")
    template = QuestionTemplate(
        slug="x", title=data.title, topic=data.topic, family=data.family, config=data.config
    )
    try:
        template.clean()  # family known, ranges inside each ParameterSpec's bounds
    except ValidationError as error:
        raise ApplicationError("; ".join(error.messages)) from error
    return dict(data.config)


@transaction.atomic
def template_author(
    *,
    course: Course,
    user: AbstractBaseUser,
    data: TemplateInput,
    previous: AuthoredQuestion | None = None,
) -> AuthoredQuestion:
    """Create a formula template, or edit one: a draft in place, a published one as a new version.

    Course templates are kept out of the public practice catalogue (``is_published`` False on the
    QuestionTemplate); the course's own publish status lives on the AuthoredQuestion.
    """
    selectors.require_instructor(user=user, course=course)
    if not data.title.strip():
        raise ApplicationError("Give the template a title.")
    config = _check_template(data)
    lineage, version, in_place = _next_version(
        course=course, user=user, kind=QuestionKind.TEMPLATE, previous=previous
    )
    fields = {
        "title": data.title.strip()[:160],
        "topic": data.topic,
        "family": data.family,
        "difficulty": data.difficulty,
        "config": config,
        "intro": data.intro,
        "is_published": False,
    }
    if in_place is not None:
        QuestionTemplate.objects.filter(pk=in_place.template_id).update(**fields)
        in_place.validation = {}
        in_place.save(update_fields=["validation"])
        in_place.template.refresh_from_db()
        return in_place
    lineage = lineage or _lineage(course, data.title)
    template = QuestionTemplate.objects.create(
        slug=_storage_slug(course, lineage, version), **fields
    )
    return _record_version(
        course=course,
        user=user,
        kind=QuestionKind.TEMPLATE,
        lineage=lineage,
        version=version,
        previous=previous,
        template=template,
    )


def _record_version(
    *,
    course: Course,
    user: AbstractBaseUser | None,
    kind: str,
    lineage: str,
    version: int,
    previous: AuthoredQuestion | None,
    status: str = QuestionStatus.DRAFT,
    **question: QuestionTemplate | CodeQuestion,
) -> AuthoredQuestion:
    """Make a newly stored question (``template=`` or ``code_question=``) its lineage's current
    version, retiring the one it replaces. ``user`` is None for a bank import."""
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    return AuthoredQuestion.objects.create(
        course=course,
        kind=kind,
        lineage=lineage,
        version=version,
        created_by=user,
        status=status,
        **question,
    )


def _store_code_version(
    *,
    course: Course,
    user: AbstractBaseUser | None,
    lineage: str,
    version: int,
    in_place: AuthoredQuestion | None,
    previous: AuthoredQuestion | None,
    title: str,
    topic: Topic | None,
    spec: dict[str, Any],
) -> AuthoredQuestion:
    """Store a code question's spec: over its draft in place, or as a new version."""
    if in_place is not None:
        CodeQuestion.objects.filter(pk=in_place.code_question_id).update(
            title=title, spec=spec, topic=topic
        )
        in_place.validation = {}
        in_place.save(update_fields=["validation"])
        in_place.code_question.refresh_from_db()
        return in_place
    # Not open for submissions until published (grader.services.submission_create checks it).
    question = CodeQuestion.objects.create(
        slug=_storage_slug(course, lineage, version),
        title=title,
        topic=topic,
        spec=spec,
        is_published=False,
    )
    return _record_version(
        course=course,
        user=user,
        kind=QuestionKind.CODE,
        lineage=lineage,
        version=version,
        previous=previous,
        code_question=question,
    )


def code_variant_from_input(data: CodeQuestionInput, *, slug: str = "custom") -> CodeVariant:
    """The grader's CodeVariant for what the instructor typed; bad input is an ApplicationError."""
    if data.device not in ("cpu", "gpu"):
        raise ApplicationError("Device must be cpu or gpu.")
    if not data.entry.isidentifier():
        raise ApplicationError(f"The entry point '{data.entry}' is not a Python name.")
    if len(data.visible_input) != 4 or any(size < 1 for size in data.visible_input):
        raise ApplicationError("The visible input must be four positive sizes (N, C, H, W).")
    try:
        return CodeVariant.from_dict(
            {
                "template": slug,
                "seed": 0,
                "title": data.title.strip()[:160],
                "prompt": data.prompt,
                "starter_code": data.starter_code,
                "reference_code": data.reference_code,
                "entry": data.entry,
                "visible_input": list(data.visible_input),
                "hidden_inputs": list(data.hidden_inputs),
                "constraints": list(data.constraints),
                "device": data.device,
                "params": {"is_fix_it": data.is_fix_it},
            }
        )
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise ApplicationError(f"The inputs or constraints are not well formed: {error}") from error


@transaction.atomic
def code_question_author(
    *,
    course: Course,
    user: AbstractBaseUser,
    data: CodeQuestionInput,
    previous: AuthoredQuestion | None = None,
) -> AuthoredQuestion:
    """Create or edit a code question; editing a published one creates a new version."""
    selectors.require_instructor(user=user, course=course)
    if not data.title.strip():
        raise ApplicationError("Give the code question a title.")
    lineage, version, in_place = _next_version(
        course=course, user=user, kind=QuestionKind.CODE, previous=previous
    )
    lineage = lineage or _lineage(course, data.title)
    slug = _storage_slug(course, lineage, version)
    spec = code_variant_from_input(data, slug=slug).to_dict()
    return _store_code_version(
        course=course,
        user=user,
        lineage=lineage,
        version=version,
        in_place=in_place,
        previous=previous,
        title=spec["title"],
        topic=data.topic,
        spec=spec,
    )


PREVIEW_CODE_SEED = TEMPLATE_PREVIEW_SEED


def is_seeded_code_question(question: CodeQuestion) -> bool:
    """True when the code question is one of the grader's templates (so a seed varies it)."""
    return question.spec.get("template") in template_slugs()


@transaction.atomic
def code_template_author(
    *,
    course: Course,
    user: AbstractBaseUser,
    template_slug: str,
    title: str = "",
    topic: Topic | None = None,
    previous: AuthoredQuestion | None = None,
) -> AuthoredQuestion:
    """A code question drawn from one of the grader's templates: in an assignment every student
    gets the template at their own seed (``student_code_question``); the course's own version
    holds the template at seed 1, for the author's preview and validation."""
    selectors.require_instructor(user=user, course=course)
    try:
        template = get_template(template_slug)
    except UnknownCodeTemplateError as error:
        raise ApplicationError(str(error)) from error
    title = (title.strip() or template.title)[:160]
    lineage, version, in_place = _next_version(
        course=course, user=user, kind=QuestionKind.CODE, previous=previous
    )
    lineage = lineage or _lineage(course, title)
    spec = template.generate(seed=PREVIEW_CODE_SEED).to_dict()
    return _store_code_version(
        course=course,
        user=user,
        lineage=lineage,
        version=version,
        in_place=in_place,
        previous=previous,
        title=title,
        topic=topic,
        spec=spec,
    )


@dataclass(frozen=True)
class CodePreview:
    """One seed of a code-question template as a student would get it, with its answer."""

    seed: int
    variant: CodeVariant
    output_shape: tuple[int, ...] | None
    error: str = ""


def code_template_previews(*, template_slug: str, seeds: tuple[int, ...]) -> list[CodePreview]:
    """The template at a few seeds side by side, each with the output shape its reference gives
    for the visible input (computed on the meta device, nothing stored)."""
    try:
        template = get_template(template_slug)
    except UnknownCodeTemplateError as error:
        raise ApplicationError(str(error)) from error
    previews = []
    for seed in seeds:
        variant = template.generate(seed=seed)
        try:
            [case] = expected_outputs(variant, [variant.visible_input])
        except BrokenReferenceError as error:
            previews.append(CodePreview(seed, variant, None, f"The reference fails: {error}"))
            continue
        previews.append(CodePreview(seed, variant, tuple(case.output_shape)))
    return previews


def question_validate(*, question: AuthoredQuestion, use_sandbox: bool = True) -> ValidationReport:
    """Validate one authored question and remember the report on it."""
    if question.kind == QuestionKind.TEMPLATE:
        report = validate_template(family=question.template.family, config=question.template.config)
    else:
        variant = question.code_question.variant
        report = validate_code_question(
            variant=variant,
            is_fix_it=bool(variant.params.get("is_fix_it")),
            use_sandbox=use_sandbox,
        )
    question.validation = {**report.to_dict(), "validated_at": timezone.now().isoformat()}
    question.save(update_fields=["validation"])
    return report


def question_publish(
    *, question: AuthoredQuestion, user: AbstractBaseUser, use_sandbox: bool = True
) -> ValidationReport:
    """Validate, then publish; an invalid question stays a draft and the report says why."""
    selectors.require_instructor(user=user, course=question.course)
    report = question_validate(question=question, use_sandbox=use_sandbox)
    if not report.is_valid:
        return report
    with transaction.atomic():
        question.status = QuestionStatus.PUBLISHED
        question.save(update_fields=["status"])
        if question.kind == QuestionKind.CODE:
            CodeQuestion.objects.filter(pk=question.code_question_id).update(is_published=True)
    return report


# --- assignments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemInput:
    question: AuthoredQuestion
    count: int = 1
    difficulty: str = Difficulty.MEDIUM


@transaction.atomic
def assignment_create(
    *,
    course: Course,
    user: AbstractBaseUser,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    items: list[ItemInput],
    attempts_allowed: int = 3,
    late_policy: str = LatePolicy.REFUSE,
    late_penalty_percent: int = 0,
    publish: bool = False,
) -> Assignment:
    selectors.require_instructor(user=user, course=course)
    if not title.strip():
        raise ApplicationError("Give the assignment a title.")
    if closes_at <= opens_at:
        raise ApplicationError("The assignment must close after it opens.")
    if not 1 <= attempts_allowed <= 100:
        raise ApplicationError("Attempts allowed must be from 1 to 100.")
    if late_policy not in LatePolicy.values or not 0 <= late_penalty_percent <= 100:
        raise ApplicationError("Choose a late policy and a penalty from 0 to 100 percent.")
    if not items:
        raise ApplicationError("Add at least one question to the assignment.")
    for item in items:
        if item.question.course_id != course.pk:
            raise PermissionDeniedError("That question belongs to another course.")
        if not item.question.is_published:
            raise ApplicationError(f"Publish '{item.question.title}' before assigning it.")
        if not 1 <= item.count <= 50 or item.difficulty not in Difficulty.values:
            raise ApplicationError("Each item needs a count from 1 to 50 and a difficulty.")
    assignment = Assignment.objects.create(
        course=course,
        title=title.strip()[:160],
        opens_at=opens_at,
        closes_at=closes_at,
        attempts_allowed=attempts_allowed,
        late_policy=late_policy,
        late_penalty_percent=late_penalty_percent,
        is_published=publish,
    )
    AssignmentItem.objects.bulk_create(
        AssignmentItem(
            assignment=assignment,
            question=item.question,
            count=1 if item.question.kind == QuestionKind.CODE else item.count,
            difficulty=item.difficulty,
            position=position,
        )
        for position, item in enumerate(items)
    )
    return assignment


@transaction.atomic
def assignment_update(
    *,
    assignment: Assignment,
    user: AbstractBaseUser,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    attempts_allowed: int,
    late_policy: str,
    late_penalty_percent: int,
    publish: bool,
) -> Assignment:
    """Change an assignment's settings (its items stay: students' seeds and answers depend on them).

    An assignment students have answered cannot be taken back to a draft.
    """
    selectors.require_instructor(user=user, course=assignment.course)
    if not title.strip():
        raise ApplicationError("Give the assignment a title.")
    if closes_at <= opens_at:
        raise ApplicationError("The assignment must close after it opens.")
    if not 1 <= attempts_allowed <= 100:
        raise ApplicationError("Attempts allowed must be from 1 to 100.")
    if late_policy not in LatePolicy.values or not 0 <= late_penalty_percent <= 100:
        raise ApplicationError("Choose a late policy and a penalty from 0 to 100 percent.")
    answered = (
        CourseAttempt.objects.filter(item__assignment=assignment).exists()
        or CourseSubmission.objects.filter(item__assignment=assignment).exists()
    )
    if assignment.is_published and not publish and answered:
        raise ApplicationError("Students have answered this assignment: it stays published.")
    assignment.title = title.strip()[:160]
    assignment.opens_at, assignment.closes_at = opens_at, closes_at
    assignment.attempts_allowed = attempts_allowed
    assignment.late_policy, assignment.late_penalty_percent = late_policy, late_penalty_percent
    assignment.is_published = publish
    assignment.save()
    return assignment


def assignment_publish(*, assignment: Assignment, user: AbstractBaseUser) -> Assignment:
    selectors.require_instructor(user=user, course=assignment.course)
    assignment.is_published = True
    assignment.save(update_fields=["is_published"])
    return assignment


def student_seed(*, assignment: Assignment, student_id: int, item_id: int, slot: int) -> int:
    """Deterministic per (assignment, student, item, slot), unpredictable without the salt."""
    text = f"{assignment.seed_salt}:{assignment.pk}:{student_id}:{item_id}:{slot}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") % MAX_SEED


def student_variant(*, student_id: int, item: AssignmentItem, slot: int) -> Variant:
    """The student's own variant of one slot, generated (and stored) on first view."""
    seed = student_seed(
        assignment=item.assignment, student_id=student_id, item_id=item.pk, slot=slot
    )
    return variant_get_or_create(
        template=item.question.template, seed=seed, difficulty=item.difficulty
    )


def student_code_question(*, student_id: int, item: AssignmentItem) -> CodeQuestion:
    """The code question this student answers for a code item.

    A template-based item gives each student the template at their own seed, deterministic per
    (assignment, student, item) and created (once) on first view; a question the instructor wrote
    out in full has no numbers to vary, so every student gets the course's version.
    """
    base = item.question.code_question
    if not is_seeded_code_question(base):
        return base
    existing = StudentCodeQuestion.objects.filter(item=item, student_id=student_id).first()
    if existing is not None:
        return existing.code_question
    assignment = item.assignment
    seed = student_seed(assignment=assignment, student_id=student_id, item_id=item.pk, slot=0)
    spec = get_template(base.spec["template"]).generate(seed=seed).to_dict()
    try:
        with transaction.atomic():
            question = CodeQuestion.objects.create(
                slug=f"c{assignment.course_id}-i{item.pk}-u{student_id}",
                title=base.title,
                topic_id=base.topic_id,
                spec=spec,
                is_published=base.is_published,
            )
            StudentCodeQuestion.objects.create(
                item=item, student_id=student_id, seed=seed, code_question=question
            )
    except IntegrityError:  # created meanwhile by the student's other request
        return StudentCodeQuestion.objects.get(item=item, student_id=student_id).code_question
    return question


@dataclass(frozen=True)
class StudentSlot:
    item: AssignmentItem
    slot: int
    variant: Variant | None  # formula items
    attempts_used: int
    is_correct: bool
    best_score: float | None  # code items: best graded score so far
    code_question: CodeQuestion | None = None  # code items: the student's own question


def assignment_for_student(
    *, student: AbstractBaseUser, assignment: Assignment
) -> list[StudentSlot]:
    """Every slot of the assignment with the student's own variant and progress."""
    selectors.require_student(user=student, course=assignment.course)
    if not assignment.is_published:
        raise ApplicationError("This assignment is not published yet.")
    items = list(
        assignment.items.select_related(
            "assignment", "question__template", "question__code_question"
        )
    )
    used = selectors.slot_usage(student_id=student.pk, assignment=assignment)
    slots: list[StudentSlot] = []
    for item in items:
        for slot in range(item.count):
            attempts, correct, score = used.get((item.pk, slot), (0, False, None))
            variant = (
                student_variant(student_id=student.pk, item=item, slot=slot)
                if item.question.kind == QuestionKind.TEMPLATE
                else None
            )
            code = (
                student_code_question(student_id=student.pk, item=item)
                if item.question.kind == QuestionKind.CODE
                else None
            )
            slots.append(StudentSlot(item, slot, variant, attempts, correct, score, code))
    return slots


def _window_check(assignment: Assignment, now: datetime) -> bool:
    """True when late; raises when the assignment does not accept answers now."""
    if not assignment.is_published or now < assignment.opens_at:
        raise ApplicationError("This assignment is not open yet.")
    if now <= assignment.closes_at:
        return False
    if assignment.late_policy == LatePolicy.REFUSE:
        raise ApplicationError(
            "This assignment is closed: answers after the close date are refused."
        )
    return True


def _student_item(
    *, student: AbstractBaseUser, item: AssignmentItem, slot: int
) -> tuple[Assignment, bool]:
    assignment = item.assignment
    selectors.require_student(user=student, course=assignment.course)
    if not 0 <= slot < item.count:
        raise ApplicationError("That question is not part of this assignment.")
    return assignment, _window_check(assignment, timezone.now())


def assignment_answer(
    *,
    student: AbstractBaseUser,
    item: AssignmentItem,
    slot: int,
    raw_answer: str,
    time_taken_ms: int | None = None,
) -> AttemptOutcome:
    """Check a student's answer to their own seeded variant with the quizzes checker."""
    if item.question.kind != QuestionKind.TEMPLATE:
        raise ApplicationError("Answer a code question by submitting code.")
    assignment, is_late = _student_item(student=student, item=item, slot=slot)
    with transaction.atomic():
        # Serialise one student's answers to one slot so the attempt limit holds under races.
        Membership.objects.select_for_update().filter(
            course_id=assignment.course_id, user=student
        ).first()
        used = CourseAttempt.objects.filter(item=item, student=student, slot=slot).count()
        if used >= assignment.attempts_allowed:
            raise ApplicationError(
                f"You have used all {assignment.attempts_allowed} attempts at this question."
            )
        variant = student_variant(student_id=student.pk, item=item, slot=slot)
        outcome = attempt_create(
            variant=variant, raw_answer=raw_answer, user=student, time_taken_ms=time_taken_ms
        )
        template = item.question.template
        CourseAttempt.objects.create(
            attempt=outcome.attempt,
            course_id=assignment.course_id,
            item=item,
            slot=slot,
            student=student,
            template=template,
            topic_id=template.topic_id,
            is_correct=outcome.attempt.is_correct,
            is_late=is_late,
            time_taken_ms=outcome.attempt.time_taken_ms,
            misconception=outcome.attempt.misconception,
            created_at=outcome.attempt.created_at,
        )
    from lti.services import assignment_score_changed  # noqa: PLC0415 - courses <-> lti cycle

    assignment_score_changed(student_id=student.pk, assignment_id=assignment.pk)  # LMS passback
    return outcome


def assignment_submit_code(
    *, student: AbstractBaseUser, item: AssignmentItem, code: str, kind: str = SubmissionKind.SUBMIT
) -> Submission:
    """Submit code for a code item through the grader's own pipeline."""
    if item.question.kind != QuestionKind.CODE:
        raise ApplicationError("This item is a formula question: type an answer instead.")
    assignment, is_late = _student_item(student=student, item=item, slot=0)
    if kind == SubmissionKind.SUBMIT:
        used = CourseSubmission.objects.filter(
            item=item, student=student, submission__kind=SubmissionKind.SUBMIT
        ).count()
        if used >= assignment.attempts_allowed:
            raise ApplicationError(
                f"You have used all {assignment.attempts_allowed} submissions for this question."
            )
    with transaction.atomic():
        submission = submission_create(
            question=student_code_question(student_id=student.pk, item=item),
            code=code,
            kind=kind,
            user=student,
        )
        try:
            CourseSubmission.objects.create(
                submission=submission,
                course_id=assignment.course_id,
                item=item,
                student=student,
                is_late=is_late,
            )
        except IntegrityError as error:  # pragma: no cover - the submission is brand new
            raise ApplicationError("That submission is already recorded.") from error
    return submission


@dataclass(frozen=True)
class RegradeOutcome:
    attempts_rechecked: int
    attempts_changed: int
    code_regrades: list[Regrade]


def assignment_regrade(*, assignment: Assignment, user: AbstractBaseUser) -> RegradeOutcome:
    """Re-check every formula answer with today's checker; regrade code items in the grader."""
    selectors.require_instructor(user=user, course=assignment.course)
    rechecked = changed = 0
    changed_students: set[int] = set()
    with transaction.atomic():
        rows = (
            CourseAttempt.objects.select_for_update()
            .filter(item__assignment=assignment)
            .select_related("attempt", "attempt__variant")
        )
        for row in rows:
            generated = row.attempt.variant.generated
            result = get_generator(generated.family).check(generated, row.attempt.raw_answer)
            rechecked += 1
            if result.is_correct != row.is_correct:
                changed += 1
                Attempt.objects.filter(pk=row.attempt_id).update(
                    is_correct=result.is_correct, misconception=result.misconception or ""
                )
                row.is_correct = result.is_correct
                row.misconception = result.misconception or ""
                row.save(update_fields=["is_correct", "misconception"])
                changed_students.add(row.student_id)
    from lti.services import assignment_score_changed  # noqa: PLC0415 - courses <-> lti cycle

    for student_id in sorted(changed_students):  # their LMS gradebook gets the new score
        assignment_score_changed(student_id=student_id, assignment_id=assignment.pk)
    regrades = [
        question_regrade(question=item.question.code_question, requested_by=user)
        for item in assignment.items.select_related("question__code_question").filter(
            question__kind=QuestionKind.CODE
        )
    ]
    regrades += [
        question_regrade(question=copy.code_question, requested_by=user)
        for copy in StudentCodeQuestion.objects.filter(item__assignment=assignment).select_related(
            "code_question"
        )
    ]
    return RegradeOutcome(rechecked, changed, regrades)


# --- small helpers the pages share -----------------------------------------------------------


def preview_variant(*, template: QuestionTemplate, seed: int) -> GeneratedVariant:
    """A variant for the author's preview, generated without storing anything."""
    try:
        variant = get_generator(template.family).generate(
            seed=seed, difficulty=template.difficulty, config=template.config
        )
    except ConfigError as error:
        raise ApplicationError(f"These ranges cannot produce a question: {error}") from error
    if template.intro:
        variant.prompt = f"{template.intro.strip()}\n\n{variant.prompt}"
    return variant


def json_text(value: Any) -> str:
    return json.dumps(value, indent=1)


def csv_safe(text: str) -> str:
    """Keep spreadsheet apps from running a cell as a formula (CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --- bank files ------------------------------------------------------------------------------


def course_code_questions_import(*, questions: list[Any]) -> dict[str, int]:
    """Create, update (drafts in place) or version (published) courses' written-out code questions.

    ``questions`` are ``courses.bank.CourseCodeQuestionData`` rows already checked by the bank
    parser; run inside ``core.services.bank_import_all``'s transaction, so a failure imports
    nothing. An unchanged question is left alone, so import -> export round-trips.
    """
    counts = {"course_code_questions_created": 0, "course_code_questions_updated": 0}
    if not questions:
        return counts
    courses = _courses_by_join_code(questions)
    topics = {t.slug: t for t in Topic.objects.all()}
    for data in questions:
        course = courses[data.course]
        topic = topics.get(data.topic) if data.topic else None
        current = _current_version(course, data.lineage, QuestionKind.CODE)
        lineage, version, in_place = data.lineage, 1, None
        if current is not None:
            lineage, version, in_place = current.lineage, current.version, current
            if current.status == QuestionStatus.PUBLISHED:
                version, in_place = current.version + 1, None
        slug = _storage_slug(course, lineage, version)
        spec = _imported_spec(data, slug=slug)
        if current is not None:
            stored = current.code_question
            stored_spec = (
                stored.spec if data.template else _imported_spec(data, slug=slug, spec=stored.spec)
            )
            same = stored_spec == spec
            if same and stored.title == data.title and stored.topic_id == (topic and topic.pk):
                if data.status == QuestionStatus.PUBLISHED and current.status != data.status:
                    _publish_imported(current)
                continue
            if in_place is not None and not data.template:
                spec = {**spec, "template": stored.slug}
        authored = _store_code_version(
            course=course,
            user=None,
            lineage=lineage,
            version=version,
            in_place=in_place,
            previous=current,
            title=data.title,
            topic=topic,
            spec=spec,
        )
        key = "updated" if current is not None else "created"
        counts[f"course_code_questions_{key}"] += 1
        if data.status == QuestionStatus.PUBLISHED:
            _publish_imported(authored)
    return counts


def course_templates_import(*, templates: list[Any]) -> dict[str, int]:
    """Create, update (drafts in place) or version (published) courses' formula templates.

    ``templates`` are ``courses.bank.CourseTemplateData`` rows checked (and, when published,
    validated) by ``core.services.bank_parse_all``; run inside ``bank_import_all``'s transaction.
    An unchanged template is left alone, so import -> export round-trips.
    """
    counts = {"course_templates_created": 0, "course_templates_updated": 0}
    if not templates:
        return counts
    courses = _courses_by_join_code(templates)
    topics = {t.slug: t for t in Topic.objects.all()}
    for data in templates:
        course = courses[data.course]
        fields = {
            "title": data.title,
            "topic": topics[data.topic],
            "family": data.family,
            "difficulty": data.difficulty,
            "config": data.config,
            "intro": data.intro,
            "is_published": False,  # course templates stay out of the public catalogue
        }
        current = _current_version(course, data.lineage, QuestionKind.TEMPLATE)
        if current is not None and all(
            getattr(current.template, name) == value for name, value in fields.items()
        ):
            if data.status == QuestionStatus.PUBLISHED and not current.is_published:
                current.status = QuestionStatus.PUBLISHED
                current.save(update_fields=["status"])
            continue
        if current is not None and current.status == QuestionStatus.DRAFT:
            QuestionTemplate.objects.filter(pk=current.template_id).update(**fields)
            current.validation = {}
            current.status = data.status
            current.save(update_fields=["validation", "status"])
            counts["course_templates_updated"] += 1
            continue
        version = current.version + 1 if current is not None else 1
        template = QuestionTemplate.objects.create(
            slug=_storage_slug(course, data.lineage, version), **fields
        )
        _record_version(
            course=course,
            user=None,
            kind=QuestionKind.TEMPLATE,
            lineage=data.lineage,
            version=version,
            previous=current,
            status=data.status,
            template=template,
        )
        counts[
            "course_templates_updated" if current is not None else "course_templates_created"
        ] += 1
    return counts


def _courses_by_join_code(rows: list[Any]) -> dict[str, Course]:
    """The courses bank rows name (by ``row.course``, a join code), in one query."""
    codes = {row.course for row in rows}
    return {c.join_code: c for c in Course.objects.filter(join_code__in=codes)}


def _current_version(course: Course, lineage: str, kind: str) -> AuthoredQuestion | None:
    """The current version of a course's question lineage, with what it stores."""
    stored = "code_question" if kind == QuestionKind.CODE else "template"
    return (
        AuthoredQuestion.objects.select_related(stored)
        .filter(course=course, lineage=lineage, is_current=True, kind=kind)
        .first()
    )


def _imported_spec(data: Any, *, slug: str, spec: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the CodeQuestion stores for a bank row: a template-based question keeps the grader
    template's slug (``is_seeded_code_question`` recognises it by that); a written-out one is
    stored under its own slug, as ``code_question_author`` stores it. ``spec`` (a stored spec)
    is normalised the same way so the two compare."""
    if data.template:
        return data.variant().to_dict()
    return {
        **(data.spec if spec is None else spec),
        "template": slug,
        "seed": 0,
        "title": data.title,
    }


def _publish_imported(question: AuthoredQuestion) -> None:
    """A bank file says it is published: trust it (``question_publish`` validates on the page)."""
    question.status = QuestionStatus.PUBLISHED
    question.save(update_fields=["status"])
    CodeQuestion.objects.filter(pk=question.code_question_id).update(is_published=True)
