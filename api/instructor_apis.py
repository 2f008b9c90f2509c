"""Instructor-only endpoints: answer keys and reference solutions, bank import and export.

Answer keys are shown only to the instructors of the course that owns the question (issue 6's
memberships decide); a catalogue question that no course owns shows its key to staff only.
Everyone else gets the same answer as for a question that does not exist, or 403 for a member
of the owning course who is not its instructor.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import permissions
from core import services as core_services
from core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from courses import selectors as course_selectors
from grader.models import CodeQuestion
from quizzes import selectors as quiz_selectors
from quizzes.bank import BankError


def _require_key_reader(user: Any, owner: Any) -> None:
    """``owner`` is the AuthoredQuestion behind a template or code question, or None."""
    if owner is None:
        if not user.is_staff:
            raise NotFoundError("No such question.")
        return
    course_selectors.require_instructor(user=user, course=owner.course)


def _authored(row: Any) -> Any:
    try:
        return row.authored
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist: a catalogue question
        return None


class SolutionStepSerializer(serializers.Serializer):
    title = serializers.CharField()
    body = serializers.CharField()


class VariantAnswerKeySerializer(serializers.Serializer):
    variant = serializers.IntegerField()
    template = serializers.CharField()
    course = serializers.IntegerField(allow_null=True)
    answer = serializers.CharField()
    raises = serializers.BooleanField()
    correct_choices = serializers.ListField(child=serializers.CharField())
    solution_steps = SolutionStepSerializer(many=True)


class CodeAnswerKeySerializer(serializers.Serializer):
    question = serializers.CharField()
    course = serializers.IntegerField(allow_null=True)
    entry = serializers.CharField()
    reference_code = serializers.CharField()
    hidden_inputs = serializers.ListField(child=serializers.DictField())


class VariantAnswerKeyApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["instructors"],
        responses={200: VariantAnswerKeySerializer},
        summary="The answer and worked solution of a variant (its course's instructors only)",
    )
    def get(self, request: Request, variant_id: int) -> Response:
        variant = quiz_selectors.variant_get(variant_id=variant_id)
        if variant is None:
            raise NotFoundError("No such question.")
        owner = _authored(variant.template)
        _require_key_reader(request.user, owner)
        generated = variant.generated
        return Response(
            {
                "variant": variant.pk,
                "template": variant.template.slug,
                "course": owner.course_id if owner else None,
                "answer": generated.answer.display,
                "raises": bool(generated.answer.raises),
                "correct_choices": [c.label for c in generated.choices if c.is_correct],
                "solution_steps": [
                    {"title": step.title, "body": step.body} for step in generated.solution_steps
                ],
            }
        )


class CodeAnswerKeyApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["instructors"],
        responses={200: CodeAnswerKeySerializer},
        summary="The reference solution and hidden inputs (its course's instructors only)",
    )
    def get(self, request: Request, slug: str) -> Response:
        question = CodeQuestion.objects.filter(slug=slug).first()
        if question is None:
            raise NotFoundError("No such question.")
        owner = _authored(question)
        _require_key_reader(request.user, owner)
        spec = question.spec
        return Response(
            {
                "question": question.slug,
                "course": owner.course_id if owner else None,
                "entry": spec.get("entry", ""),
                "reference_code": spec.get("reference_code", ""),
                "hidden_inputs": list(spec.get("hidden_inputs", [])),
            }
        )


class BankImportSerializer(serializers.Serializer):
    text = serializers.CharField(
        trim_whitespace=False, help_text="The bank file (YAML or JSON), as exported."
    )


class BankTextSerializer(serializers.Serializer):
    text = serializers.CharField()


class BankCountsSerializer(serializers.Serializer):
    imported = serializers.DictField(child=serializers.IntegerField())


def _require_bank_user(user: Any) -> None:
    if not permissions.is_instructor(user):
        raise PermissionDeniedError("Only staff and instructors can import or export the bank.")


class BankExportApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["bank"],
        responses={200: BankTextSerializer},
        summary="Export every topic, template and code question (staff and instructors)",
    )
    def get(self, request: Request) -> Response:
        _require_bank_user(request.user)
        return Response({"text": core_services.bank_export_all(user=request.user)})


class BankImportApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["bank"],
        request=BankImportSerializer,
        responses={201: BankCountsSerializer},
        summary="Import a bank; a file with any error imports nothing (400, with every line)",
    )
    def post(self, request: Request) -> Response:
        _require_bank_user(request.user)
        serializer = BankImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            data, code_questions = core_services.bank_parse_all(
                serializer.validated_data["text"].encode("utf-8"), user=request.user
            )
            counts = core_services.bank_import_all(data=data, code_questions=code_questions)
        except BankError as error:
            raise ApplicationError(
                f"The bank was refused ({len(error.errors)} problems); nothing was imported.",
                extra={"errors": {"text": list(error.errors)}},
            ) from error
        return Response({"imported": counts}, status=status.HTTP_201_CREATED)
