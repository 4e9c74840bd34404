"""Per-person and per-address rate limits, counted in the project's cache.

One fixed window per limit: the first action of a window creates the counter with the window's
lifetime, each action adds one, and the action past the limit raises `RateLimited` with the
seconds until the window ends. The API's exception handler answers 429 with `Retry-After`;
pages answer the same through `RateLimitMiddleware`.

The counters live in the cache (Redis when `REDIS_URL` is set, shared by every process). When
Redis is unreachable the limits stop counting rather than refusing everyone: PostgreSQL, not
Redis, is what a post needs (see core/cache.py).

Limits apply where people act (the API and page views); services called by seeding, management
commands and tests are not limited. `RATE_LIMITS` in settings overrides the defaults below.

One round trip a write (issue 21). On Redis, a counter is one script call (INCR, and the
window's expiry on the first action), not Django's add + exists + incr. The API's throttle
(`ApiThrottle`: DRF's per-person sliding window, 1,200 requests a minute by default) is a sorted
set in the same script, and a view that declares the limit of a method
(`rate_limits = {"POST": "status"}`) has that counter counted in the same call: the view's
`hit(name, key, request=request)` then reads what was counted instead of asking Redis again. A
request that never reaches its `hit` (bad input, no such community) gives its count back when
the response leaves (`RateLimitMiddleware`), so only actions that were tried are counted, as
before. Without Redis (the tests' local-memory cache) the same limits run on Django's cache API.
"""

import hashlib
import ipaddress
import logging
import math
import secrets
import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ValidationError
from django.shortcuts import render
from rest_framework.throttling import UserRateThrottle

logger = logging.getLogger(__name__)

# name: (actions, per seconds)
DEFAULTS: dict[str, tuple[int, int]] = {
    "status": (10, 60),  # statuses per person per minute
    "comment": (20, 60),  # comments per person per minute
    "membership": (30, 60),  # joins, leaves, invites, approvals per person per minute
    "community": (5, 3600),  # communities created per person per hour
    "idea": (5, 3600),  # idea proposals per person per hour
    "export": (10, 3600),  # personal data exports per person per hour (each reads everything)
    # Failed sign-ins from one address at accounts that never signed in from it (the last 30
    # days): a password sprayer's count, never an office's (profiles/login_limits.py).
    "login_failed_address": (100, 300),
}
# What a refused person reads, where the generic wording would not do; formatted with `allowed`,
# `window` and `retry_after` (seconds) and `minutes` (rounded up).
MESSAGES: dict[str, str] = {
    "idea": "You can propose at most {allowed} ideas an hour. Try again in {minutes} min.",
    "export": "You can download your data {allowed} times an hour. Try again in {minutes} min.",
}


class RateLimited(ValidationError):
    """Too many actions. A ValidationError, so a form that catches those shows the message;
    `retry_after` is whole seconds until the window ends."""

    def __init__(self, message: str, *, retry_after: int, field: str | None = None):
        super().__init__({field: message} if field else message)
        self.message_text = message
        self.retry_after = max(1, int(retry_after))


def limit_for(name: str) -> tuple[int, int]:
    return {**DEFAULTS, **getattr(settings, "RATE_LIMITS", {})}[name]


def client_ip(request) -> str:
    """The client's address. With `TRUSTED_PROXY_COUNT` = n > 0 (DJANGO_TRUSTED_PROXY_COUNT),
    n proxies stand between the client and Django, each appending the address it was reached
    from to X-Forwarded-For: the client is the n-th entry from the right, and anything left of
    it is what the client claimed. A header with fewer entries (a request that went round the
    proxies) or an entry that is no address falls back to REMOTE_ADDR, never to an error."""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        header = request.headers.get("X-Forwarded-For", "")
        entries = [entry.strip() for entry in header.split(",") if entry.strip()]
        if len(entries) >= count:
            try:
                return str(ipaddress.ip_address(entries[-count]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR") or "unknown"


def address_key(request) -> str:
    """The client's address as a counter key: IPv6 by its /64, which one subscriber holds whole
    (as allauth's ACCOUNT_RATE_LIMITS count it)."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return address


def digest(value: str) -> str:
    """A counter key for a name people typed: no personal data in the cache's key space."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


# KEYS: the throttle's sorted set (when ARGV[2] is not empty), then fixed-window counters.
# ARGV: now, allowed, duration, a unique member for this request, then each counter's lifetime.
# Returns {throttled (0/1), requests in the throttle's window, its oldest request's time (a
# string: Lua numbers come back as integers), count of each counter}. A throttled request counts
# nothing.
_SCRIPT = """
local now = tonumber(ARGV[1])
local first = 1
local out = {0, 0, ''}
if ARGV[2] ~= '' then
  first = 2
  local duration = tonumber(ARGV[3])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - duration)
  local n = redis.call('ZCARD', KEYS[1])
  if n >= tonumber(ARGV[2]) then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return {1, n, oldest[2]}
  end
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('EXPIRE', KEYS[1], math.ceil(duration) + 1)
  out[2] = n + 1
end
for i = first, #KEYS do
  local count = redis.call('INCR', KEYS[i])
  if count == 1 then
    redis.call('EXPIRE', KEYS[i], tonumber(ARGV[4 + i - first + 1]))
  end
  out[#out + 1] = count
end
return out
"""
_script = None


def _redis():
    """The cache's Redis client, or None when the cache is not Redis."""
    backend = cache._connections[cache._alias] if hasattr(cache, "_connections") else cache
    if not isinstance(backend, RedisCache):
        return None
    return backend._cache.get_client(write=True)


def _call(client, keys: list[str], args: list) -> list:
    global _script
    if _script is None:
        _script = client.register_script(_SCRIPT)
    return _script(keys=keys, args=args, client=client)


def _window(name: str, key: object) -> tuple[int, int, float, str]:
    allowed, window = limit_for(name)
    now = time.time()
    start = math.floor(now / window) * window
    return allowed, window, start + window - now, f"ratelimit:{name}:{key}:{start}"


def count(name: str, key: object) -> tuple[int, int]:
    """How many `name` actions by `key` the current window holds, and whole seconds until it
    ends; counts nothing."""
    _, _, remaining, cache_key = _window(name, key)
    try:
        used = cache.get(cache_key, 0)
    except redis.RedisError:
        used = 0
    return int(used or 0), max(1, math.ceil(remaining))


# Where a request keeps the counts its throttle counted ahead of the view's `hit`.
PREFETCHED = "_ratelimit_prefetched"
UNAVAILABLE = -1  # Redis was away when the throttle tried: the view's `hit` lets it pass


def _increment(name: str, cache_key: str, window: int) -> int | None:
    """Add one to a counter: one round trip on Redis. None when it could not be counted."""
    try:
        client = _redis()
        if client is not None:
            return int(
                _call(client, [cache.make_and_validate_key(cache_key)], [0, "", 0, "", window + 1])[
                    3
                ]
            )
        cache.add(cache_key, 0, timeout=window + 1)
        return cache.incr(cache_key)
    except (ValueError, redis.RedisError) as exc:
        # The counter vanished (evicted, Redis restarted) or Redis is away: let the action pass.
        logger.warning("ratelimit: %s not counted (%s)", name, exc.__class__.__name__)
        return None


def _take_prefetched(request, name: str, key: object) -> int | None:
    """The count the request's throttle already made for (`name`, `key`), once."""
    found = getattr(getattr(request, "_request", request), PREFETCHED, None)
    entry = found.get(name) if found else None
    if entry is None or entry["key"] != key or entry["used"]:
        return None
    entry["used"] = True
    return entry["count"]


def hit(
    name: str,
    key: object,
    *,
    message: str | None = None,
    refuse: bool = True,
    request=None,
) -> None:
    """Count one `name` action by `key` (a user id, an address); raise `RateLimited` past the
    limit (unless `refuse` is false: only count). The refused action is counted too, so
    hammering does not shorten the wait. `request`: an API request whose throttle may have
    counted this action already (see the module docstring)."""
    allowed, window, remaining, cache_key = _window(name, key)
    if allowed <= 0:
        return
    count = None if request is None else _take_prefetched(request, name, key)
    if count is None:
        count = _increment(name, cache_key, window)
    if count is None or count == UNAVAILABLE:
        return
    if count > allowed and refuse:
        retry_after = math.ceil(remaining)
        if message is None:
            template = MESSAGES.get(
                name,
                "Too many in a short time: at most {allowed} every {window} seconds. "
                "Try again in {retry_after} seconds.",
            )
            minutes = math.ceil(retry_after / 60)
            message = template.format(
                allowed=allowed, window=window, retry_after=retry_after, minutes=minutes
            )
        raise RateLimited(message, retry_after=retry_after)


def allauth_retry_after() -> int:
    """The longest window in ACCOUNT_RATE_LIMITS: allauth does not say which limit refused, so
    this is the wait after which every one of them is free again."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    longest = 60
    for rates in getattr(settings, "ACCOUNT_RATE_LIMITS", {}).values():
        for rate in (rates or "").split(","):
            parts = rate.strip().split("/")
            if len(parts) < 2 or not parts[1]:
                continue
            period = parts[1]
            amount, unit = (period[:-1] or "1"), period[-1]
            if unit in units and amount.isdigit():
                longest = max(longest, int(amount) * units[unit])
    return longest


def response_429(request, exc: RateLimited):
    response = render(
        request,
        "429.html",
        {"message": exc.message_text, "retry_after": exc.retry_after},
        status=429,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


class ApiThrottle(UserRateThrottle):
    """DRF's per-person throttle (`API_THROTTLE_RATE`, the same sliding window: at most N
    requests in any `duration` seconds, refused ones not recorded), kept in a Redis sorted set
    and checked in the same round trip as the counter of the limit the view declares for the
    request's method (`rate_limits = {"POST": "status"}`). Without Redis, DRF's own."""

    # Not DRF's key: a process still running DRF's throttle (a rolling deploy) keeps a pickled
    # list there, which a sorted-set command would refuse.
    cache_format = "throttle_%(scope)s_%(ident)s_log"

    @staticmethod
    def cache_key_for_user(user_id: int) -> str:
        return ApiThrottle.cache_format % {"scope": ApiThrottle.scope, "ident": user_id}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        try:
            client = _redis()
        except redis.RedisError:
            client = None
        if client is None:
            return super().allow_request(request, view)
        name = (getattr(view, "rate_limits", None) or {}).get(request.method)
        user = getattr(request, "user", None)
        counted = None
        keys = [cache.make_and_validate_key(self.key)]
        self.now = self.timer()
        args = [repr(self.now), self.num_requests, self.duration, secrets.token_hex(8)]
        if name is not None and user is not None and user.is_authenticated:
            allowed, window, _remaining, cache_key = _window(name, user.pk)
            if allowed > 0:
                counted = (name, user.pk, cache_key)
                keys.append(cache.make_and_validate_key(cache_key))
                args.append(window + 1)
        try:
            answer = _call(client, keys, args)
        except redis.RedisError as exc:
            # As DRF's throttle on a cache that is away: the request passes, nothing counted.
            logger.warning("throttle: not counted (%s)", exc.__class__.__name__)
            answer = [0, 0, "", UNAVAILABLE] if counted else [0, 0, ""]
        throttled, in_window, oldest = int(answer[0]), int(answer[1]), answer[2]
        if throttled:
            self.history = [float(oldest)] * in_window  # what DRF's wait() reads
            return self.throttle_failure()
        if counted is not None:
            name, pk, cache_key = counted
            prefetched = getattr(request._request, PREFETCHED, None) or {}
            prefetched[name] = {
                "key": pk,
                "count": int(answer[3]),
                "cache_key": cache_key,
                "used": False,
            }
            setattr(request._request, PREFETCHED, prefetched)
        return True


def release_unused(request) -> None:
    """Give back the counts a throttle made for a view that never reached its `hit` (a bad
    request refused before it): one round trip, on that path only."""
    found = getattr(request, PREFETCHED, None)
    if not found:
        return
    unused = [e["cache_key"] for e in found.values() if not e["used"] and e["count"] != UNAVAILABLE]
    found.clear()
    if not unused:
        return
    try:
        client = _redis()
        if client is not None:
            with client.pipeline(transaction=False) as pipe:
                for cache_key in unused:
                    pipe.decr(cache.make_and_validate_key(cache_key))
                pipe.execute()
    except redis.RedisError as exc:
        logger.warning("ratelimit: unused count not given back (%s)", exc.__class__.__name__)


class RateLimitMiddleware:
    """A page view that lets `RateLimited` escape answers 429 with `Retry-After`; counts an API
    throttle made ahead of a view that did not use them are given back (`release_unused`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        release_unused(request)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            # allauth's own limits (sign-up, password reset) answer 429 without it.
            response["Retry-After"] = str(allauth_retry_after())
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, RateLimited):
            return response_429(request, exception)
        return None
