"""The SCIM 2.0 endpoints at /scim/v2/ (RFC 7644). Plain Django views: they parse, call a
service or a selector, and answer `application/scim+json`.

No cookie is read or set here (the client sends `Authorization: Bearer`), so CSRF does not apply
and the login-required middleware leaves /scim/ alone (core.middleware.JSON_PREFIXES); every
request without a live token gets 401 with `WWW-Authenticate: Bearer`.
"""

import json
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from . import selectors, services
from .protocol import (
    CONTENT_TYPE,
    GROUP,
    LIST_SCHEMA,
    USER,
    ScimError,
    bad,
    operations_of,
    page_bounds,
    parse_filter,
    project,
)
from .resources import (
    etag_of,
    group_resource,
    resource_types,
    schemas,
    service_provider_config,
    user_resource,
)

logger = logging.getLogger(__name__)


def scim_response(body: dict | None, status: int = 200, *, etag: str | None = None) -> HttpResponse:
    if body is None:
        response = HttpResponse(status=status)
    else:
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
        )
    if etag:
        response["ETag"] = etag
    response["Cache-Control"] = "no-store"
    return response


def error_response(error: ScimError) -> HttpResponse:
    response = scim_response(error.body(), error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="scim"'
    return response


@method_decorator([csrf_exempt, login_not_required], name="dispatch")
class ScimView(View):
    http_method_names = ["get", "post", "put", "patch", "delete"]

    def dispatch(self, request, *args, **kwargs):
        try:
            self.token = self.authenticate(request)
            method = request.method.lower()
            handler = getattr(self, method, None) if method in self.http_method_names else None
            if handler is None:
                raise ScimError(405, f"{request.method} is not supported here.")
            self.base = request.build_absolute_uri("/").rstrip("/")
            return handler(request, *args, **kwargs)
        except ScimError as error:
            return error_response(error)
        except ValidationError as error:
            return error_response(bad("; ".join(error.messages)))

    @staticmethod
    def authenticate(request):
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        token = None
        if scheme.lower() == "bearer" and secret.strip():
            token = services.token_authenticate(secret.strip())
        if token is None:
            raise ScimError(401, "A valid bearer token is required.")
        return token

    @staticmethod
    def body(request):
        try:
            raw = request.body
        except RequestDataTooBig:
            raise ScimError(413, "The request body is too large.") from None
        try:
            return json.loads(raw or b"null")
        except (ValueError, RecursionError):
            raise bad("The body is not JSON.", "invalidSyntax") from None

    @staticmethod
    def check_version(request, resource: dict) -> None:
        """If-Match: the change applies only to the version the client read (412 otherwise)."""
        wanted = request.headers.get("If-Match")
        if not wanted or wanted.strip() == "*":
            return
        current = etag_of(resource)
        tags = [t.strip() for t in wanted.split(",")]
        if current not in tags and current.removeprefix("W/") not in tags:
            raise ScimError(412, "The resource changed since this version was read.")

    def listing(
        self, request, resources: list[dict], total: int, start: int, schema
    ) -> HttpResponse:
        attributes = request.GET.get("attributes")
        excluded = request.GET.get("excludedAttributes")
        resources = [project(schema, r, attributes, excluded) for r in resources]
        return scim_response(
            {
                "schemas": [LIST_SCHEMA],
                "totalResults": total,
                "startIndex": start,
                "itemsPerPage": len(resources),
                "Resources": resources,
            }
        )

    def single(self, request, resource: dict, status: int = 200) -> HttpResponse:
        etag = resource["meta"]["version"]
        if status == 200 and request.method == "GET":
            wanted = request.headers.get("If-None-Match")
            if wanted and etag in [t.strip() for t in wanted.split(",")]:
                return scim_response(None, 304, etag=etag)
            resource = project(
                USER if "userName" in resource else GROUP,
                resource,
                request.GET.get("attributes"),
                request.GET.get("excludedAttributes"),
            )
        response = scim_response(resource, status, etag=etag)
        if status == 201:
            response["Location"] = resource["meta"]["location"]
        return response


class ServiceProviderConfigView(ScimView):
    def get(self, request):
        return scim_response(service_provider_config(base=self.base))


class ResourceTypesView(ScimView):
    def get(self, request, name=None):
        documents = resource_types(base=self.base)
        if name is not None:
            if name not in documents:
                raise ScimError(404, f"No resource type {name}.")
            return scim_response(documents[name])
        items = list(documents.values())
        return self.listing(request, items, len(items), 1, USER)


class SchemasView(ScimView):
    def get(self, request, urn=None):
        documents = schemas(base=self.base)
        if urn is not None:
            if urn not in documents:
                raise ScimError(404, f"No schema {urn}.")
            return scim_response(documents[urn])
        items = list(documents.values())
        return self.listing(request, items, len(items), 1, USER)


class UsersView(ScimView):
    def get(self, request):
        start, count = page_bounds(
            request.GET.get("startIndex"), request.GET.get("count"), settings.SCIM_MAX_RESULTS
        )
        records = selectors.users()
        text = request.GET.get("filter")
        if text is not None:
            records = records.filter(selectors.user_filter_q(parse_filter(text)))
        total = records.count()
        page = list(records[start - 1 : start - 1 + count]) if count else []
        items = [user_resource(r, base=self.base) for r in page]
        return self.listing(request, items, total, start, USER)

    def post(self, request):
        record = services.scim_user_create(token=self.token, document=self.body(request))
        record = selectors.user_get(str(record.scim_id))
        return self.single(request, user_resource(record, base=self.base), 201)


class UserView(ScimView):
    def get(self, request, scim_id):
        record = selectors.user_get(scim_id)
        return self.single(request, user_resource(record, base=self.base))

    def put(self, request, scim_id):
        record = selectors.user_get(scim_id)
        self.check_version(request, user_resource(record, base=self.base))
        services.scim_user_replace(token=self.token, record=record, document=self.body(request))
        return self.single(request, user_resource(selectors.user_get(scim_id), base=self.base))

    def patch(self, request, scim_id):
        record = selectors.user_get(scim_id)
        self.check_version(request, user_resource(record, base=self.base))
        operations = operations_of(self.body(request))
        services.scim_user_patch(token=self.token, record=record, operations=operations)
        return self.single(request, user_resource(selectors.user_get(scim_id), base=self.base))

    def delete(self, request, scim_id):
        record = selectors.user_get(scim_id)
        self.check_version(request, user_resource(record, base=self.base))
        services.scim_user_delete(token=self.token, record=record)
        return scim_response(None, 204)


class GroupsView(ScimView):
    def get(self, request):
        start, count = page_bounds(
            request.GET.get("startIndex"), request.GET.get("count"), settings.SCIM_MAX_RESULTS
        )
        groups = list(selectors.groups())
        members = selectors.group_members_many(groups)
        items = [group_resource(g, members[g.pk][0], base=self.base) for g in groups]
        text = request.GET.get("filter")
        if text is not None:
            node = parse_filter(text)
            items = [item for item in items if selectors.group_matches(node, item)]
        total = len(items)
        return self.listing(request, items[start - 1 : start - 1 + count], total, start, GROUP)

    def post(self, request):
        group = services.scim_group_create(token=self.token, document=self.body(request))
        return self.single(request, self._resource(str(group.scim_id)), 201)

    def _resource(self, scim_id: str) -> dict:
        group = selectors.group_get(scim_id)
        return group_resource(
            group, selectors.group_members_many([group])[group.pk][0], base=self.base
        )


class GroupView(GroupsView):
    def get(self, request, scim_id):
        return self.single(request, self._resource(scim_id))

    def put(self, request, scim_id):
        group = selectors.group_get(scim_id)
        self.check_version(request, self._resource(scim_id))
        services.scim_group_replace(token=self.token, group=group, document=self.body(request))
        return self.single(request, self._resource(scim_id))

    def patch(self, request, scim_id):
        group = selectors.group_get(scim_id)
        self.check_version(request, self._resource(scim_id))
        operations = operations_of(self.body(request))
        services.scim_group_patch(token=self.token, group=group, operations=operations)
        return self.single(request, self._resource(scim_id))

    def delete(self, request, scim_id):
        group = selectors.group_get(scim_id)
        self.check_version(request, self._resource(scim_id))
        services.scim_group_delete(token=self.token, group=group)
        return scim_response(None, 204)

    post = None


class NotFoundView(ScimView):
    """Any other path under /scim/v2/ (Bulk, Me, .search): a SCIM 404, after authentication."""

    def get(self, request, rest=""):
        raise ScimError(404, f"/scim/v2/{rest} is not served here.")

    post = put = patch = delete = get
