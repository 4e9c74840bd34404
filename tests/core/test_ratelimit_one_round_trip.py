"""A write's throttle and rate limit in one Redis round trip (issue 21, part 3), with the
semantics they had: DRF's sliding per-person throttle, fixed-window limits that count every
action that was tried (refused ones too) and nothing for a request refused before it.

The behaviour tests run on whichever cache the run has (local memory on SQLite, Redis with
REDIS_URL); the round-trip test needs Redis."""

import time as real_time
from types import SimpleNamespace

import pytest
import redis
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from rest_framework.test import APIClient

from core import ratelimit
from core.ratelimit import ApiThrottle
from feeds import services as feed_services
from feeds.models import Comment, Status

on_redis = pytest.mark.skipif(
    not isinstance(cache._connections[cache._alias], RedisCache),
    reason="counts Redis commands: run with REDIS_URL",
)


@pytest.fixture
def limits(settings, monkeypatch):
    settings.RATE_LIMITS = {"status": (3, 60), "comment": (3, 60)}
    # 20 s into a fixed minute, as tests/security/test_abuse.py does.
    start = (real_time.time() // 60) * 60 + 20
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: start))


@pytest.fixture
def throttle_clock(monkeypatch):
    """The throttle at 3 requests a minute, on a clock the test moves."""
    clock = SimpleNamespace(now=1_000_000.0)
    monkeypatch.setattr(ApiThrottle, "THROTTLE_RATES", {"user": "3/min"})
    monkeypatch.setattr(ApiThrottle, "timer", lambda self: clock.now)
    return clock


def test_the_api_throttle_is_a_sliding_window_that_records_only_allowed_requests(
    throttle_clock, alice_api
):
    for _ in range(3):
        assert alice_api.get("/api/v1/feed/").status_code == 200
        throttle_clock.now += 10  # at 0, 10 and 20 s
    refused = alice_api.get("/api/v1/feed/")  # at 30 s: 3 in the last minute
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 30  # the first one leaves the window at 60 s
    throttle_clock.now += 25  # 55 s: still three (the refused one was not recorded)
    assert alice_api.get("/api/v1/feed/").status_code == 429
    throttle_clock.now += 6  # 61 s: the first has left the window
    assert alice_api.get("/api/v1/feed/").status_code == 200
    assert alice_api.get("/api/v1/feed/").status_code == 429


def test_the_throttle_is_per_person(throttle_clock, alice_api, bob):
    for _ in range(3):
        alice_api.get("/api/v1/feed/")
    assert alice_api.get("/api/v1/feed/").status_code == 429
    bob_api = APIClient()
    bob_api.force_login(bob)
    assert bob_api.get("/api/v1/feed/").status_code == 200


def test_bad_posts_do_not_count_toward_the_status_limit(limits, alice, alice_api):
    for _ in range(4):
        bad = alice_api.post("/api/v1/statuses/", {}, format="json")  # no body at all
        assert bad.status_code == 400
        unknown = alice_api.post(
            "/api/v1/statuses/", {"body": "hi", "community": "nowhere"}, format="json"
        )
        assert unknown.status_code == 400
    for i in range(3):
        assert alice_api.post(
            "/api/v1/statuses/", {"body": f"s{i}"}, format="json"
        ).status_code == (201)
    refused = alice_api.post("/api/v1/statuses/", {"body": "one too many"}, format="json")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert Status.objects.count() == 3
    # Refused actions count too: the window stays full.
    used, _ = ratelimit.count("status", alice.pk)
    assert used == 4


def test_comments_on_a_missing_status_do_not_count(limits, alice_api, bob):
    status = feed_services.status_create(author=bob, body="Post")
    for _ in range(4):
        assert alice_api.post("/api/v1/statuses/999999/comments/", {"body": "x"}).status_code == 404
    url = f"/api/v1/statuses/{status.pk}/comments/"
    for i in range(3):
        assert alice_api.post(url, {"body": f"c{i}"}, format="json").status_code == 201
    assert alice_api.post(url, {"body": "again"}, format="json").status_code == 429
    assert Comment.objects.count() == 3


def test_writes_pass_uncounted_when_redis_is_away(limits, alice_api, monkeypatch, caplog):
    def away(*args, **kwargs):
        raise redis.ConnectionError("down")

    monkeypatch.setattr(ratelimit, "_call", away)
    monkeypatch.setattr(ratelimit.cache, "incr", away)
    for i in range(5):  # past the limit of 3: degraded, not closed
        assert alice_api.post(
            "/api/v1/statuses/", {"body": f"s{i}"}, format="json"
        ).status_code == (201)


@on_redis
def test_a_status_post_costs_one_round_trip_for_throttle_and_limit(
    limits, alice, alice_api, monkeypatch
):
    """Every Redis command that touches a throttle or rate-limit key during a POST, counted at
    the client: one script call (it was five: the throttle's GET and SET, the limit's SET NX,
    EXISTS and INCRBY)."""
    alice_api.get("/api/v1/feed/")  # the session is read and cached; the script is loaded
    seen = []
    real_execute = redis.Redis.execute_command

    def counting(self, *args, **options):
        if any(isinstance(a, str) and ("throttle" in a or "ratelimit" in a) for a in args):
            seen.append(args[0])
        return real_execute(self, *args, **options)

    real_pipeline = redis.client.Pipeline.execute

    def counting_pipeline(self, *args, **options):
        commands = [c[0] for c in self.command_stack]
        if any(isinstance(a, str) and "ratelimit" in a for c in commands for a in c):
            seen.append("PIPELINE " + " ".join(c[0] for c in commands))
        return real_pipeline(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    monkeypatch.setattr(redis.client.Pipeline, "execute", counting_pipeline)
    answer = alice_api.post("/api/v1/statuses/", {"body": "counted once"}, format="json")
    assert answer.status_code == 201
    assert seen == ["EVALSHA"]
    # And a bad post gives its count back: one more round trip, on that path only.
    seen.clear()
    assert alice_api.post("/api/v1/statuses/", {}, format="json").status_code == 400
    assert seen == ["EVALSHA", "PIPELINE DECRBY"]
    used, _ = ratelimit.count("status", alice.pk)
    assert used == 1
