"""Webhook subscriptions of an integration and their delivery log (owner-only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import presenters, selectors, webhook_services
from api.models import ApiKey
from api.pagination import ApiPagination
from api.serializers import (
    WebhookCreatedSerializer,
    WebhookCreateSerializer,
    WebhookDeliverySerializer,
    WebhookSerializer,
)
from core.exceptions import NotFoundError


class WebhookDeliveryTrySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(allow_blank=True)
    duration_ms = serializers.IntegerField()
    next_retry_in_s = serializers.FloatField(allow_null=True)
    created_at = serializers.DateTimeField()


class WebhookDeliveryLogSerializer(WebhookDeliverySerializer):
    tries = WebhookDeliveryTrySerializer(many=True)


class WebhookDeliveryPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = WebhookDeliveryLogSerializer(many=True)


class WebhookListApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(tags=["webhooks"], responses={200: WebhookSerializer(many=True)})
    def get(self, request: Request) -> Response:
        hooks = selectors.webhooks_for_owner(user=request.user)
        return Response([presenters.webhook_public(hook) for hook in hooks])

    @extend_schema(
        tags=["webhooks"],
        request=WebhookCreateSerializer,
        responses={201: WebhookCreatedSerializer},
        summary="Subscribe an integration to events (instructors; needs an integration key)",
    )
    def post(self, request: Request) -> Response:
        serializer = WebhookCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription, secret = webhook_services.webhook_create(
            owner=request.user,
            api_key=request.auth if isinstance(request.auth, ApiKey) else None,
            **serializer.validated_data,
        )
        return Response(
            presenters.webhook_public(subscription, secret), status=status.HTTP_201_CREATED
        )


class WebhookDetailApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(tags=["webhooks"], responses={200: WebhookSerializer})
    def get(self, request: Request, webhook_id: int) -> Response:
        hook = selectors.webhooks_for_owner(user=request.user).filter(pk=webhook_id).first()
        if hook is None:
            raise NotFoundError("No such webhook.")
        return Response(presenters.webhook_public(hook))

    @extend_schema(tags=["webhooks"], responses={204: None}, summary="Unsubscribe")
    def delete(self, request: Request, webhook_id: int) -> Response:
        webhook_services.webhook_delete(owner=request.user, webhook_id=webhook_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveriesApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["webhooks"],
        responses={200: WebhookDeliveryPageSerializer},
        summary="The delivery log: every event sent to this webhook, with each try",
    )
    def get(self, request: Request, webhook_id: int) -> Response:
        hook = selectors.webhooks_for_owner(user=request.user).filter(pk=webhook_id).first()
        if hook is None:
            raise NotFoundError("No such webhook.")
        paginator = ApiPagination()
        deliveries = selectors.deliveries_for_webhook(subscription=hook).prefetch_related("tries")
        page = paginator.paginate_queryset(deliveries, request, view=self)
        return paginator.get_paginated_response([presenters.delivery_public(d) for d in page])
