"""Topics, question templates, the variants generated from them, and students' attempts."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from quizzes.generators import UnknownFamilyError, family_names, get_generator
from quizzes.generators.base import Difficulty as GeneratorDifficulty
from quizzes.generators.base import Variant as GeneratedVariant


class Difficulty(models.TextChoices):
    EASY = GeneratorDifficulty.EASY, "Easy"
    MEDIUM = GeneratorDifficulty.MEDIUM, "Medium"
    HARD = GeneratorDifficulty.HARD, "Hard"


class Topic(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "title")

    def __str__(self) -> str:
        return self.title


class QuestionTemplate(models.Model):
    """A family plus the parameter ranges an instructor chose for it."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=160)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="templates")
    family = models.CharField(max_length=40)
    difficulty = models.CharField(
        max_length=10, choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    config = models.JSONField(
        default=dict, blank=True, help_text='Parameter ranges, e.g. {"kernel_size": [1, 7]}'
    )
    intro = models.TextField(blank=True, help_text="Optional text shown above every prompt.")
    is_published = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("topic__position", "slug")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        try:
            generator = get_generator(self.family)
        except UnknownFamilyError:
            raise ValidationError(
                {"family": f"Unknown family '{self.family}'. Known: {', '.join(family_names())}."}
            ) from None
        if not isinstance(self.config, dict):
            raise ValidationError({"config": "Parameter ranges must be a JSON object."})
        errors = generator.validate_config(self.config)
        if errors:
            raise ValidationError({"config": errors})


class Variant(models.Model):
    """One generated question, stored so its answer can be checked and its history kept."""

    template = models.ForeignKey(
        QuestionTemplate, on_delete=models.CASCADE, related_name="variants"
    )
    seed = models.BigIntegerField()
    difficulty = models.CharField(max_length=10, choices=Difficulty.choices)
    content = models.JSONField(help_text="The generated variant: prompt, answer, solution, ...")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("template", "seed", "difficulty"), name="unique_variant_per_seed"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template.slug} #{self.seed} ({self.difficulty})"

    @property
    def generated(self) -> GeneratedVariant:
        return GeneratedVariant.from_dict(self.content)


class Attempt(models.Model):
    """One answer to one variant, by a user or an anonymous session."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attempts",
    )
    session_key = models.CharField(max_length=40, blank=True)
    raw_answer = models.TextField()
    normalized_answer = models.CharField(max_length=200, blank=True)
    is_correct = models.BooleanField()
    is_readable = models.BooleanField(default=True)
    misconception = models.CharField(max_length=60, blank=True, db_index=True)
    feedback = models.TextField(blank=True)
    time_taken_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=("user", "-created_at"), name="attempt_user_recent"),
            # An anonymous session's latest answers, read in order: the history, the progress
            # chart and claiming on log-in never sort or scan the session's whole history.
            models.Index(
                fields=("session_key", "-created_at"),
                name="attempt_session_recent",
                condition=models.Q(user__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(session_key=""),
                name="attempt_has_owner",
            )
        ]

    def __str__(self) -> str:
        verdict = "correct" if self.is_correct else "wrong"
        return f"Attempt {self.pk} on {self.variant_id}: {verdict}"


# ---------------------------------------------------------------------------------------------
# Practice state: what the adaptive policy (quizzes.practice) remembers about each student.


class Learner(models.Model):
    """A student's practice state, for an account or for an anonymous session (claimed on login).

    ``answered_count`` is the clock of spaced repetition: reviews fall due after a number of
    answers, not of days.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="learner",
    )
    session_key = models.CharField(max_length=40, blank=True)
    answered_count = models.PositiveIntegerField(default=0)
    last_topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("session_key",),
                condition=~models.Q(session_key=""),
                name="learner_unique_session",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(session_key=""),
                name="learner_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"Learner {self.pk} ({self.user or 'anonymous'})"


class TopicProgress(models.Model):
    """Adaptive difficulty, streaks and mastery of one learner in one topic."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="topic_progress")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    difficulty = models.CharField(
        max_length=10, choices=Difficulty.choices, default=Difficulty.EASY
    )
    correct_streak = models.PositiveSmallIntegerField(default=0)
    miss_streak = models.PositiveSmallIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)
    mastery = models.FloatField(default=0.0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("learner", "topic"), name="unique_topic_progress")
        ]

    def __str__(self) -> str:
        return f"{self.learner} in {self.topic_id}: {self.difficulty}, mastery {self.mastery:.2f}"


class ReviewItem(models.Model):
    """A missed question (template + the misconception shown) scheduled to come back."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="reviews")
    template = models.ForeignKey(QuestionTemplate, on_delete=models.CASCADE, related_name="+")
    misconception = models.CharField(max_length=60, blank=True)
    difficulty = models.CharField(max_length=10, choices=Difficulty.choices)
    box = models.PositiveSmallIntegerField(default=0)
    due_step = models.PositiveIntegerField()
    is_retired = models.BooleanField(default=False)
    times_missed = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("learner", "template", "misconception"), name="unique_review_item"
            )
        ]
        indexes = [
            models.Index(fields=("learner", "is_retired", "due_step"), name="review_due"),
        ]

    def __str__(self) -> str:
        return f"Review of {self.template_id}/{self.misconception or '-'} due at {self.due_step}"


class MisconceptionRecord(models.Model):
    """A misconception a learner has shown, and whether they have overcome it since."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="misconceptions")
    misconception = models.CharField(max_length=60)
    times_shown = models.PositiveIntegerField(default=0)
    correct_since = models.PositiveIntegerField(default=0)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    overcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-last_seen_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("learner", "misconception"), name="unique_misconception_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.misconception} ({self.times_shown}x) for {self.learner_id}"
