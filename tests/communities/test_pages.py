"""The community pages, role by role and community by community (issue 16).

The same world as test_api.py (tests/communities/world.py). Anonymous visitors are sent to
sign in; a secret community is a 404 to who does not know of it; a page that manages is a 403
to who may see the community but not manage it; what a form does is checked in the database,
and a refused form changes nothing.
"""

import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from communities.models import Community, Membership
from feeds import services as feed_services
from tests.communities.world import (
    ELSEWHERE,
    EMPLOYEES,
    KINDS,
    KNOWERS,
    MANAGERS,
    MEMBERS,
    OUTSIDERS,
    ROLES,
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
SAME: dict = {}
LOGIN = "login"  # the answer to anonymous visitors: a redirect to the sign-in page


@pytest.fixture
def clients(people) -> dict[str, Client]:
    signed_in = {}
    for role in ROLES:
        signed_in[role] = Client()
        if people[role] is not None:
            signed_in[role].force_login(people[role])
    return signed_in


def cells(kind: str, *, ok, code=200, hidden=OUTSIDERS, refused=403, **special) -> dict:
    """role → expected answer: anonymous LOGIN; in the secret community `hidden` 404; `ok`
    `code`; everyone else `refused`; `special`: role=answer where none of that applies."""
    table = {}
    for role in ROLES:
        if role == "anonymous":
            table[role] = LOGIN
        elif kind == "secret" and role in hidden:
            table[role] = 404
        elif role in special:
            table[role] = special[role]
        elif role in ok:
            table[role] = code
        else:
            table[role] = refused
    return table


def answer(response):
    if response.status_code == 302 and response.url.startswith("/accounts/login/"):
        return LOGIN
    return response.status_code


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def check_form(clients, kind: str, url: str, data, expected: dict, changes: dict):
    """Each role posts `data` in turn (rolled back after): the answer the table says, and
    exactly the changes it names; everything else in every community stays as it was."""
    wrong = []
    for role in ROLES:
        with transaction.atomic():
            before = {slug: snapshot(slug) for slug in (*KINDS, ELSEWHERE)}
            response = clients[role].post(url, data() if callable(data) else data)
            after = {slug: snapshot(slug) for slug in (*KINDS, ELSEWHERE)}
            transaction.set_rollback(True)
        got, want = answer(response), expected[role]
        if got != want:
            wrong.append(f"{role}: got {got}, want {want}")
            continue
        change = changes.get(role, SAME) if want == 302 else SAME
        want_state = {**before, kind: changed(before[kind], **change)}
        if after != want_state:
            wrong.append(f"{role}: {got} but\n{after[kind]}\nwant\n{want_state[kind]}")
    assert not wrong, "\n".join(wrong)


# --- Reading -------------------------------------------------------------------------------


def test_the_list_page_shows_secret_communities_only_to_who_knows_them(clients):
    assert answer(clients["anonymous"].get("/communities/")) == LOGIN
    for role in EMPLOYEES:
        page = clients[role].get("/communities/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "Open Forum" in html and "Private Plans" in html and "Aardvark Club" in html
        assert ("Secret Society" in html) == (role in KNOWERS), role
        assert ("You are invited" in html) == (role == "invitee"), role
    # Search and "only mine" keep the secret one secret too.
    for role, want in [("non_member", False), ("member", True), ("invitee", True)]:
        html = clients[role].get("/communities/?q=society").content.decode()
        assert ("Secret Society" in html) == want, role
    html = clients["member"].get("/communities/?mine=1").content.decode()
    assert "Secret Society" in html and "Aardvark Club" not in html


@pytest.mark.parametrize("kind", KINDS)
def test_the_community_page_shows_posts_to_readers_and_only_the_about_to_others(clients, kind):
    # A private community shows anyone its name, description and how to join; never its posts.
    expected = cells(kind, ok=EMPLOYEES)
    readers = EMPLOYEES if kind == "open" else MEMBERS
    for role in ROLES:
        page = clients[role].get(f"/c/{kind}/")
        assert answer(page) == expected[role], role
        if page.status_code != 200:
            continue
        html = page.content.decode()
        assert KINDS[kind][2] in html and KINDS[kind][3] in html
        assert (body_in(kind) in html) == (role in readers), role
        # The composer is for active members only.
        assert ('data-community="' in html) == (role in readers), role
        assert ('name="community"' in html) == (role in MEMBERS), role
        assert (f"/c/{kind}/settings/" in html) == (role in MANAGERS), role


def test_an_unknown_community_page_is_404_like_a_secret_one(clients):
    for role in OUTSIDERS:
        secret = clients[role].get("/c/secret/")
        missing = clients[role].get("/c/no-such-community/")
        assert secret.status_code == missing.status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_the_members_page_is_for_readers_and_shows_requests_to_admins(clients, kind):
    expected = cells(kind, ok=EMPLOYEES if kind == "open" else MEMBERS, refused=404)
    for role in ROLES:
        page = clients[role].get(f"/c/{kind}/members/")
        assert answer(page) == expected[role], role
        if page.status_code != 200:
            continue
        html = page.content.decode()
        assert "Owner" in html and "Admin" in html and "3 members" in html
        assert ("Asking to join (1)" in html) == (role in MANAGERS), role
        assert ("Invited (1)" in html) == (role in MANAGERS), role


@pytest.mark.parametrize("kind", KINDS)
def test_the_settings_page_is_for_owners_and_admins(clients, kind):
    expected = cells(kind, ok=MANAGERS)
    for role in ROLES:
        page = clients[role].get(f"/c/{kind}/settings/")
        assert answer(page) == expected[role], role
        if page.status_code == 200:
            assert f'value="{KINDS[kind][2]}"' in page.content.decode()


# --- Creating ------------------------------------------------------------------------------


def test_anyone_creates_a_community_from_the_page(clients, people):
    assert answer(clients["anonymous"].get("/communities/new/")) == LOGIN
    assert answer(clients["anonymous"].post("/communities/new/", {"name": "X"})) == LOGIN
    assert clients["requester"].get("/communities/new/").status_code == 200
    response = clients["requester"].post(
        "/communities/new/",
        {
            "name": "Board games",
            "slug": "",
            "description": "Thursdays",
            "visibility": "private",
            "join_policy": "request",
        },
    )
    assert response.status_code == 302
    assert response.url == "/c/board-games/"
    made = community("board-games")
    assert (made.name, made.visibility, made.join_policy, made.members_count) == (
        "Board games",
        "private",
        "request",
        1,
    )
    assert snapshot("board-games")["members"] == {"requester": ("owner", "active")}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": "Again", "slug": "open"}, "is taken"),
        ({"name": "Again", "slug": "secret"}, "is taken"),
        ({"name": "New", "slug": "new"}, "is reserved"),
        ({"name": "", "slug": "empty"}, "This field is required"),
        ({"name": "Bad", "slug": "bad", "visibility": "public"}, "Select a valid choice"),
    ],
)
def test_bad_input_on_the_new_page_is_a_400_with_the_reason_and_creates_nothing(
    clients, data, error
):
    data = {"visibility": "open", "join_policy": "open", **data}
    before = (Community.objects.count(), Membership.objects.count())
    page = clients["non_member"].post("/communities/new/", data)
    assert page.status_code == 400
    assert error in page.content.decode()
    assert (Community.objects.count(), Membership.objects.count()) == before


def test_community_creators_limits_the_new_page_to_a_group(clients, settings):
    settings.COMMUNITY_CREATORS = "Community creators"
    data = {"name": "Makers", "visibility": "open", "join_policy": "open"}
    for role in EMPLOYEES:
        assert clients[role].get("/communities/new/").status_code == 403, role
        assert clients[role].post("/communities/new/", data).status_code == 403, role
    assert "New community" not in clients["owner"].get("/communities/").content.decode()
    assert not Community.objects.filter(slug="makers").exists()
    creator = Client()
    creator.force_login(UserFactory(username="creator", roles=["Community creators"]))
    assert creator.get("/communities/new/").status_code == 200
    assert creator.post("/communities/new/", data).status_code == 302
    assert community("makers").created_by.username == "creator"


# --- Settings and picture ------------------------------------------------------------------


def settings_form(kind: str, **changes) -> dict:
    _, _, name, description = KINDS[kind]
    visibility, policy = KINDS[kind][:2]
    return {
        "form": "settings",
        "name": name,
        "description": description,
        "visibility": visibility,
        "join_policy": policy,
        **changes,
    }


@pytest.mark.parametrize("kind", KINDS)
def test_owners_and_admins_change_settings_others_are_refused(clients, kind):
    url = f"/c/{kind}/settings/"
    data = settings_form(kind, description="Rewritten", members_count="99")
    wrong = []
    for role, want in cells(kind, ok=MANAGERS, code=302).items():
        with transaction.atomic():
            before = snapshot(kind)
            response = clients[role].post(url, data)
            after = snapshot(kind)
            transaction.set_rollback(True)
        if answer(response) != want:
            wrong.append(f"{role}: {answer(response)}")
        elif want == 302:
            assert response.url == url
            assert after["community"] == {**before["community"], "description": "Rewritten"}
        else:
            assert after == before, role
    assert not wrong, wrong


def test_bad_settings_are_a_400_and_change_nothing(clients):
    before = snapshot("open")
    for data in [
        settings_form("open", visibility="public"),
        settings_form("open", name=""),
        settings_form("open", join_policy="anyone"),
    ]:
        page = clients["owner"].post("/c/open/settings/", data)
        assert page.status_code == 400
    assert snapshot("open") == before


def image(fmt: str = "PNG") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 40), (20, 120, 200)).save(out, format=fmt)
    return SimpleUploadedFile(f"picture.{fmt.lower()}", out.getvalue(), f"image/{fmt.lower()}")


@pytest.mark.parametrize("kind", KINDS)
def test_owners_and_admins_set_the_picture_and_readers_of_the_community_see_it(clients, kind):
    url = f"/c/{kind}/settings/"
    wrong = []
    for role, want in cells(kind, ok=MANAGERS, code=302).items():
        with transaction.atomic():
            response = clients[role].post(url, {"form": "picture", "picture": image()})
            picture = community(kind).picture.name
            transaction.set_rollback(True)
        if answer(response) != want:
            wrong.append(f"{role}: {answer(response)}")
        assert bool(picture) == (want == 302), role
    assert not wrong, wrong
    assert clients["admin"].post(url, {"form": "picture", "picture": image()}).status_code == 302
    for role in EMPLOYEES:
        shown = clients[role].get(f"/c/{kind}/picture")
        want = 404 if kind == "secret" and role in OUTSIDERS else 200
        assert shown.status_code == want, role
        if want == 200:
            assert shown["Content-Type"] == "image/webp"


def test_a_picture_that_is_no_image_is_a_400(clients):
    fake = SimpleUploadedFile("picture.png", b"not an image at all", "image/png")
    page = clients["owner"].post("/c/open/settings/", {"form": "picture", "picture": fake})
    assert page.status_code == 400
    assert not community("open").picture


# --- Your own membership -------------------------------------------------------------------

JOIN = {
    "open": {
        "non_member": {"non_member": ACTIVE},
        "moderator": {"moderator": ACTIVE},
        "requester": {"requester": ACTIVE},
        "invitee": {"invitee": ACTIVE},
        **dict.fromkeys(MEMBERS, SAME),
    },
    "private": {
        "non_member": {"non_member": REQUESTED},
        "moderator": {"moderator": REQUESTED},
        "requester": SAME,
        "invitee": {"invitee": ACTIVE},
        **dict.fromkeys(MEMBERS, SAME),
    },
    "secret": {"invitee": {"invitee": ACTIVE}, **dict.fromkeys(MEMBERS, SAME)},
}
LEAVE = {
    "non_member": SAME,
    "moderator": SAME,
    "requester": {"requester": GONE},
    "invitee": {"invitee": GONE},
    "member": {"member": GONE},
    "admin": {"admin": GONE},
    # The last owner is told why and stays (a message on the page it goes back to).
    "owner": SAME,
}


@pytest.mark.parametrize("kind", KINDS)
def test_joining_asking_and_accepting_from_the_page(clients, kind):
    url = f"/c/{kind}/membership/"
    expected = cells(kind, ok=set(JOIN[kind]), code=302)
    check_form(clients, kind, url, {"action": "join"}, expected, JOIN[kind])


@pytest.mark.parametrize("kind", KINDS)
def test_leaving_from_the_page(clients, kind):
    url = f"/c/{kind}/membership/"
    expected = cells(kind, ok=set(LEAVE), code=302)
    check_form(clients, kind, url, {"action": "leave"}, expected, LEAVE)


def test_the_last_owner_leaving_is_told_why_and_stays(clients):
    response = clients["owner"].post("/c/private/membership/", {"action": "leave"})
    assert response.status_code == 302
    assert messages_of(response) == [
        "You are this community's only owner: make someone else an owner before you leave."
    ]
    assert snapshot("private")["members"]["owner"] == ("owner", "active")


def test_a_request_sent_from_the_page_says_so(clients):
    response = clients["non_member"].post("/c/private/membership/", {"action": "join"})
    assert messages_of(response) == ["Your request is sent: an admin will answer it."]
    response = clients["moderator"].post("/c/open/membership/", {"action": "join"})
    assert messages_of(response) == ["Welcome to Open Forum."]


def test_an_invite_only_community_refuses_a_join_from_the_page(clients, people):
    Community.objects.filter(slug="private").update(join_policy="invite")
    before = snapshot("private")
    assert (
        clients["non_member"].post("/c/private/membership/", {"action": "join"}).status_code == 403
    )
    assert snapshot("private") == before


def test_an_unknown_membership_action_is_a_400(clients):
    before = snapshot("open")
    for action in ("", "promote", "JOIN"):
        response = clients["member"].post("/c/open/membership/", {"action": action})
        assert response.status_code == 400, action
    assert snapshot("open") == before


def test_leaving_a_secret_community_goes_back_to_the_list(clients):
    response = clients["member"].post("/c/secret/membership/", {"action": "leave"})
    assert response.url == "/communities/"
    response = clients["member"].post("/c/private/membership/", {"action": "leave"})
    assert response.url == "/c/private/"


# --- Managing members ----------------------------------------------------------------------

# (action, target in the URL, extra fields, who succeeds → the change, other answers)
MEMBER_ACTIONS = [
    ("approve", "requester", {}, MANAGERS, {"requester": ACTIVE}, {}),
    ("decline", "requester", {}, MANAGERS, {"requester": GONE}, {}),
    ("remove", "member", {}, MANAGERS, {"member": GONE}, {}),
    ("remove", "invitee", {}, MANAGERS, {"invitee": GONE}, {}),  # withdraws the invitation
    # The invite form posts to /_/ with the username as a field.
    ("invite", "_", {"username": "non_member"}, MANAGERS, {"non_member": INVITED}, {}),
    ("admin", "member", {}, MANAGERS, {"member": ("admin", "active")}, {}),
    ("member", "admin", {}, MANAGERS, {"admin": ACTIVE}, {}),
    # Only an owner makes owners; an admin cannot touch one; the last owner stays (a message).
    ("owner", "member", {}, {"owner"}, {"member": ("owner", "active")}, {}),
    ("member", "owner", {}, {"owner"}, SAME, {}),
    ("remove", "owner", {}, {"owner"}, SAME, {}),
    (
        "department",
        "_",
        {"department": "crew"},
        MANAGERS,
        {
            "non_member": ACTIVE,
            "moderator": ACTIVE,
            "founder": ACTIVE,
            "requester": ACTIVE,
            "invitee": ACTIVE,
        },
        {},
    ),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("action", "target", "extra", "ok", "change", "special"),
    MEMBER_ACTIONS,
    ids=[f"{row[0]}-{row[1]}" for row in MEMBER_ACTIONS],
)
def test_owners_and_admins_manage_members_from_the_page(
    clients, kind, action, target, extra, ok, change, special
):
    url = f"/c/{kind}/members/{target}/"
    expected = cells(kind, ok=ok, code=302, **special)
    check_form(clients, kind, url, {"action": action, **extra}, expected, dict.fromkeys(ok, change))


def test_the_last_owner_is_kept_with_a_message(clients):
    for action in ("member", "remove"):
        response = clients["owner"].post("/c/open/members/owner/", {"action": action})
        assert response.url == "/c/open/members/"
        assert "at least one owner" in messages_of(response)[0]
    assert snapshot("open")["members"]["owner"] == ("owner", "active")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "invite", "username": "ghost"}, "There is no active colleague called “ghost”."),
        ({"action": "invite", "username": "member"}, "member is already a member."),
        ({"action": "department", "department": "nowhere"}, "Choose a department."),
    ],
)
def test_bad_member_actions_from_the_page_say_why_and_change_nothing(clients, data, message):
    before = snapshot("open")
    response = clients["admin"].post("/c/open/members/_/", data)
    assert response.status_code == 302
    assert messages_of(response) == [message]
    assert snapshot("open") == before


def test_approving_someone_who_did_not_ask_says_why(clients):
    before = snapshot("open")
    response = clients["admin"].post("/c/open/members/non_member/", {"action": "approve"})
    assert "has not asked to join" in messages_of(response)[0]
    assert snapshot("open") == before


def test_an_unknown_member_action_is_a_400(clients):
    before = snapshot("open")
    response = clients["owner"].post("/c/open/members/member/", {"action": "ban"})
    assert response.status_code == 400
    assert snapshot("open") == before


def test_membership_changes_on_the_pages_are_rate_limited(clients, settings):
    settings.RATE_LIMITS = {"membership": (2, 60)}
    admin = clients["admin"]
    admin.post("/c/open/members/member/", {"action": "admin"})
    admin.post("/c/open/members/member/", {"action": "member"})
    before = snapshot("open")
    refused = admin.post("/c/open/members/requester/", {"action": "approve"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    refused = admin.post("/c/open/membership/", {"action": "leave"})
    assert refused.status_code == 429
    assert snapshot("open") == before


# --- The moderation log page ---------------------------------------------------------------


def test_the_moderation_log_page_hides_entries_of_communities_you_cannot_read(clients, people):
    feed_services.moderation_apply(
        moderator=people["admin"],
        action="hide",
        reason="Leaked roadmap",
        status=status_in("secret"),
    )
    for role in EMPLOYEES:
        html = clients[role].get("/moderation/log/").content.decode()
        assert ("Leaked roadmap" in html) == (role in MEMBERS | {"moderator"}), role


# --- Query counts --------------------------------------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def grow(people, start: int, n: int) -> None:
    """n more communities, members and community posts, of every sort."""
    club = community("open")
    for i in range(start, start + n):
        extra = Community.objects.create(
            name=f"Extra {i}", slug=f"extra-{i}", visibility=("open", "private", "secret")[i % 3]
        )
        Membership.objects.create(community=extra, user=people["admin"], role="owner")
        person = UserFactory(username=f"extra{i}")
        Membership.objects.create(community=club, user=person, role=("member", "admin")[i % 2])
        feed_services.status_create(author=person, body=f"Post {i} #tag{i}", community=club)


@pytest.mark.parametrize("url", ["/communities/", "/c/open/", "/c/open/members/"])
def test_the_list_pages_do_not_grow_with_rows(clients, people, url, django_assert_max_num_queries):
    grow(people, 0, 3)
    few = count_queries(clients["admin"], url)
    grow(people, 3, 15)
    with django_assert_max_num_queries(few):
        clients["admin"].get(url)
