"""The whole lifecycle driven by a SCIM client nobody here wrote (scim2-client, over HTTP with
httpx2) against a real server (pytest-django's live server)."""

import pytest
from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import (
    Email,
    EnterpriseUser,
    Group,
    GroupMember,
    ListResponse,
    Manager,
    Name,
    PatchOp,
    PatchOperation,
    SCIMException,
    SearchRequest,
    User,
)

from communities.models import Community
from profiles.models import User as Account
from provisioning.models import ProvisioningEvent
from provisioning.services import token_create, token_revoke

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@pytest.fixture
def scim(live_server):
    token, secret = token_create(name="Entra ID")
    http = Client(
        base_url=f"{live_server.url}/scim/v2", headers={"Authorization": f"Bearer {secret}"}
    )
    client = SyncSCIMClient(http)
    client.discover()
    client.token = token
    yield client
    http.close()


def person(user_name: str, given: str, family: str, **extension) -> User:
    user = User[EnterpriseUser](
        user_name=user_name,
        name=Name(given_name=given, family_name=family),
        display_name=f"{given} {family}",
        emails=[Email(value=user_name, type="work", primary=True)],
        active=True,
    )
    user[EnterpriseUser] = EnterpriseUser(**extension)
    return user


def test_lifecycle_with_scim2_client(scim):
    UserModel = scim.get_resource_model("User")
    GroupModel = scim.get_resource_model("Group")
    assert UserModel is not None and GroupModel is not None

    # Create a manager, then a user with a department and that manager.
    boss = scim.create(person("grace@example.com", "Grace", "Hopper", department="Navy"))
    ada = scim.create(
        person(
            "ada@example.com",
            "Ada",
            "Lovelace",
            department="Analytical Engines",
            employee_number="1815",
            manager=Manager(value=boss.id),
        )
    )
    assert ada.id and ada.meta.version
    assert ada[EnterpriseUser].manager.value == boss.id
    account = Account.objects.get(email="ada@example.com")
    assert account.profile.manager.user.email == "grace@example.com"
    assert account.profile.department.name == "Analytical Engines"

    # Find her by filter.
    found = scim.query(
        User[EnterpriseUser], query_parameters=SearchRequest(filter='userName eq "ada@example.com"')
    )
    assert isinstance(found, ListResponse)
    assert found.total_results == 1 and found.resources[0].id == ada.id
    by_email = scim.query(
        User[EnterpriseUser],
        query_parameters=SearchRequest(filter='emails[type eq "work"].value eq "ada@example.com"'),
    )
    assert [r.id for r in by_email.resources] == [ada.id]

    # PATCH title and department the way Entra ID does.
    patched = scim.modify(
        User[EnterpriseUser],
        ada.id,
        PatchOp[User[EnterpriseUser]](
            operations=[
                PatchOperation(op="replace", path="title", value="Chief Engineer"),
                PatchOperation(op="add", path=f"{ENTERPRISE}:department", value="Research"),
            ]
        ),
    )
    assert patched.title == "Chief Engineer"
    assert patched[EnterpriseUser].department == "Research"
    account.refresh_from_db()
    assert account.profile.title == "Chief Engineer"

    # Deactivate, then reactivate.
    off = scim.modify(
        User[EnterpriseUser],
        ada.id,
        PatchOp[User[EnterpriseUser]](
            operations=[PatchOperation(op="replace", path="active", value=False)]
        ),
    )
    assert off.active is False
    assert not Account.objects.get(pk=account.pk).is_active
    on = scim.modify(
        User[EnterpriseUser],
        ada.id,
        PatchOp[User[EnterpriseUser]](
            operations=[PatchOperation(op="replace", path="active", value=True)]
        ),
    )
    assert on.active is True
    assert Account.objects.get(pk=account.pk).is_active

    # A group: created, a member added, then removed.
    team = scim.create(Group(display_name="Compilers", members=[GroupMember(value=boss.id)]))
    assert [m.value for m in team.members] == [boss.id]
    community = Community.objects.get(name="Compilers")
    assert community.provisioned and community.members_count == 1
    team = scim.modify(
        Group,
        team.id,
        PatchOp[Group](
            operations=[PatchOperation(op="add", path="members", value=[{"value": ada.id}])]
        ),
    )
    assert {m.value for m in team.members} == {boss.id, ada.id}
    assert Community.objects.get(pk=community.pk).members_count == 2
    team = scim.modify(
        Group,
        team.id,
        PatchOp[Group](
            operations=[PatchOperation(op="remove", path=f'members[value eq "{ada.id}"]')]
        ),
    )
    assert [m.value for m in team.members] == [boss.id]
    assert Community.objects.get(pk=community.pk).members_count == 1

    # A full replace through the client carries the ETag it read (If-Match).
    current = scim.query(User[EnterpriseUser], ada.id)
    current.display_name = "Countess Lovelace"
    replaced = scim.replace(current)
    assert replaced.display_name == "Countess Lovelace"

    # Errors come back as SCIM errors.
    with pytest.raises(SCIMException) as error:
        scim.create(person("ada@example.com", "Ada", "Again"))
    assert error.value.to_error().scim_type == "uniqueness"

    # Delete: deactivated, gone from SCIM, the profile kept.
    scim.delete(User[EnterpriseUser], ada.id)
    assert not Account.objects.get(pk=account.pk).is_active
    assert Account.objects.get(pk=account.pk).profile.display_name == "Countess Lovelace"

    assert set(ProvisioningEvent.objects.values_list("token_name", flat=True)) == {"Entra ID"}


def test_revoked_token_is_refused(scim):
    token_revoke(token=scim.token)
    with pytest.raises(SCIMException) as error:
        scim.query(User[EnterpriseUser])
    assert error.value.to_error().status == 401
