"""REST endpoints for code questions and submissions (thin: parse, call a service, serialise).

Served under /api/v1/ by the api app (``grader.urls.api_urlpatterns``). Students see the public
part of a question only: never the reference solution nor the hidden input ranges.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import ApiPagination
from api.selectors import submissions_for_owner
from api.serializers import (
    CodeQuestionSerializer,
    SubmissionCreateSerializer,
    SubmissionSerializer,
)
from core.exceptions import NotFoundError
from grader import selectors, services
from grader.models import CodeQuestion, Submission
from grader.presenters import submission_payload


def _session_key(request: HttpRequest | Request) -> str:
    session = request.session
    if not session.session_key:
        session.save()
    return session.session_key or ""


def _user_id(request: Request) -> int | None:
    return request.user.pk if request.user.is_authenticated else None


def public_question(question: CodeQuestion) -> dict[str, Any]:
    variant = question.variant
    return {
        "slug": question.slug,
        "title": question.title,
        "topic": question.topic.slug if question.topic else None,
        "prompt": variant.prompt,
        "starter_code": variant.starter_code,
        "entry": variant.entry,
        "visible_input": list(variant.visible_input),
        "constraints": [c.description for c in variant.constraints],
        "device": str(variant.device),
        "time_limit_s": variant.time_limit_s,
        "hints": list(variant.hints),
    }


@extend_schema(tags=["code"])
class CodeQuestionListApi(generics.ListAPIView):
    serializer_class = CodeQuestionSerializer
    pagination_class = ApiPagination
    filter_backends = (OrderingFilter,)
    ordering_fields = ("slug", "title", "created_at")
    ordering = ("slug",)

    def get_queryset(self):  # noqa: ANN201 - DRF hook
        return selectors.code_questions_published()

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([public_question(q) for q in page])


class CodeQuestionDetailApi(APIView):
    @extend_schema(tags=["code"], responses={200: CodeQuestionSerializer})
    def get(self, request: Request, slug: str) -> Response:
        question = selectors.code_question_get(slug=slug)
        if question is None:
            raise NotFoundError(f"No published code question '{slug}'.")
        return Response(public_question(question))


class SubmissionCreateApi(APIView):
    InputSerializer = SubmissionCreateSerializer

    @extend_schema(
        tags=["code"],
        request=SubmissionCreateSerializer,
        responses={202: SubmissionSerializer},
        summary="Run (visible example) or submit (all cases, scored) a snippet",
    )
    def post(self, request: Request, slug: str) -> Response:
        question = selectors.code_question_get(slug=slug)
        if question is None:
            raise NotFoundError(f"No published code question '{slug}'.")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submission = services.submission_create(
            question=question,
            code=serializer.validated_data["code"],
            kind=serializer.validated_data["kind"],
            user=request.user,
            session_key=_session_key(request),
        )
        payload = submission_payload(submission)
        payload["url"] = reverse("grader-api:submission-detail", args=[submission.pk])
        return Response(payload, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["code"])
class SubmissionListApi(generics.ListAPIView):
    serializer_class = SubmissionSerializer
    pagination_class = ApiPagination
    filter_backends = (OrderingFilter,)
    ordering_fields = ("created_at", "id")
    ordering = ("-created_at", "-id")

    def get_queryset(self):  # noqa: ANN201 - DRF hook
        if getattr(self, "swagger_fake_view", False):  # schema generation: no real request
            return Submission.objects.none()
        return submissions_for_owner(
            user=self.request.user, session_key=self.request.session.session_key or ""
        )

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([submission_payload(s) for s in page])


class SubmissionDetailApi(APIView):
    @extend_schema(tags=["code"], responses={200: SubmissionSerializer})
    def get(self, request: Request, submission_id: int) -> Response:
        submission: Submission | None = selectors.submission_for_owner(
            submission_id=submission_id,
            user_id=_user_id(request),
            session_key=request.session.session_key or "",
        )
        if submission is None:
            raise NotFoundError("No such submission.")
        return Response(submission_payload(submission))
