"""A shared cache of each status's public card: what the API's StatusSerializer answers for it
that does not depend on who asks (author card, text, counts, poll and its counts, attachments,
community, edit and removal state). What does depend on the viewer (`my_reactions`, the poll's
`has_voted` and `my_choices`, `is_pinned` where the page pins it) is added per request, for the
whole page at once.

Who sees what is never decided here: the caller's query (visibility-filtered, as before) reads
the page's rows (`selectors.STATUS_ROW_FIELDS`); this module only renders them. A page is then
that query, one cache multi-get, the viewer's own reactions (one query), and, for the statuses
not cached, the bulk read and serialisation of before plus one `set_many`.

An entry is found under `card:<SCHEMA>:<id>:<stamp>`, the stamp a digest of the row's columns
(removal of any kind, edit time, comment count, lock, pins): a change to those, written by
whatever code, is a new key. It is served only while the versions it was built under
(core.versions) are unchanged: the status's own (reactions, poll votes, attachments, text:
`feeds.versions.statuses_changed`, called by `events.status_changed` and the other writers), its
author's and the remover's (`profiles.services.profile_card_changed`: name, title, picture,
department), its community's (`communities.services.community_card_changed`) and, in a named
poll, the shown voters' (their names). Those versions are read in the same multi-get as the
entries (the row names the status, author, remover and community).

SCHEMA changes whenever the card's shape or contents change (a new field): old entries are
then never read again and expire.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from communities.services import community_version
from core.versions import version_key, versions_current
from profiles.services import person_version

from . import selectors
from .models import PollBallot, PollVote, Reaction, ReactionKind
from .serializers import StatusSerializer
from .versions import status_version

SCHEMA = 1
# Entries expire on their own after this (a version lost with a Redis outage cannot keep one
# forever); most are replaced by a new version well before.
TIMEOUT = 6 * 3600
# The card's fields that depend on the viewer or the page, filled in per request.
VIEWER_FIELDS = ("my_reactions", "is_pinned")
_REACTION_ORDER = [kind.value for kind in ReactionKind]


def _stamp(row) -> str:
    values = repr(tuple(getattr(row, name) for name in selectors.STATUS_ROW_FIELDS[1:]))
    return hashlib.blake2b(values.encode(), digest_size=8).hexdigest()


def card_key(row) -> str:
    return f"card:{SCHEMA}:{row.id}:{_stamp(row)}"


def _versions_of(row) -> list[str]:
    names = [status_version(row.id), person_version(row.author_id)]
    if row.removed_by_id is not None:
        names.append(person_version(row.removed_by_id))
    if row.community_id is not None:
        names.append(community_version(row.community_id))
    return names


def status_cards(rows: Sequence, *, user, pinned_ids: Iterable[int] = ()) -> list[dict]:
    """The API's representation of each status of `rows` (StatusRow or statuses read with at
    least STATUS_ROW_FIELDS, already filtered for `user`), in their order, for `user`. A row
    whose status was deleted since is left out."""
    rows = list(rows)
    if not rows:
        return []
    keys = {row.id: card_key(row) for row in rows}
    names = {name for row in rows for name in _versions_of(row)}
    found = cache.get_many([*keys.values(), *(version_key(name) for name in names)])
    tokens = versions_current(names, found)
    entries = {row.id: found.get(keys[row.id]) for row in rows}
    # Versions an entry depends on beyond the rows' (a named poll's voters): one more read.
    extra = {
        name
        for entry in entries.values()
        if entry is not None
        for name in entry["versions"]
        if name not in tokens
    }
    if extra:
        more = cache.get_many([version_key(name) for name in extra])
        tokens.update(
            {name: more[version_key(name)] for name in extra if version_key(name) in more}
        )
    cards: dict[int, dict] = {}
    missing = []
    for row in rows:
        entry = entries[row.id]
        if entry is not None and all(
            tokens.get(name) == token for name, token in entry["versions"].items()
        ):
            cards[row.id] = entry["card"]
        else:
            missing.append(row)
    if missing:
        cards.update(_build([row for row in missing], keys=keys, tokens=tokens))
    return _for_viewer([cards[row.id] for row in rows if row.id in cards], user, set(pinned_ids))


def _build(rows: list, *, keys: dict[int, str], tokens: dict[str, str]) -> dict[int, dict]:
    """Serialise these statuses as everyone sees them (the bulk reads of before) and store
    them under the versions read before the rows were."""
    found = selectors.statuses_by_ids([row.id for row in rows])
    statuses = [found[row.id] for row in rows if row.id in found]
    selectors.decorate(statuses, user=None)
    voters = {
        person_version(pk) for status in statuses for pk in getattr(status, "poll_voter_ids", ())
    }
    if voters - set(tokens):
        tokens = {**tokens, **versions_current(voters - set(tokens))}
    cards, entries = {}, {}
    by_id = {row.id: row for row in rows}
    for status in statuses:
        card = StatusSerializer(status).to_representation(status)
        card["my_reactions"], card["is_pinned"] = [], False
        names = _versions_of(by_id[status.pk]) + [
            person_version(pk) for pk in getattr(status, "poll_voter_ids", ())
        ]
        cards[status.pk] = card
        entries[keys[status.pk]] = {
            "versions": {name: tokens[name] for name in names},
            "card": card,
        }
    cache.set_many(entries, timeout=TIMEOUT)
    return cards


def _for_viewer(cards: list[dict], user, pinned_ids: set[int]) -> list[dict]:
    """Copies of the cards with what is `user`'s own: reactions (one query for the page), the
    poll's vote (two more, only when the page has a poll), `is_pinned`; and a poll's
    `is_closed` as of now (the cached card is as of when it was built)."""
    ids = [card["id"] for card in cards]
    mine: dict[int, set[str]] = defaultdict(set)
    if user is not None and ids:
        for status_id, kind in Reaction.objects.filter(
            user_id=user.pk, status_id__in=ids
        ).values_list("status_id", "kind"):
            mine[status_id].add(kind)
    polls = [card["poll"] for card in cards if card["poll"] is not None]
    voted: set[int] = set()
    chosen: set[int] = set()
    if polls and user is not None:
        poll_ids = [poll["id"] for poll in polls]
        voted = set(
            PollBallot.objects.filter(user_id=user.pk, poll_id__in=poll_ids).values_list(
                "poll_id", flat=True
            )
        )
        named = [poll["id"] for poll in polls if not poll["anonymous"] and poll["id"] in voted]
        if named:
            chosen = set(
                PollVote.objects.filter(user_id=user.pk, option__poll_id__in=named).values_list(
                    "option_id", flat=True
                )
            )
    now = timezone.now()
    out = []
    for card in cards:
        card = dict(card)
        card["my_reactions"] = [kind for kind in _REACTION_ORDER if kind in mine[card["id"]]]
        card["is_pinned"] = card["id"] in pinned_ids
        poll = card["poll"]
        if poll is not None:
            poll = card["poll"] = dict(poll)
            poll["is_closed"] = datetime.fromisoformat(poll["ends_at"]) <= now
            if user is not None:
                poll["has_voted"] = poll["id"] in voted
                poll["my_choices"] = (
                    []
                    if poll["anonymous"]
                    else [o["id"] for o in poll["options"] if o["id"] in chosen]
                )
        out.append(card)
    return out
