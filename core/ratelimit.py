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
    "idea": (5, 3600),  # idea proposals per person per hour
    "export": (10, 3600),  # personal data exports per person per hour (each reads everything)
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


def hit(name: str, key: object, *, message: str | None = None) -> None:
    """Count one `name` action by `key` (a user id, an address); raise `RateLimited` past the
    limit. The refused action is counted too, so hammering does not shorten the wait."""
    allowed, window = limit_for(name)
    if allowed <= 0:
        return
    now = time.time()
    start = math.floor(now / window) * window
    cache_key = f"ratelimit:{name}:{key}:{start}"
    try:
        cache.add(cache_key, 0, timeout=window + 1)
        count = cache.incr(cache_key)
    except (ValueError, redis.RedisError) as exc:
        # The counter vanished (evicted, Redis restarted) or Redis is away: let the action pass.
        logger.warning("ratelimit: %s not counted (%s)", name, exc.__class__.__name__)
        return
    if count > allowed:
        retry_after = math.ceil(start + window - now)
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
