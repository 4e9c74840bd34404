"""The live stream: who may connect, who hears what, resume without gaps or duplicates."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore

from enterprise_social.asgi import application
from feeds import services
from profiles.models import User
from profiles.services import follow_create, follow_delete
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://testserver")
QUIET = 0.3  # how long we wait to be sure an event is NOT coming


@database_sync_to_async
def session_cookie(user: User) -> bytes:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}".encode()


async def connect(user: User | None, origin=ORIGIN):
    headers = [origin] if origin else []
    if user is not None:
        headers.append((b"cookie", await session_cookie(user)))
    communicator = WebsocketCommunicator(application, "/ws/stream/", headers=headers)
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def events_of(communicator, wait: float = QUIET) -> list[dict]:
    # receive_nothing, unlike a timed-out receive, leaves the consumer running.
    out = []
    while not await communicator.receive_nothing(timeout=wait):
        out.append(json.loads(await communicator.receive_from()))
    return out


def types(events: list[dict]) -> list[str]:
    return [e["type"] for e in events]


async def watch(communicator, status_ids: list[int]) -> list[dict]:
    """Say which statuses are on screen; returns what came back before the pong (a ping after
    the watch frame proves the socket has applied it: a socket handles its frames in order)."""
    await communicator.send_json_to({"type": "watch", "status_ids": status_ids})
    await communicator.send_json_to({"type": "ping"})
    out = []
    while True:
        event = json.loads(await communicator.receive_from(timeout=5))
        if event == {"type": "pong"}:
            return out
        out.append(event)


post = database_sync_to_async(services.status_create)
comment = database_sync_to_async(services.comment_create)
react = database_sync_to_async(services.reaction_add)
follow = database_sync_to_async(follow_create)
unfollow = database_sync_to_async(follow_delete)


@pytest.fixture
def people(engineering, sales):
    alice = UserFactory(username="alice", finish__department=engineering)
    carol = UserFactory(username="carol", finish__department=engineering)
    bob = UserFactory(username="bob", finish__department=sales)
    dave = UserFactory(username="dave", finish__department=sales)
    follow_create(follower=carol, followee=bob)
    return {"alice": alice, "bob": bob, "carol": carol, "dave": dave}


# --- who may connect --------------------------------------------------------------------------


async def test_anonymous_is_refused_before_accept(people):
    communicator, connected, code = await connect(None)
    assert not connected


async def test_inactive_user_is_refused(people):
    alice = people["alice"]
    cookie_user = alice
    await database_sync_to_async(User.objects.filter(pk=alice.pk).update)(is_active=False)
    communicator, connected, _ = await connect(cookie_user)
    assert not connected


async def test_foreign_origin_is_refused(people):
    communicator, connected, _ = await connect(
        people["alice"], origin=(b"origin", b"http://evil.example")
    )
    assert not connected


async def test_employee_connects(people):
    communicator, connected, _ = await connect(people["alice"])
    assert connected
    await communicator.disconnect()


# --- exactly the right audience ---------------------------------------------------------------


async def test_company_status_reaches_author_and_followers_only(people):
    sockets = {name: (await connect(user))[0] for name, user in people.items()}
    status = await post(author=people["bob"], body="Deal closed", visibility="company")
    got = {name: await events_of(s) for name, s in sockets.items()}
    assert types(got["bob"]) == ["status.created"]
    assert types(got["carol"]) == ["status.created"]  # follows bob
    assert got["carol"][0]["status"]["id"] == status.pk
    assert got["carol"][0]["status"]["body"] == "Deal closed"
    assert got["alice"] == [] and got["dave"] == []
    for s in sockets.values():
        await s.disconnect()


async def test_department_status_reaches_its_department_only(people):
    sockets = {name: (await connect(user))[0] for name, user in people.items()}
    await post(author=people["bob"], body="Sales only", visibility="department")
    got = {name: await events_of(s) for name, s in sockets.items()}
    assert types(got["bob"]) == ["status.created"]
    assert types(got["dave"]) == ["status.created"]  # same department, not a follower
    assert got["carol"] == []  # follows bob but is in engineering
    assert got["alice"] == []
    for s in sockets.values():
        await s.disconnect()


async def test_comments_and_reactions_reach_watchers_who_can_read_the_status(people):
    # Everyone's page shows both (counts go only to those who look: tests/feeds/
    # test_stream_watch.py); a department status's counts still stay in its department.
    status = await post(author=people["bob"], body="Company news", visibility="company")
    private = await post(author=people["bob"], body="Sales news", visibility="department")
    sockets = {name: (await connect(user))[0] for name, user in people.items()}
    for s in sockets.values():
        assert await watch(s, [status.pk, private.pk]) == []
    await react(user=people["alice"], status=status, kind="like")
    await comment(author=people["dave"], status=private, body="Nice")
    got = {name: await events_of(s) for name, s in sockets.items()}
    assert "reaction.changed" in types(got["alice"])
    reaction = next(e for e in got["carol"] if e["type"] == "reaction.changed")
    assert reaction["reaction_counts"]["like"] == 1
    assert "comment.created" in types(got["bob"]) and "comment.created" in types(got["dave"])
    assert "comment.created" not in types(got["alice"]) + types(got["carol"])
    for s in sockets.values():
        await s.disconnect()


async def test_notifications_reach_only_their_recipient(people):
    sockets = {name: (await connect(user))[0] for name, user in people.items()}
    await post(author=people["bob"], body="Thanks @alice", visibility="company")
    got = {name: await events_of(s) for name, s in sockets.items()}
    notes = [e for e in got["alice"] if e["type"] == "notification.created"]
    assert len(notes) == 1 and notes[0]["notification"]["kind"] == "mention"
    assert "notification.created" not in types(got["bob"]) + types(got["carol"]) + types(
        got["dave"]
    )
    for s in sockets.values():
        await s.disconnect()


async def test_following_while_connected_changes_what_arrives(people):
    alice_socket, _, _ = await connect(people["alice"])
    await follow(follower=people["alice"], followee=people["dave"])
    await events_of(alice_socket)
    await post(author=people["dave"], body="Hello followers", visibility="company")
    assert types(await events_of(alice_socket)) == ["status.created"]
    await unfollow(follower=people["alice"], followee=people["dave"])
    await post(author=people["dave"], body="Hello again", visibility="company")
    assert await events_of(alice_socket) == []
    await alice_socket.disconnect()


async def test_announcement_reaches_everyone(people, ceo):
    status = await post(author=people["dave"], body="All hands", visibility="company")
    sockets = {name: (await connect(user))[0] for name, user in people.items()}
    await database_sync_to_async(services.status_announce)(actor=ceo, status=status, pinned=True)
    got = {name: await events_of(s) for name, s in sockets.items()}
    for name in people:
        assert "status.updated" in types(got[name]), name
    for s in sockets.values():
        await s.disconnect()


# --- resume -----------------------------------------------------------------------------------


async def test_resume_sends_missed_statuses_oldest_first_then_live_without_duplicates(people):
    carol, bob = people["carol"], people["bob"]
    seen = await post(author=bob, body="seen before the drop", visibility="company")
    missed = [await post(author=bob, body=f"missed {i}", visibility="company") for i in range(3)]
    await post(author=people["dave"], body="not for carol", visibility="company")
    socket, _, _ = await connect(carol)
    await socket.send_json_to({"type": "resume", "after": seen.pk})
    got = await events_of(socket)
    assert [e["status"]["id"] for e in got if e["type"] == "status.created"] == [
        s.pk for s in missed
    ]
    assert got[-1] == {"type": "resume.done", "count": 3, "truncated": False}
    live = await post(author=bob, body="live", visibility="company")
    got = await events_of(socket)
    assert [e["status"]["id"] for e in got if e["type"] == "status.created"] == [live.pk]
    # Resuming again from the start repeats nothing already delivered on this socket.
    await socket.send_json_to({"type": "resume", "after": seen.pk})
    again = await events_of(socket)
    assert again == [{"type": "resume.done", "count": 0, "truncated": False}]
    await socket.disconnect()


@pytest.mark.parametrize("after", ["12", -1, None, 1.5, True, [1]])
async def test_resume_with_a_bad_id_is_an_error_event(people, after):
    socket, _, _ = await connect(people["alice"])
    await socket.send_json_to({"type": "resume", "after": after})
    assert (await events_of(socket))[0]["code"] == "bad_resume"
    await socket.disconnect()


async def test_resume_from_the_future_sends_nothing(people):
    socket, _, _ = await connect(people["alice"])
    await socket.send_json_to({"type": "resume", "after": 10**9})
    assert await events_of(socket) == [{"type": "resume.done", "count": 0, "truncated": False}]
    await socket.disconnect()


# --- bad input --------------------------------------------------------------------------------


async def test_malformed_and_unknown_messages_get_error_events(people):
    socket, _, _ = await connect(people["alice"])
    await socket.send_to(text_data="{not json")
    await socket.send_to(text_data=json.dumps({"type": "subscribe_all"}))
    await socket.send_to(text_data=json.dumps([1, 2]))
    await socket.send_to(text_data=json.dumps({"type": "watch", "status_ids": "1,2"}))
    codes = [e["code"] for e in await events_of(socket)]
    assert codes == ["bad_json", "unknown_type", "unknown_type", "bad_watch"]
    await socket.send_json_to({"type": "ping"})
    assert await events_of(socket) == [{"type": "pong"}]
    await socket.disconnect()


async def test_oversized_frame_closes_the_socket(people):
    socket, _, _ = await connect(people["alice"])
    await socket.send_to(text_data="x" * 10_000)
    output = await socket.receive_output(timeout=2)
    assert output == {"type": "websocket.close", "code": 4009}


async def test_a_flood_closes_that_socket_and_spares_the_others(people):
    flooder, _, _ = await connect(people["alice"])
    bystander, _, _ = await connect(people["bob"])
    for _ in range(25):
        await flooder.send_json_to({"type": "ping"})
    outputs = []
    while not await flooder.receive_nothing(timeout=QUIET):
        outputs.append(await flooder.receive_output())
    assert {"type": "websocket.close", "code": 4008} in outputs
    await post(author=people["bob"], body="still here", visibility="company")
    assert types(await events_of(bystander)) == ["status.created"]
    await bystander.disconnect()


# --- sessions end, sockets end ----------------------------------------------------------------


async def test_deactivation_closes_open_sockets_within_seconds(people):
    socket, _, _ = await connect(people["alice"])
    await database_sync_to_async(User.objects.filter(pk=people["alice"].pk).update)(is_active=False)
    output = await socket.receive_output(timeout=8)
    assert output == {"type": "websocket.close", "code": 4401}


async def test_logout_closes_that_sessions_sockets_within_seconds(people):
    from django.contrib.sessions.models import Session

    alice = people["alice"]
    sockets = []
    for _ in range(2):
        cookie = await session_cookie(alice)
        communicator = WebsocketCommunicator(
            application, "/ws/stream/", headers=[ORIGIN, (b"cookie", cookie)]
        )
        assert (await communicator.connect(timeout=5))[0]
        sockets.append((communicator, cookie.decode().split("=", 1)[1]))
    # Logging out deletes the session: the sweep closes that session's sockets, not others.
    logged_out, other = sockets
    await database_sync_to_async(Session.objects.filter(session_key=logged_out[1]).delete)()
    assert await logged_out[0].receive_output(timeout=8) == {
        "type": "websocket.close",
        "code": 4401,
    }
    assert await other[0].receive_nothing(timeout=1)
    await other[0].disconnect()
