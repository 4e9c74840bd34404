"""API conventions every app's `api.py` shares: authentication, permission, paging, errors."""

import json
import logging

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from django.http import JsonResponse
from rest_framework import exceptions, pagination, permissions, renderers, serializers
from rest_framework.response import Response
from rest_framework.utils import encoders
from rest_framework.utils.urls import replace_query_param

from . import hooks
from .pagination import BadCursor, keyset_page, keyset_page_of

logger = logging.getLogger(__name__)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so nothing can be slipped in (author, created_at…): a
    400 naming each one. Every app's write serializers build on it."""

    def validate(self, attrs):
        unknown = set(getattr(self, "initial_data", None) or {}) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {name: "This field cannot be set." for name in sorted(unknown)}
            )
        return attrs


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth headless app tokens (`X-Session-Token`); listed first so anonymous gets 401."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and not result[0].is_active:
            raise exceptions.AuthenticationFailed("This account is inactive.")
        if result is not None:
            hooks.api_authenticated.send(user=result[0])
        return result

    def authenticate_header(self, request) -> str:
        return 'Session realm="api", X-Session-Token'


class IsActiveEmployee(permissions.BasePermission):
    message = "Log in with an active account."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


class EncodedJSON:
    """A response's data already encoded as the API's JSON (`json_text`): the feeds' cached
    cards are kept as text, and a page of them is joined, not decoded and encoded again."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def json_text(data) -> str:
    """`data` as `JSONRenderer` encodes it for a response (compact, Unicode, no NaN, the two
    JavaScript line separators escaped)."""
    text = json.dumps(
        data,
        cls=encoders.JSONEncoder,
        ensure_ascii=JSONRenderer.ensure_ascii,
        allow_nan=not JSONRenderer.strict,
        separators=(",", ":"),
    )
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class JSONRenderer(renderers.JSONRenderer):
    """DRF's, which also sends `EncodedJSON` as it is (decoded only for a client that asks for
    indentation, and for the browsable API)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, EncodedJSON):
            if self.get_indent(accepted_media_type, renderer_context or {}) is None:
                return data.text.encode()
            data = json.loads(data.text)
        return super().render(data, accepted_media_type, renderer_context)


def json_error(request, status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


class KeysetPagination(pagination.BasePagination):
    """`{"results", "next"}` pages by the queryset's own order (core.pagination), never by
    OFFSET: every list of the API pages through it."""

    page_size = 20
    max_page_size = 100
    cursor_query_param = "cursor"

    def _size(self, request) -> int:
        try:
            size = int(request.query_params.get("page_size", self.page_size))
        except ValueError:
            raise exceptions.ValidationError({"page_size": "A whole number."}) from None
        return max(1, min(size, self.max_page_size))

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self._size(request)
        try:
            items, self.next_cursor = keyset_page(
                queryset, cursor=request.query_params.get(self.cursor_query_param), size=size
            )
        except BadCursor:
            raise exceptions.ValidationError({"cursor": "Invalid cursor."}) from None
        return items

    def paginate_source(self, fetch, request, *, fields: list[str]) -> list:
        """A page of `fetch(after, n)` (see pagination.keyset_page_of), same cursors."""
        self.request = request
        size = self._size(request)
        try:
            items, self.next_cursor = keyset_page_of(
                fetch,
                fields=fields,
                cursor=request.query_params.get(self.cursor_query_param),
                size=size,
            )
        except BadCursor:
            raise exceptions.ValidationError({"cursor": "Invalid cursor."}) from None
        return items

    def get_next_link(self) -> str | None:
        if not self.next_cursor:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.next_cursor)

    def get_paginated_response(self, data):
        return Response({"results": data, "next": self.get_next_link()})

    def get_encoded_response(self, items: list[str]) -> Response:
        """The page of items already encoded (`json_text`): the same body as
        `get_paginated_response` of them decoded."""
        text = '{"results":[' + ",".join(items) + '],"next":' + json_text(self.get_next_link())
        return Response(EncodedJSON(text + "}"))

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "results": schema,
                "next": {"type": "string", "nullable": True, "format": "uri"},
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The `next` cursor of the previous page.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Items per page, 1 to {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
