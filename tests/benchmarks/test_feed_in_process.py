"""The feed benchmark's in-process step does not depend on the minute it runs in (issue 21,
part 6): `make bench BENCH_ARGS="--only feed,live"` stopped with `bench: in-process feed answered
429`, because the servers had just made hundreds of requests as the same viewer and the bench
process judged them by the default per-person throttle."""

from types import SimpleNamespace

from django.test import Client
from rest_framework.settings import api_settings

from bench import feed
from bench.__main__ import build_context
from bench.common import BENCH_THROTTLE_RATE, Context, session_key_for


def _requests_by_the_servers(user, n: int) -> None:
    """What the bench's servers leave behind: `n` throttled API requests by `user` this minute,
    recorded by the product's own throttle classes in the shared cache."""
    request = SimpleNamespace(
        user=user, META={"REMOTE_ADDR": "127.0.0.1"}, method="GET", _request=SimpleNamespace()
    )
    for throttle_class in api_settings.DEFAULT_THROTTLE_CLASSES:
        throttle = throttle_class()
        for _ in range(n):
            throttle.allow_request(request, None)


def test_the_in_process_step_survives_the_servers_throttle_history(alice):
    allowed = api_settings.DEFAULT_THROTTLE_CLASSES[0]().num_requests
    _requests_by_the_servers(alice, allowed + 5)
    key = session_key_for(alice)
    # The situation of the failed run: this process's throttle refuses the viewer...
    refused = Client(HTTP_X_SESSION_TOKEN=key).get(feed.FEED)
    assert refused.status_code == 429

    ctx = Context(
        quick=True,
        database_url="",
        redis_url="",
        employees=0,
        statuses=0,
        followers=0,
        idle_sockets=0,
        env={},
        viewers={"follows_none": alice.username},
    )
    # ...and the step measures anyway, on the viewer's real page-1 queries.
    rows = feed._sql_alone(ctx, {alice.username: key}, {"follows_none": 10.0})
    assert len(rows) == 1
    assert rows[0].samples == 30
    assert rows[0].extra["queries"]


def test_every_process_of_a_run_shares_the_bench_throttle_rate():
    args = SimpleNamespace(quick=True)
    ctx = build_context(args)
    # setup_django() applies ctx.env to the bench process; the servers start with it too.
    assert ctx.env["API_THROTTLE_RATE"] == BENCH_THROTTLE_RATE
    allowed, per = BENCH_THROTTLE_RATE.split("/")
    assert int(allowed) >= 1_000_000 and per == "min"
