"""Who works here: the org chart of the demo company, and who follows whom. No database.

The company is "hired" one person at a time from a random stream seeded by --seed, and where
a person lands depends only on the people hired before them: person number i is the same
whatever --employees says. That is what makes seeding idempotent and lets a larger
--employees add people without moving anyone already there. The order of every random draw
below is part of that contract.
"""

import random
import re
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from itertools import accumulate

from profiles.permissions import EXECUTIVES

from .data import (
    ADMIN,
    BIO_TEMPLATES,
    CEO,
    COMMS,
    DEPARTMENTS,
    DEPARTMENTS_BY_SLUG,
    EXECUTIVE_OFFICE,
    FIRST_NAMES,
    HOBBIES,
    LAST_NAMES,
    OFFICES,
    PREVIOUS_EMPLOYERS,
    STAFF_ACCOUNTS,
    TEAM_ACCOUNTS,
    Dept,
    FixedAccount,
)

EMAIL_DOMAIN = "example.com"

# Levels of the org chart, from the bottom. A person at level L > 0 leads people at level L - 1.
IC, MANAGER, DIRECTOR, SENIOR_DIRECTOR, GROUP_DIRECTOR = range(5)
HEAD = 5
CEO_LEVEL = 6
# How many direct reports a new leader at each level will take on (inclusive ranges).
SPANS = {MANAGER: (4, 8), DIRECTOR: (3, 6), SENIOR_DIRECTOR: (3, 5), GROUP_DIRECTOR: (3, 5)}
# What a department's head hires, in order: four teams first, then deeper and deeper groups, so
# a large department stays a tree of believable spans instead of one VP with 100 reports.
HEAD_HIRES = (MANAGER, MANAGER, MANAGER, MANAGER, DIRECTOR, DIRECTOR, SENIOR_DIRECTOR)
HEAD_HIRES_THEN = GROUP_DIRECTOR

SAME_OFFICE_AS_MANAGER = 0.6
PRONOUN_SHARE = 0.4
BIO_SHARE = 0.65


@dataclass
class Person:
    index: int
    username: str
    first_name: str
    last_name: str
    department: str  # a slug, or "" for the admin account
    level: int
    title: str
    manager: int | None  # index of the manager in the plan
    location: str = ""
    pronouns: str = ""
    bio: str = ""
    skills: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    days_ago: int = 0
    popularity: float = 1.0

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def email(self) -> str:
        return f"{self.username}@{EMAIL_DOMAIN}"


@dataclass
class _Opening:
    """A leader still hiring: who they are, what level they hire and how many more."""

    leader: int
    level: int  # of the people this leader hires
    remaining: int | None  # None: a department head, who never stops hiring
    hired: int = 0


def ascii_slug(text: str) -> str:
    text = text.translate(str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "ß": "ss", "ı": "i"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass
class CompanyPlan:
    """Hires people one by one; the result for n people is a prefix of the one for n + 1 (once
    the CEO has staff, see `appoint_delegate`)."""

    seed: int
    rng: random.Random = field(init=False)
    people: list[Person] = field(default_factory=list)
    openings: dict[str, list[_Opening]] = field(default_factory=dict)
    sizes: Counter = field(default_factory=Counter)
    usernames: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311

    def hire_ceo(self) -> Person:
        ceo = self._add(CEO.department, CEO_LEVEL, None, fixed=CEO)
        ceo.location, ceo.days_ago, ceo.popularity = "New York", 3650, 40.0
        office = DEPARTMENTS_BY_SLUG[EXECUTIVE_OFFICE]
        self.openings[EXECUTIVE_OFFICE] = [
            _Opening(leader=ceo.index, level=IC, remaining=len(office.root_staff))
        ]
        return ceo

    def appoint_delegate(self) -> Person:
        """Make one of the hires the CEO's communications manager and delegate (COMMS): the
        first of the CEO's own staff, or in a company too small to have any, its last
        individual contributor, moved onto the CEO's staff. Only who they are changes, not
        the draws: every other person, and the company's shape, stay what the seed made."""
        staff = [
            p
            for p in self.people
            if p.department == COMMS.department and p.manager == 0 and p.level == IC
        ]
        fixed = {CEO.username, *(a.username for a in TEAM_ACCOUNTS)}
        generated = [p for p in self.people if p.level == IC and p.username not in fixed]
        chosen = staff[0] if staff else generated[-1]
        comms = replace(
            chosen,
            username=COMMS.username,
            first_name=COMMS.first_name,
            last_name=COMMS.last_name,
            department=COMMS.department,
            manager=0,
            title=COMMS.title,
            pronouns=COMMS.pronouns,
            bio=COMMS.bio,
        )
        if comms.department != chosen.department:
            self.sizes[chosen.department] -= 1
            self.sizes[comms.department] += 1
        self.people[chosen.index] = comms
        return comms

    def hire_head(self, dept: Dept) -> Person:
        head = self._add(dept.slug, HEAD, 0)
        head.days_ago = self.rng.randint(1500, 3400)
        head.popularity = 20.0 if EXECUTIVES in dept.head_roles else 10.0
        head.roles = dept.head_roles
        self.openings[dept.slug] = [_Opening(leader=head.index, level=MANAGER, remaining=None)]
        return head

    def hire(self, dept: Dept, fixed: FixedAccount | None = None) -> Person:
        stack = self.openings[dept.slug]
        while stack and stack[-1].remaining == 0:
            stack.pop()
        if not stack:  # Executive Office after its root staff: the CEO starts hiring teams
            stack.append(_Opening(leader=0, level=MANAGER, remaining=None))
        opening = stack[-1]
        level = opening.level
        if opening.remaining is None:
            hired = opening.hired
            level = HEAD_HIRES[hired] if hired < len(HEAD_HIRES) else HEAD_HIRES_THEN
        if fixed is not None and level != IC:
            raise RuntimeError(f"{fixed.username} must join a team, not lead one")
        person = self._add(dept.slug, level, opening.leader, fixed=fixed)
        opening.hired += 1
        if opening.remaining is not None:
            opening.remaining -= 1
        if level > IC:
            low, high = SPANS[level]
            stack.append(
                _Opening(
                    leader=person.index, level=level - 1, remaining=self.rng.randint(low, high)
                )
            )
        return person

    def next_department(self) -> Dept:
        """The department furthest below its share of the company; the first one on a tie."""
        total = len(self.people) + 1
        open_ = [d for d in DEPARTMENTS if d.max_size is None or self.sizes[d.slug] < d.max_size]
        return max(open_, key=lambda d: d.weight * total - self.sizes[d.slug])

    def _add(
        self, dept_slug: str, level: int, manager: int | None, fixed: FixedAccount | None = None
    ) -> Person:
        rng = self.rng
        dept = DEPARTMENTS_BY_SLUG[dept_slug]
        boss = self.people[manager] if manager is not None else None
        if fixed is not None:
            first, last, pronouns = fixed.first_name, fixed.last_name, fixed.pronouns
            username, title = fixed.username, fixed.title
        else:
            first, pronouns = rng.choice(FIRST_NAMES)
            last = rng.choice(LAST_NAMES)
            pronouns = pronouns if rng.random() < PRONOUN_SHARE else ""
            username = self._username(first, last)
            title = self._title(dept, level, boss)
        # Teams tend to sit together; department heads are spread over the offices.
        near_boss = boss is not None and boss.level < CEO_LEVEL and boss.location != "Remote"
        if near_boss and rng.random() < SAME_OFFICE_AS_MANAGER:
            location = boss.location
        else:
            location = rng.choices([o for o, _ in OFFICES], weights=[w for _, w in OFFICES])[0]
        skills = tuple(rng.sample(dept.skills, rng.randint(2, 5)))
        if fixed is not None:
            bio = fixed.bio
        elif rng.random() < BIO_SHARE:
            bio = rng.choice(BIO_TEMPLATES).format(
                first=first, title=title, dept=dept.name, city=location,
                skill_a=skills[0], skill_b=skills[1], hobby=rng.choice(HOBBIES),
                previous=rng.choice(PREVIOUS_EMPLOYERS),
            )  # fmt: skip
        else:
            bio = ""
        popularity = {IC: 1.0, MANAGER: 2.0}.get(level, 4.0)
        if level == IC and rng.random() < 0.06:
            popularity = 8.0  # the person everyone asks
        person = Person(
            index=len(self.people),
            username=username,
            first_name=first,
            last_name=last,
            department=dept_slug,
            level=level,
            title=title,
            manager=manager,
            location=location,
            pronouns=pronouns,
            bio=bio,
            skills=skills,
            roles=fixed.roles if fixed is not None else (),
            days_ago=rng.randint(20, 3000),
            popularity=popularity,
        )
        self.people.append(person)
        self.sizes[dept_slug] += 1
        return person

    def _username(self, first: str, last: str) -> str:
        base = f"{ascii_slug(first)}.{ascii_slug(last)}"
        self.usernames[base] += 1
        count = self.usernames[base]
        return base if count == 1 else f"{base}{count}"

    def _title(self, dept: Dept, level: int, boss: Person | None) -> str:
        if level == HEAD:
            return dept.head_title
        if level > IC:
            return dept.leader_titles[level - 1]
        if boss is not None and boss.level == CEO_LEVEL and dept.root_staff:
            staff = sum(1 for p in self.people if p.manager == boss.index and p.level == IC)
            return dept.root_staff[staff % len(dept.root_staff)]
        return self.rng.choice(dept.ic_titles)


def build_plan(*, seed: int, employees: int) -> list[Person]:
    """The first `employees` people of the company for `seed`. Raises ValueError if too few."""
    plan = CompanyPlan(seed=seed)
    plan.hire_ceo()
    for dept in DEPARTMENTS:
        if dept.head_title:
            plan.hire_head(dept)
    for account in TEAM_ACCOUNTS:
        dept = DEPARTMENTS_BY_SLUG[account.department]
        plan.hire(dept)  # their manager, who opens the department's first team
        plan.hire(dept, fixed=account)
    # One more than the fixed accounts and their managers: someone to be the CEO's delegate.
    if employees < len(plan.people) + 1:
        raise ValueError(f"The company needs at least {len(plan.people) + 1} employees.")
    while len(plan.people) < employees:
        plan.hire(plan.next_department())
    plan.appoint_delegate()
    return plan.people


def admin_person() -> Person:
    """The site admin: an account with a profile, outside the org chart."""
    return Person(
        index=-1,
        username=ADMIN.username,
        first_name=ADMIN.first_name,
        last_name=ADMIN.last_name,
        department="",
        level=IC,
        title=ADMIN.title,
        manager=None,
    )


def staff_people(people: list[Person]) -> list[Person]:
    """The staff accounts (the compliance officer): each reports to their department's head,
    beside the plan rather than in it (indexes -2, -3 …), so they draw nothing from its random
    stream and the company and its content are the same with or without them. They post
    nothing and belong to no office (so no office community changes); `staff_follow_pairs`
    says whom they follow."""
    heads = {p.department: p for p in people if p.level == HEAD}
    return [
        Person(
            index=-2 - n,
            username=account.username,
            first_name=account.first_name,
            last_name=account.last_name,
            department=account.department,
            level=IC,
            title=account.title,
            manager=heads[account.department].index,
            pronouns=account.pronouns,
            bio=account.bio,
            roles=account.roles,
            skills=account.skills,
            days_ago=heads[account.department].days_ago // 2,
        )
        for n, account in enumerate(STAFF_ACCOUNTS)
    ]


def staff_follow_pairs(people: list[Person], staff: list[Person]) -> set[tuple[int, int]]:
    """(follower, followee) indexes (a staff account's is negative): as the onboarding rule
    has it, they follow their manager and their manager's reports, who follow them back; and
    they follow the CEO and the department heads."""
    pairs: set[tuple[int, int]] = set()
    leaders = [p.index for p in people if p.level >= HEAD]
    for person in staff:
        team = [p.index for p in people if p.manager == person.manager]
        for other in {person.manager, *team, *leaders}:
            pairs.add((person.index, other))
        pairs.update((other, person.index) for other in {person.manager, *team})
    return pairs


def follow_pairs(people: list[Person], *, seed: int) -> set[tuple[int, int]]:
    """(follower, followee) plan indexes: teams follow each other, plus skewed random follows.

    Like the people, the follows of the first n people do not depend on how many come after:
    each newcomer follows, and is followed by, people hired before them. Growing the company
    adds follows that involve its new people only, and early hires (the executives, the heads)
    gather the most followers, as they do in a real company.
    """
    pairs: set[tuple[int, int]] = set()
    teams: dict[int, list[int]] = defaultdict(list)
    for person in people:
        if person.manager is not None:
            teams[person.manager].append(person.index)
    for manager, team in teams.items():
        for member in team:
            pairs.add((member, manager))  # the onboarding rule: your manager ...
            pairs.add((manager, member))  # ... who follows you back
            pairs.update((member, mate) for mate in team if mate != member)  # ... and teammates
    rng = random.Random(f"{seed}:follows")  # noqa: S311
    popularity = list(accumulate(p.popularity for p in people))
    for newcomer in range(1, len(people)):
        # Most people follow a handful beyond their team, a few follow dozens; the popular
        # are likelier picks. A couple of colleagues follow the newcomer back.
        wanted = 5 + int(35 * rng.random() ** 3)
        total = popularity[newcomer - 1]
        for _ in range(wanted):
            pairs.add((newcomer, bisect_right(popularity, rng.random() * total, hi=newcomer - 1)))
        for _ in range(rng.randint(0, 3)):
            pairs.add((rng.randrange(newcomer), newcomer))
    return pairs
