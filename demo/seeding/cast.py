"""The company as the content needs it: who is near whom, who posts how often, and when.

No queries: built from the plan and the ids people.py returned, so a test can build one from
made-up ids (tests/feeds/test_seed_content.py checks every template that way).
"""

import math
import random
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from datetime import timezone as dt_timezone
from itertools import accumulate
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .hierarchy import HEAD, Person

CONTENT_DAYS = 90
# How much more than an average colleague the fixed accounts post.
FIXED_ACTIVITY = {"alice": 5.0, "bob": 4.0, "ceo": 3.0, "hr": 3.0, "mod": 3.0}

# When people post, in their office's time: weekdays, office hours.
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 0.85, 0.1, 0.06)
HOUR_WEIGHT = (
    0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.2, 0.6, 1.0, 1.2, 1.1,
    0.7, 0.9, 1.1, 1.0, 0.9, 0.6, 0.3, 0.2, 0.15, 0.1, 0.06, 0.03,
)  # fmt: skip
# Office → time zone, and its usual UTC offset should the zone database be missing.
OFFICE_ZONES = {
    "New York": ("America/New_York", -5), "London": ("Europe/London", 0),
    "Berlin": ("Europe/Berlin", 1), "Bengaluru": ("Asia/Kolkata", 5.5),
    "Toronto": ("America/Toronto", -5), "Singapore": ("Asia/Singapore", 8),
    "São Paulo": ("America/Sao_Paulo", -3), "Remote": ("UTC", 0),
}  # fmt: skip


def office_zone(office: str) -> tzinfo:
    name, offset = OFFICE_ZONES.get(office, ("UTC", 0))
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        return dt_timezone(timedelta(hours=offset))


class Clock:
    """Moments in the last CONTENT_DAYS, likelier in office hours of the poster's office."""

    def __init__(self, now: datetime, offices: Iterable[str]) -> None:
        self.now = now
        self.start = now - timedelta(days=CONTENT_DAYS)
        hours = CONTENT_DAYS * 24
        self.tables: dict[str, tuple[list[float], float]] = {}
        for office in offices:
            zone = office_zone(office)
            weights = []
            for hour in range(hours):
                local = (self.start + timedelta(hours=hour)).astimezone(zone)
                weights.append(WEEKDAY_WEIGHT[local.weekday()] * HOUR_WEIGHT[local.hour])
            cumulative = list(accumulate(weights))
            self.tables[office] = (cumulative, cumulative[-1])

    def pick(self, rng: random.Random, table: tuple[list[float], float]) -> datetime:
        cumulative, total = table
        hour = bisect_right(cumulative, rng.random() * total)
        return self.start + timedelta(seconds=hour * 3600 + int(rng.random() * 3600))

    def after(self, rng: random.Random, moment: datetime, mean_hours: float) -> datetime:
        """A moment after `moment`, mostly soon after, never in the future."""
        delay = timedelta(seconds=int(rng.expovariate(1 / (mean_hours * 3600))) + 30)
        fraction = rng.random()  # drawn either way: the stream must not depend on the clock
        if moment + delay >= self.now:
            delay = (self.now - moment) * fraction
        return moment + delay


@dataclass
class Cast:
    """The company as content needs it, by plan index: ids, teams, pools, weights."""

    people: list[Person]
    user_ids: list[int]
    department_ids: list[int | None]
    index_of: dict[str, int]
    team: list[tuple[int, ...]]  # manager, teammates and direct reports
    team_here: list[tuple[int, ...]]  # the same, within the person's department
    members: dict[str, tuple[int, ...]]
    posting: list[float]  # cumulative posting weights
    popularity: list[float]  # cumulative popularity
    boost: list[float]  # how much more attention their posts get

    @classmethod
    def build(
        cls, people: list[Person], user_ids: dict[str, int], departments: dict[str, int], seed: int
    ) -> "Cast":
        reports: dict[int, list[int]] = defaultdict(list)
        members: dict[str, list[int]] = defaultdict(list)
        for p in people:
            members[p.department].append(p.index)
            if p.manager is not None:
                reports[p.manager].append(p.index)
        team, team_here = [], []
        for p in people:
            near = list(reports[p.index])
            if p.manager is not None:
                near.append(p.manager)
                near.extend(i for i in reports[p.manager] if i != p.index)
            team.append(tuple(near))
            team_here.append(tuple(i for i in near if people[i].department == p.department))
        return cls(
            people=people,
            user_ids=[user_ids[p.username] for p in people],
            department_ids=[departments.get(p.department) for p in people],
            index_of={p.username: p.index for p in people},
            team=team,
            team_here=team_here,
            members={slug: tuple(ids) for slug, ids in members.items()},
            posting=list(accumulate(posting_weights(people, seed=seed))),
            popularity=list(accumulate(p.popularity for p in people)),
            boost=[1 + math.log(p.popularity) / 2 for p in people],
        )

    def someone_near(self, rng: random.Random, author: int, department_only: bool) -> int:
        """A colleague likely to read, mention or answer `author`: team, department, anyone."""
        roll = rng.random()
        if roll < 0.45:
            pool = self.team_here[author] if department_only else self.team[author]
            if pool:
                return pool[int(rng.random() * len(pool))]
        if roll < 0.8 or department_only:
            pool = self.members[self.people[author].department]
            return pool[int(rng.random() * len(pool))]
        return bisect_right(self.popularity, rng.random() * self.popularity[-1])

    def others(
        self, rng: random.Random, author: int, department_only: bool, count: int, avoid=()
    ) -> list[int]:
        """Up to `count` different people near `author`, never the author or `avoid`."""
        chosen: dict[int, None] = {}
        for _ in range(count * 3 + 3):
            if len(chosen) >= count:
                break
            person = self.someone_near(rng, author, department_only)
            if person != author and person not in avoid:
                chosen[person] = None
        return list(chosen)


def posting_weights(people: list[Person], *, seed: int) -> list[float]:
    """How often each person posts: many rarely, some regularly, a few all the time."""
    weights = []
    for p in people:
        rng = random.Random(f"{seed}:voice:{p.username}")  # noqa: S311
        roll = rng.random()
        weight = 0.3 if roll < 0.5 else 1.0 if roll < 0.85 else 2.5 if roll < 0.97 else 5.0
        weight *= 0.75 + rng.random() / 2
        if p.level >= HEAD:
            weight *= 1.5
        weights.append(weight)
    mean = sum(weights) / len(weights)
    for p in people:
        if p.username in FIXED_ACTIVITY:
            weights[p.index] = FIXED_ACTIVITY[p.username] * mean
    return weights
