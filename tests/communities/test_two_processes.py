"""Issue 16, acceptance 2: changing a community's visibility and removing a member take effect
at once for pages, API and open sockets, when the change is made through one server process
and the people read from another (a Daphne, and the deployed Uvicorn with two workers, sharing
PostgreSQL and Redis; see tests/feeds/test_two_processes.py).

Runs in the PostgreSQL + Redis pass of .ci/run (it needs REDIS_URL and DATABASE_URL).
"""

import asyncio
import json
import os
import time

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from bench.servers import browser_session_id, token_session
from communities import services as community_services
from profiles.models import User
from profiles.services import follow_create
from tests.factories import UserFactory
from tests.feeds.test_two_processes import (  # noqa: F401 - fixtures
    PASSWORD,
    open_stream,
    private_redis,
    servers,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL")),
        reason="needs the real PostgreSQL and Redis (second pass of .ci/run)",
    ),
]
QUIET = 1.0  # after the sentinel arrived, how long nothing else may


@pytest.fixture
def launch(db):
    """`owner` runs the open community `launch`, `member` is in it, `outsider` is not; both
    follow `owner`, whose company posts then mark the point after which nothing else came."""
    owner = UserFactory(username="owner")
    member = UserFactory(username="member")
    outsider = UserFactory(username="outsider")
    community = community_services.community_create(
        actor=owner, name="Launch", slug="launch", visibility="open", join_policy="open"
    )
    community_services.membership_join(actor=member, community=community)
    for person in (member, outsider):
        follow_create(follower=person, followee=owner)
    # The servers run with production hashers, not the suite's fast one.
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    User.objects.filter(pk__in=[owner.pk, member.pk, outsider.pk]).update(password=hashed)
    connection.close()  # the servers must see committed rows, and our pool must not hog them
    return community.pk


class Reader:
    """One person on the second process: a browser (pages and the socket) and an app (API)."""

    def __init__(self, port: int, username: str):
        self.base = f"http://127.0.0.1:{port}"
        self.port = port
        self.session_id = browser_session_id(port, username, PASSWORD)
        self.browser = requests.Session()
        self.browser.cookies.set("sessionid", self.session_id)
        self.app = token_session(port, username, PASSWORD)
        self.ws = None

    def page(self, path: str) -> requests.Response:
        return self.browser.get(f"{self.base}{path}", timeout=10)

    def api(self, path: str) -> requests.Response:
        return self.app.get(f"{self.base}/api/v1{path}", timeout=10)

    def feed_ids(self) -> set[int]:
        return {s["id"] for s in self.api("/feed/").json()["results"]}

    def reads(self, status: dict) -> dict[str, bool]:
        """Whether each surface shows this status."""
        body = status["body"]
        return {
            "api status": self.api(f"/statuses/{status['id']}/").status_code == 200,
            "api list": status["id"] in {s["id"] for s in self.api("/statuses/").json()["results"]},
            "api feed": status["id"] in self.feed_ids(),
            "status page": self.page(f"/statuses/{status['id']}/").status_code == 200,
            "community page": body in self.page("/c/launch/").text,
            "search page": body in self.page(f"/search/?q={body.split()[0]}").text,
        }


async def events_until(ws, sentinel_id: int, timeout: float = 10.0) -> list[dict]:
    """Everything the socket receives until the status `sentinel_id` arrives, and for QUIET
    seconds after (events of one process reach every process in the order they were sent)."""
    events: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            raw = await asyncio.wait_for(ws.recv(), timeout=max(deadline - time.monotonic(), 0.1))
        except TimeoutError:
            break
        event = json.loads(raw)
        events.append(event)
        if event.get("type") == "status.created" and event["status"]["id"] == sentinel_id:
            deadline = min(deadline, time.monotonic() + QUIET)
    return events


def created(events: list[dict]) -> list[int]:
    return [e["status"]["id"] for e in events if e["type"] == "status.created"]


def test_visibility_and_removal_take_effect_at_once_across_processes(
    servers,  # noqa: F811 - the fixture imported above
    launch,
):
    port_a, port_b = servers
    owner = token_session(port_a, "owner", PASSWORD)
    member, outsider = Reader(port_b, "member"), Reader(port_b, "outsider")

    def act(method: str, path: str, **kwargs) -> requests.Response:
        response = owner.request(method, f"http://127.0.0.1:{port_a}/api/v1{path}", **kwargs)
        assert response.status_code < 300, (path, response.status_code, response.text)
        return response

    def post(body: str, community: str | None = None) -> dict:
        data = {"body": body} | ({"community": community} if community else {})
        return act("post", "/statuses/", json=data).json()

    async def scenario():
        member.ws = await open_stream(port_b, member.session_id)
        outsider.ws = await open_stream(port_b, outsider.session_id)

        # Open: the member and the owner's follower outside the community read it everywhere.
        first = post("aardvark in the open", "launch")
        mark = post("sentinel one")
        for reader in (member, outsider):
            assert created(await events_until(reader.ws, mark["id"])) == [first["id"], mark["id"]]
            assert all(reader.reads(first).values()), reader.reads(first)

        # Made private through the first process: the outsider, on the second, no longer reads
        # it anywhere, and their open socket does not get the next post; the member does.
        act("patch", "/communities/launch/", json={"visibility": "private"})
        assert not any(outsider.reads(first).values()), outsider.reads(first)
        assert all(member.reads(first).values()), member.reads(first)
        second = post("badger behind the door", "launch")
        mark = post("sentinel two")
        assert created(await events_until(outsider.ws, mark["id"])) == [mark["id"]]
        assert created(await events_until(member.ws, mark["id"])) == [second["id"], mark["id"]]

        # The member removed: their socket hears of it and nothing more of the community, with
        # no reconnection; pages and API stop showing its posts at once.
        act("delete", "/communities/launch/members/member/")
        third = post("capybara after the removal", "launch")
        mark = post("sentinel three")
        events = await events_until(member.ws, mark["id"])
        assert [e for e in events if e["type"] == "community.membership"] == [
            {
                "type": "community.membership",
                "community": {"id": launch, "slug": "launch", "name": "Launch"},
                "state": None,
                "role": None,
            }
        ]
        assert created(events) == [mark["id"]]
        for status in (first, second, third):
            assert not any(member.reads(status).values()), member.reads(status)
        assert created(await events_until(outsider.ws, mark["id"])) == [mark["id"]]

        # Resuming from the start on that socket brings none of the community's posts back.
        await member.ws.send(json.dumps({"type": "resume", "after": 0}))
        resumed = []
        while not resumed or resumed[-1]["type"] != "resume.done":
            resumed.append(json.loads(await asyncio.wait_for(member.ws.recv(), timeout=10)))
        assert not {first["id"], second["id"], third["id"]} & set(created(resumed))
        for reader in (member, outsider):
            await reader.ws.close()

    asyncio.run(scenario())
