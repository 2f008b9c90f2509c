"""Code questions, students' submissions of code, and the grades the workers give them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from grader.questions.base import CodeVariant


class CodeQuestion(models.Model):
    """A code question: a template at a seed, or one an instructor wrote (same spec format).

    ``spec`` holds the full CodeVariant including the reference solution and the hidden input
    ranges: grading secrets, served to students only through ``CodeVariant.public_dict``.
    """

    slug = models.SlugField(unique=True, max_length=80)
    title = models.CharField(max_length=160)
    topic = models.ForeignKey(
        "quizzes.Topic",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="code_questions",
    )
    spec = models.JSONField()
    is_published = models.BooleanField(default=True)
    reference_version = models.PositiveIntegerField(
        default=1, help_text="Bumped when the reference changes; regrades use the new one."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("slug",)

    def __str__(self) -> str:
        return self.title

    @property
    def variant(self) -> CodeVariant:
        return CodeVariant.from_dict(self.spec)


class SubmissionKind(models.TextChoices):
    RUN = "run", "Run (visible example, not scored)"
    SUBMIT = "submit", "Submit (all cases, scored)"


class SubmissionStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    WAITING_FOR_GPU = "waiting_for_gpu", "Waiting for a GPU worker"
    RUNNING = "running", "Running"
    GRADED = "graded", "Graded"
    FAILED = "failed", "Failed"  # Stride could not grade it (never the student's fault)


class Submission(models.Model):
    question = models.ForeignKey(CodeQuestion, on_delete=models.CASCADE, related_name="submissions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    session_key = models.CharField(max_length=40, blank=True, db_index=True)
    kind = models.CharField(max_length=10, choices=SubmissionKind.choices)
    code = models.TextField()
    code_sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        max_length=20,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.QUEUED,
        db_index=True,
    )
    # The concrete hidden shapes drawn for this submission: stored so a regrade is reproducible.
    input_shapes = models.JSONField(default=list)
    reference_version = models.PositiveIntegerField(default=1)
    queue = models.CharField(max_length=10, default="cpu")
    device = models.CharField(max_length=10, default="cpu")
    status_message = models.CharField(max_length=300, blank=True)
    task_attempts = models.PositiveSmallIntegerField(default=0)
    reused_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reused_by"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=("user", "-created_at"), name="submission_user_recent"),
            models.Index(fields=("question", "code_sha256", "kind"), name="submission_same_code"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(session_key=""),
                name="submission_has_owner",
            )
        ]

    def __str__(self) -> str:
        return f"Submission {self.pk} ({self.kind}, {self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (SubmissionStatus.GRADED, SubmissionStatus.FAILED)


class GradeResult(models.Model):
    """The grade of one submission. One per submission, enforced by the database."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="result")
    score = models.FloatField(help_text="0 to 1, partial credit per test case")
    passed_cases = models.PositiveSmallIntegerField()
    total_cases = models.PositiveSmallIntegerField()
    sandbox_status = models.CharField(max_length=30)
    summary = models.CharField(max_length=300)
    hint = models.TextField(blank=True)
    misconception = models.CharField(max_length=60, blank=True)
    # Per case: input shape, expected vs actual shape or the student's error, pass/fail.
    cases = models.JSONField(default=list)
    constraints = models.JSONField(default=list)
    trace = models.JSONField(default=list)
    diverging_layer = models.IntegerField(null=True, blank=True)
    stdout = models.TextField(blank=True)
    wall_time_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Grade {self.score:.2f} for submission {self.submission_id}"


class Regrade(models.Model):
    """A bulk regrade of a question's submissions after its reference changed, with progress."""

    question = models.ForeignKey(CodeQuestion, on_delete=models.CASCADE, related_name="regrades")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    submission_ids = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"Regrade of {self.question.slug} ({self.total} submissions)"
