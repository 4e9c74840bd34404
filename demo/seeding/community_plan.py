"""Which communities there are and who is in them. No database.

The scripted ones (data/communities.py) always, plus, beyond them, one community for every
EMPLOYEES_PER_COMMUNITY people (`--employees 10000`: 500 in all), so a larger company has as
many places as a real one. People join those in proportion to an appetite drawn per person:
most join none or one or two, a few join dozens. The fixed accounts are only in the scripted
ones, so a demo tells the same story at any size.

Each community draws from its own seeded generator, so the same --seed and --employees plan the
same communities and members, and a rerun asks for rows that are already there. In the scripted
communities every person draws in plan order (person i draws the i-th time): a larger
--employees adds members without moving anyone. The generated ones depend on how many there
are: a larger company adds memberships there (a rerun never removes one).
"""

import random
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from django.utils.text import slugify

from communities.models import JoinPolicy, Role, Visibility

from .data import DEPARTMENTS, HOBBIES, OFFICES, PROJECTS
from .data.communities import (
    COMMUNITIES,
    INTEREST_SUFFIXES,
    PROJECT_SUFFIXES,
    REMOTE_DESCRIPTION,
    REMOTE_NAME,
    REMOTE_POSTS,
    SITE_DESCRIPTION,
    SITE_POSTS,
    CommunityPost,
    DemoCommunity,
)
from .hierarchy import HEAD, Person

EMPLOYEES_PER_COMMUNITY = 20
FIXED = ("alice", "bob", "ceo", "hr", "mod")
APPETITE_ALPHA = 1.5  # Pareto: ~1 in 3 joins a drawn community, ~1 in 40 ten or more
MAX_APPETITE = 80
# Generated communities: what kind (weight), and how they are set up.
KINDS = (("interest", 40), ("project", 35), ("team", 25))
PROJECT_SETUPS = (
    (Visibility.OPEN, JoinPolicy.REQUEST, 6),
    (Visibility.PRIVATE, JoinPolicy.REQUEST, 3),
    (Visibility.SECRET, JoinPolicy.INVITE, 1),
)
TEAM_SHARE = 0.6  # of a department's people at an office who join its community there
REQUESTS = 3  # at most, pending, to a generated community that asks to join


@dataclass
class PlannedCommunity:
    slug: str
    name: str
    description: str
    visibility: str
    join_policy: str
    days_ago: int
    roles: dict[int, str] = field(default_factory=dict)  # active members by plan index
    requested: list[int] = field(default_factory=list)
    invited: list[int] = field(default_factory=list)
    in_stream: bool = True  # stream statuses may be posted here (stream.py)
    office: str = ""  # a site's office (for its posts' {office}), a team's office
    department: str = ""  # a team's department (generated communities)
    posts: tuple[CommunityPost, ...] = ()

    @property
    def owner(self) -> int:
        return next(i for i, role in self.roles.items() if role == Role.OWNER)

    @property
    def admin(self) -> int:
        return next((i for i, role in self.roles.items() if role == Role.ADMIN), self.owner)


class People:
    """Who's who, by the names data/communities.py uses."""

    def __init__(self, people: list[Person]) -> None:
        self.people = people
        self.index_of = {p.username: p.index for p in people}
        self.heads = {p.department: p.index for p in people if p.level >= HEAD}
        self.fixed = {self.index_of[name] for name in FIXED if name in self.index_of}

    def named(self, name: str) -> int:
        if name in self.index_of:
            return self.index_of[name]
        if name.startswith("head_of_"):
            return self.heads.get(name.removeprefix("head_of_"), self.heads["executive-office"])
        raise ValueError(f"no one is called {name!r} in the demo communities")


def plan_communities(people: list[Person], *, seed: int) -> list[PlannedCommunity]:
    """The scripted communities, then one for every EMPLOYEES_PER_COMMUNITY people."""
    who = People(people)
    planned = [*sites(people, seed=seed), *(scripted(spec, who, seed=seed) for spec in COMMUNITIES)]
    extra = len(people) // EMPLOYEES_PER_COMMUNITY - len(planned)
    if extra > 0:
        planned.extend(generated(people, who, seed=seed, count=extra))
    return planned


def _rank(people: list[Person], members) -> list[int]:
    """The most senior first, then by when they were hired (plan order)."""
    return sorted(members, key=lambda i: (-people[i].level, i))


def sites(people: list[Person], *, seed: int) -> list[PlannedCommunity]:
    """An open community per office someone works in, with everyone there; its two most senior
    people own and administer it."""
    found = []
    for office, _ in OFFICES:
        here = [p.index for p in people if p.location == office]
        if not here:
            continue
        remote = office == "Remote"
        name = REMOTE_NAME if remote else f"{office} office"
        ranked = _rank(people, here)
        roles = dict.fromkeys(sorted(here), Role.MEMBER)
        roles[ranked[0]] = Role.OWNER
        if len(ranked) > 1:
            roles[ranked[1]] = Role.ADMIN
        found.append(
            PlannedCommunity(
                slug=slugify(name),
                name=name,
                description=REMOTE_DESCRIPTION
                if remote
                else SITE_DESCRIPTION.format(office=office),
                visibility=Visibility.OPEN,
                join_policy=JoinPolicy.OPEN,
                days_ago=random.Random(f"{seed}:community:{office}").randint(300, 900),  # noqa: S311
                roles=roles,
                office=office,
                posts=REMOTE_POSTS if remote else SITE_POSTS,
            )
        )
    return found


def scripted(spec: DemoCommunity, who: People, *, seed: int) -> PlannedCommunity:
    rng = random.Random(f"{seed}:community:{spec.slug}")  # noqa: S311
    excluded = {who.index_of[n] for n in spec.excluded if n in who.index_of}
    roles: dict[int, str] = {}
    departments = set(spec.departments)
    for p in who.people:
        drawn = rng.random() < spec.share  # drawn for everyone: person i draws the i-th time
        if p.index in excluded or p.index in who.fixed:
            continue
        if drawn and (not departments or p.department in departments):
            roles[p.index] = Role.MEMBER
    if spec.heads:
        roles.update(dict.fromkeys(who.heads.values(), Role.MEMBER))
    for name in spec.members:
        roles[who.named(name)] = Role.MEMBER
    for name in spec.admins:
        roles[who.named(name)] = Role.ADMIN
    roles[who.named(spec.owner)] = Role.OWNER
    taken = set(roles)
    return PlannedCommunity(
        slug=spec.slug,
        name=spec.name,
        description=spec.description,
        visibility=spec.visibility,
        join_policy=spec.join_policy,
        days_ago=spec.days_ago,
        roles=dict(sorted(roles.items())),
        requested=[who.named(n) for n in spec.requested if who.named(n) not in taken],
        invited=[who.named(n) for n in spec.invited if who.named(n) not in taken],
        in_stream=spec.in_stream,
        posts=spec.posts,
    )


def names(seed: int):
    """(kind, name, department, office) of the generated communities, in a fixed order for the
    seed whatever their number: a larger company adds communities, it renames none."""
    departments = [d.slug for d in DEPARTMENTS if d.head_title]
    offices = [office for office, _ in OFFICES if office != "Remote"]
    pools = {
        "interest": [
            (f"{hobby[0].upper()}{hobby[1:]} {suffix}", "", "")
            for hobby in HOBBIES
            for suffix in INTEREST_SUFFIXES
        ],
        "project": [
            (f"{project} {suffix}", "", "") for project in PROJECTS for suffix in PROJECT_SUFFIXES
        ],
        "team": [
            (f"{d.name} in {office}", d.slug, office)
            for d in DEPARTMENTS
            if d.slug in departments
            for office in offices
        ],
    }
    rng = random.Random(f"{seed}:community-names")  # noqa: S311
    for pool in pools.values():
        rng.shuffle(pool)
    kinds, weights = zip(*KINDS, strict=True)
    cumulative = list(accumulate(weights))
    used = {kind: 0 for kind in kinds}
    while True:
        kind = kinds[bisect_right(cumulative, rng.random() * cumulative[-1])]
        pool = pools[kind]
        name, department, office = pool[used[kind] % len(pool)]
        lap = used[kind] // len(pool)
        used[kind] += 1
        yield kind, f"{name} {lap + 1}" if lap else name, department, office


def generated(
    people: list[Person], who: People, *, seed: int, count: int
) -> list[PlannedCommunity]:
    found: list[PlannedCommunity] = []
    for number, (kind, name, department, office) in zip(range(count), names(seed), strict=False):
        rng = random.Random(f"{seed}:community-extra:{number}")  # noqa: S311
        visibility, join_policy = Visibility.OPEN, JoinPolicy.OPEN
        if kind == "project":
            setups = [(v, j) for v, j, _ in PROJECT_SETUPS]
            visibility, join_policy = rng.choices(setups, [w for *_, w in PROJECT_SETUPS])[0]
        description = {
            "interest": f"For everyone into {name.rsplit(' ', 1)[0].lower()}: meetups, tips and "
            "photos. All welcome.",
            "project": f"The people working on {name}: plans, decisions and progress.",
            "team": f"{name}: news, questions and the odd celebration.",
        }[kind]
        found.append(
            PlannedCommunity(
                slug=slugify(name)[:50],
                name=name,
                description=description,
                visibility=visibility,
                join_policy=join_policy,
                days_ago=rng.randint(10, 700),
                office=office,
                department=department,
            )
        )
    _draw_members(people, who, found, seed=seed)
    return found


def _draw_members(
    people: list[Person], who: People, found: list[PlannedCommunity], *, seed: int
) -> None:
    """Team communities: most of a department's people at that office. The others: each person
    joins as many as their appetite, the larger communities likelier. Then an owner, an admin
    when there are ten members or more, and a few pending requests where admins approve."""
    teams = {(c.department, c.office): c for c in found if c.department}
    others = [c for c in found if not c.department]
    weights = list(accumulate(1 / (rank + 1) ** 0.7 for rank in range(len(others))))
    for p in people:
        rng = random.Random(f"{seed}:joins:{p.username}")  # noqa: S311
        appetite = min(MAX_APPETITE, len(others), int(rng.paretovariate(APPETITE_ALPHA)) - 1)
        stays = rng.random() < TEAM_SHARE
        if p.index in who.fixed:
            continue
        team = teams.get((p.department, p.location))
        if team is not None and stays:
            team.roles[p.index] = Role.MEMBER
        chosen: set[int] = set()
        for _ in range(appetite * 3):
            if len(chosen) >= appetite:
                break
            chosen.add(bisect_right(weights, rng.random() * weights[-1]))
        for c in chosen:
            others[c].roles[p.index] = Role.MEMBER
    candidates = [p.index for p in people if p.index not in who.fixed]
    for number, community in enumerate(found):
        rng = random.Random(f"{seed}:community-roles:{number}")  # noqa: S311
        if not community.roles:  # nobody drawn: its founder, alone for now
            community.roles[candidates[int(rng.random() * len(candidates))]] = Role.MEMBER
        members = sorted(community.roles)
        owner = members[int(rng.random() * len(members))]
        admin = members[int(rng.random() * len(members))]
        community.roles[owner] = Role.OWNER
        if len(members) >= 10 and admin != owner:
            community.roles[admin] = Role.ADMIN
        community.roles = dict(sorted(community.roles.items()))
        if community.join_policy == JoinPolicy.REQUEST:
            asking = {candidates[int(rng.random() * len(candidates))] for _ in range(REQUESTS)}
            community.requested = sorted(asking - community.roles.keys())
