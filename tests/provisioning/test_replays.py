"""Replays of what Okta and Entra ID send, from their documentation (replays/*.json)."""

import json
from pathlib import Path

import pytest

from communities.models import Community
from profiles.models import User

from .conftest import SCIM

pytestmark = pytest.mark.django_db

REPLAYS = Path(__file__).parent / "replays"


def _fill(value, ids: dict):
    if isinstance(value, str):
        for key, found in ids.items():
            value = value.replace("{" + key + "}", found)
        return value
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def replay(scim, name: str) -> dict:
    steps = json.loads((REPLAYS / f"{name}.json").read_text())["steps"]
    ids: dict[str, str] = {}
    for step in steps:
        path = _fill(step["path"], ids)
        kwargs = {"headers": scim.headers}
        if "body" in step:
            kwargs.update(data=json.dumps(_fill(step["body"], ids)), content_type=SCIM)
        response = getattr(scim.client, step["method"].lower())(path, **kwargs)
        assert response.status_code == step["status"], (step["name"], response.content)
        if response.status_code == 204:
            continue
        assert response["Content-Type"].startswith(SCIM), step["name"]
        body = response.json()
        for key, expected in step.get("expect", {}).items():
            assert body[key] == expected, (step["name"], key, body)
        if "members" in step:
            wanted = {_fill(m, ids) for m in step["members"]}
            assert {m["value"] for m in body["members"]} == wanted, step["name"]
        if "save" in step:
            ids[step["save"]] = body["id"]
    return ids


def test_okta_requests(scim):
    replay(scim, "okta")
    user = User.objects.get(email="test.user@okta.local")
    assert user.username == "test.user"
    assert user.is_active
    assert user.profile.display_name == "Another User"
    community = Community.objects.get(name="Test SCIMv2 renamed")
    assert not community.provisioned  # the group was deleted: released, kept
    assert community.members_count == 1


def test_entra_id_requests(scim):
    replay(scim, "entra")
    user = User.objects.get(email="updatedemail@microsoft.com")
    assert not user.is_active  # deleted: deactivated, never a deleted row
    profile = user.profile
    assert (profile.display_name, profile.title, profile.department.name) == (
        "Bjfe",
        "Senior Engineer",
        "Treasury",
    )
    assert profile.manager.user.email == "manager_user@testuser.com"
    assert user.scim_record.employee_number == "Aklq"
    assert (user.first_name, user.last_name) == ("Kkom", "Unua")
