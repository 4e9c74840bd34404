"""The stream of statuses, with their comments and reactions. No database.

Status number k depends only on --seed, the company (--employees) and k, in blocks of
STATUS_BLOCK with their own random generator, so a larger --statuses continues the stream
where the last run stopped. The order of every random draw below is part of that contract.

A share of the statuses for the whole company are posted in one of the author's communities
(`Place`, from communities.py), drawn from a second generator per block so that the statuses
themselves are the same with communities or without. In a community not everyone may read,
only its members comment and react.
"""

import math
import random
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate

from .cast import Cast, Clock
from .data import (
    AUTHOR_REPLIES,
    CITIES,
    COMMENTS,
    CUSTOMERS,
    DEPARTMENT_STATUSES,
    DEPARTMENT_TAGS,
    DEPARTMENTS,
    GENERIC_STATUSES,
    PROJECTS,
    WEEKDAYS,
)
from .rendering import MENTION_SLOTS, TAG_SLOT, Renderer, Template

STATUS_BLOCK = 1000
DEPARTMENT_SHARE = 0.15  # of statuses visible to the author's department only
DEPARTMENT_TEMPLATE_SHARE = 0.6  # of statuses about the author's department's work
COMMUNITY_SHARE = 0.2  # of company statuses posted in one of the author's communities
# Beyond this many statuses, comments and reactions thin out so a benchmark run stays quick.
SPARSE_FROM = 50_000
DENSE = {"comment_share": 0.55, "reactions": 6.0}
SPARSE = {"comment_share": 0.2, "reactions": 3.0}
MAX_COMMENTS = 8
MAX_REACTORS = 90
AUTHOR_REPLY_SHARE = 0.3
SECOND_REACTION_SHARE = 0.12
COMMENT_DELAY_HOURS = 4.0
REACTION_DELAY_HOURS = 8.0
KIND_WEIGHTS = (
    ("like", 50), ("celebrate", 20), ("insightful", 12), ("support", 10), ("curious", 8),
)  # fmt: skip
NUMBERS = {
    "n": [str(i) for i in range(2, 13)],
    "num": [str(i) for i in range(15, 481, 5)],
    "pct": [str(i) for i in range(5, 96)],
}


@dataclass(slots=True)
class NewComment:
    author: int
    body: str
    html: str
    created: datetime
    mentions: list[int]


@dataclass(slots=True)
class NewStatus:
    author: int
    created: datetime
    department_only: bool
    body: str
    html: str
    mentions: list[int]
    hashtags: list[str]
    comments: list[NewComment]
    reactions: list[tuple[int, str, datetime]]
    community: int | None = None  # its id


@dataclass(frozen=True, slots=True)
class Place:
    """A community a person may post stream statuses in."""

    id: int
    readers: frozenset[int] | None  # by plan index; None: everyone
    since: datetime  # created then


class ContentPlan:
    """Generates statuses with their comments and reactions, deterministically.

    `places`: by plan index, the communities each person may post in (none when omitted)."""

    def __init__(
        self,
        cast: Cast,
        clock: Clock,
        *,
        seed: int,
        sparse: bool,
        places: list[tuple[Place, ...]] | None = None,
    ) -> None:
        self.cast = cast
        self.clock = clock
        self.seed = seed
        self.places = places
        density = SPARSE if sparse else DENSE
        self.comment_share = density["comment_share"]
        self.reaction_mu = math.log(density["reactions"]) - 0.5  # lognormal, sigma 1
        self.renderer = Renderer({p.username.lower(): p.username for p in cast.people})
        r = self.renderer
        self.mentions = [r.mention(p.username) for p in cast.people]
        self.words = {
            "project": [r.word(v) for v in PROJECTS],
            "customer": [r.word(v) for v in CUSTOMERS],
            "city": [r.word(v) for v in CITIES],
            "day": [r.word(v) for v in WEEKDAYS],
            **{name: [r.word(v) for v in values] for name, values in NUMBERS.items()},
        }
        self.skills = {d.slug: [r.word(v) for v in d.skills] for d in DEPARTMENTS}
        self.tags = {slug: [r.hashtag(t) for t in tags] for slug, tags in DEPARTMENT_TAGS.items()}
        self.tables = [clock.tables[p.location] for p in cast.people]
        kinds = [k for k, _ in KIND_WEIGHTS]
        self.kinds, self.kind_weights = kinds, list(accumulate(w for _, w in KIND_WEIGHTS))
        sample = self.sample_values()
        self.generic = [r.compile(t, sample) for t in GENERIC_STATUSES]
        self.by_department = {
            slug: [r.compile(t, sample) for t in templates]
            for slug, templates in DEPARTMENT_STATUSES.items()
        }
        self.comments = [r.compile(t, sample) for t in COMMENTS]
        self.replies = [r.compile(t, sample) for t in AUTHOR_REPLIES]

    def sample_values(self) -> dict[str, tuple[str, str]]:
        """Awkward values for checking templates: an apostrophe, an ampersand, accents, dots."""
        r, people = self.renderer, self.cast.people
        dotted = [p.username for p in people if "." in p.username] or [people[-1].username]
        words = {
            "project": "Atlas",
            "customer": "Margie's Travel",
            "city": "São Paulo",
            "day": "Friday",
            "skill": "Learning & Development",
            "n": "12",
            "num": "480",
            "pct": "95",
        }
        return {
            **{name: r.word(value) for name, value in words.items()},
            "colleague": r.mention(dotted[0]),
            "colleague2": r.mention(people[0].username),
            "author": r.mention(dotted[-1]),
            "commenter": r.mention(people[0].username),
            TAG_SLOT: r.hashtag("customerwins"),
        }

    def stream(self, start: int, stop: int) -> Iterator[NewStatus]:
        """Statuses number start, start + 1, ... stop - 1 of the stream."""
        block = start // STATUS_BLOCK
        index = block * STATUS_BLOCK
        while index < stop:
            rng = random.Random(f"{self.seed}:statuses:{block}")  # noqa: S311
            where = random.Random(f"{self.seed}:status-places:{block}")  # noqa: S311
            for _ in range(STATUS_BLOCK):
                if index >= stop:
                    return
                status = self.status(rng)
                roll, pick = where.random(), where.random()
                if index >= start:
                    if self.places is not None and roll < COMMUNITY_SHARE:
                        self.place(status, pick)
                    yield status
                index += 1
            block += 1

    def place(self, status: NewStatus, pick: float) -> None:
        """Post it in one of the author's communities that existed then; where only members
        read, only members comment and react."""
        if status.department_only:
            return
        places = [p for p in self.places[status.author] if p.since <= status.created]
        if not places:
            return
        place = places[int(pick * len(places))]
        status.community = place.id
        readers = place.readers
        if readers is not None:
            status.comments = [c for c in status.comments if c.author in readers]
            status.reactions = [r for r in status.reactions if r[0] in readers]

    def status(self, rng: random.Random) -> NewStatus:
        cast = self.cast
        author = bisect_right(cast.posting, rng.random() * cast.posting[-1])
        department = cast.people[author].department
        department_only = rng.random() < DEPARTMENT_SHARE
        created = self.clock.pick(rng, self.tables[author])
        if rng.random() < DEPARTMENT_TEMPLATE_SHARE:
            templates = self.by_department[department]
        else:
            templates = self.generic
        template = templates[int(rng.random() * len(templates))]
        body, html, mentions, hashtags = self.fill(
            rng, template, author, author, department_only, None
        )
        return NewStatus(
            author=author,
            created=created,
            department_only=department_only,
            body=body,
            html=html,
            mentions=mentions,
            hashtags=hashtags,
            comments=self.thread(rng, author, department_only, created),
            reactions=self.reactions(
                rng, author, department_only, created, self.reaction_count(rng, author)
            ),
        )

    def fill(
        self,
        rng: random.Random,
        template: Template,
        writer: int,
        author: int,
        department_only: bool,
        commenter: int | None,
    ) -> tuple[str, str, list[int], list[str]]:
        """Fill a template written by `writer` on a status of `author`: body, HTML, links."""
        cast = self.cast
        body: dict[str, str] = {}
        html: dict[str, str] = {}
        mentioned: list[int] = []
        hashtags = list(template.hashtags)
        department = cast.people[writer].department
        for slot in template.slots:
            if slot in MENTION_SLOTS:
                if slot == "author":
                    person = author
                elif slot == "commenter" and commenter is not None:
                    person = commenter
                else:
                    avoid = (author, *mentioned)
                    found = cast.others(rng, writer, department_only, 1, avoid) or cast.others(
                        rng, writer, False, 1, avoid
                    )
                    person = found[0] if found else author
                body[slot], html[slot] = self.mentions[person]
                mentioned.append(person)
                continue
            if slot == TAG_SLOT:
                values = self.tags[department]
            elif slot == "skill":
                values = self.skills[department]
            else:
                values = self.words[slot]
            value = values[int(rng.random() * len(values))]
            body[slot], html[slot] = value
            if slot == TAG_SLOT:
                hashtags.append(value[0][1:])
        text = template.body.format_map(body)
        if template.html is not None:
            return text, template.html.format_map(html), list(dict.fromkeys(mentioned)), hashtags
        rendered = self.renderer.rendered(text)
        index_of = cast.index_of
        return text, rendered.html, [index_of[u] for u in rendered.mentions], rendered.hashtags

    def thread(
        self, rng: random.Random, author: int, department_only: bool, created: datetime
    ) -> list[NewComment]:
        if rng.random() >= self.comment_share:
            return []
        count = min(MAX_COMMENTS, int(rng.paretovariate(1.6) * self.cast.boost[author] ** 0.5))
        moments = sorted(self.clock.after(rng, created, COMMENT_DELAY_HOURS) for _ in range(count))
        comments: list[NewComment] = []
        last_other: int | None = None
        for moment in moments:
            if last_other is not None and rng.random() < AUTHOR_REPLY_SHARE:
                writer, template = author, self.replies[int(rng.random() * len(self.replies))]
            else:
                found = self.cast.others(rng, author, department_only, 1)
                if not found:
                    break
                writer = found[0]
                template = self.comments[int(rng.random() * len(self.comments))]
            body, html, mentions, _ = self.fill(
                rng, template, writer, author, department_only, last_other
            )
            comments.append(NewComment(writer, body, html, moment, mentions))
            if writer != author:
                last_other = writer
        return comments

    def reaction_count(self, rng: random.Random, author: int) -> int:
        count = rng.lognormvariate(self.reaction_mu, 1.0) * self.cast.boost[author]
        return min(MAX_REACTORS, int(count))

    def reactions(
        self,
        rng: random.Random,
        author: int,
        department_only: bool,
        created: datetime,
        count: int,
    ) -> list[tuple[int, str, datetime]]:
        kinds, weights = self.kinds, self.kind_weights
        found = []
        for person in self.cast.others(rng, author, department_only, count):
            kind = kinds[bisect_right(weights, rng.random() * weights[-1])]
            found.append((person, kind, self.clock.after(rng, created, REACTION_DELAY_HOURS)))
            if rng.random() < SECOND_REACTION_SHARE:
                other = kinds[int(rng.random() * len(kinds))]
                if other != kind:
                    found.append(
                        (person, other, self.clock.after(rng, created, REACTION_DELAY_HOURS))
                    )
        return found
