"""Keyset pages: `WHERE (a, b) < (cursor)` instead of OFFSET, for pages and the API alike.

The queryset's own `order_by` decides the key, in either direction; the last field must be
unique (the id), e.g. `("-created_at", "-id")`, `("-rank", "-id")` or `("created_at", "id")`.
"""

import base64
import json
from collections.abc import Callable
from datetime import datetime

from django.db.models import Q, QuerySet


class BadCursor(ValueError):
    pass


def _key_fields(qs: QuerySet) -> list[tuple[str, str]]:
    """[(field, "lt"|"gt")]: the comparison that moves forward in the queryset's order."""
    fields = list(qs.query.order_by)
    if not fields or not all(isinstance(f, str) for f in fields):
        raise ValueError("keyset pages need a queryset ordered by plain field names")
    return [(f[1:], "lt") if f.startswith("-") else (f, "gt") for f in fields]


def _encode(values: list) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, fields: list[str], sample_types: list[type]) -> list:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise BadCursor("Invalid cursor.") from exc
    if not isinstance(values, list) or len(values) != len(fields):
        raise BadCursor("Invalid cursor.")
    decoded = []
    for value, kind in zip(values, sample_types, strict=True):
        try:
            if kind is datetime:
                value = datetime.fromisoformat(value)
            elif kind is int:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise TypeError
            elif kind is float:
                value = float(value)
            elif not isinstance(value, str):
                raise TypeError
        except (TypeError, ValueError) as exc:
            raise BadCursor("Invalid cursor.") from exc
        decoded.append(value)
    return decoded


FIELD_TYPES = {
    "created_at": datetime,
    "updated_at": datetime,
    "publish_at": datetime,
    "last_activity_at": datetime,
    "id": int,
    "rank": float,
    "votes_count": int,
    "mine_first": int,
    "at": datetime,
}


def decode_cursor(cursor: str, fields: list[str]) -> list:
    """The key values a cursor of `_encode` holds, typed by field name; BadCursor otherwise."""
    return _decode(cursor, fields, [FIELD_TYPES.get(f, str) for f in fields])


def keyset_page_of(
    fetch: Callable[[list | None, int], list], *, fields: list[str], cursor: str | None, size: int
) -> tuple[list, str | None]:
    """Like `keyset_page`, for a source that is not one queryset: `fetch(after, n)` returns the
    first `n` items strictly after the key `after` (None: from the start) in descending order
    of `fields`."""
    after = decode_cursor(cursor, fields) if cursor else None
    items = fetch(after, size + 1)
    if len(items) <= size:
        return items, None
    items = items[:size]
    return items, _encode([getattr(items[-1], f) for f in fields])


def keyset_page(qs: QuerySet, *, cursor: str | None, size: int) -> tuple[list, str | None]:
    """One page of `qs` after `cursor`, and the cursor of the next page (None at the end)."""
    keys = _key_fields(qs)
    fields = [name for name, _ in keys]
    if cursor:
        types = [FIELD_TYPES.get(f, str) for f in fields]
        values = _decode(cursor, fields, types)
        # (a, b) after (x, y)  ⇔  a beyond x, or a = x and b beyond y.
        condition = Q()
        for i, (name, op) in enumerate(keys):
            step = Q(**{f"{name}__{op}": values[i]})
            for prior, value in zip(fields[:i], values[:i], strict=True):
                step &= Q(**{prior: value})
            condition |= step
        # The first key alone, inclusive, as well: an index range the scan can start from
        # (the OR above is only a filter to the planner).
        name, op = keys[0]
        qs = qs.filter(**{f"{name}__{op}e": values[0]}).filter(condition)
    items = list(qs[: size + 1])
    if len(items) <= size:
        return items, None
    items = items[:size]
    last = items[-1]
    return items, _encode([getattr(last, f) for f in fields])
