"""The communities API. A community's feed is served by feeds (it is made of statuses)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework import status as http
from rest_framework.response import Response
from rest_framework.views import APIView

from core import ratelimit
from core.api import KeysetPagination
from profiles.models import Department

from . import selectors, services
from .serializers import (
    CommunityCreateSerializer,
    CommunitySerializer,
    CommunityUpdateSerializer,
    DepartmentAddSerializer,
    MemberPutSerializer,
    MemberSerializer,
    MembershipStateSerializer,
)


def _state(community, membership) -> dict:
    return {
        "community": community.slug,
        "state": membership.state if membership else None,
        "role": membership.role if membership else None,
    }


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="Words in the name or description"),
        OpenApiParameter("mine", bool, description="Only those you are a member of"),
    ]
)
class CommunityListView(generics.GenericAPIView):
    serializer_class = CommunitySerializer
    pagination_class = KeysetPagination

    @extend_schema(operation_id="v1_communities_list", responses=CommunitySerializer(many=True))
    def get(self, request):
        params = request.query_params
        qs = selectors.communities_for(
            user=request.user,
            q=params.get("q", ""),
            mine=params.get("mine", "").lower() in ("1", "true", "yes"),
        )
        page = self.paginator.paginate_queryset(qs, request, view=self)
        return self.paginator.get_paginated_response(CommunitySerializer(page, many=True).data)

    @extend_schema(request=CommunityCreateSerializer, responses={201: CommunitySerializer})
    def post(self, request):
        data = CommunityCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ratelimit.hit("community", request.user.pk)
        community = services.community_create(actor=request.user, **data.validated_data)
        community = selectors.community_get_for_user(user=request.user, slug=community.slug)
        return Response(CommunitySerializer(community).data, status=http.HTTP_201_CREATED)


class CommunityDetailView(APIView):
    @extend_schema(responses=CommunitySerializer)
    def get(self, request, slug: str):
        community = selectors.community_get_for_user(user=request.user, slug=slug)
        return Response(CommunitySerializer(community).data)

    @extend_schema(request=CommunityUpdateSerializer, responses=CommunitySerializer)
    def patch(self, request, slug: str):
        community = selectors.community_get_for_user(user=request.user, slug=slug)
        data = CommunityUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.community_update(actor=request.user, community=community, **data.validated_data)
        community = selectors.community_get_for_user(user=request.user, slug=slug)
        return Response(CommunitySerializer(community).data)


class MembershipView(APIView):
    """Your own membership: join, ask to join or accept an invitation (PUT); leave, withdraw
    your request or decline an invitation (DELETE)."""

    @extend_schema(request=None, responses=MembershipStateSerializer)
    def put(self, request, slug: str):
        community = selectors.community_get_for_user(user=request.user, slug=slug)
        ratelimit.hit("membership", request.user.pk)
        membership = services.membership_join(actor=request.user, community=community)
        return Response(_state(community, membership))

    @extend_schema(request=None, responses=MembershipStateSerializer)
    def delete(self, request, slug: str):
        community = selectors.community_get_for_user(user=request.user, slug=slug)
        ratelimit.hit("membership", request.user.pk)
        services.membership_leave(actor=request.user, community=community)
        return Response(_state(community, None))


@extend_schema(
    parameters=[
        OpenApiParameter(
            "state",
            str,
            enum=["active", "requested", "invited"],
            description="Owners and admins also see requests and invitations",
        )
    ]
)
class MemberListView(generics.GenericAPIView):
    serializer_class = MemberSerializer
    pagination_class = KeysetPagination

    @extend_schema(responses=MemberSerializer(many=True))
    def get(self, request, slug: str):
        community = selectors.community_get_readable(user=request.user, slug=slug)
        state = request.query_params.get("state", "active")
        manager = community.my_membership is not None and community.my_membership.is_admin
        if state not in ("active", "requested", "invited") or (state != "active" and not manager):
            state = "active"
        qs = selectors.members_of(community=community, states=(state,))
        page = self.paginator.paginate_queryset(
            qs.order_by("-created_at", "-id"), request, view=self
        )
        return self.paginator.get_paginated_response(MemberSerializer(page, many=True).data)


class MemberDetailView(APIView):
    """Owners and admins: invite (`state: invited`), approve a request (`state: active`),
    promote or demote (`role`); DELETE removes a member, declines a request or withdraws an
    invitation."""

    @extend_schema(request=MemberPutSerializer, responses=MemberSerializer)
    def put(self, request, slug: str, username: str):
        community = selectors.community_get_for_user(user=request.user, slug=slug)
        data = MemberPutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ratelimit.hit("membership", request.user.pk)
        membership = services.member_put(
            actor=request.user, community=community, username=username, **data.validated_data
        )
        return Response(MemberSerializer(membership).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, slug: str, username: str):
        community = selectors.community_get_for_user(user=request.user, slug=slug)
        ratelimit.hit("membership", request.user.pk)
        services.member_remove(actor=request.user, community=community, username=username)
        return Response(status=http.HTTP_204_NO_CONTENT)


class DepartmentAddView(APIView):
    """Owners and admins: add everyone in a department (large ones in the background)."""

    @extend_schema(request=DepartmentAddSerializer, responses={202: None})
    def post(self, request, slug: str):
        community = selectors.community_get_for_user(user=request.user, slug=slug)
        data = DepartmentAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        department = Department.objects.filter(slug=data.validated_data["department"]).first()
        if department is None:
            raise Http404("No such department.")
        ratelimit.hit("membership", request.user.pk)
        added = services.department_add(
            actor=request.user, community=community, department=department
        )
        return Response({"added": added}, status=http.HTTP_202_ACCEPTED)
