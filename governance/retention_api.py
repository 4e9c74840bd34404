"""`GET`/`PUT /api/v1/compliance/retention/` (everyone reads the policy in force; Compliance and
admins set it) and `GET`/`POST /api/v1/compliance/holds/`, `GET …/holds/<id>/`, `POST
…/holds/<id>/release/` (Compliance only: anonymous 401, everyone else 403)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions
from rest_framework import status as http
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api import IsActiveEmployee, KeysetPagination

from . import selectors, services
from .permissions import can_manage_holds, can_set_retention
from .retention_serializers import (
    HoldCreateSerializer,
    HoldReleaseSerializer,
    HoldSerializer,
    RetentionPolicySerializer,
)

POLICY_FIELDS = {"company", "communities"}


class IsCompliance(permissions.BasePermission):
    message = "Legal holds are for Compliance only."

    def has_permission(self, request, view) -> bool:
        if not hasattr(view, request.method.lower()):
            return True  # a method the view does not have: 405 for everyone, as elsewhere
        return can_manage_holds(request.user)


def _policy_answer(user) -> dict:
    payload = selectors.policy_payload(selectors.policy_in_force(user=user))
    payload["last_run"] = selectors.last_run()
    return payload


class RetentionPolicyView(generics.GenericAPIView):
    serializer_class = RetentionPolicySerializer
    permission_classes = [IsActiveEmployee]

    @extend_schema(operation_id="v1_compliance_retention_read")
    def get(self, request):
        return Response(RetentionPolicySerializer(_policy_answer(request.user)).data)

    @extend_schema(operation_id="v1_compliance_retention_replace")
    def put(self, request):
        if not can_set_retention(request.user):
            return Response(
                {"detail": "Only Compliance and administrators set retention policies."},
                status=http.HTTP_403_FORBIDDEN,
            )
        data = request.data
        if not isinstance(data, dict):
            raise ValidationError({"detail": "An object with company and communities."})
        unknown = sorted(set(data) - POLICY_FIELDS)
        if unknown:
            raise ValidationError({name: "This field cannot be set." for name in unknown})
        if "company" not in data:
            raise ValidationError({"company": "This field is required."})
        services.retention_policies_set(
            actor=request.user, company=data["company"], communities=data.get("communities")
        )
        return Response(RetentionPolicySerializer(_policy_answer(request.user)).data)


class HoldListView(generics.GenericAPIView):
    serializer_class = HoldSerializer
    pagination_class = KeysetPagination
    permission_classes = [IsActiveEmployee, IsCompliance]

    @extend_schema(operation_id="v1_compliance_holds_list", responses=HoldSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.holds_list())
        return self.get_paginated_response(HoldSerializer(page, many=True).data)

    @extend_schema(request=HoldCreateSerializer, responses={201: HoldSerializer})
    def post(self, request):
        data = HoldCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hold = services.hold_place(actor=request.user, **data.validated_data)
        hold = selectors.hold_get(hold_id=hold.pk)
        return Response(HoldSerializer(hold).data, status=http.HTTP_201_CREATED)


class HoldDetailView(generics.GenericAPIView):
    serializer_class = HoldSerializer
    permission_classes = [IsActiveEmployee, IsCompliance]

    def get(self, request, hold_id: int):
        return Response(HoldSerializer(selectors.hold_get(hold_id=hold_id)).data)


class HoldReleaseView(generics.GenericAPIView):
    serializer_class = HoldSerializer
    permission_classes = [IsActiveEmployee, IsCompliance]

    @extend_schema(request=HoldReleaseSerializer, responses=HoldSerializer)
    def post(self, request, hold_id: int):
        HoldReleaseSerializer(data=request.data or {}).is_valid(raise_exception=True)
        hold = services.hold_release(actor=request.user, hold=selectors.hold_get(hold_id=hold_id))
        return Response(HoldSerializer(hold).data)
