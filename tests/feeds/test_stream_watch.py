"""Issue 21, point 2: live counts only to those who look.

A socket says which statuses are on its page (`{"type": "watch", "status_ids": [...]}`, replacing
its previous set, at most 200). `comment.created`, `reaction.changed` and `poll.changed` reach the
status's author, the people in its thread (mentioned in it or in one of its comments) and the
sockets watching it, and only those of them who may read the status when the event is sent.
"""

import asyncio
import json
from dataclasses import asdict

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities import services as community_services
from core.realtime import Audience, encode
from core.streaming import WATCH_LIMIT, Hub, hub
from feeds import audiences, polls, services
from feeds.consumers import MAX_FRAME
from tests.factories import UserFactory
from tests.feeds.test_stream import connect, events_of, watch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

COUNTS = ("comment.created", "reaction.changed", "poll.changed")

post = database_sync_to_async(services.status_create)
comment = database_sync_to_async(services.comment_create)
react = database_sync_to_async(services.reaction_add)
unreact = database_sync_to_async(services.reaction_remove)
vote = database_sync_to_async(polls.poll_vote)
update_community = database_sync_to_async(community_services.community_update)


@pytest.fixture
def people(engineering, sales):
    """alice and carol in engineering, bob, dave and erin in sales; nobody follows anybody."""
    names = {"alice": engineering, "bob": sales, "carol": engineering, "dave": sales}
    names["erin"] = sales
    return {name: UserFactory(username=name, finish__department=d) for name, d in names.items()}


async def sockets_for(people, names=None) -> dict:
    return {name: (await connect(people[name]))[0] for name in names or people}


async def received(sockets) -> dict[str, list[dict]]:
    got = await asyncio.gather(*(events_of(s) for s in sockets.values()))
    return dict(zip(sockets, got, strict=True))


def counts(events: list[dict]) -> list[tuple[str, int]]:
    """The count events among `events` (notifications and the rest left out), with their
    status."""
    return [(e["type"], e["status_id"]) for e in events if e["type"] in COUNTS]


async def close(sockets) -> None:
    for s in sockets.values():
        await s.disconnect()


@database_sync_to_async
def option_ids(status) -> list[int]:
    return list(status.poll.options.order_by("position").values_list("pk", flat=True))


def my_subscriber(user):
    [sub] = hub.by_user[user.pk]
    return sub


# --- watchers -----------------------------------------------------------------------------------


async def test_a_watcher_gets_the_reaction_comment_and_poll_counts_of_what_it_watches(people):
    status = await post(
        author=people["bob"], body="Where to?", poll={"options": ["Lisbon", "Porto"]}
    )
    other = await post(author=people["bob"], body="Something else")
    sockets = await sockets_for(people, ["carol", "dave", "erin"])
    assert await watch(sockets["carol"], [status.pk]) == []
    assert await watch(sockets["dave"], [other.pk]) == []  # watches another status
    # erin watches nothing: she is neither the author nor in the thread.
    await react(user=people["erin"], status=status, kind="like")
    await comment(author=people["erin"], status=status, body="Lisbon!")
    await vote(user=people["erin"], status=status, option_ids=(await option_ids(status))[:1])
    got = await received(sockets)
    assert counts(got["carol"]) == [
        ("reaction.changed", status.pk),
        ("comment.created", status.pk),
        ("poll.changed", status.pk),
    ]
    reaction = next(e for e in got["carol"] if e["type"] == "reaction.changed")
    assert reaction["reaction_counts"]["like"] == 1
    assert got["dave"] == []
    assert got["erin"] == []  # the person acting, not looking: her page answered her request
    await close(sockets)


async def test_the_author_and_the_thread_get_counts_without_watching(people):
    """The thread is whom the notifications code tells about the status: people mentioned in
    it or in one of its comments. A commenter or a reactor is not in it."""
    status = await post(author=people["bob"], body="Thanks @alice for the launch")
    await comment(author=people["dave"], status=status, body="And @carol did the docs")
    sockets = await sockets_for(people)
    await react(user=people["erin"], status=status, kind="celebrate")
    got = await received(sockets)
    for name in ("bob", "alice", "carol"):  # author, mentioned in it, mentioned in a comment
        assert counts(got[name]) == [("reaction.changed", status.pk)], name
    assert counts(got["dave"]) == []  # commented, mentioned nobody: not in the thread
    assert got["erin"] == []
    # A new comment mentioning erin brings her into the thread from that event on.
    await comment(author=people["dave"], status=status, body="@erin see above")
    got = await received(sockets)
    for name in ("bob", "alice", "carol", "erin"):
        assert counts(got[name]) == [("comment.created", status.pk)], name
    assert got["dave"] == []
    await close(sockets)


async def test_the_thread_is_one_query_and_bounded(people, monkeypatch):
    monkeypatch.setattr(audiences, "THREAD_COMMENTS", 3)

    @database_sync_to_async
    def scenario():
        extra = {f"p{i}": UserFactory(username=f"p{i}").pk for i in range(5)}
        status = services.status_create(author=people["bob"], body="Hi @alice and @p0")
        services.comment_create(author=people["dave"], status=status, body="old @p1")
        for i in (2, 3, 4):
            services.comment_create(author=people["dave"], status=status, body=f"new @p{i} @p0")
        with CaptureQueriesContext(connection) as ctx:
            ids = audiences.thread_user_ids(status)
        monkeypatch.setattr(audiences, "THREAD_LIMIT", 4)
        return ids, audiences.thread_user_ids(status), extra, len(ctx.captured_queries)

    ids, bounded, named, queries = await scenario()
    assert queries == 1
    # Mentioned in the status, or in its latest 3 comments (p1's comment is older), once each.
    wanted = {people["alice"].pk, named["p0"], named["p2"], named["p3"], named["p4"]}
    assert sorted(ids) == sorted(wanted)
    assert len(bounded) == 4 and set(bounded) < wanted


# --- what a socket may read decides ----------------------------------------------------------


async def test_watching_or_being_mentioned_in_an_unreadable_status_delivers_nothing(people):
    # A sales department post: alice and carol (engineering) cannot read it.
    status = await post(author=people["bob"], body="Quota news for @alice", visibility="department")
    sockets = await sockets_for(people, ["alice", "carol", "dave", "bob"])
    for name in ("carol", "dave"):
        assert await watch(sockets[name], [status.pk]) == []
    await react(user=people["erin"], status=status, kind="like")
    await comment(author=people["erin"], status=status, body="Agreed")
    got = await received(sockets)
    assert got["alice"] == []  # mentioned, but outside the department
    assert got["carol"] == []  # watching an id she cannot read
    assert counts(got["dave"]) == [
        ("reaction.changed", status.pk),
        ("comment.created", status.pk),
    ]
    assert [t for t, _ in counts(got["bob"])] == ["reaction.changed", "comment.created"]
    await close(sockets)


async def test_a_watcher_who_may_no_longer_read_stops_hearing_at_once(people):
    """A community made private: its counts stop reaching a watching non-member on the next
    event (visibility is checked when each event is sent), and keep reaching a member."""
    alice, bob = people["alice"], people["bob"]

    @database_sync_to_async
    def open_community():
        community = community_services.community_create(
            actor=alice, name="Launch", slug="launch", visibility="open", join_policy="open"
        )
        community_services.membership_join(actor=bob, community=community)
        return community

    community = await open_community()
    status = await post(author=alice, body="Launch plan", community=community)
    sockets = await sockets_for(people, ["bob", "carol"])
    for socket in sockets.values():
        assert await watch(socket, [status.pk]) == []
    await react(user=people["dave"], status=status, kind="like")
    got = await received(sockets)
    assert counts(got["carol"]) == [("reaction.changed", status.pk)] == counts(got["bob"])

    await update_community(actor=alice, community=community, visibility="private")
    await unreact(user=people["dave"], status=status, kind="like")
    await comment(author=bob, status=status, body="Members only now")
    got = await received(sockets)
    assert got["carol"] == []
    assert counts(got["bob"]) == [
        ("reaction.changed", status.pk),
        ("comment.created", status.pk),
    ]
    await close(sockets)


# --- the watch frame ---------------------------------------------------------------------------


async def test_a_new_watch_replaces_the_previous_set(people):
    first = await post(author=people["bob"], body="First")
    second = await post(author=people["bob"], body="Second")
    socket = (await connect(people["carol"]))[0]
    assert await watch(socket, [first.pk]) == []
    assert await watch(socket, [second.pk]) == []
    await react(user=people["dave"], status=first, kind="like")
    await react(user=people["dave"], status=second, kind="like")
    assert counts(await events_of(socket)) == [("reaction.changed", second.pk)]
    assert await watch(socket, []) == []  # nothing on screen any more
    await react(user=people["dave"], status=second, kind="insightful")
    assert await events_of(socket) == []
    assert second.pk not in hub.by_status and first.pk not in hub.by_status
    await socket.disconnect()


async def test_more_than_200_ids_keeps_the_first_200_and_says_so(people):
    kept = await post(author=people["bob"], body="Near the top")
    dropped = await post(author=people["bob"], body="Far down")
    socket = (await connect(people["carol"]))[0]
    filler = [10**6 + i for i in range(WATCH_LIMIT + 50)]
    ids = [kept.pk, *filler[: WATCH_LIMIT - 1], dropped.pk, *filler[WATCH_LIMIT - 1 :]]
    [error] = await watch(socket, ids)
    assert error["type"] == "error" and error["code"] == "watch_truncated"
    assert "200" in error["detail"]
    assert len(hub.watched[my_subscriber(people["carol"])]) == WATCH_LIMIT
    await react(user=people["dave"], status=kept, kind="like")
    await react(user=people["dave"], status=dropped, kind="like")
    assert counts(await events_of(socket)) == [("reaction.changed", kept.pk)]
    # Repeated ids count once: 200 distinct ids sent twice over are no error.
    assert await watch(socket, [*filler[:WATCH_LIMIT], *filler[:WATCH_LIMIT]]) == []
    await socket.disconnect()


@pytest.mark.parametrize(
    "status_ids",
    [None, "1,2", 5, {"1": 2}, ["1"], [1.5], [True], [0], [-3], [[1]], [2**63]],
    ids=repr,
)
async def test_a_bad_watch_is_an_error_and_keeps_the_previous_set(people, status_ids):
    status = await post(author=people["bob"], body="Watched")
    socket = (await connect(people["carol"]))[0]
    assert await watch(socket, [status.pk]) == []
    frame = {"type": "watch"} if status_ids is None else {"type": "watch", "status_ids": status_ids}
    await socket.send_json_to(frame)
    [error] = await events_of(socket)
    assert error["type"] == "error" and error["code"] == "bad_watch"
    assert "status_ids" in error["detail"]
    await react(user=people["dave"], status=status, kind="like")
    assert counts(await events_of(socket)) == [("reaction.changed", status.pk)]
    await socket.disconnect()


async def test_each_socket_has_its_own_set_and_leaves_none_behind(people):
    status = await post(author=people["bob"], body="Two tabs")
    watching = (await connect(people["carol"]))[0]
    other_tab = (await connect(people["carol"]))[0]
    assert await watch(watching, [status.pk]) == []
    await react(user=people["dave"], status=status, kind="like")
    assert counts(await events_of(watching)) == [("reaction.changed", status.pk)]
    assert await events_of(other_tab) == []
    await watching.disconnect()
    await other_tab.disconnect()
    assert status.pk not in hub.by_status
    assert not any(sub.user_id == people["carol"].pk for sub in hub.watched)


async def test_a_reconnected_socket_watches_nothing_until_told_and_resume_keeps_the_set(people):
    carol = people["carol"]
    status = await post(author=people["bob"], body="Before the drop")
    socket = (await connect(carol))[0]
    assert await watch(socket, [status.pk]) == []
    await socket.disconnect()
    # The page reconnects: a new socket knows nothing of the old one's set.
    socket = (await connect(carol))[0]
    await react(user=people["dave"], status=status, kind="like")
    assert await events_of(socket) == []
    # stream.js sends its watch on open, then resumes; resuming keeps the set.
    assert await watch(socket, [status.pk]) == []
    await socket.send_json_to({"type": "resume", "after": status.pk})
    assert (await events_of(socket))[-1]["type"] == "resume.done"
    await react(user=people["dave"], status=status, kind="insightful")
    assert counts(await events_of(socket)) == [("reaction.changed", status.pk)]
    await socket.disconnect()


# --- the cost does not grow with the sockets ----------------------------------------------------


class Idle:
    """A registered socket that counts how often the hub looks at it."""

    looked_at = 0

    def __init__(self, user_id: int, department_id: int) -> None:
        self.user_id = user_id
        self._department_id = department_id
        self.followees: set[int] = set()
        self.communities: set[int] = set()
        self.session_key = None
        self.got: list[str] = []

    @property
    def department_id(self) -> int:
        Idle.looked_at += 1
        return self._department_id

    async def deliver(self, event: dict, text: str) -> None:
        self.got.append(event["type"])

    async def close_stream(self, code: int) -> None:
        pass


async def test_routing_a_count_looks_only_at_its_recipients_whatever_the_sockets():
    """A department status's reaction with 3,000 idle sockets in the process: the hub reads the
    department of the candidates only (author, thread, watchers), not of every socket."""
    local = Hub()
    idle = [Idle(user_id=1000 + i, department_id=i % 7) for i in range(3000)]
    for sub in idle:
        local.add(sub)
    watcher, outsider = idle[3], idle[4]  # department 3, department 4
    local.watch(watcher, [42])
    local.watch(outsider, [42])
    audience = Audience(
        user_ids=(idle[10].user_id, idle[11].user_id),
        watchers_of=42,
        readers=Audience(user_ids=(idle[10].user_id,), department_id=3),
    )
    Idle.looked_at = 0
    event = {"type": "reaction.changed", "status_id": 42}
    await local.dispatch(encode({"audience": asdict(audience), "event": event}))
    assert Idle.looked_at <= 4  # the four candidates, at most once each
    assert watcher.got == ["reaction.changed"] and outsider.got == []
    assert idle[10].got == ["reaction.changed"]  # the author (department 3 too)
    assert idle[11].got == []  # department 4: in the thread but not a reader
    assert sum(len(s.got) for s in idle) == 2
    for sub in idle:
        local.remove(sub)
    assert not local.by_status and not local.watched and not local.by_user


# --- what is published ---------------------------------------------------------------------


async def test_count_events_carry_author_thread_watchers_and_readers(people, monkeypatch):
    sent = []
    monkeypatch.setattr("core.realtime.publish_many", sent.extend)
    status = await post(author=people["bob"], body="Team only, cc @dave", visibility="department")
    sent.clear()
    await react(user=people["erin"], status=status, kind="like")  # published on commit
    [message] = [m for m in sent if m["event"]["type"] == "reaction.changed"]
    audience = message["audience"]
    assert audience["user_ids"] == (people["bob"].pk, people["dave"].pk)
    assert audience["watchers_of"] == status.pk
    assert not audience["everyone"] and audience["department_id"] is None
    assert audience["readers"]["department_id"] == status.department_id
    assert audience["readers"]["user_ids"] == (people["bob"].pk,)


async def test_a_full_watch_fits_in_a_frame():
    """200 ids of 12 digits (a trillion statuses) stay under the 4 KB frame limit."""
    frame = json.dumps({"type": "watch", "status_ids": [10**12 - 1 - i for i in range(200)]})
    assert len(frame.encode()) < MAX_FRAME
