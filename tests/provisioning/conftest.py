import json

import pytest
from django.test import Client

from provisioning.services import token_create

SCIM = "application/scim+json"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


class ScimClient:
    """Django's test client speaking SCIM with a bearer token."""

    def __init__(self, secret: str):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"}

    def call(self, method: str, path: str, body=None, *, raw: bytes | None = None, **headers):
        url = path if path.startswith("/") else f"/scim/v2/{path}"
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"headers": {**self.headers, **headers}}
        if data is not None and method not in ("get", "delete"):
            kwargs.update(data=data, content_type=SCIM)
        return getattr(self.client, method)(url, **kwargs)

    def get(self, path, **headers):
        return self.call("get", path, **headers)

    def post(self, path, body=None, **kw):
        return self.call("post", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("put", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.call("patch", path, body, **kw)

    def delete(self, path, **headers):
        return self.call("delete", path, **headers)

    def operations(self, path, *operations, **headers):
        return self.patch(
            path, {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}, **headers
        )


@pytest.fixture
def scim_secret(db):
    _, secret = token_create(name="Entra ID")
    return secret


@pytest.fixture
def scim(scim_secret):
    return ScimClient(scim_secret)


def user_body(user_name="ada@example.com", **extra):
    body = {
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "userName": user_name,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "displayName": "Ada Lovelace",
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "title": "Engineer",
        "active": True,
        ENTERPRISE: {"department": "Analytical Engines", "employeeNumber": "1815"},
    }
    body.update(extra)
    return body


def assert_scim_error(response, status: int, scim_type: str | None = None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(SCIM)
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    if scim_type is not None:
        assert body.get("scimType") == scim_type, body
    return body
