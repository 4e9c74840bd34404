"""core.cache: one redis.Redis per connection pool, shared by every cache call and thread, with
the same answers and the same degradation to a miss when Redis is away."""

import threading

import pytest
import redis
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache

from core.cache import ResilientRedisCache

on_redis = pytest.mark.skipif(
    not isinstance(cache._connections[cache._alias], RedisCache),
    reason="the Redis cache: run with REDIS_URL",
)


@on_redis
def test_every_call_shares_one_client_per_pool():
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    cache.set("shared-client", {"n": 1})
    assert cache.get("shared-client") == {"n": 1}
    assert cache.get_many(["shared-client", "missing"]) == {"shared-client": {"n": 1}}
    assert cache._cache.get_client() is client


@on_redis
def test_threads_share_the_client_and_each_gets_its_own_answers():
    errors, seen = [], {}

    def work(n: int) -> None:
        try:
            for i in range(50):
                cache.set(f"thread-{n}-{i}", n * 1000 + i)
            seen[n] = cache.get_many([f"thread-{n}-{i}" for i in range(50)])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for n in range(8):
        assert seen[n] == {f"thread-{n}-{i}": n * 1000 + i for i in range(50)}


def test_a_cache_whose_redis_is_away_answers_misses_through_the_shared_client():
    away = ResilientRedisCache(
        "redis://127.0.0.1:1/0",
        {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}},
    )
    assert away.get("anything", "default") == "default"
    assert away.get_many(["a", "b"]) == {}
    assert away.add("a", 1) is False
    client = away._cache.get_client()
    assert away._cache.get_client() is client
    with pytest.raises(redis.ConnectionError):
        client.ping()
