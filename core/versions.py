"""Version tokens in the cache: one per named thing ("status:12", "person:7"), replaced whenever
the thing changes, so that whatever was cached from it can be recognised as stale.

A cached value records the tokens of everything it was built from (read *before* it was built);
it is served only while every token is still the same. Invalidation is then a `versions_bump`:
no list of cached keys to find and delete, and no race with a reader that is building an entry
from rows read before the change (it stores it under the old tokens, which nobody asks for).

Tokens are random, never counters: a token lost to eviction or a Redis restart is replaced by
a new one, which no cached value carries, so losing a token costs a miss and never serves an
old value. A bump happens at once (the writing request reads its own change) and again when
the transaction commits (a reader between the two could have read the rows as they were
before the commit, under the first new token).
"""

import os
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

PREFIX = "ver:"


def version_key(name: str) -> str:
    return PREFIX + name


def _token() -> str:
    return os.urandom(6).hex()


def versions_bump(names: Iterable[str]) -> None:
    """New tokens for these names, now and once the current transaction commits."""
    names = list(dict.fromkeys(names))
    if not names:
        return

    def bump() -> None:
        cache.set_many({version_key(name): _token() for name in names}, timeout=None)

    bump()
    transaction.on_commit(bump)


def versions_current(names: Iterable[str], found: dict | None = None) -> dict[str, str]:
    """The token of each name: from `found` (a `cache.get_many` answer that asked for their
    `version_key`s along with other keys, saving a round trip), else read; a name without one
    gets a new one. Read tokens before reading what will be cached under them."""
    names = list(dict.fromkeys(names))
    if found is None:
        found = cache.get_many([version_key(name) for name in names])
    tokens = {}
    fresh = {}
    for name in names:
        token = found.get(version_key(name))
        if token is None:
            token = fresh[version_key(name)] = _token()
        tokens[name] = token
    if fresh:
        # set_many, not add: a bump that lands between our read and this write is overwritten,
        # which is safe, because whatever is built under these tokens is read after this write.
        cache.set_many(fresh, timeout=None)
    return tokens
