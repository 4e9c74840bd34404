import pytest
from django.contrib.auth.models import Group

from communities.models import Community, Membership
from communities.services import member_put, membership_join
from profiles.models import User
from tests.factories import UserFactory

from .conftest import GROUP_SCHEMA, assert_scim_error, user_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(scim):
    return [scim.post("Users", user_body(f"p{n}@example.com")).json()["id"] for n in range(3)]


def group_body(name="Platform team", members=()):
    return {
        "schemas": [GROUP_SCHEMA],
        "displayName": name,
        "members": [{"value": m} for m in members],
    }


def test_group_becomes_a_provisioned_private_community(
    scim, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = scim.post("Groups", group_body(members=people[:2]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert {m["value"] for m in body["members"]} == set(people[:2])
    community = Community.objects.get(name="Platform team")
    assert community.provisioned
    assert (community.visibility, community.join_policy) == ("private", "invite")
    assert community.members_count == 2
    assert callbacks  # community.membership events, published after commit


def test_members_add_and_remove_by_value_filter(scim, people):
    group = scim.post("Groups", group_body(members=people[:1])).json()
    response = scim.operations(
        f"Groups/{group['id']}",
        {"op": "add", "path": "members", "value": [{"value": people[1]}, {"value": people[2]}]},
    )
    assert response.status_code == 200, response.content
    assert len(response.json()["members"]) == 3
    response = scim.operations(
        f"Groups/{group['id']}", {"op": "remove", "path": f'members[value eq "{people[0]}"]'}
    )
    assert {m["value"] for m in response.json()["members"]} == set(people[1:])
    # Entra ID's shape: remove with the members as the value of a plain path.
    response = scim.operations(
        f"Groups/{group['id']}",
        {"op": "Remove", "path": "members", "value": [{"value": people[1]}]},
    )
    assert [m["value"] for m in response.json()["members"]] == [people[2]]
    community = Community.objects.get(name="Platform team")
    assert community.members_count == 1


def test_manual_membership_changes_are_refused_for_provisioned_communities(scim, people):
    scim.post("Groups", group_body(members=people[:1]))
    community = Community.objects.get(name="Platform team")
    outsider = UserFactory()
    with pytest.raises(Exception, match="directory"):
        membership_join(actor=outsider, community=community)
    member = User.objects.get(email="p0@example.com")
    with pytest.raises(Exception, match="directory"):
        member_put(actor=member, community=community, username=outsider.username, state="invited")


def test_role_group_grants_and_revokes_the_role(scim, people):
    response = scim.post("Groups", group_body("Moderators", members=people[:2]))
    assert response.status_code == 201, response.content
    group_id = response.json()["id"]
    assert not Community.objects.filter(name="Moderators").exists()
    moderators = Group.objects.get(name="Moderators")
    assert moderators.user_set.count() == 2
    scim.operations(
        f"Groups/{group_id}", {"op": "remove", "path": f'members[value eq "{people[0]}"]'}
    )
    assert list(moderators.user_set.values_list("email", flat=True)) == ["p1@example.com"]
    assert scim.delete(f"Groups/{group_id}").status_code == 204
    assert moderators.user_set.count() == 0


def test_role_group_mapping_from_settings(scim, people, settings):
    settings.SCIM_ROLE_GROUPS = {"Leadership team": "Executives"}
    scim.post("Groups", group_body("Leadership team", members=people[:1]))
    assert Group.objects.get(name="Executives").user_set.count() == 1


def test_group_filters_rename_and_exclude_members(scim, people):
    group = scim.post("Groups", group_body(members=people)).json()
    found = scim.get('Groups?filter=displayName eq "platform team"&excludedAttributes=members')
    body = found.json()
    assert body["totalResults"] == 1
    assert "members" not in body["Resources"][0]
    member_filter = f'Groups?filter=id eq "{group["id"]}" and members[value eq "{people[0]}"]'
    assert scim.get(member_filter).json()["totalResults"] == 1
    response = scim.operations(
        f"Groups/{group['id']}", {"op": "Replace", "value": {"displayName": "Platform"}}
    )
    assert response.json()["displayName"] == "Platform"
    assert Community.objects.get(pk=Community.objects.get(name="Platform").pk).provisioned


def test_put_replaces_members(scim, people):
    group = scim.post("Groups", group_body(members=people)).json()
    response = scim.put(f"Groups/{group['id']}", group_body(members=people[2:]))
    assert [m["value"] for m in response.json()["members"]] == people[2:]
    assert Membership.objects.filter(community__name="Platform team").count() == 1


def test_delete_group_releases_the_community(scim, people):
    group = scim.post("Groups", group_body(members=people)).json()
    assert scim.delete(f"Groups/{group['id']}").status_code == 204
    community = Community.objects.get(name="Platform team")
    assert not community.provisioned
    assert community.members_count == 3
    assert_scim_error(scim.get(f"Groups/{group['id']}"), 404)


def test_duplicate_group_and_unknown_member(scim, people):
    scim.post("Groups", group_body())
    assert_scim_error(scim.post("Groups", group_body("PLATFORM TEAM")), 409, "uniqueness")
    assert_scim_error(
        scim.post("Groups", group_body("Other", members=["00000000-0000-0000-0000-000000000000"])),
        400,
        "invalidValue",
    )
    assert not Community.objects.filter(name="Other").exists()


def test_deactivated_member_leaves_the_count(scim, people):
    group = scim.post("Groups", group_body(members=people)).json()
    scim.operations(f"Users/{people[0]}", {"op": "replace", "value": {"active": False}})
    assert Community.objects.get(name="Platform team").members_count == 2
    scim.operations(f"Users/{people[0]}", {"op": "replace", "value": {"active": True}})
    assert Community.objects.get(name="Platform team").members_count == 3
    assert len(scim.get(f"Groups/{group['id']}").json()["members"]) == 3
