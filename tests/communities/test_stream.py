"""Issue 16, point 4 on the live stream: a community's posts reach exactly the people whose feed
shows them, decided when each event is sent from the community as it is then; a removed
member's open socket hears nothing more of it, without reconnecting; mentions and
notifications follow who may read the status now."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from rest_framework.test import APIClient

from communities import services as community_services
from communities.models import Community, Membership
from feeds import services
from profiles.services import follow_create
from tests.factories import UserFactory
from tests.feeds.test_stream import connect, events_of, types, watch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

post = database_sync_to_async(services.status_create)
comment = database_sync_to_async(services.comment_create)
react = database_sync_to_async(services.reaction_add)
update = database_sync_to_async(community_services.community_update)
remove = database_sync_to_async(community_services.member_remove)
join = database_sync_to_async(community_services.membership_join)
approve = database_sync_to_async(community_services.member_put)


@pytest.fixture
def people(engineering, sales):
    """alice owns the community and bob is in it; carol follows alice from outside it; erin is
    invited and frank asked to join (neither is a member yet); dave has nothing to do with it."""
    names = {
        "alice": engineering,
        "bob": sales,
        "carol": engineering,
        "dave": sales,
        "erin": engineering,
        "frank": sales,
    }
    users = {name: UserFactory(username=name, finish__department=d) for name, d in names.items()}
    follow_create(follower=users["carol"], followee=users["alice"])
    follow_create(follower=users["bob"], followee=users["alice"])
    return users


def make_community(people, *, visibility: str, join_policy: str = "request") -> Community:
    community = community_services.community_create(
        actor=people["alice"],
        name="Launch",
        slug="launch",
        visibility=visibility,
        join_policy=join_policy,
    )
    for name, state in (("bob", "active"), ("erin", "invited"), ("frank", "requested")):
        Membership.objects.create(community=community, user=people[name], state=state)
    return community


community_of = database_sync_to_async(make_community)


async def sockets_for(people, names=None, *, watching=()) -> dict:
    """Sockets for `names` (everyone by default), each with `watching` on screen."""
    sockets = {name: (await connect(people[name]))[0] for name in names or people}
    if watching:
        for socket in sockets.values():
            assert await watch(socket, list(watching)) == []
    return sockets


async def received(sockets) -> dict[str, list[dict]]:
    # All sockets listened to at once: one quiet wait, not one per socket.
    got = await asyncio.gather(*(events_of(s) for s in sockets.values()))
    return dict(zip(sockets, got, strict=True))


def status_ids(events: list[dict]) -> list[int]:
    return [e["status"]["id"] for e in events if e["type"] == "status.created"]


async def close(sockets) -> None:
    for s in sockets.values():
        await s.disconnect()


# --- who hears a community's post -------------------------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "hearers"),
    [
        ("open", {"alice", "bob", "carol"}),  # members and the author's followers
        ("private", {"alice", "bob"}),  # members only: carol follows alice, outside it
        ("secret", {"alice", "bob"}),
    ],
)
async def test_a_community_post_reaches_exactly_whose_feed_shows_it(people, visibility, hearers):
    community = await community_of(people, visibility=visibility)
    sockets = await sockets_for(people)
    status = await post(author=people["alice"], body="Launch plan", community=community)
    got = await received(sockets)
    assert {name for name, events in got.items() if status_ids(events) == [status.pk]} == hearers
    assert all(events == [] for name, events in got.items() if name not in hearers)
    await close(sockets)


async def test_comments_and_reactions_on_a_private_community_status_reach_only_members(people):
    community = await community_of(people, visibility="private")
    status = await post(author=people["alice"], body="Budget", community=community)
    # Everyone has it on screen (they guessed its id): only members hear its counts.
    sockets = await sockets_for(people, watching=[status.pk])
    await comment(author=people["bob"], status=status, body="Looks right")
    await react(user=people["bob"], status=status, kind="like")
    got = await received(sockets)
    for member in ("alice", "bob"):
        assert {"comment.created", "reaction.changed"} <= set(types(got[member])), member
    for outsider in ("carol", "dave", "erin", "frank"):
        assert got[outsider] == [], outsider
    await close(sockets)


# --- changes take effect on the next event -----------------------------------------------------


async def test_making_an_open_community_private_stops_non_member_followers_on_its_next_post(
    people,
):
    community = await community_of(people, visibility="open")
    sockets = await sockets_for(people, ["bob", "carol"])
    first = await post(author=people["alice"], body="Open to all", community=community)
    got = await received(sockets)
    assert status_ids(got["carol"]) == [first.pk] and status_ids(got["bob"]) == [first.pk]
    for socket in sockets.values():  # both have it on screen
        assert await watch(socket, [first.pk]) == []
    await react(user=people["alice"], status=first, kind="like")
    got = await received(sockets)
    assert types(got["carol"]) == ["reaction.changed"] == types(got["bob"])
    await update(actor=people["alice"], community=community, visibility="private")
    second = await post(author=people["alice"], body="Members only now", community=community)
    got = await received(sockets)
    assert got["carol"] == []
    assert status_ids(got["bob"]) == [second.pk]
    # Comments on the first post, now private, no longer reach carol either.
    await comment(author=people["bob"], status=first, body="Moved inside")
    got = await received(sockets)
    assert got["carol"] == [] and "comment.created" in types(got["bob"])
    await close(sockets)


async def test_a_removed_member_hears_nothing_more_of_the_community_without_reconnecting(people):
    community = await community_of(people, visibility="private")
    bob = people["bob"]
    own = await post(author=bob, body="Bob for the company")
    socket = (await connect(bob))[0]
    before = await post(author=people["alice"], body="Before", community=community)
    assert status_ids(await events_of(socket)) == [before.pk]
    assert await watch(socket, [before.pk]) == []  # on his screen, and stays there

    await remove(actor=people["alice"], community=community, username="bob")
    assert await events_of(socket) == [
        {
            "type": "community.membership",
            "community": {"id": community.pk, "slug": "launch", "name": "Launch"},
            "state": None,
            "role": None,
        }
    ]
    after = await post(author=people["alice"], body="After", community=community)
    await comment(author=people["alice"], status=before, body="Still talking")
    await react(user=people["alice"], status=before, kind="like")
    assert await events_of(socket) == []
    # The socket is alive and still hears what he may read.
    company = await post(author=people["alice"], body="For everyone")
    assert status_ids(await events_of(socket)) == [company.pk]
    # Resuming returns what he may read and missed: none of the community's posts, on this
    # socket (where "after" was never delivered) or on a new one (which saw nothing).
    await socket.send_json_to({"type": "resume", "after": 0})
    got = await events_of(socket)
    assert status_ids(got) == [own.pk]  # neither `before` nor `after`
    assert after.pk not in status_ids(got)
    assert got[-1] == {"type": "resume.done", "count": 1, "truncated": False}
    await socket.disconnect()
    fresh = (await connect(bob))[0]
    await fresh.send_json_to({"type": "resume", "after": 0})
    assert status_ids(await events_of(fresh)) == [own.pk, company.pk]
    await fresh.disconnect()


async def test_joining_and_being_approved_start_delivery_without_reconnecting(people):
    community = await community_of(people, visibility="private", join_policy="open")
    newcomers = ["dave", "erin", "frank"]
    sockets = await sockets_for(people, [*newcomers, "carol"])
    await post(author=people["alice"], body="Not yet", community=community)
    assert all(events == [] for events in (await received(sockets)).values())

    # dave joins, erin accepts her invitation, frank's request is approved.
    await join(actor=people["dave"], community=community)
    await join(actor=people["erin"], community=community)
    await approve(actor=people["alice"], community=community, username="frank", state="active")
    got = await received(sockets)
    for name in newcomers:
        assert [e["state"] for e in got[name] if e["type"] == "community.membership"] == [
            "active"
        ], name
    assert got["carol"] == []  # follows alice, still outside
    status = await post(author=people["alice"], body="Welcome", community=community)
    got = await received(sockets)
    for name in newcomers:
        assert status_ids(got[name]) == [status.pk], name
    assert got["carol"] == []
    await close(sockets)


# --- mentions and notifications --------------------------------------------------------------


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@database_sync_to_async
def notifications_of(user) -> list[dict]:
    return api_for(user).get("/api/v1/notifications/").json()["results"]


@database_sync_to_async
def notifications_page(user) -> str:
    response = api_for(user).get("/notifications/")
    assert response.status_code == 200
    return response.content.decode()


async def test_a_mention_of_someone_who_cannot_read_a_private_post_notifies_nobody_of_it(people):
    community = await community_of(people, visibility="private")
    sockets = await sockets_for(people, ["bob", "dave"])
    status = await post(
        author=people["alice"], body="Thanks @bob and @dave: zeppelin", community=community
    )
    got = await received(sockets)
    notes = [e["notification"] for e in got["bob"] if e["type"] == "notification.created"]
    assert [(n["kind"], n["status_id"]) for n in notes] == [("mention", status.pk)]
    assert got["dave"] == []
    assert await notifications_of(people["dave"]) == []
    assert "zeppelin" not in await notifications_page(people["dave"])
    await close(sockets)


async def test_a_notification_about_a_post_whose_community_became_private_loses_its_content(
    people,
):
    community = await community_of(people, visibility="open")
    status = await post(
        author=people["alice"], body="Kudos @bob and @dave: launchday", community=community
    )
    for name in ("bob", "dave"):
        [note] = await notifications_of(people[name])
        assert (note["kind"], note["status_id"]) == ("mention", status.pk)
        assert "launchday" in await notifications_page(people[name])

    await update(actor=people["alice"], community=community, visibility="private")
    [hidden] = await notifications_of(people["dave"])
    assert hidden["status_id"] is None
    assert str(status.pk) not in hidden["url"]
    page = await notifications_page(people["dave"])
    assert "launchday" not in page and f"/statuses/{status.pk}/" not in page
    # A member still sees it whole.
    [kept] = await notifications_of(people["bob"])
    assert kept["status_id"] == status.pk and kept["url"] == f"/statuses/{status.pk}/"
    assert "launchday" in await notifications_page(people["bob"])


async def test_comments_and_reactions_do_not_notify_an_author_removed_from_a_private_community(
    people,
):
    community = await community_of(people, visibility="private")
    status = await post(author=people["bob"], body="My plan", community=community)
    await remove(actor=people["alice"], community=community, username="bob")
    socket = (await connect(people["bob"]))[0]
    assert await watch(socket, [status.pk]) == []  # his own post, on his screen
    await comment(author=people["alice"], status=status, body="Carrying on without you")
    await react(user=people["alice"], status=status, kind="like")
    assert await events_of(socket) == []
    assert await notifications_of(people["bob"]) == []
    await socket.disconnect()
