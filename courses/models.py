"""Courses, their members, the questions instructors author, assignments and students' work.

The quizzes and grader models stay as they are: the rows here point to them (an authored question
to its QuestionTemplate or CodeQuestion version, an assignment answer to its Attempt or
Submission), so the question engine and the grading pipeline know nothing about courses.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    INSTRUCTOR = "instructor", "Instructor"
    STUDENT = "student", "Student"


# Instructor access is a granted privilege: an instructor's reference solutions run as trusted,
# unsandboxed code in the web process and the grading worker. Creating a course needs this
# permission; migration 0003 creates the group that holds it (``manage.py grant_instructor``).
CREATE_COURSE_PERMISSION = "courses.add_course"
INSTRUCTORS_GROUP = "Instructors"


class Course(models.Model):
    title = models.CharField(max_length=160)
    join_code = models.CharField(max_length=12, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("title", "pk")

    def __str__(self) -> str:
        return self.title


class Membership(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_memberships"
    )
    role = models.CharField(max_length=12, choices=Role.choices)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("course", "user"), name="unique_course_membership")
        ]
        indexes = [models.Index(fields=("user", "role"), name="membership_user_role")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.course_id} as {self.role}"


class QuestionKind(models.TextChoices):
    TEMPLATE = "template", "Formula template"
    CODE = "code", "Code question"


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class AuthoredQuestion(models.Model):
    """One version of a question a course owns: a formula template or a code question.

    Editing a published question creates a new version (a new QuestionTemplate or CodeQuestion
    row); attempts and submissions keep pointing at the version they answered. ``lineage`` ties the
    versions together; ``is_current`` marks the one assignments use from now on.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    lineage = models.CharField(max_length=60)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    status = models.CharField(
        max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.DRAFT
    )
    template = models.OneToOneField(
        "quizzes.QuestionTemplate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authored",
    )
    code_question = models.OneToOneField(
        "grader.CodeQuestion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authored",
    )
    validation = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("course", "lineage", "-version")
        constraints = [
            models.UniqueConstraint(
                fields=("course", "lineage", "version"), name="unique_question_version"
            ),
            models.UniqueConstraint(
                fields=("course", "lineage"),
                condition=models.Q(is_current=True),
                name="one_current_question_version",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="template", template__isnull=False, code_question__isnull=True)
                    | models.Q(kind="code", template__isnull=True, code_question__isnull=False)
                ),
                name="authored_question_points_to_its_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def title(self) -> str:
        target = self.template if self.kind == QuestionKind.TEMPLATE else self.code_question
        return target.title if target is not None else self.lineage

    @property
    def is_published(self) -> bool:
        return self.status == QuestionStatus.PUBLISHED


def _new_salt() -> str:
    return secrets.token_hex(16)


class LatePolicy(models.TextChoices):
    REFUSE = "refuse", "Refuse answers after the close date"
    PENALTY = "penalty", "Accept late answers with a penalty"


class Assignment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    title = models.CharField(max_length=160)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    attempts_allowed = models.PositiveSmallIntegerField(default=3)
    late_policy = models.CharField(
        max_length=10, choices=LatePolicy.choices, default=LatePolicy.REFUSE
    )
    late_penalty_percent = models.PositiveSmallIntegerField(default=0)
    is_published = models.BooleanField(default=False)
    # Secret per assignment: students' seeds derive from it, so they cannot be predicted.
    seed_salt = models.CharField(max_length=32, default=_new_salt, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("opens_at", "pk")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="assignment_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=models.Q(late_penalty_percent__lte=100),
                name="assignment_penalty_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AssignmentItem(models.Model):
    """``count`` questions of one authored question at one difficulty, seeded per student."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(
        AuthoredQuestion, on_delete=models.PROTECT, related_name="assignment_items"
    )
    count = models.PositiveSmallIntegerField(default=1)
    difficulty = models.CharField(max_length=10, default="medium")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("assignment", "position", "pk")

    def __str__(self) -> str:
        return f"{self.count} x {self.question} in {self.assignment_id}"


class CourseAttempt(models.Model):
    """A formula answer given inside an assignment: the Attempt plus what analytics group by.

    The copied columns (course, template, topic, correctness, time, misconception) keep the
    analytics queries on one narrow, indexed table instead of a four-way join.
    """

    attempt = models.OneToOneField(
        "quizzes.Attempt", on_delete=models.CASCADE, related_name="course_attempt"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(AssignmentItem, on_delete=models.CASCADE, related_name="attempts")
    slot = models.PositiveSmallIntegerField()
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    template = models.ForeignKey(
        "quizzes.QuestionTemplate", on_delete=models.CASCADE, related_name="+"
    )
    topic = models.ForeignKey("quizzes.Topic", on_delete=models.CASCADE, related_name="+")
    is_correct = models.BooleanField()
    is_late = models.BooleanField(default=False)
    time_taken_ms = models.PositiveIntegerField(null=True, blank=True)
    misconception = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=("course", "template"),
                name="course_attempt_by_question",
                include=("student", "is_correct", "time_taken_ms"),
            ),
            models.Index(
                fields=("course", "student"),
                name="course_attempt_by_student",
                include=("is_correct",),
            ),
            models.Index(
                fields=("course", "misconception"),
                name="course_attempt_misconceptions",
                include=("topic", "created_at"),
                condition=~models.Q(misconception=""),
            ),
            models.Index(fields=("item", "student", "slot"), name="course_attempt_slot"),
        ]

    def __str__(self) -> str:
        return f"Course attempt {self.pk} ({'correct' if self.is_correct else 'wrong'})"


class CourseSubmission(models.Model):
    """A code submission made inside an assignment."""

    submission = models.OneToOneField(
        "grader.Submission", on_delete=models.CASCADE, related_name="course_submission"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(AssignmentItem, on_delete=models.CASCADE, related_name="submissions")
    slot = models.PositiveSmallIntegerField(default=0)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    is_late = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=("item", "student"), name="course_submission_slot")]

    def __str__(self) -> str:
        return f"Course submission {self.submission_id}"


class StudentCodeQuestion(models.Model):
    """A student's own copy of a template-based code item: the template at the student's seed.

    Created on demand (``courses.services.student_code_question``); the CodeQuestion it points to
    belongs to the course, so the grader's public list and pages never show it.
    """

    item = models.ForeignKey(AssignmentItem, on_delete=models.CASCADE, related_name="student_codes")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    seed = models.BigIntegerField()
    code_question = models.OneToOneField(
        "grader.CodeQuestion", on_delete=models.PROTECT, related_name="student_copy"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("item", "student"), name="one_code_copy_per_student")
        ]

    def __str__(self) -> str:
        return f"{self.code_question.slug} for {self.student_id}"
