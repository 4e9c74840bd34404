"""Malformed bodies, paths and filters get SCIM errors (400/404/409/412/413 with a scimType
where one fits), never a 500, and change nothing."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communities.models import Community
from profiles.models import Profile, User
from provisioning.models import ProvisionedGroup, ProvisionedUser, ProvisioningEvent

from .conftest import ENTERPRISE, ERROR_SCHEMA, PATCH_SCHEMA, assert_scim_error, user_body

pytestmark = pytest.mark.django_db

BAD_USERS = [
    ("not json", b"{", "invalidSyntax"),
    ("a list", b"[]", "invalidSyntax"),
    ("null", b"null", "invalidSyntax"),
    ("no userName", {"schemas": []}, "invalidValue"),
    ("empty userName", {"userName": "  "}, "invalidValue"),
    ("userName a number list", {"userName": [1]}, "invalidValue"),
    ("userName too long", {"userName": "a" * 300}, "invalidValue"),
    ("name a string", {"userName": "x", "name": "Ada"}, "invalidValue"),
    ("emails a string", {"userName": "x", "emails": "x@example.com"}, "invalidValue"),
    ("email not an email", {"userName": "x", "emails": [{"value": "nope"}]}, "invalidValue"),
    ("active a word", {"userName": "x", "active": "maybe"}, "invalidValue"),
    ("extension a list", {"userName": "x", ENTERPRISE: []}, "invalidSyntax"),
    ("manager a number", {"userName": "x", ENTERPRISE: {"manager": 5}}, "invalidValue"),
    (
        "manager unknown",
        {"userName": "x", ENTERPRISE: {"manager": {"value": "nope"}}},
        "invalidValue",
    ),
    ("title an object", {"userName": "x", "title": {"a": 1}}, "invalidValue"),
]


@pytest.mark.parametrize(("case", "body", "scim_type"), BAD_USERS, ids=[c[0] for c in BAD_USERS])
def test_bad_user_bodies(scim, case, body, scim_type):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    assert_scim_error(scim.post("Users", raw=raw), 400, scim_type)
    assert not ProvisionedUser.objects.exists()
    assert not ProvisioningEvent.objects.exists()


BAD_PATCHES = [
    ("no operations", {"schemas": [PATCH_SCHEMA]}, "invalidSyntax"),
    ("operations empty", {"Operations": []}, "invalidSyntax"),
    ("wrong schema", {"schemas": ["urn:x"], "Operations": [{"op": "add"}]}, "invalidSyntax"),
    ("op unknown", {"Operations": [{"op": "move", "path": "title"}]}, "invalidSyntax"),
    ("operation a string", {"Operations": ["replace"]}, "invalidSyntax"),
    ("remove without path", {"Operations": [{"op": "remove"}]}, "noTarget"),
    ("path-less with a string", {"Operations": [{"op": "replace", "value": "x"}]}, "invalidValue"),
    (
        "bad path",
        {"Operations": [{"op": "replace", "path": "title[[", "value": "x"}]},
        "invalidPath",
    ),
    ("path empty", {"Operations": [{"op": "replace", "path": "", "value": "x"}]}, "invalidPath"),
    (
        "unknown schema",
        {"Operations": [{"op": "replace", "path": "urn:x:y:z", "value": "x"}]},
        None,
    ),
    (
        "id is read-only",
        {"Operations": [{"op": "replace", "path": "id", "value": "x"}]},
        "mutability",
    ),
    (
        "meta is read-only",
        {"Operations": [{"op": "add", "path": "meta", "value": {}}]},
        "mutability",
    ),
    ("userName removed", {"Operations": [{"op": "remove", "path": "userName"}]}, "invalidValue"),
    (
        "active a word",
        {"Operations": [{"op": "replace", "path": "active", "value": "nah"}]},
        "invalidValue",
    ),
    (
        "no matching email for remove-less replace of a non-eq filter",
        {
            "Operations": [
                {"op": "replace", "path": 'emails[value co "zzz"].value', "value": "a@example.com"}
            ]
        },
        "noTarget",
    ),
]


@pytest.mark.parametrize(
    ("case", "body", "scim_type"), BAD_PATCHES, ids=[c[0] for c in BAD_PATCHES]
)
def test_bad_patches_change_nothing(scim, case, body, scim_type):
    ada = scim.post("Users", user_body()).json()
    before = scim.get(f"Users/{ada['id']}").json()
    response = scim.patch(f"Users/{ada['id']}", body)
    assert_scim_error(response, 400, scim_type)
    assert scim.get(f"Users/{ada['id']}").json() == before
    assert ProvisioningEvent.objects.count() == 1


def test_conflicts_and_missing(scim):
    ada = scim.post("Users", user_body()).json()
    bob = scim.post("Users", user_body("bob@example.com")).json()
    # Renaming Bob to Ada's userName, or giving him her email address.
    response = scim.operations(
        f"Users/{bob['id']}", {"op": "replace", "path": "userName", "value": "ada@example.com"}
    )
    assert_scim_error(response, 409, "uniqueness")
    response = scim.operations(
        f"Users/{bob['id']}",
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "ADA@example.com"},
    )
    assert_scim_error(response, 409, "uniqueness")
    # Nobody is their own manager; a cycle is refused.
    response = scim.operations(
        f"Users/{ada['id']}", {"op": "add", "path": f"{ENTERPRISE}:manager", "value": ada["id"]}
    )
    assert_scim_error(response, 400, "invalidValue")
    scim.operations(
        f"Users/{bob['id']}", {"op": "add", "path": f"{ENTERPRISE}:manager", "value": ada["id"]}
    )
    response = scim.operations(
        f"Users/{ada['id']}", {"op": "add", "path": f"{ENTERPRISE}:manager", "value": bob["id"]}
    )
    assert_scim_error(response, 400, "invalidValue")
    assert Profile.objects.get(user__email="ada@example.com").manager is None
    assert_scim_error(scim.put("Users/nope", user_body()), 404)
    assert_scim_error(scim.delete("Groups/nope"), 404)


def test_bad_group_bodies(scim):
    for body, scim_type in (
        ({"members": []}, "invalidValue"),
        ({"displayName": "x" * 81}, "invalidValue"),
        ({"displayName": "A", "members": "all"}, "invalidValue"),
        ({"displayName": "A", "members": [{"display": "no value"}]}, "invalidValue"),
        ({"displayName": "A", "members": [{"value": "not-an-id"}]}, "invalidValue"),
    ):
        assert_scim_error(scim.post("Groups", body), 400, scim_type)
    assert not ProvisionedGroup.objects.exists()
    assert not Community.objects.exists()


def test_too_large_and_unsupported_method(scim, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    # Refused before the view (core.middleware reads every JSON body): a 400 in SCIM's shape.
    assert_scim_error(scim.post("Users", user_body(title="x" * 2000)), 400)
    assert_scim_error(scim.post("Users", user_body(title="nul \x00")), 400)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
    assert_scim_error(scim.post("ServiceProviderConfig", {}), 405)
    assert_scim_error(scim.post("Users/some-id", {}), 405)


def test_bad_pagination(scim):
    assert_scim_error(scim.get("Users?count=lots"), 400, "invalidValue")
    assert_scim_error(scim.get("Users?startIndex=first"), 400, "invalidValue")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
attribute_names = st.sampled_from(
    [
        "userName",
        "USERNAME",
        "name",
        "emails",
        "active",
        "title",
        "displayName",
        ENTERPRISE,
        "externalId",
        "members",
        "id",
        "meta",
        "schemas",
        "name.givenName",
        f"{ENTERPRISE}:manager",
        'emails[type eq "work"].value',
        'members[value eq "x"]',
        "x",
    ]
)
operations = st.fixed_dictionaries(
    {"op": st.sampled_from(["add", "Replace", "remove", "move", 3])},
    optional={"path": attribute_names | st.text(max_size=15), "value": json_values},
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.dictionaries(attribute_names, json_values, max_size=6),
    patch=st.lists(operations, max_size=3),
)
def test_fuzzed_bodies_never_give_a_500(scim, body, patch):
    ada = scim.post("Users", user_body()).json()
    group = scim.post("Groups", {"displayName": "Fuzz", "members": [{"value": ada["id"]}]}).json()
    for method, path, payload in (
        ("post", "Users", body),
        ("put", f"Users/{ada['id']}", body),
        ("patch", f"Users/{ada['id']}", {"schemas": [PATCH_SCHEMA], "Operations": patch}),
        ("post", "Groups", body),
        ("patch", f"Groups/{group['id']}", {"schemas": [PATCH_SCHEMA], "Operations": patch}),
    ):
        response = scim.call(method, path, payload)
        assert response.status_code < 500, (method, path, payload, response.content)
        if response.status_code >= 400:
            assert response.json()["schemas"] == [ERROR_SCHEMA]
    # Clean slate for the next example (hypothesis reuses the function's database).
    for record in ProvisionedGroup.objects.all():
        scim.delete(f"Groups/{record.scim_id}")
    ProvisionedUser.objects.all().delete()
    User.objects.all().delete()
    Community.objects.all().delete()
