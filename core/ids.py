"""Database ids from text people send."""

import re

# The largest id a database column holds: a bigger number in input is a 400 or no match, never
# an overflow in the driver (SQLite raises OverflowError, PostgreSQL refuses the comparison).
MAX_ID = 2**63 - 1

_ASCII_DIGITS = re.compile(r"[0-9]+")


def parse_id(value: object) -> int | None:
    """`value` as an id when it is ASCII digits within MAX_ID, else None. (`str.isdigit` is true
    for "²" and other digits `int` refuses.)"""
    text = str(value if value is not None else "").strip()
    if not _ASCII_DIGITS.fullmatch(text) or len(text) > 19:
        return None
    number = int(text)
    return number if number <= MAX_ID else None
