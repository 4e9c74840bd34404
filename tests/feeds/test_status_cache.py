"""The shared cache of status cards (feeds.status_cache) never serves a stale or forbidden card.

Two tables. Changes: every change to a part of a status's card (its text, each moderation,
comments, reactions, the poll, attachments, pins, its author's name, title, picture and
department through the profile services, the admin and the directory (SCIM), its community)
is made after the card was cached, and each read path (home feed, status detail, community
feed and author list of the API, the HTML page) must then show the new value. Audiences: a card
cached by someone who may read it never reaches someone who may not.
"""

import dataclasses
import shutil
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from attachments import services as attachment_services
from attachments.models import Attachment
from communities import services as community_services
from communities.models import Community
from feeds import polls, selectors, services, status_cache
from feeds.models import PollOption, Status, Visibility
from feeds.serializers import StatusSerializer
from profiles import services as profile_services
from profiles.models import Department, Profile, User
from profiles.permissions import MODERATORS
from provisioning.services import token_create
from tests.attachments import media
from tests.conftest import built_once, cache_restore
from tests.factories import DepartmentFactory, UserFactory
from tests.provisioning.conftest import ENTERPRISE, ScimClient, user_body

ORIGINAL = "Original words about the engine"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@dataclasses.dataclass
class World:
    ada: User  # the author, provisioned by the directory (SCIM)
    ada_scim_id: str
    alice: User  # a reader: member of the community
    carol: User  # another employee, not a member
    moderator: User
    admin: User
    club: Community
    status: Status
    picture: Attachment
    scim: ScimClient

    def fresh(self) -> Status:
        return Status.objects.get(pk=self.status.pk)


def build_world() -> World:
    """The author (provisioned by SCIM), two readers, a moderator, an admin, a community and
    one status in it with a poll and a picture."""
    engineering = DepartmentFactory(name="Engineering", slug="engineering")
    alice = UserFactory(
        username="alice",
        finish__display_name="Alice Archer",
        finish__department=engineering,
        finish__title="Software Engineer",
    )
    carol = UserFactory(
        username="carol", finish__display_name="Carol Chen", finish__department=engineering
    )
    moderator = UserFactory(username="mod", roles=[MODERATORS])
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    scim = ScimClient(token_create(name="Entra ID")[1])
    response = scim.post("Users", user_body())
    assert response.status_code == 201, response.content
    ada = User.objects.get(username="ada")
    club = community_services.community_create(actor=ada, name="Engine Club", slug="engines")
    community_services.membership_join(actor=alice, community=club)
    picture = attachment_services.upload_create(
        uploader=ada, upload=SimpleUploadedFile("engine.jpg", media.picture()), alt="The engine"
    )
    status = services.status_create(
        author=ada,
        body=ORIGINAL,
        community=club,
        poll={"options": ["Steam", "Clockwork"]},
        attachments=[picture.token],
    )
    return World(
        ada=ada,
        ada_scim_id=response.json()["id"],
        alice=alice,
        carol=carol,
        moderator=moderator,
        admin=admin,
        club=club,
        status=status,
        picture=picture,
        scim=scim,
    )


@pytest.fixture(scope="module")
def built_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module (once per xdist worker that runs its tests)
    instead of once per test, with what it left in the cache and the files it stored.

    As the access matrix's (tests/security/test_access_matrix.py): it stays inside a
    transaction rolled back after the module's last test, and each test runs in a savepoint
    inside it, so whatever a test changes is gone before the next one. `world` hands each test
    the same start: the rows re-read, this cache put back and these files copied into its own
    MEDIA_ROOT."""
    folder = tmp_path_factory.mktemp("status-cache-media")
    with built_once(django_db_blocker, build_world, media=folder, COMMUNITY_CREATORS="") as (
        built,
        cached,
    ):
        yield built, folder, cached


def _reread(obj):
    return type(obj)._base_manager.get(pk=obj.pk)


@pytest.fixture
def world(built_world, db, settings, _private_media) -> World:
    """The built world as a fresh build would hand it to a test: each row read again (a change
    to one test's instances must not reach the next), a new SCIM client with the same token,
    the cache as the build left it, and its files in this test's own MEDIA_ROOT."""
    built, folder, cached = built_world
    settings.COMMUNITY_CREATORS = ""
    shutil.copytree(folder, settings.MEDIA_ROOT, dirs_exist_ok=True)
    cache_restore(cached)
    return dataclasses.replace(
        built,
        **{
            f.name: _reread(getattr(built, f.name))
            for f in dataclasses.fields(World)
            if f.name not in ("ada_scim_id", "scim")
        },
        scim=ScimClient(built.scim.headers["Authorization"].removeprefix("Bearer ")),
    )


# --- Read paths: each returns the status's card as the API shows it to `user`, or None ------


def _in_list(response, status_id: int) -> dict | None:
    assert response.status_code == 200, response.content
    return next((c for c in response.json()["results"] if c["id"] == status_id), None)


def read_home(user, status_id: int) -> dict | None:
    return _in_list(client_for(user).get("/api/v1/feed/?page_size=50"), status_id)


def read_detail(user, status_id: int) -> dict | None:
    response = client_for(user).get(f"/api/v1/statuses/{status_id}/")
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.content
    return response.json()


def read_community(user, status_id: int) -> dict | None:
    slug = Status.objects.get(pk=status_id).community.slug
    response = client_for(user).get(f"/api/v1/communities/{slug}/feed/?page_size=50")
    if response.status_code == 404:
        return None
    return _in_list(response, status_id)


def read_author_list(user, status_id: int) -> dict | None:
    author = Status.objects.get(pk=status_id).author.username
    return _in_list(client_for(user).get(f"/api/v1/statuses/?author={author}"), status_id)


def read_search(user, status_id: int) -> dict | None:
    return _in_list(client_for(user).get("/api/v1/statuses/?q=engine"), status_id)


API_READS = {
    "home feed": read_home,
    "status detail": read_detail,
    "community feed": read_community,
    "author's statuses": read_author_list,
}


def read_page(user, status_id: int) -> str:
    client = APIClient()
    client.force_login(user)
    response = client.get(f"/statuses/{status_id}/")
    assert response.status_code == 200
    return response.content.decode()


# --- Changes --------------------------------------------------------------------------------


@dataclasses.dataclass
class Change:
    name: str
    apply: Callable[[World], None]
    # Whether a card shows the change (False before it, True after).
    shown: Callable[[World, dict], bool]
    # Text the HTML page shows after the change and not before (None: not on the page).
    page_text: str | None = None
    prepare: Callable[[World], None] | None = None


def _scim_patch(w: World, *operations) -> None:
    response = w.scim.operations(f"Users/{w.ada_scim_id}", *operations)
    assert response.status_code == 200, response.content


def _option(w: World, n: int) -> int:
    return list(
        PollOption.objects.filter(poll__status=w.status)
        .order_by("position")
        .values_list("pk", flat=True)
    )[n]


def _avatar(w: World) -> None:
    upload = SimpleUploadedFile("me.png", media.picture("PNG", color=(10, 200, 10)))
    profile_services.avatar_set(actor=w.ada, profile=w.ada.profile, upload=upload)


def _hide(w: World) -> None:
    services.moderation_apply(
        moderator=w.moderator, action="hide", reason="Off topic here", status=w.fresh()
    )


def _react(w: World) -> None:
    services.reaction_add(user=w.carol, status=w.fresh(), kind="like")


def _vote(w: World) -> None:
    polls.poll_vote(user=w.carol, status=w.fresh(), option_ids=[_option(w, 0)])


def _department_rename(w: World) -> None:
    department = Department.objects.get(pk=Profile.objects.get(user=w.ada).department_id)
    client = Client()
    client.force_login(w.admin)
    response = client.post(
        f"/admin/profiles/department/{department.pk}/change/",
        {"name": "Difference Engines", "slug": department.slug},
    )
    assert response.status_code == 302, response.content[:2000]


CHANGES = [
    Change(
        "edit",
        lambda w: services.status_update(actor=w.ada, status=w.fresh(), body="Edited engine"),
        lambda w, c: "Edited engine" in c["body_html"] and c["edited_at"] is not None,
        page_text="Edited engine",
    ),
    Change(
        "hidden by a moderator",
        _hide,
        lambda w, c: c["removal"] == "moderator" and c["body_html"] == "" and c["poll"] is None,
        page_text="Off topic here",
    ),
    Change(
        "restored by a moderator",
        lambda w: services.moderation_apply(
            moderator=w.moderator, action="restore", reason="On topic after all", status=w.fresh()
        ),
        lambda w, c: not c["is_removed"] and ORIGINAL in c["body_html"],
        page_text=ORIGINAL,
        prepare=_hide,
    ),
    Change(
        "deleted by its author",
        lambda w: services.status_delete(actor=w.ada, status=w.fresh()),
        lambda w, c: c["removal"] == "author" and c["body_html"] == "" and c["attachments"] == [],
    ),
    Change(
        # Any removal kind, present or future, written by any code (here a bulk purge that
        # calls nothing): the card's key holds the row's removal.
        "removed by another kind, written in bulk",
        lambda w: Status.objects.filter(pk=w.status.pk).update(
            removal="retention", removal_reason="Past the retention period"
        ),
        lambda w, c: c["removal"] == "retention" and c["is_removed"] and c["body_html"] == "",
    ),
    Change(
        "comments locked by a moderator",
        lambda w: services.moderation_apply(
            moderator=w.moderator, action="lock", reason="Cooling down", status=w.fresh()
        ),
        lambda w, c: c["comments_locked"] and c["lock_reason"] == "Cooling down",
        page_text="Cooling down",
    ),
    Change(
        "comment written",
        lambda w: services.comment_create(author=w.alice, status=w.fresh(), body="First to say"),
        lambda w, c: c["comment_count"] == 1,
        page_text="First to say",
    ),
    Change(
        "reaction added",
        _react,
        lambda w, c: c["reaction_counts"]["like"] == 1,
    ),
    Change(
        "reaction taken back",
        lambda w: services.reaction_remove(user=w.carol, status=w.fresh(), kind="like"),
        lambda w, c: c["reaction_counts"]["like"] == 0,
        prepare=_react,
    ),
    Change(
        "poll vote",
        _vote,
        lambda w, c: (
            c["poll"]["options"][0]["votes_count"] == 1
            and c["poll"]["voters_count"] == 1
            and [v["display_name"] for v in c["poll"]["options"][0]["voters"]] == ["Carol Chen"]
        ),
        page_text="1 person voted",
    ),
    Change(
        "a shown voter's new name",
        lambda w: profile_services.profile_update(
            actor=w.carol, profile=w.carol.profile, display_name="Carol Renamed"
        ),
        lambda w, c: (
            [v["display_name"] for v in c["poll"]["options"][0]["voters"]] == ["Carol Renamed"]
        ),
        prepare=_vote,
    ),
    Change(
        "attachment removed by a moderator",
        lambda w: services.attachment_moderate(
            moderator=w.moderator, token=w.picture.token, reason="Not for work", status=w.fresh()
        ),
        lambda w, c: c["attachments"] == [],
    ),
    Change(
        "attachment described anew",
        lambda w: attachment_services.upload_update(
            user=w.ada,
            attachment=Attachment.objects.get(pk=w.picture.pk),
            alt="A brass difference engine",
        ),
        lambda w, c: c["attachments"][0]["alt"] == "A brass difference engine",
        page_text="A brass difference engine",
    ),
    Change(
        "pinned in its community",
        lambda w: services.status_announce(actor=w.ada, status=w.fresh(), pinned=True),
        lambda w, c: c["pinned_in_community"] is True,
    ),
    Change(
        "author's name (profile)",
        lambda w: profile_services.profile_update(
            actor=w.ada, profile=w.ada.profile, display_name="Ada King"
        ),
        lambda w, c: c["author"]["display_name"] == "Ada King",
        page_text="Ada King",
    ),
    Change(
        "author's title (profile)",
        lambda w: profile_services.profile_update(
            actor=w.ada, profile=w.ada.profile, title="Countess of Lovelace"
        ),
        lambda w, c: c["author"]["title"] == "Countess of Lovelace",
        page_text="Countess of Lovelace",
    ),
    Change(
        "author's picture (profile)",
        _avatar,
        lambda w, c: (
            c["author"]["avatar_url"] == Profile.objects.get(user=w.ada).avatar_url
            and "?v=" in c["author"]["avatar_url"]  # an uploaded picture, not initials
        ),
    ),
    Change(
        "author's department (admin service)",
        lambda w: profile_services.profile_assign(
            profile=w.ada.profile,
            department=DepartmentFactory(name="Research", slug="research"),
            manager=None,
            actor=w.admin,
        ),
        lambda w, c: c["author"]["department"]["name"] == "Research",
    ),
    Change(
        "author's department renamed (admin)",
        _department_rename,
        lambda w, c: c["author"]["department"]["name"] == "Difference Engines",
    ),
    Change(
        "author's name (directory, SCIM)",
        lambda w: _scim_patch(w, {"op": "Replace", "path": "displayName", "value": "Ada Byron"}),
        lambda w, c: c["author"]["display_name"] == "Ada Byron",
        page_text="Ada Byron",
    ),
    Change(
        "author's title (directory, SCIM)",
        lambda w: _scim_patch(w, {"op": "Replace", "path": "title", "value": "Analyst"}),
        lambda w, c: c["author"]["title"] == "Analyst",
        page_text="Analyst",
    ),
    Change(
        "author's department (directory, SCIM)",
        lambda w: _scim_patch(
            w, {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Mathematics"}
        ),
        lambda w, c: c["author"]["department"]["name"] == "Mathematics",
    ),
    Change(
        "community renamed",
        lambda w: community_services.community_update(
            actor=w.ada, community=w.club, name="Engine Society"
        ),
        lambda w, c: c["community"]["name"] == "Engine Society",
        page_text="Engine Society",
    ),
]


@pytest.mark.parametrize("read", list(API_READS), ids=list(API_READS))
@pytest.mark.parametrize("change", CHANGES, ids=[c.name for c in CHANGES])
def test_an_api_read_after_a_change_shows_it(world, change, read):
    read_card = API_READS[read]
    if change.prepare:
        change.prepare(world)
    # Cached by the reader, and by someone else on every other path.
    card = read_card(world.alice, world.status.pk)
    assert card is not None
    assert not change.shown(world, card), "the change is shown before it is made"
    for other in API_READS.values():
        other(world.alice, world.status.pk)
    assert sum(1 for key in _card_keys() if key.startswith(f"card:{status_cache.SCHEMA}:")) >= 1
    change.apply(world)
    card = read_card(world.alice, world.status.pk)
    assert card is not None
    assert change.shown(world, card), card
    # The same card when read again (now from the cache).
    assert read_card(world.alice, world.status.pk) == card


PAGE_CHANGES = [c for c in CHANGES if c.page_text]


@pytest.mark.parametrize("change", PAGE_CHANGES, ids=[c.name for c in PAGE_CHANGES])
def test_the_html_page_after_a_change_shows_it(world, change):
    if change.prepare:
        change.prepare(world)
    read_home(world.alice, world.status.pk)  # the API cached the card
    assert change.page_text not in read_page(world.alice, world.status.pk)
    change.apply(world)
    assert change.page_text in read_page(world.alice, world.status.pk)


def _card_keys() -> list[str]:
    """The card keys in the cache (locmem in tests; on Redis, this worker's prefix)."""
    if settings.REDIS_URL:
        client = cache._cache.get_client(write=False)
        prefix = f"{settings.REDIS_PREFIX}:1:"
        return [
            key.decode().removeprefix(prefix)
            for key in client.scan_iter(match=f"{prefix}card:*", count=1000)
        ]
    return [key.split(":", 2)[2] for key in cache._cache if ":card:" in key]


# --- Audiences: a cached card never reaches who may not read the status ----------------------

AUDIENCE_READS = {**API_READS, "search": read_search}


def _private_from_the_start(w: World):
    community_services.community_update(actor=w.ada, community=w.club, visibility="private")
    return w.alice, w.carol  # a member warms, a non-member reads


def _made_private_after(w: World):
    # carol, no member but following its author, reads it while open; then it is made private.
    profile_services.follow_create(follower=w.carol, followee=w.ada)
    return w.carol, w.carol


def _left(w: World):
    return w.alice, w.alice  # alice reads it as a member; then she leaves


def _department_only(w: World):
    dana = UserFactory(
        username="dana", finish__department=Profile.objects.get(user=w.ada).department
    )
    status = services.status_create(
        author=w.ada, body="Only the engine department", visibility=Visibility.DEPARTMENT
    )
    w.status = status
    return dana, w.alice


AUDIENCES = {
    "private community, non-member": (_private_from_the_start, None),
    "community made private after a non-member read it": (
        _made_private_after,
        lambda w: community_services.community_update(
            actor=w.ada, community=w.club, visibility="private"
        ),
    ),
    "member who left a private community": (
        _left,
        lambda w: (
            community_services.community_update(
                actor=w.ada, community=w.club, visibility="private"
            ),
            community_services.membership_leave(actor=w.alice, community=w.club),
        ),
    ),
    "department-only post, other department": (_department_only, None),
}


@pytest.mark.parametrize("read", list(AUDIENCE_READS), ids=list(AUDIENCE_READS))
@pytest.mark.parametrize("audience", list(AUDIENCES), ids=list(AUDIENCES))
def test_a_cached_card_never_reaches_who_may_not_read_it(world, audience, read):
    setup, after = AUDIENCES[audience]
    warmer, reader = setup(world)
    read_card = AUDIENCE_READS[read]
    if read == "community feed" and world.status.community_id is None:
        pytest.skip("not a community post")
    # Someone who may read it puts its card in the cache on every path.
    for path in AUDIENCE_READS.values():
        if path is not read_community or world.status.community_id:
            path(warmer, world.status.pk)
    assert read_card(warmer, world.status.pk) is not None
    if after is not None:
        after(world)
    assert read_card(reader, world.status.pk) is None


@pytest.mark.parametrize("read", list(AUDIENCE_READS), ids=list(AUDIENCE_READS))
def test_a_removed_status_serves_no_words_to_anyone_after_its_card_was_cached(world, read):
    read_card = AUDIENCE_READS[read]
    assert ORIGINAL in read_card(world.alice, world.status.pk)["body_html"]
    _hide(world)
    for viewer in (world.alice, world.carol, world.ada, world.moderator):
        card = read_card(viewer, world.status.pk)
        if card is None:
            # Search leaves removed statuses out; only alice (a member) has it in her feed.
            assert read == "search" or (read == "home feed" and viewer != world.alice)
            continue
        assert card["body"] == card["body_html"] == "" and card["is_removed"]
        assert card["poll"] is None and card["attachments"] == [] and card["mentions"] == []


# --- Viewer's own parts and cost -----------------------------------------------------------


def test_viewer_parts_are_each_viewers_own(world):
    services.reaction_add(user=world.alice, status=world.fresh(), kind="like")
    polls.poll_vote(user=world.alice, status=world.fresh(), option_ids=[_option(world, 1)])
    for _ in range(2):  # cold, then cached
        mine = read_home(world.alice, world.status.pk)
        theirs = read_detail(world.carol, world.status.pk)
        assert mine["my_reactions"] == ["like"] and theirs["my_reactions"] == []
        assert mine["poll"]["has_voted"] and mine["poll"]["my_choices"] == [_option(world, 1)]
        assert not theirs["poll"]["has_voted"] and theirs["poll"]["my_choices"] == []
        assert mine["reaction_counts"] == theirs["reaction_counts"]


def test_a_poll_closes_on_a_cached_card(world, monkeypatch):
    card = read_detail(world.alice, world.status.pk)
    assert card["poll"]["is_closed"] is False
    later = world.fresh().poll.ends_at + timedelta(seconds=1)
    monkeypatch.setattr(status_cache.timezone, "now", lambda: later)
    assert read_detail(world.alice, world.status.pk)["poll"]["is_closed"] is True


def test_the_cached_card_equals_the_serialiser_of_before(world):
    """What the cache serves is what StatusSerializer with `decorate` answered before it."""
    services.reaction_add(user=world.alice, status=world.fresh(), kind="like")
    services.comment_create(author=world.carol, status=world.fresh(), body="Hello @alice #steam")
    for _ in range(2):
        card = read_detail(world.alice, world.status.pk)
        status = selectors.status_get_for_user(user=world.alice, status_id=world.status.pk)
        selectors.decorate([status], user=world.alice)
        assert card == dict(StatusSerializer(status).data)
        assert list(card) == list(StatusSerializer(status).data)


def test_a_warm_feed_page_of_20_costs_a_small_constant_number_of_queries(world):
    for n in range(25):
        services.status_create(
            author=world.ada,
            body=f"Engine note {n} #steam @alice",
            community=world.club if n % 2 else None,
            poll={"options": ["Yes", "No"]} if n % 5 == 0 else None,
        )
    profile_services.follow_create(follower=world.alice, followee=world.ada)
    client = client_for(world.alice)
    counts = {}
    for size in (5, 20):
        client.get(f"/api/v1/feed/?page_size={size}")  # the cards are cached
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/v1/feed/?page_size={size}")
        assert len(response.json()["results"]) == size
        counts[size] = len(ctx.captured_queries)
    # The user (the session is cached); the viewer's department, follows and communities
    # (one query); the pinned announcements, the page's rows and the viewer's reactions (one
    # statement); the viewer's poll ballots and choices (the page has polls).
    assert counts[5] == counts[20] <= 5, counts
