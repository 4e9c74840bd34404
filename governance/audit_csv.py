"""The audit log as CSV rows, safe to open in a spreadsheet."""

import json
from collections.abc import Iterable, Iterator

from audit.actions import label_of
from audit.models import AuditEntry

HEADER = [
    "time",
    "actor",
    "on_behalf_of",
    "action",
    "action_label",
    "target_type",
    "target_id",
    "target",
    "address",
    "user_agent",
    "detail",
]
# A cell starting with one of these is a formula to a spreadsheet (CSV injection): a quote
# before it keeps it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_rows(entries: Iterable[AuditEntry]) -> Iterator[list[str]]:
    yield HEADER
    for e in entries:
        yield [
            _cell(v)
            for v in (
                e.at.isoformat(),
                e.actor_name,
                e.on_behalf_of_name,
                e.action,
                label_of(e.action),
                e.target_type,
                e.target_id,
                e.target_label,
                e.ip,
                e.user_agent,
                json.dumps(e.detail, sort_keys=True, ensure_ascii=False) if e.detail else "",
            )
        ]
