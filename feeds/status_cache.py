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
import json
import operator
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from communities.services import community_version
from core.api import json_text
from core.versions import version_key, versions_current
from profiles.services import person_version

from . import selectors
from .models import PollBallot, PollVote, Reaction, ReactionKind
from .serializers import StatusSerializer
from .versions import status_version

SCHEMA = 2
# Entries expire on their own after this (a version lost with a Redis outage cannot keep one
# forever); most are replaced by a new version well before.
TIMEOUT = 6 * 3600
# The card's fields that depend on the viewer or the page, filled in per request.
VIEWER_FIELDS = ("my_reactions", "is_pinned")
_REACTION_ORDER = [kind.value for kind in ReactionKind]
# Stand-ins for the viewer's fields while a card is encoded, split out after: random per
# process, so no text a person wrote can be taken for one.
_MARK = os.urandom(12).hex()
_MY_REACTIONS, _IS_PINNED = _MARK + "r", _MARK + "p"


_STAMPED = operator.attrgetter(*selectors.STATUS_ROW_FIELDS[1:])


def _stamp(row) -> str:
    return hashlib.blake2b(repr(_STAMPED(row)).encode(), digest_size=8).hexdigest()


def card_key(row) -> str:
    return f"card:{SCHEMA}:{row.id}:{_stamp(row)}"


def _versions_of(row) -> list[str]:
    names = [status_version(row.id), person_version(row.author_id)]
    if row.removed_by_id is not None:
        names.append(person_version(row.removed_by_id))
    if row.community_id is not None:
        names.append(community_version(row.community_id))
    return names


def _entries(rows: list) -> dict[int, dict]:
    """The cached entry of each row's card (built and stored for those missing or stale): a
    card without a poll as its JSON text in three parts around the viewer's two fields
    (`parts`), one with a poll as the dict (`card`: the poll holds viewer fields too). A row
    whose status was deleted since has none."""
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
    fresh: dict[int, dict] = {}
    missing = []
    for row in rows:
        entry = entries[row.id]
        if entry is not None and all(
            tokens.get(name) == token for name, token in entry["versions"].items()
        ):
            fresh[row.id] = entry
        else:
            missing.append(row)
    if missing:
        fresh.update(_build(missing, keys=keys, tokens=tokens))
    return fresh


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
    built, stored = {}, {}
    by_id = {row.id: row for row in rows}
    for status in statuses:
        card = StatusSerializer(status).to_representation(status)
        names = _versions_of(by_id[status.pk]) + [
            person_version(pk) for pk in getattr(status, "poll_voter_ids", ())
        ]
        entry: dict = {"versions": {name: tokens[name] for name in names}}
        if card["poll"] is None:
            card["my_reactions"], card["is_pinned"] = _MY_REACTIONS, _IS_PINNED
            text = json_text(card)
            head, rest = text.split(f'"{_MY_REACTIONS}"')
            middle, tail = rest.split(f'"{_IS_PINNED}"')
            entry["parts"] = (head, middle, tail)
        else:
            card["my_reactions"], card["is_pinned"] = [], False
            entry["card"] = card
        built[status.pk] = entry
        stored[keys[status.pk]] = entry
    cache.set_many(stored, timeout=TIMEOUT)
    return built


def _card_of(entry: dict) -> dict:
    if "card" in entry:
        return entry["card"]
    head, middle, tail = entry["parts"]
    return json.loads(f"{head}[]{middle}false{tail}")


def _present(rows: Sequence) -> tuple[list, dict[int, dict]]:
    rows = list(rows)
    if not rows:
        return [], {}
    entries = _entries(rows)
    return [row for row in rows if row.id in entries], entries


def _known_reactions(rows: list) -> dict[int, set[str]] | None:
    """The viewer's reactions when the rows' own query read them (the home feed)."""
    if rows and all(getattr(row, "viewer_reactions", None) is not None for row in rows):
        return {row.id: set(row.viewer_reactions) for row in rows}
    return None


def status_cards(rows: Sequence, *, user, pinned_ids: Iterable[int] = ()) -> list[dict]:
    """The API's representation of each status of `rows` (StatusRow or statuses read with at
    least STATUS_ROW_FIELDS, already filtered for `user`), in their order, for `user`. A row
    whose status was deleted since is left out."""
    rows, entries = _present(rows)
    cards = [_card_of(entries[row.id]) for row in rows]
    return _for_viewer(cards, user, set(pinned_ids), _known_reactions(rows))


def status_cards_json(rows: Sequence, *, user, pinned_ids: Iterable[int] = ()) -> list[str]:
    """`status_cards` as the API's JSON text of each card (core.api.json_text): a card without
    a poll is its cached text with the viewer's reactions and pin put in, never decoded."""
    rows, entries = _present(rows)
    pinned_ids = set(pinned_ids)
    ids = [row.id for row in rows]
    mine = _known_reactions(rows)
    if mine is None:
        mine = _reactions_of(user, ids)
    with_poll = [entries[i]["card"] for i in ids if "card" in entries[i]]
    polls = dict(
        zip(
            (card["id"] for card in with_poll),
            _for_viewer(with_poll, user, pinned_ids, mine),
            strict=True,
        )
    )
    texts = []
    for status_id in ids:
        entry = entries[status_id]
        if "parts" in entry:
            head, middle, tail = entry["parts"]
            reactions = [kind for kind in _REACTION_ORDER if kind in mine.get(status_id, ())]
            pinned = "true" if status_id in pinned_ids else "false"
            texts.append(f"{head}{json_text(reactions)}{middle}{pinned}{tail}")
        else:
            texts.append(json_text(polls[status_id]))
    return texts


def _reactions_of(user, ids: list[int]) -> dict[int, set[str]]:
    mine: dict[int, set[str]] = defaultdict(set)
    if user is not None and ids:
        for status_id, kind in Reaction.objects.filter(
            user_id=user.pk, status_id__in=ids
        ).values_list("status_id", "kind"):
            mine[status_id].add(kind)
    return mine


def _for_viewer(
    cards: list[dict], user, pinned_ids: set[int], known: dict[int, set[str]] | None = None
) -> list[dict]:
    """Copies of the cards with what is `user`'s own: reactions (one query for the page, none
    when the rows' query read them: `known`), the poll's vote (two more, only when the page
    has a poll), `is_pinned`; and a poll's `is_closed` as of now (the cached card is as of
    when it was built)."""
    ids = [card["id"] for card in cards]
    mine = known if known is not None else _reactions_of(user, ids)
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
        kinds = mine.get(card["id"], ())
        card["my_reactions"] = [kind for kind in _REACTION_ORDER if kind in kinds]
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
