"""Request and response shapes of the API. Response serializers describe the schema; what they
show is chosen by ``api.presenters`` (students never get answer keys or reference code)."""

from __future__ import annotations

from rest_framework import serializers

from quizzes.models import Difficulty, QuestionTemplate, Topic
from quizzes.services import MAX_SEED

# --- Problems (RFC 9457) ------------------------------------------------------------------------


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


# --- Catalogue ----------------------------------------------------------------------------------


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ("slug", "title", "description", "position")


class TemplateSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = QuestionTemplate
        fields = ("slug", "title", "topic", "family", "difficulty", "intro", "config")


# --- Variants and attempts ----------------------------------------------------------------------


class VariantCreateSerializer(serializers.Serializer):
    seed = serializers.IntegerField(
        min_value=0,
        max_value=MAX_SEED - 1,
        required=False,
        help_text="The same template, seed and difficulty always give the same question. "
        "Leave out for a random one.",
    )
    difficulty = serializers.ChoiceField(choices=Difficulty.choices, required=False)


class ChoiceSerializer(serializers.Serializer):
    label = serializers.CharField()
    text = serializers.CharField(help_text="markdown")


class VariantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    template = serializers.CharField()
    topic = serializers.CharField()
    family = serializers.CharField()
    seed = serializers.IntegerField()
    difficulty = serializers.CharField()
    prompt = serializers.CharField(help_text="markdown")
    answer_format = serializers.CharField()
    choices = ChoiceSerializer(many=True)
    hints = serializers.ListField(child=serializers.CharField())
    attempts_url = serializers.CharField()


class AttemptCreateSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=2000, trim_whitespace=False, allow_blank=True)
    time_taken_ms = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class MisconceptionSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    explanation = serializers.CharField()


class AttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    variant = serializers.IntegerField()
    template = serializers.CharField()
    answer = serializers.CharField()
    normalized_answer = serializers.CharField()
    is_correct = serializers.BooleanField()
    is_readable = serializers.BooleanField()
    misconception = MisconceptionSerializer(allow_null=True)
    feedback = serializers.CharField()
    time_taken_ms = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


# --- Code questions and submissions -------------------------------------------------------------


class CodeQuestionSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    topic = serializers.CharField(allow_null=True)
    prompt = serializers.CharField()
    starter_code = serializers.CharField(allow_blank=True)
    entry = serializers.CharField()
    visible_input = serializers.ListField(child=serializers.IntegerField())
    constraints = serializers.ListField(child=serializers.CharField())
    device = serializers.CharField()
    time_limit_s = serializers.FloatField()
    hints = serializers.ListField(child=serializers.CharField())


class SubmissionCreateSerializer(serializers.Serializer):
    code = serializers.CharField(trim_whitespace=False, max_length=70_000)
    kind = serializers.ChoiceField(choices=["run", "submit"], default="submit")


class GradeSerializer(serializers.Serializer):
    score = serializers.FloatField()
    is_scored = serializers.BooleanField()
    passed_cases = serializers.IntegerField()
    total_cases = serializers.IntegerField()
    summary = serializers.CharField(allow_blank=True)
    hint = serializers.CharField(allow_blank=True)
    misconception = serializers.CharField(allow_blank=True)
    sandbox_status = serializers.CharField()
    cases = serializers.ListField(child=serializers.DictField())
    constraints = serializers.ListField(child=serializers.DictField())
    trace = serializers.ListField(child=serializers.DictField())
    diverging_layer = serializers.IntegerField(allow_null=True)
    stdout = serializers.CharField(allow_blank=True)
    wall_time_ms = serializers.IntegerField()


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    status_message = serializers.CharField(allow_blank=True)
    device = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    reused = serializers.BooleanField()
    result = GradeSerializer(allow_null=True)
    url = serializers.CharField(required=False)


# --- Credentials and webhooks -------------------------------------------------------------------


class ApiKeyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=["token", "integration"], default="token")


class ApiKeySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()


class ApiKeyCreatedSerializer(ApiKeySerializer):
    secret = serializers.CharField(help_text="Shown once; Stride keeps only its hash.")


class WebhookCreateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=["submission.graded", "assignment.completed"]),
        min_length=1,
    )


class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(help_text="The HMAC-SHA256 key; shown once.")


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.CharField()
    event_id = serializers.CharField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
