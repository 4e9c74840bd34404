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
"""

import hashlib
import ipaddress
import logging
import math
import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import render

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


def hit(name: str, key: object, *, message: str | None = None, refuse: bool = True) -> None:
    """Count one `name` action by `key` (a user id, an address); raise `RateLimited` past the
    limit (unless `refuse` is false: only count). The refused action is counted too, so
    hammering does not shorten the wait."""
    allowed, window, remaining, cache_key = _window(name, key)
    if allowed <= 0:
        return
    try:
        cache.add(cache_key, 0, timeout=window + 1)
        count = cache.incr(cache_key)
    except (ValueError, redis.RedisError) as exc:
        # The counter vanished (evicted, Redis restarted) or Redis is away: let the action pass.
        logger.warning("ratelimit: %s not counted (%s)", name, exc.__class__.__name__)
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


class RateLimitMiddleware:
    """A page view that lets `RateLimited` escape answers 429 with `Retry-After`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            # allauth's own limits (sign-up, password reset) answer 429 without it.
            response["Retry-After"] = str(allauth_retry_after())
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, RateLimited):
            return response_429(request, exception)
        return None
