import pytest
from allauth.account.models import EmailAddress

from profiles.models import Department, User
from provisioning.models import ProvisioningEvent
from tests.factories import UserFactory

from .conftest import ENTERPRISE, assert_scim_error, user_body

pytestmark = pytest.mark.django_db


def test_create_user_makes_an_account_profile_department_and_verified_email(scim):
    response = scim.post("Users", user_body())
    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith("application/scim+json")
    body = response.json()
    assert response["ETag"] == body["meta"]["version"]
    assert response["Location"] == body["meta"]["location"]
    assert body["userName"] == "ada@example.com"
    assert body[ENTERPRISE]["department"] == "Analytical Engines"
    user = User.objects.get(username="ada")
    assert user.email == "ada@example.com"
    assert EmailAddress.objects.get(user=user).verified
    assert user.profile.display_name == "Ada Lovelace"
    assert user.profile.title == "Engineer"
    assert user.profile.department == Department.objects.get(name="Analytical Engines")
    assert user.scim_record.employee_number == "1815"
    event = ProvisioningEvent.objects.get()
    assert (event.token_name, event.action, event.resource_type) == ("Entra ID", "create", "User")


def test_manager_is_another_provisioned_user(scim):
    boss = scim.post("Users", user_body("grace@example.com")).json()
    body = user_body(**{ENTERPRISE: {"department": "R&D", "manager": {"value": boss["id"]}}})
    response = scim.post("Users", body)
    assert response.status_code == 201, response.content
    assert response.json()[ENTERPRISE]["manager"]["value"] == boss["id"]
    ada = User.objects.get(username="ada")
    assert ada.profile.manager == User.objects.get(username="grace").profile


def test_unknown_manager_is_invalid_value_and_nothing_is_made(scim):
    body = user_body(**{ENTERPRISE: {"manager": {"value": "00000000-0000-0000-0000-000000000000"}}})
    assert_scim_error(scim.post("Users", body), 400, "invalidValue")
    assert not User.objects.filter(username="ada").exists()


def test_same_user_name_twice_is_409_uniqueness(scim):
    scim.post("Users", user_body())
    assert_scim_error(scim.post("Users", user_body("ADA@example.com")), 409, "uniqueness")


def test_existing_account_with_the_same_email_is_taken_over(scim):
    existing = UserFactory(username="ada", email="ada@example.com")
    response = scim.post("Users", user_body())
    assert response.status_code == 201
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1
    assert existing.scim_record.user_name == "ada@example.com"


def test_user_name_that_clashes_gets_a_suffix(scim):
    UserFactory(username="ada", email="someone@example.com")
    scim.post("Users", user_body())
    assert User.objects.get(email="ada@example.com").username == "ada-2"


def test_filters(scim):
    ada = scim.post("Users", user_body(externalId="ext-1")).json()
    scim.post("Users", user_body("bob@example.com"))
    for expression in (
        'userName eq "ADA@example.com"',
        'externalId eq "ext-1"',
        'emails[type eq "work"].value eq "ada@example.com"',
        'emails.value eq "ada@example.com"',
        f'id eq "{ada["id"]}"',
        'userName eq "ada@example.com" and active eq true',
    ):
        body = scim.get(f"Users?filter={expression}").json()
        assert body["totalResults"] == 1, expression
        assert body["Resources"][0]["id"] == ada["id"]
    assert scim.get('Users?filter=userName eq "nobody"').json()["totalResults"] == 0
    assert (
        scim.get('Users?filter=emails[type eq "home"].value eq "ada@example.com"').json()[
            "totalResults"
        ]
        == 0
    )


def test_pagination(scim):
    for n in range(5):
        scim.post("Users", user_body(f"p{n}@example.com"))
    body = scim.get("Users?startIndex=2&count=2").json()
    assert body["totalResults"] == 5
    assert body["startIndex"] == 2
    assert body["itemsPerPage"] == 2
    assert [r["userName"] for r in body["Resources"]] == ["p1@example.com", "p2@example.com"]
    assert scim.get("Users?count=0").json()["Resources"] == []
    assert scim.get("Users?startIndex=-4&count=1").json()["startIndex"] == 1


@pytest.mark.parametrize(
    "expression",
    ["userName eq", 'nickName eq "x"', 'userName gt "a"', 'active eq "yes"', "((", 'x[y eq "z"]'],
)
def test_bad_filter_is_invalid_filter(scim, expression):
    assert_scim_error(scim.get(f"Users?filter={expression}"), 400, "invalidFilter")


def test_entra_patch_replace_title_and_department(scim):
    ada = scim.post("Users", user_body()).json()
    response = scim.operations(
        f"Users/{ada['id']}",
        {"op": "Replace", "path": "title", "value": "Chief Engineer"},
        {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Research"},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "ada@research.example"},
        {"op": "Replace", "path": "name.familyName", "value": "King"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Chief Engineer"
    assert body[ENTERPRISE]["department"] == "Research"
    assert body["name"]["familyName"] == "King"
    profile = User.objects.get(username="ada").profile
    assert (profile.title, profile.department.name) == ("Chief Engineer", "Research")
    assert profile.user.email == "ada@research.example"


def test_pathless_replace_with_a_dictionary_and_string_booleans(scim):
    ada = scim.post("Users", user_body()).json()
    response = scim.operations(
        f"Users/{ada['id']}",
        {
            "op": "replace",
            "value": {
                "displayName": "Countess Lovelace",
                "name.givenName": "Augusta Ada",
                f"{ENTERPRISE}:department": "Poetry",
                "ACTIVE": "False",
            },
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["displayName"] == "Countess Lovelace"
    assert body["name"]["givenName"] == "Augusta Ada"
    assert body[ENTERPRISE]["department"] == "Poetry"
    assert body["active"] is False
    response = scim.operations(
        f"Users/{ada['id']}", {"op": "Replace", "path": "active", "value": "True"}
    )
    assert response.json()["active"] is True
    assert User.objects.get(username="ada").is_active


def test_remove_manager(scim):
    boss = scim.post("Users", user_body("grace@example.com")).json()
    ada = scim.post("Users", user_body(**{ENTERPRISE: {"manager": boss["id"]}})).json()
    response = scim.operations(
        f"Users/{ada['id']}", {"op": "Remove", "path": f"{ENTERPRISE}:manager"}
    )
    assert response.status_code == 200
    assert "manager" not in response.json().get(ENTERPRISE, {})
    assert User.objects.get(username="ada").profile.manager is None


def test_etag_if_match(scim):
    ada = scim.post("Users", user_body()).json()
    etag = ada["meta"]["version"]
    stale = 'W/"0000"'
    response = scim.operations(
        f"Users/{ada['id']}",
        {"op": "replace", "path": "title", "value": "X"},
        **{"If-Match": stale},
    )
    assert_scim_error(response, 412)
    response = scim.operations(
        f"Users/{ada['id']}", {"op": "replace", "path": "title", "value": "X"}, **{"If-Match": etag}
    )
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert scim.get(f"Users/{ada['id']}", **{"If-None-Match": response["ETag"]}).status_code == 304


def test_put_replaces(scim):
    ada = scim.post("Users", user_body()).json()
    body = user_body(title="Analyst")
    body[ENTERPRISE] = {}
    response = scim.put(f"Users/{ada['id']}", body)
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Analyst"
    assert User.objects.get(username="ada").profile.department is None


def test_delete_deactivates_keeps_the_profile_and_answers_404_after(scim):
    ada = scim.post("Users", user_body()).json()
    assert scim.delete(f"Users/{ada['id']}").status_code == 204
    user = User.objects.get(username="ada")
    assert not user.is_active
    assert user.profile.display_name == "Ada Lovelace"
    assert_scim_error(scim.get(f"Users/{ada['id']}"), 404)
    assert scim.get('Users?filter=userName eq "ada@example.com"').json()["totalResults"] == 0
    # Back again: the same account, reactivated.
    response = scim.post("Users", user_body())
    assert response.status_code == 201
    assert User.objects.get(username="ada").is_active
    assert User.objects.filter(email="ada@example.com").count() == 1


def test_missing_user_is_404(scim):
    assert_scim_error(scim.get("Users/00000000-0000-0000-0000-000000000000"), 404)
    assert_scim_error(scim.get("Users/not-a-uuid"), 404)
    assert_scim_error(scim.operations("Users/nope", {"op": "remove", "path": "title"}), 404)


def test_a_page_of_users_costs_the_same_queries_at_2_or_20(scim, django_assert_max_num_queries):
    boss = scim.post("Users", user_body("boss@example.com")).json()
    for n in range(2):
        scim.post(
            "Users",
            user_body(
                f"a{n}@example.com", **{ENTERPRISE: {"department": f"D{n}", "manager": boss["id"]}}
            ),
        )
    # The token, the count, the page (with departments, managers and their records joined).
    with django_assert_max_num_queries(3):
        scim.get("Users")
    for n in range(2, 20):
        scim.post(
            "Users",
            user_body(
                f"a{n}@example.com", **{ENTERPRISE: {"department": f"D{n}", "manager": boss["id"]}}
            ),
        )
    with django_assert_max_num_queries(3):
        assert scim.get("Users").json()["totalResults"] == 21


def test_a_page_of_groups_costs_the_same_queries_at_1_or_10(scim, django_assert_max_num_queries):
    ids = [scim.post("Users", user_body(f"m{n}@example.com")).json()["id"] for n in range(3)]
    scim.post("Groups", {"displayName": "G0", "members": [{"value": i} for i in ids]})
    # The token, the groups, their communities' members, their roles' members, the records.
    with django_assert_max_num_queries(5):
        scim.get("Groups")
    for n in range(1, 10):
        scim.post("Groups", {"displayName": f"G{n}", "members": [{"value": i} for i in ids]})
    scim.post("Groups", {"displayName": "Moderators", "members": [{"value": ids[0]}]})
    with django_assert_max_num_queries(5):
        assert scim.get("Groups").json()["totalResults"] == 11


def test_manager_named_by_user_name_or_employee_number(scim):
    scim.post("Users", user_body("grace@example.com", externalId="00u-grace"))
    body = user_body(**{ENTERPRISE: {"manager": {"value": "GRACE@example.com"}}})
    ada = scim.post("Users", body).json()
    assert User.objects.get(username="ada").profile.manager.user.email == "grace@example.com"
    response = scim.operations(
        f"Users/{ada['id']}",
        {"op": "replace", "path": f"{ENTERPRISE}:manager.value", "value": "00u-grace"},
    )
    assert response.status_code == 200, response.content
    assert User.objects.get(username="ada").profile.manager.user.email == "grace@example.com"
