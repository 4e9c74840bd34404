"""The communities API, role by role and community by community (issue 16).

Roles (tests/communities/world.py): anonymous, non_member, requester, invitee, member, admin,
owner and a company moderator who is in no community; communities: open (anyone joins),
private (people ask) and secret (by invitation). Each table says what each role gets; a write
that succeeds changes exactly what its row says, one that is refused changes nothing (the
community's row, its memberships and its statuses are compared before and after).
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_q.models import OrmQ
from django_q.signing import SignedPackage

from communities import jobs
from communities.models import Community, Membership
from feeds import services as feed_services
from feeds.models import ModerationAction, Status
from notifications.models import Notification
from tests.communities.world import (
    ELSEWHERE,
    EMPLOYEES,
    FOUNDER,
    KINDS,
    KNOWERS,
    MANAGERS,
    MEMBERS,
    OUTSIDERS,
    ROLES,
    api_as,
    body_in,
    changed,
    community,
    snapshot,
    status_in,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ACTIVE = ("member", "active")
REQUESTED = ("member", "requested")
INVITED = ("member", "invited")
GONE = None
MISSING = "no-such-community"


def cells(kind: str, *, ok, code: int = 200, hidden=OUTSIDERS, refused: int = 403, **special):
    """role → expected status: anonymous 401; in the secret community the roles in `hidden`
    404 (it does not exist for them); `ok` (a set, or role → membership changes) `code`;
    everyone else `refused`. `special`: role=code where none of that applies."""
    table = {}
    for role in ROLES:
        if role == "anonymous":
            table[role] = 401
        elif kind == "secret" and role in hidden:
            table[role] = 404
        elif role in special:
            table[role] = special[role]
        elif role in ok:
            table[role] = code
        else:
            table[role] = refused
    return table


def attempt(people, role: str, method: str, url: str, body=None):
    """One request by `role`, rolled back afterwards; returns the response and the state of
    every community it could have touched, as it was before the rollback."""
    with transaction.atomic():
        before = {slug: snapshot(slug) for slug in (*KINDS, ELSEWHERE)}
        response = getattr(api_as(people[role]), method)(url, body, format="json")
        after = {slug: snapshot(slug) for slug in (*KINDS, ELSEWHERE)}
        transaction.set_rollback(True)
    return response, before, after


def check_write(people, kind: str, method: str, url: str, body, expected: dict, changes: dict):
    """Each role in turn: the status the table says, and exactly the changes it names."""
    wrong = []
    for role in ROLES:
        response, before, after = attempt(people, role, method, url, body)
        want = expected[role]
        if response.status_code != want:
            wrong.append(f"{role}: got {response.status_code}, want {want}: {response.content}")
            continue
        change = changes.get(role, {}) if 200 <= want < 300 else {}
        if callable(change):
            change = change(role)
        want_state = {**before, kind: changed(before[kind], **change)}
        if after != want_state:
            wrong.append(f"{role}: {response.status_code} but\n{after}\nwant\n{want_state}")
    assert not wrong, "\n".join(wrong)


# --- Reads ---------------------------------------------------------------------------------

MINE = {
    "requester": (None, "requested"),
    "invitee": (None, "invited"),
    "member": ("member", "active"),
    "admin": ("admin", "active"),
    "owner": ("owner", "active"),
}


@pytest.mark.parametrize("kind", KINDS)
def test_a_community_is_shown_to_who_may_know_of_it_with_their_role_and_state(people, kind):
    expected = cells(kind, ok=KNOWERS if kind == "secret" else EMPLOYEES)
    for role in ROLES:
        response = api_as(people[role]).get(f"/api/v1/communities/{kind}/")
        assert response.status_code == expected[role], (role, response.content)
        if response.status_code != 200:
            continue
        data = response.json()
        visibility, policy, name, description = KINDS[kind]
        assert (data["slug"], data["name"], data["description"]) == (kind, name, description)
        assert (data["visibility"], data["join_policy"]) == (visibility, policy)
        assert data["members_count"] == 3
        assert (data["my_role"], data["my_state"]) == MINE.get(role, (None, None)), role
        assert data["url"] == f"/c/{kind}/"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", ["members", "feed"])
def test_members_and_feed_are_read_by_who_may_read_the_community(people, kind, path):
    expected = cells(kind, ok=EMPLOYEES if kind == "open" else MEMBERS, refused=404)
    for role in ROLES:
        response = api_as(people[role]).get(f"/api/v1/communities/{kind}/{path}/")
        assert response.status_code == expected[role], (role, response.content)
        if response.status_code != 200:
            continue
        results = response.json()["results"]
        if path == "members":
            assert sorted((m["username"], m["role"], m["state"]) for m in results) == [
                ("admin", "admin", "active"),
                ("member", "member", "active"),
                ("owner", "owner", "active"),
            ]
        else:
            assert [s["body"] for s in results] == [body_in(kind)]
            assert results[0]["community"] == {"slug": kind, "name": KINDS[kind][2]}


@pytest.mark.parametrize("state", ["requested", "invited"])
@pytest.mark.parametrize("kind", KINDS)
def test_requests_and_invitations_are_listed_only_for_admins(people, kind, state):
    pending = {"requested": "requester", "invited": "invitee"}[state]
    for role in MEMBERS:
        response = api_as(people[role]).get(f"/api/v1/communities/{kind}/members/?state={state}")
        assert response.status_code == 200
        names = sorted(m["username"] for m in response.json()["results"])
        # A plain member asking for them gets the members, never the pending people.
        want = [pending] if role in MANAGERS else ["admin", "member", "owner"]
        assert names == want, role


# role → the list's slugs in order: theirs first, then by name; secret ones for who knows.
LIST = {
    "non_member": [ELSEWHERE, "open", "private"],
    "requester": [ELSEWHERE, "open", "private"],
    "moderator": [ELSEWHERE, "open", "private"],
    "invitee": [ELSEWHERE, "open", "private", "secret"],
    "member": ["open", "private", "secret", ELSEWHERE],
    "admin": ["open", "private", "secret", ELSEWHERE],
    "owner": ["open", "private", "secret", ELSEWHERE],
}


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [c["slug"] for c in response.json()["results"]]


def test_the_list_shows_yours_first_and_secret_ones_only_to_who_knows_them(people):
    assert api_as(None).get("/api/v1/communities/").status_code == 401
    for role, want in LIST.items():
        response = api_as(people[role]).get("/api/v1/communities/")
        assert slugs(response) == want, role
        mine = {c["slug"]: (c["my_role"], c["my_state"]) for c in response.json()["results"]}
        assert mine["open"] == MINE.get(role, (None, None)), role


@pytest.mark.parametrize(
    ("query", "knower", "outsider"),
    [
        ("q=society", ["secret"], []),  # by name
        ("q=nobody+knows", ["secret"], []),  # by description, every word
        ("q=plans", ["private"], ["private"]),
        ("q=forum+nothing", [], []),
        ("mine=true", ["open", "private", "secret"], []),
    ],
)
def test_search_and_mine_never_reveal_a_secret_community(people, query, knower, outsider):
    assert slugs(api_as(people["member"]).get(f"/api/v1/communities/?{query}")) == knower
    for role in OUTSIDERS:
        assert slugs(api_as(people[role]).get(f"/api/v1/communities/?{query}")) == outsider


def test_mine_lists_only_active_memberships(people):
    for role in ("invitee", "requester"):
        assert slugs(api_as(people[role]).get("/api/v1/communities/?mine=true")) == []
    assert slugs(api_as(people[FOUNDER]).get("/api/v1/communities/?mine=1")) == [ELSEWHERE]


def test_a_secret_community_answers_outsiders_exactly_like_a_missing_one(people):
    urls = [
        "/api/v1/communities/{}/",
        "/api/v1/communities/{}/membership/",
        "/api/v1/communities/{}/members/",
        "/api/v1/communities/{}/members/member/",
        "/api/v1/communities/{}/departments/",
        "/api/v1/communities/{}/feed/",
    ]
    for role in OUTSIDERS:
        client = api_as(people[role])
        for url in urls:
            for method in ("get", "patch", "put", "delete", "post"):
                with transaction.atomic():
                    secret = getattr(client, method)(url.format("secret"), {}, format="json")
                    missing = getattr(client, method)(url.format(MISSING), {}, format="json")
                    transaction.set_rollback(True)
                assert secret.status_code == missing.status_code, (role, method, url)
                assert secret.content == missing.content, (role, method, url)
                assert secret.status_code in (404, 405), (role, method, url)


# --- Creating and editing ------------------------------------------------------------------


def test_anyone_creates_a_community_and_owns_it(people):
    response = api_as(people["non_member"]).post(
        "/api/v1/communities/",
        {"name": "  Night   Owls ", "description": "Late", "visibility": "private"},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["slug"], data["name"], data["visibility"], data["join_policy"]) == (
        "night-owls",
        "Night Owls",
        "private",
        "open",
    )
    assert (data["my_role"], data["my_state"], data["members_count"]) == ("owner", "active", 1)
    assert snapshot("night-owls")["members"] == {"non_member": ("owner", "active")}
    assert community("night-owls").created_by == people["non_member"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Again", "slug": "open"}, "slug"),  # taken
        ({"name": "Again", "slug": "secret"}, "slug"),  # taken, even if you cannot see it
        ({"name": "Aardvark"}, "slug"),  # the slug made from the name is taken
        ({"name": "New", "slug": "new"}, "slug"),  # reserved: /communities/new/
        ({"name": "Bad", "slug": "Not A Slug"}, "slug"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"name": "Bad", "visibility": "hidden"}, "visibility"),
        ({"name": "Bad", "join_policy": "anyone"}, "join_policy"),
        ({"name": "Bad", "members_count": 99}, "members_count"),
    ],
)
def test_bad_input_to_create_is_a_400_naming_the_field_and_creates_nothing(people, body, field):
    before = (Community.objects.count(), Membership.objects.count())
    response = api_as(people["non_member"]).post("/api/v1/communities/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert (Community.objects.count(), Membership.objects.count()) == before


def test_community_creators_restricts_creation_to_a_group(people, settings):
    settings.COMMUNITY_CREATORS = "Community creators"
    before = Community.objects.count()
    for role in ("non_member", "owner", "moderator"):
        response = api_as(people[role]).post(
            "/api/v1/communities/", {"name": "Makers"}, format="json"
        )
        assert response.status_code == 403, role
        assert "limited to a group" in response.json()["detail"]
    assert Community.objects.count() == before
    creator = UserFactory(username="creator", roles=["Community creators"])
    response = api_as(creator).post("/api/v1/communities/", {"name": "Makers"}, format="json")
    assert response.status_code == 201
    assert (
        api_as(None).post("/api/v1/communities/", {"name": "X"}, format="json").status_code == 401
    )


def test_creating_communities_is_rate_limited(people, settings):
    settings.RATE_LIMITS = {"community": (1, 3600)}
    client = api_as(people["non_member"])
    assert client.post("/api/v1/communities/", {"name": "One"}, format="json").status_code == 201
    refused = client.post("/api/v1/communities/", {"name": "Two"}, format="json")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert not Community.objects.filter(slug="two").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_owners_and_admins_edit_a_community_others_are_refused(people, kind):
    url = f"/api/v1/communities/{kind}/"
    expected = cells(kind, ok=MANAGERS)
    wrong = []
    for role in ROLES:
        response, before, after = attempt(people, role, "patch", url, {"description": "Edited"})
        if response.status_code != expected[role]:
            wrong.append(f"{role}: {response.status_code}")
        elif response.status_code == 200:
            assert response.json()["description"] == "Edited"
            assert after[kind]["community"] == {
                **before[kind]["community"],
                "description": "Edited",
            }
        else:
            assert after == before, role
    assert not wrong, wrong


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "renamed"}, "slug"),
        ({"visibility": "public"}, "visibility"),
        ({"name": ""}, "name"),
        ({"members_count": 1000}, "members_count"),
        ({"provisioned": True}, "provisioned"),
    ],
)
def test_bad_edits_are_a_400_and_change_nothing(people, body, field):
    before = snapshot("open")
    response = api_as(people["owner"]).patch("/api/v1/communities/open/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert snapshot("open") == before


def test_a_community_made_private_is_closed_to_non_members_at_once(people):
    outsider = api_as(people["non_member"])
    assert outsider.get("/api/v1/communities/open/feed/").status_code == 200
    status_id = status_in("open").pk
    response = api_as(people["admin"]).patch(
        "/api/v1/communities/open/", {"visibility": "private"}, format="json"
    )
    assert response.status_code == 200
    assert outsider.get("/api/v1/communities/open/feed/").status_code == 404
    assert outsider.get(f"/api/v1/statuses/{status_id}/").status_code == 404
    assert outsider.get("/api/v1/communities/open/").json()["visibility"] == "private"


def test_unknown_slugs_are_404(people):
    client = api_as(people["owner"])
    before = snapshot("open")
    for method, path, body in [
        ("get", "", None),
        ("patch", "", {"name": "X"}),
        ("put", "membership/", None),
        ("delete", "membership/", None),
        ("get", "members/", None),
        ("put", "members/member/", {"role": "admin"}),
        ("delete", "members/member/", None),
        ("post", "departments/", {"department": "crew"}),
        ("get", "feed/", None),
    ]:
        url = f"/api/v1/communities/{MISSING}/{path}"
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 404, (method, path)
    assert snapshot("open") == before


# --- Your own membership -------------------------------------------------------------------

SAME = {}  # no change

JOIN = {
    # An open community: anyone joins; an invitation is accepted; a request made while it
    # asked is answered by joining now.
    "open": {
        "non_member": {"non_member": ACTIVE},
        "moderator": {"moderator": ACTIVE},
        "requester": {"requester": ACTIVE},
        "invitee": {"invitee": ACTIVE},
        **dict.fromkeys(MEMBERS, SAME),
    },
    # People ask; asking again changes nothing.
    "private": {
        "non_member": {"non_member": REQUESTED},
        "moderator": {"moderator": REQUESTED},
        "requester": SAME,
        "invitee": {"invitee": ACTIVE},
        **dict.fromkeys(MEMBERS, SAME),
    },
    # Only the invited get in; outsiders do not know it exists.
    "secret": {"invitee": {"invitee": ACTIVE}, **dict.fromkeys(MEMBERS, SAME)},
}


@pytest.mark.parametrize("kind", KINDS)
def test_joining_asking_and_accepting(people, kind):
    expected = cells(kind, ok=set(JOIN[kind]))
    url = f"/api/v1/communities/{kind}/membership/"
    check_write(people, kind, "put", url, None, expected, JOIN[kind])
    response = api_as(people["invitee"]).put(url)
    assert response.json() == {"community": kind, "state": "active", "role": "member"}


def test_an_invite_only_community_refuses_who_was_not_invited(people):
    response = api_as(people["owner"]).patch(
        "/api/v1/communities/open/", {"join_policy": "invite"}, format="json"
    )
    assert response.status_code == 200
    before = snapshot("open")
    response = api_as(people["non_member"]).put("/api/v1/communities/open/membership/")
    assert response.status_code == 403
    assert "invitation" in response.json()["detail"]
    assert snapshot("open") == before


def test_asking_to_join_notifies_the_admins(people):
    before = Notification.objects.filter(kind="community_request").count()
    response = api_as(people["non_member"]).put("/api/v1/communities/private/membership/")
    assert response.json() == {"community": "private", "state": "requested", "role": "member"}
    asked = Notification.objects.filter(kind="community_request", actor=people["non_member"])
    assert sorted(asked.values_list("recipient__username", flat=True)) == ["admin", "owner"]
    assert asked.get(recipient=people["owner"]).target == community("private")
    assert Notification.objects.filter(kind="community_request").count() == before + 2


def test_accepting_an_invitation_notifies_who_invited(people):
    api_as(people["invitee"]).put("/api/v1/communities/secret/membership/")
    joined = Notification.objects.get(kind="community_joined")
    assert (joined.recipient, joined.actor) == (people["owner"], people["invitee"])


LEAVE = {
    kind: {
        "non_member": SAME,  # not in it: nothing to do
        "moderator": SAME,
        "requester": {"requester": GONE},  # withdraws the request
        "invitee": {"invitee": GONE},  # declines
        "member": {"member": GONE},
        "admin": {"admin": GONE},
    }
    for kind in KINDS
}


@pytest.mark.parametrize("kind", KINDS)
def test_leaving_withdrawing_and_declining_but_the_last_owner_stays(people, kind):
    expected = cells(kind, ok=set(LEAVE[kind]), owner=400)
    url = f"/api/v1/communities/{kind}/membership/"
    check_write(people, kind, "delete", url, None, expected, LEAVE[kind])


def test_the_last_owner_is_told_how_to_leave_and_an_owner_among_two_may(people):
    client = api_as(people["owner"])
    response = client.delete("/api/v1/communities/open/membership/")
    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            "You are this community's only owner: make someone else an owner before you leave."
        ]
    }
    assert snapshot("open")["members"]["owner"] == ("owner", "active")
    client.put("/api/v1/communities/open/members/admin/", {"role": "owner"}, format="json")
    assert client.delete("/api/v1/communities/open/membership/").status_code == 200
    after = snapshot("open")
    assert "owner" not in after["members"] and after["members"]["admin"] == ("owner", "active")
    assert after["community"]["members_count"] == 2


# --- Managing members ----------------------------------------------------------------------

# (name, target, body, who succeeds → the change, roles with another answer)
MEMBER_PUTS = [
    ("approve", "requester", {"state": "active"}, MANAGERS, {"requester": ACTIVE}, {}),
    ("invite", "non_member", {"state": "invited"}, MANAGERS, {"non_member": INVITED}, {}),
    ("promote", "member", {"role": "admin"}, MANAGERS, {"member": ("admin", "active")}, {}),
    ("demote", "admin", {"role": "member"}, MANAGERS, {"admin": ACTIVE}, {}),
    # Ownership: only owners give it (transfer: then the old owner steps down or leaves).
    ("make_owner", "member", {"role": "owner"}, {"owner"}, {"member": ("owner", "active")}, {}),
    # An admin cannot touch an owner; the last owner is kept.
    ("unmake_last_owner", "owner", {"role": "admin"}, set(), {}, {"owner": 400}),
    # Bad input from a manager: approving someone who did not ask, inviting a member or
    # someone who does not exist, inviting straight in as admin.
    (
        "approve_uninvited",
        "non_member",
        {"state": "active"},
        set(),
        {},
        dict.fromkeys(MANAGERS, 400),
    ),
    ("invite_member", "member", {"state": "invited"}, set(), {}, dict.fromkeys(MANAGERS, 400)),
    ("invite_as_admin", "non_member", {"role": "admin"}, set(), {}, dict.fromkeys(MANAGERS, 400)),
    # Someone who does not exist: 404 (before anything is asked of the actor).
    ("invite_ghost", "ghost", {"state": "invited"}, set(), {}, dict.fromkeys(EMPLOYEES, 404)),
    ("bad_role", "member", {"role": "king"}, set(), {}, dict.fromkeys(EMPLOYEES, 400)),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("name", "target", "body", "ok", "change", "special"),
    MEMBER_PUTS,
    ids=[row[0] for row in MEMBER_PUTS],
)
def test_owners_and_admins_manage_members(people, kind, name, target, body, ok, change, special):
    expected = cells(kind, ok=ok, **special)
    url = f"/api/v1/communities/{kind}/members/{target}/"
    check_write(people, kind, "put", url, body, expected, dict.fromkeys(ok, change))


MEMBER_DELETES = [
    ("remove", "member", MANAGERS, {"member": GONE}, {}),
    ("decline", "requester", MANAGERS, {"requester": GONE}, {}),
    ("withdraw_invitation", "invitee", MANAGERS, {"invitee": GONE}, {}),
    ("remove_admin", "admin", MANAGERS, {"admin": GONE}, {}),  # an admin may remove themself
    ("remove_last_owner", "owner", set(), {}, {"owner": 400}),
    ("remove_outsider", "non_member", set(), {}, dict.fromkeys(MANAGERS, 404)),
    ("remove_ghost", "ghost", set(), {}, dict.fromkeys(EMPLOYEES, 404)),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("name", "target", "ok", "change", "special"),
    MEMBER_DELETES,
    ids=[row[0] for row in MEMBER_DELETES],
)
def test_owners_and_admins_remove_members(people, kind, name, target, ok, change, special):
    expected = cells(kind, ok=ok, code=204, **special)
    url = f"/api/v1/communities/{kind}/members/{target}/"
    check_write(people, kind, "delete", url, None, expected, dict.fromkeys(ok, change))


def test_ownership_is_transferred_and_an_admin_cannot_touch_an_owner(people):
    owner, admin = api_as(people["owner"]), api_as(people["admin"])
    url = "/api/v1/communities/private/members/{}/"
    assert owner.put(url.format("member"), {"role": "owner"}, format="json").status_code == 200
    # Two owners now: the first steps down.
    response = owner.put(url.format("owner"), {"role": "member"}, format="json")
    assert response.status_code == 200
    assert response.json()["role"] == "member"
    before = snapshot("private")
    assert before["members"]["member"] == ("owner", "active")
    for method in ("put", "delete"):
        response = getattr(admin, method)(url.format("member"), {"role": "admin"}, format="json")
        assert response.status_code == 403, method
        assert "owner" in response.json()["detail"]
    assert snapshot("private") == before


def test_approving_and_promoting_notify_the_person(people):
    owner = api_as(people["owner"])
    owner.put("/api/v1/communities/private/members/requester/", {"state": "active"}, format="json")
    owner.put("/api/v1/communities/private/members/member/", {"role": "admin"}, format="json")
    owner.put(
        "/api/v1/communities/private/members/non_member/", {"state": "invited"}, format="json"
    )
    got = set(
        Notification.objects.filter(actor=people["owner"]).values_list(
            "recipient__username", "kind"
        )
    )
    assert {
        ("requester", "community_approved"),
        ("member", "community_role"),
        ("non_member", "community_invite"),
    } <= got


def test_the_member_answer_has_the_contracts_shape(people):
    response = api_as(people["admin"]).put(
        "/api/v1/communities/open/members/requester/", {"state": "active"}, format="json"
    )
    data = response.json()
    assert (data["username"], data["role"], data["state"]) == ("requester", "member", "active")
    assert {"display_name", "title", "since"} <= set(data)


# --- Departments ---------------------------------------------------------------------------

# Everyone in the world is in "crew": who was outside or pending becomes an active member;
# nobody's role changes.
CREW_ADDED = {
    "non_member": ACTIVE,
    "moderator": ACTIVE,
    FOUNDER: ACTIVE,
    "requester": ACTIVE,
    "invitee": ACTIVE,
}


@pytest.mark.parametrize("kind", KINDS)
def test_owners_and_admins_add_a_small_department_at_once(people, kind):
    expected = cells(kind, ok=MANAGERS, code=202)
    url = f"/api/v1/communities/{kind}/departments/"
    check_write(
        people,
        kind,
        "post",
        url,
        {"department": "crew"},
        expected,
        dict.fromkeys(MANAGERS, CREW_ADDED),
    )
    response = api_as(people["owner"]).post(url, {"department": "crew"}, format="json")
    assert response.json() == {"added": len(CREW_ADDED)}
    assert Notification.objects.filter(kind="community_added").count() == len(CREW_ADDED)


def test_an_unknown_department_is_404_and_adds_nobody(people):
    before = snapshot("open")
    response = api_as(people["owner"]).post(
        "/api/v1/communities/open/departments/", {"department": "nowhere"}, format="json"
    )
    assert response.status_code == 404
    assert snapshot("open") == before


def test_a_large_department_is_added_by_an_idempotent_job(
    people, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("communities.services.DEPARTMENT_INLINE", 2)
    before = snapshot("private")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(people["admin"]).post(
            "/api/v1/communities/private/departments/", {"department": "crew"}, format="json"
        )
    assert response.status_code == 202
    assert response.json() == {"added": 0}
    assert snapshot("private") == before  # nothing yet: the job does it
    [task] = [SignedPackage.loads(row.payload) for row in OrmQ.objects.all()]
    assert task["func"] == "communities.jobs.department_members_add"
    kwargs = task["kwargs"]
    assert kwargs == {
        "community_id": community("private").pk,
        "department_id": people["owner"].profile.department_id,
        "actor_id": people["admin"].pk,
    }
    assert jobs.department_members_add(**kwargs) == len(CREW_ADDED)
    after = snapshot("private")
    assert after == changed(before, **CREW_ADDED)
    # Delivered twice (a worker died): nothing more happens.
    notified = Notification.objects.filter(kind="community_added").count()
    assert jobs.department_members_add(**kwargs) == 0
    assert snapshot("private") == after
    assert Notification.objects.filter(kind="community_added").count() == notified


def test_the_job_does_nothing_for_a_community_gone_since(people):
    department_id = people["owner"].profile.department_id
    before = Membership.objects.count()
    added = jobs.department_members_add(
        community_id=999_999, department_id=department_id, actor_id=people["owner"].pk
    )
    assert added == 0
    assert Membership.objects.count() == before


# --- Rate limit ----------------------------------------------------------------------------


def test_more_membership_changes_than_the_limit_are_429_and_change_nothing(people, settings):
    settings.RATE_LIMITS = {"membership": (2, 60)}
    client = api_as(people["non_member"])
    assert client.put("/api/v1/communities/open/membership/").status_code == 200
    assert client.delete("/api/v1/communities/open/membership/").status_code == 200
    before = snapshot("open")
    refused = client.put("/api/v1/communities/open/membership/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert snapshot("open") == before
    # Managing members counts too, per person.
    owner = api_as(people["owner"])
    for _ in range(2):
        owner.put("/api/v1/communities/open/members/member/", {"role": "admin"}, format="json")
    before = snapshot("open")
    refused = owner.delete("/api/v1/communities/open/members/member/")
    assert refused.status_code == 429
    assert snapshot("open") == before


# --- Posting into a community --------------------------------------------------------------


def post_into(people, role, slug, **extra):
    return api_as(people[role]).post(
        "/api/v1/statuses/", {"body": "Hello there", "community": slug, **extra}, format="json"
    )


NO_SUCH = {"community": "No such community."}


@pytest.mark.parametrize("kind", KINDS)
def test_only_active_members_post_into_a_community(people, kind):
    # A secret community is as unknown to an outsider as a missing one: 400, not 403.
    expected = cells(kind, ok=MEMBERS, code=201, hidden=set())
    if kind == "secret":
        expected.update(dict.fromkeys(OUTSIDERS, 400))
    for role in ROLES:
        before = Status.objects.count()
        response = post_into(people, role, kind)
        assert response.status_code == expected[role], (role, response.content)
        if response.status_code == 201:
            assert response.json()["community"] == {"slug": kind, "name": KINDS[kind][2]}
            assert Status.objects.get(pk=response.json()["id"]).community == community(kind)
            continue
        assert Status.objects.count() == before, role
        if response.status_code == 403:
            assert "Join" in response.json()["detail"]
        if response.status_code == 400:
            assert response.json() == NO_SUCH


def test_posting_into_an_unknown_community_is_400_like_a_secret_one(people):
    before = Status.objects.count()
    response = post_into(people, "non_member", MISSING)
    assert (response.status_code, response.json()) == (400, NO_SUCH)
    assert Status.objects.count() == before


def test_a_community_post_cannot_also_be_for_a_department(people):
    before = Status.objects.count()
    response = post_into(people, "member", "open", visibility="department")
    assert response.status_code == 400
    assert "visibility" in response.json()
    assert Status.objects.count() == before


# --- Moderation and pins by the community's admins -----------------------------------------

MODERATE_OK = MANAGERS | {"moderator"}


@pytest.mark.parametrize("kind", KINDS)
def test_community_admins_and_company_moderators_hide_a_community_status(people, kind):
    status = status_in(kind)
    url = f"/api/v1/statuses/{status.pk}/moderation/"
    body = {"action": "hide", "reason": "Off topic here"}
    # Refused alike before any lookup (403), whoever can or cannot see the status.
    expected = cells(kind, ok=MODERATE_OK, code=201, hidden=set())
    # An owner elsewhere passes that first gate, then meets the status: not theirs to moderate
    # where they read it, absent where they do not.
    expected[FOUNDER] = 403 if kind == "open" else 404
    for role in [*ROLES, FOUNDER]:
        with transaction.atomic():
            response = api_as(people[role]).post(url, body, format="json")
            status.refresh_from_db()
            logged = ModerationAction.objects.filter(status=status).count()
            transaction.set_rollback(True)
        assert response.status_code == expected[role], (role, response.content)
        assert status.is_removed == (response.status_code == 201), role
        assert logged == (1 if response.status_code == 201 else 0), role


def test_a_status_hidden_by_a_community_admin_is_a_tombstone_naming_who_and_why(people):
    status = status_in("private")
    response = api_as(people["admin"]).post(
        f"/api/v1/statuses/{status.pk}/moderation/",
        {"action": "hide", "reason": "Keep it kind"},
        format="json",
    )
    assert response.status_code == 201
    shown = api_as(people["member"]).get(f"/api/v1/statuses/{status.pk}/").json()
    assert (shown["is_removed"], shown["body"], shown["removal"]) == (True, "", "moderator")
    assert shown["removal_reason"] == "Keep it kind"
    assert shown["removed_by"] == "admin"
    [entry] = api_as(people["member"]).get("/api/v1/moderation-log/").json()["results"]
    assert (entry["moderator"]["username"], entry["action"], entry["reason"]) == (
        "admin",
        "hide",
        "Keep it kind",
    )
    assert entry["status_id"] == status.pk


@pytest.mark.parametrize("kind", KINDS)
def test_the_moderation_log_lists_a_community_entry_to_who_may_read_the_community(people, kind):
    status = status_in(kind)
    comment = feed_services.comment_create(author=people["member"], status=status, body="Hm")
    admin = people["admin"]
    feed_services.moderation_apply(
        moderator=admin, action="hide", reason="Secret why", status=status
    )
    feed_services.moderation_apply(moderator=admin, action="hide", reason="Why", comment=comment)
    readers = EMPLOYEES if kind == "open" else MEMBERS | {"moderator"}
    for role in EMPLOYEES:
        entries = api_as(people[role]).get("/api/v1/moderation-log/").json()["results"]
        want = [("hide", status.pk, comment.pk), ("hide", status.pk, None)]
        got = [(e["action"], e["status_id"], e["comment_id"]) for e in entries]
        assert got == (want if role in readers else []), role


def test_a_plain_member_cannot_moderate_in_their_community(people):
    status = status_in("open")
    response = api_as(people["member"]).post(
        f"/api/v1/statuses/{status.pk}/moderation/",
        {"action": "hide", "reason": "Mine now"},
        format="json",
    )
    assert response.status_code == 403
    status.refresh_from_db()
    assert not status.is_removed
    assert not ModerationAction.objects.exists()


def test_a_community_admin_cannot_moderate_outside_their_community(people):
    outside = feed_services.status_create(author=people["member"], body="Company-wide")
    response = api_as(people["admin"]).post(
        f"/api/v1/statuses/{outside.pk}/moderation/",
        {"action": "hide", "reason": "Not mine"},
        format="json",
    )
    assert response.status_code == 403
    outside.refresh_from_db()
    assert not outside.is_removed


@pytest.mark.parametrize("kind", KINDS)
def test_community_admins_pin_a_status_in_their_community(people, kind):
    status = status_in(kind)
    url = f"/api/v1/statuses/{status.pk}/announcement/"
    # Who cannot read the status does not learn it exists (404); a company moderator reads
    # any status by id and pins like an admin.
    readers = EMPLOYEES if kind == "open" else MEMBERS | {"moderator"}
    expected = cells(kind, ok=MODERATE_OK, hidden=set())
    expected.update({role: 404 for role in EMPLOYEES - readers})
    for role in ROLES:
        with transaction.atomic():
            response = api_as(people[role]).post(url, {"pinned": True}, format="json")
            status.refresh_from_db()
            transaction.set_rollback(True)
        assert response.status_code == expected[role], (role, response.content)
        assert status.pinned_in_community == (response.status_code == 200), role
        assert not status.is_announcement  # never a company-wide announcement


def test_a_pinned_status_leads_the_community_feed_and_unpins(people):
    admin = api_as(people["admin"])
    pinned = status_in("open")
    newer = feed_services.status_create(
        author=people["member"], body="Newer", community=community("open")
    )
    response = admin.post(
        f"/api/v1/statuses/{pinned.pk}/announcement/", {"pinned": True}, format="json"
    )
    assert response.json()["pinned_in_community"] is True
    results = api_as(people["non_member"]).get("/api/v1/communities/open/feed/").json()["results"]
    assert [(s["id"], s["is_pinned"]) for s in results] == [(pinned.pk, True), (newer.pk, False)]
    admin.post(f"/api/v1/statuses/{pinned.pk}/announcement/", {"pinned": False}, format="json")
    pinned.refresh_from_db()
    assert not pinned.pinned_in_community


# --- Query counts --------------------------------------------------------------------------
# Each list is read with a few rows of every sort, then with many more: the count must not grow.


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def add_communities(people, n: int, start: int) -> None:
    for i in range(start, start + n):
        kind = ("open", "private", "secret")[i % 3]
        c = Community.objects.create(name=f"Extra {i}", slug=f"extra-{i}", visibility=kind)
        state = ("active", "invited", "requested")[i // 3 % 3]
        Membership.objects.create(community=c, user=people["member"], state=state)


def test_the_list_does_not_grow_with_communities(people, django_assert_max_num_queries):
    client = api_as(people["member"])
    add_communities(people, 3, 0)
    few = count_queries(client, "/api/v1/communities/")
    add_communities(people, 15, 3)
    with django_assert_max_num_queries(few):
        assert len(client.get("/api/v1/communities/").json()["results"]) == 20


def add_members(club: Community, n: int, start: int) -> None:
    for i in range(start, start + n):
        user = UserFactory(username=f"extra{i}", finish__department=None)
        Membership.objects.create(community=club, user=user, role=("member", "admin")[i % 2])


def test_the_members_list_does_not_grow_with_members(people, django_assert_max_num_queries):
    client = api_as(people["owner"])
    club = community("private")
    add_members(club, 2, 0)
    few = count_queries(client, "/api/v1/communities/private/members/")
    add_members(club, 15, 2)
    with django_assert_max_num_queries(few):
        results = client.get("/api/v1/communities/private/members/").json()["results"]
        assert len(results) == 20


def add_statuses(people, club: Community, n: int, start: int) -> None:
    for i in range(start, start + n):
        author = UserFactory(username=f"writer{i}")
        Membership.objects.create(community=club, user=author)
        status = feed_services.status_create(
            author=author, body=f"Post {i} #tag{i} @member", community=club
        )
        feed_services.comment_create(author=people["member"], status=status, body="Reply")
        feed_services.reaction_add(user=people["non_member"], status=status, kind="like")
        if i % 5 == 0:
            feed_services.status_announce(actor=people["owner"], status=status, pinned=True)


def test_the_community_feed_does_not_grow_with_statuses(people, django_assert_max_num_queries):
    client = api_as(people["non_member"])
    club = community("open")
    add_statuses(people, club, 2, 0)
    few = count_queries(client, "/api/v1/communities/open/feed/")
    add_statuses(people, club, 25, 2)
    with django_assert_max_num_queries(few):
        results = client.get("/api/v1/communities/open/feed/").json()["results"]
    # Pinned ones first, then a full page.
    assert [s["is_pinned"] for s in results[:6]] == [True] * 6
    assert len(results) == 6 + 20
