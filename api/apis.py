"""REST endpoints (thin: parse, call one service or selector, present)."""

from __future__ import annotations

from django.http import HttpRequest
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import presenters, selectors, services
from api.pagination import ApiPagination
from api.serializers import (
    ApiKeyCreatedSerializer,
    ApiKeyCreateSerializer,
    ApiKeySerializer,
    AttemptCreateSerializer,
    AttemptSerializer,
    TemplateSerializer,
    TopicSerializer,
    VariantCreateSerializer,
    VariantSerializer,
)
from core.exceptions import NotFoundError
from quizzes import selectors as quiz_selectors
from quizzes import services as quiz_services
from quizzes.models import Attempt


def session_key(request: HttpRequest | Request) -> str:
    """The caller's session, created on first use (anonymous practice is kept per session)."""
    session = request.session
    if not session.session_key:
        session.save()
    return session.session_key or ""


# --- Catalogue ----------------------------------------------------------------------------------


@extend_schema(tags=["catalogue"])
class TopicListApi(generics.ListAPIView):
    serializer_class = TopicSerializer
    pagination_class = ApiPagination
    filter_backends = (OrderingFilter,)
    ordering_fields = ("position", "title", "slug")
    ordering = ("position", "slug")

    def get_queryset(self):  # noqa: ANN201 - DRF hook
        return selectors.topics_visible()


@extend_schema(tags=["catalogue"])
class TopicDetailApi(generics.RetrieveAPIView):
    serializer_class = TopicSerializer
    lookup_field = "slug"

    def get_queryset(self):  # noqa: ANN201 - DRF hook
        return selectors.topics_visible()


@extend_schema(tags=["catalogue"])
class TemplateListApi(generics.ListAPIView):
    serializer_class = TemplateSerializer
    pagination_class = ApiPagination
    filter_backends = (DjangoFilterBackend, OrderingFilter)
    filterset_fields = {"topic__slug": ["exact"], "family": ["exact"], "difficulty": ["exact"]}
    ordering_fields = ("slug", "title", "difficulty", "created_at")
    ordering = ("slug",)

    def get_queryset(self):  # noqa: ANN201 - DRF hook
        return selectors.templates_visible()


@extend_schema(tags=["catalogue"])
class TemplateDetailApi(generics.RetrieveAPIView):
    serializer_class = TemplateSerializer
    lookup_field = "slug"

    def get_queryset(self):  # noqa: ANN201 - DRF hook
        return selectors.templates_visible()


# --- Variants and attempts ----------------------------------------------------------------------


class VariantCreateApi(APIView):
    @extend_schema(
        tags=["practice"],
        request=VariantCreateSerializer,
        responses={201: VariantSerializer},
        summary="Generate (or fetch) the variant of a template for a seed",
    )
    def post(self, request: Request, slug: str) -> Response:
        template = selectors.template_visible(slug=slug)
        if template is None:
            raise NotFoundError(f"No published template '{slug}'.")
        serializer = VariantCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "seed" in data:
            variant = quiz_services.variant_get_or_create(
                template=template, seed=data["seed"], difficulty=data.get("difficulty")
            )
        else:
            variant = quiz_services.variant_create_random(
                template=template, difficulty=data.get("difficulty")
            )
        return Response(presenters.variant_public(variant), status=status.HTTP_201_CREATED)


class VariantDetailApi(APIView):
    @extend_schema(tags=["practice"], responses={200: VariantSerializer})
    def get(self, request: Request, variant_id: int) -> Response:
        variant = quiz_selectors.variant_get(variant_id=variant_id)
        if variant is None or not variant.template.is_published:
            raise NotFoundError("No such question.")
        return Response(presenters.variant_public(variant))


class VariantAttemptsApi(APIView):
    @extend_schema(
        tags=["practice"],
        request=AttemptCreateSerializer,
        responses={201: AttemptSerializer},
        summary="Answer a variant and get feedback",
    )
    def post(self, request: Request, variant_id: int) -> Response:
        variant = quiz_selectors.variant_get(variant_id=variant_id)
        if variant is None or not variant.template.is_published:
            raise NotFoundError("No such question.")
        serializer = AttemptCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = quiz_services.attempt_create(
            variant=variant,
            raw_answer=serializer.validated_data["answer"],
            user=request.user,
            session_key="" if request.user.is_authenticated else session_key(request),
            time_taken_ms=serializer.validated_data.get("time_taken_ms"),
        )
        return Response(presenters.attempt_public(outcome.attempt), status=status.HTTP_201_CREATED)


@extend_schema(tags=["practice"])
class AttemptListApi(generics.ListAPIView):
    serializer_class = AttemptSerializer
    pagination_class = ApiPagination
    filter_backends = (DjangoFilterBackend, OrderingFilter)
    filterset_fields = {"variant__template__slug": ["exact"], "is_correct": ["exact"]}
    ordering_fields = ("created_at", "id")
    ordering = ("-created_at", "-id")

    def get_queryset(self):  # noqa: ANN201 - DRF hook
        if getattr(self, "swagger_fake_view", False):  # schema generation: no real request
            return Attempt.objects.none()
        return selectors.attempts_for_owner(
            user=self.request.user, session_key=self.request.session.session_key or ""
        )

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([presenters.attempt_public(a) for a in page])


class AttemptDetailApi(APIView):
    @extend_schema(tags=["practice"], responses={200: AttemptSerializer})
    def get(self, request: Request, attempt_id: int) -> Response:
        attempt = (
            selectors.attempts_for_owner(
                user=request.user, session_key=request.session.session_key or ""
            )
            .filter(pk=attempt_id)
            .first()
        )
        if attempt is None:
            raise NotFoundError("No such attempt.")
        return Response(presenters.attempt_public(attempt))


# --- Credentials --------------------------------------------------------------------------------


class ApiKeyListApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(tags=["credentials"], responses={200: ApiKeySerializer(many=True)})
    def get(self, request: Request) -> Response:
        keys = selectors.api_keys_for_owner(user=request.user)
        return Response([presenters.api_key_public(key) for key in keys])

    @extend_schema(
        tags=["credentials"],
        request=ApiKeyCreateSerializer,
        responses={201: ApiKeyCreatedSerializer},
        summary="Create a personal token or (instructors) an integration key",
    )
    def post(self, request: Request) -> Response:
        serializer = ApiKeyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        api_key, secret = services.api_key_create(owner=request.user, **serializer.validated_data)
        return Response(presenters.api_key_public(api_key, secret), status=201)


class ApiKeyRevokeApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(tags=["credentials"], responses={204: None}, summary="Revoke a key")
    def delete(self, request: Request, api_key_id: int) -> Response:
        services.api_key_revoke(owner=request.user, api_key_id=api_key_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
