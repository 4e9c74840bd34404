"""Retention policies: every employee reads the policy in force; Compliance and administrators
set it (API and page); bad input is a 400 naming the field and changes nothing; every change
is audited."""

import pytest

from audit import actions
from audit.models import AuditEntry
from communities import services as communities
from governance.models import RetentionPolicy
from tests.governance.conftest import api_for
from tests.governance.helpers import set_policy

pytestmark = pytest.mark.django_db

API = "/api/v1/compliance/retention/"
POLICY = "/compliance/policy/"
SETTINGS = "/compliance/retention/"
ALL_KEPT = {
    "statuses": None,
    "comments": None,
    "notifications": None,
    "uploads": None,
    "activity_events": None,
}


def state() -> tuple:
    return (
        sorted(RetentionPolicy.objects.values_list("kind", "community_id", "days"), key=str),
        AuditEntry.objects.exclude(action__startswith="login.").count(),
    )


@pytest.fixture
def club(alice):
    return communities.community_create(actor=alice, name="Short memory", slug="short")


@pytest.fixture
def secret(carol):
    return communities.community_create(
        actor=carol, name="Hush", slug="hush", visibility="secret", join_policy="invite"
    )


# --- Who -----------------------------------------------------------------------------------


def test_anonymous_is_refused(client, api):
    assert api.get(API).status_code == 401
    assert api.put(API, {"company": {"statuses": 30}}, format="json").status_code == 401
    for url in (POLICY, SETTINGS):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not RetentionPolicy.objects.exists()


@pytest.mark.parametrize("who", ["alice", "moderator", "hr_user", "ceo"])
def test_employees_read_the_policy_but_may_not_set_it(request, client, who, compliance):
    user = request.getfixturevalue(who)
    set_policy(compliance, statuses=365)
    before = state()
    api = api_for(user)
    got = api.get(API)
    assert got.status_code == 200
    assert got.json()["company"] == {**ALL_KEPT, "statuses": 365}
    response = api.put(API, {"company": {"statuses": 1}}, format="json")
    assert response.status_code == 403 and "Compliance" in response.json()["detail"]
    client.force_login(user)
    page = client.get(POLICY)
    assert page.status_code == 200 and "365 days" in page.content.decode()
    assert SETTINGS not in page.content.decode()
    assert client.get(SETTINGS).status_code == 403
    assert client.post(SETTINGS, {"statuses": "1"}).status_code == 403
    assert state() == before


@pytest.mark.parametrize("who", ["compliance", "admin_user"])
def test_compliance_and_admins_set_the_policy_by_api(request, who, club):
    user = request.getfixturevalue(who)
    api = api_for(user)
    assert api.get(API).json()["company"] == ALL_KEPT
    body = {
        "company": {"statuses": 365, "comments": 365, "notifications": 90, "activity_events": 730},
        "communities": {"short": {"statuses": 7}},
    }
    response = api.put(API, body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["company"] == {
        "statuses": 365,
        "comments": 365,
        "notifications": 90,
        "uploads": None,
        "activity_events": 730,
    }
    assert data["communities"] == {"short": {"statuses": 7, "comments": None}}
    assert data["updated_by"] == user.username
    assert api.get(API).json()["company"] == data["company"]
    # PUT replaces: what is left out is kept forever again.
    response = api.put(API, {"company": {"statuses": 100}}, format="json")
    assert response.json()["company"] == {**ALL_KEPT, "statuses": 100}
    assert response.json()["communities"] == {}
    assert list(RetentionPolicy.objects.values_list("kind", "days")) == [("statuses", 100)]


def test_every_change_is_audited_once_and_no_change_is_not(compliance, club):
    api = api_for(compliance)
    api.put(
        API,
        {"company": {"statuses": 365}, "communities": {"short": {"comments": 7}}},
        format="json",
    )
    (entry,) = AuditEntry.objects.filter(action=actions.RETENTION_POLICY_CHANGED)
    assert entry.actor == compliance
    assert entry.detail == {"before": {}, "after": {"comments@short": 7, "statuses": 365}}
    api.put(
        API,
        {"company": {"statuses": 365}, "communities": {"short": {"comments": 7}}},
        format="json",
    )
    assert AuditEntry.objects.filter(action=actions.RETENTION_POLICY_CHANGED).count() == 1
    api.put(API, {"company": {"statuses": 30}}, format="json")
    latest = AuditEntry.objects.filter(action=actions.RETENTION_POLICY_CHANGED).first()
    assert latest.detail == {
        "before": {"comments@short": 7, "statuses": 365},
        "after": {"statuses": 30},
    }


# --- Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"company": {"statuses": -1}}, "company.statuses", "at least 1 day"),
        ({"company": {"comments": 0}}, "company.comments", "at least 1 day"),
        ({"company": {"statuses": "30"}}, "company.statuses", "whole number"),
        ({"company": {"statuses": "forever"}}, "company.statuses", "whole number"),
        ({"company": {"statuses": 1.5}}, "company.statuses", "whole number"),
        ({"company": {"statuses": True}}, "company.statuses", "whole number"),
        ({"company": {"statuses": [30]}}, "company.statuses", "whole number"),
        ({"company": {"statuses": 10**9}}, "company.statuses", "at most"),
        ({"company": {"messages": 30}}, "company.messages", "not a kind"),
        ({"company": 30}, "company", "object"),
        ({}, "company", "required"),
        (
            {"company": {}, "communities": {"nowhere": {"statuses": 7}}},
            "communities.nowhere",
            "no such",
        ),
        (
            {"company": {}, "communities": {"short": {"uploads": 7}}},
            "communities.short.uploads",
            "not a kind",
        ),
        (
            {"company": {}, "communities": {"short": {"statuses": -1}}},
            "communities.short.statuses",
            "at least",
        ),
        ({"company": {}, "communities": ["short"]}, "communities", "object"),
        ({"company": {}, "updated_by": "alice"}, "updated_by", "cannot be set"),
    ],
)
def test_bad_policies_are_400_naming_the_field_and_change_nothing(
    compliance, club, body, field, words
):
    set_policy(compliance, statuses=365)
    before = state()
    response = api_for(compliance).put(API, body, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert words in str(errors[field]).lower()
    assert state() == before


def test_a_body_that_is_not_an_object_is_400(compliance):
    response = api_for(compliance).put(API, [1, 2], format="json")
    assert response.status_code == 400
    assert not RetentionPolicy.objects.exists()


# --- Pages ---------------------------------------------------------------------------------


def test_compliance_sets_the_policy_from_the_page(client, compliance, club):
    client.force_login(compliance)
    assert client.get(SETTINGS).status_code == 200
    response = client.post(
        SETTINGS,
        {"statuses": "365", "comments": "", "new_community": "short", "new_statuses": "7"},
    )
    assert response.status_code == 302, response.content.decode()
    rows = RetentionPolicy.objects.values_list("kind", "community_id", "days")
    assert sorted(rows, key=str) == [("statuses", club.pk, 7), ("statuses", None, 365)]
    page = client.get(SETTINGS).content.decode()
    assert 'name="c__short__statuses"' in page and 'value="7"' in page
    # Emptying the community's days: it follows the company's policy again.
    response = client.post(SETTINGS, {"statuses": "365", "c__short__statuses": ""})
    assert response.status_code == 302
    assert list(RetentionPolicy.objects.values_list("kind", "community_id", "days")) == [
        ("statuses", None, 365)
    ]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"statuses": "-1"}, "at least 1 day"),
        ({"statuses": "0"}, "at least 1 day"),
        ({"statuses": "soon"}, "whole number"),
        ({"new_community": "nowhere", "new_statuses": "7"}, "No such community"),
    ],
)
def test_the_page_refuses_bad_policies_and_changes_nothing(client, admin_user, data, words):
    client.force_login(admin_user)
    before = state()
    response = client.post(SETTINGS, data)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert state() == before


def test_the_policy_page_shows_community_policies_only_to_who_may_know_them(
    client, compliance, alice, bob, carol, club, secret
):
    set_policy(
        compliance,
        communities={"short": {"statuses": 7}, "hush": {"comments": 3}},
        statuses=365,
    )
    client.force_login(bob)
    page = client.get(POLICY).content.decode()
    assert "Short memory" in page and "7 days" in page
    assert "Hush" not in page and "3 days" not in page
    assert "hush" not in api_for(bob).get(API).json()["communities"]
    client.force_login(carol)  # a member of the secret one
    assert "Hush" in client.get(POLICY).content.decode()
    assert "hush" in api_for(carol).get(API).json()["communities"]
    assert "hush" in api_for(compliance).get(API).json()["communities"]


def test_what_we_measure_links_to_the_policy(client, alice):
    client.force_login(alice)
    about = client.get("/reports/about/").content.decode()
    assert 'href="/compliance/policy/"' in about
    page = client.get(POLICY).content.decode()
    assert "Legal holds" in page and "Nothing" not in page
