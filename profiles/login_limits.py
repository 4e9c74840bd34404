"""Failed sign-ins, limited so that nobody can lock an office out (issue 22, point 4).

A whole office often reaches the product from one public address. The limits:

- **Per account** (allauth, `ACCOUNT_RATE_LIMITS["login_failed"]`): 5 failed sign-ins per 5
  minutes; past that the account answers 429, from any address, until the window ends. A
  correct password does not count.
- **Per address, for unfamiliar accounts only** (here): an address where accounts that never
  signed in from it (the last `FAMILIAR_DAYS` days) failed 100 times in 5 minutes
  (`RATE_LIMITS["login_failed_address"]`) refuses further attempts at such accounts until the
  window ends. That is a password sprayer's pattern (one guess at many accounts); an office's
  typos are a few failures on accounts that sign in from there every day.
- Successful sign-ins are never counted against an address, and an account that signed in
  from an address before is never refused there because of others' failures: one person
  failing, on one account or on a hundred, cannot block colleagues who work from that office.

The address is `core.ratelimit.client_ip` (DJANGO_TRUSTED_PROXY_COUNT), the same
one allauth's own limits use (`AccountAdapter.get_client_ip`).
"""

from django.core.cache import cache

from core import ratelimit

FAMILIAR_DAYS = 30
ADDRESS_LIMIT = "login_failed_address"


def _login_name(credentials: dict) -> str:
    return str(credentials.get("email") or credentials.get("username") or "").strip().lower()


def _familiar_key(request, credentials: dict) -> str:
    name = ratelimit.digest(_login_name(credentials))
    return f"login-familiar:{ratelimit.address_key(request)}:{name}"


def is_familiar(request, credentials: dict) -> bool:
    return bool(cache.get(_familiar_key(request, credentials)))


def address_refuses(request, credentials: dict) -> bool:
    """True when this address is past its ceiling and the account is not at home here."""
    allowed, _ = ratelimit.limit_for(ADDRESS_LIMIT)
    used, _ = ratelimit.count(ADDRESS_LIMIT, ratelimit.address_key(request))
    return allowed > 0 and used >= allowed and not is_familiar(request, credentials)


def record_success(request, credentials: dict) -> None:
    cache.set(_familiar_key(request, credentials), 1, timeout=FAMILIAR_DAYS * 86400)


def record_failure(request, credentials: dict) -> None:
    if not is_familiar(request, credentials):
        ratelimit.hit(ADDRESS_LIMIT, ratelimit.address_key(request), refuse=False)
