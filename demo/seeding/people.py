"""Writes the company: departments, skills, accounts, profiles, roles and follows.

Through bulk_create, not the one-person-at-a-time services in profiles/services.py, which would
take many minutes at 10,000 people. The invariants those services keep still hold: every
account has a profile and a verified primary email, managers are created before their reports
(so there is no cycle), and everyone follows their manager and teammates, as
`follow_onboarding` does for a real new hire. Seeding records no RoleChange: it is the starting
state, not a change anyone made. Only what is missing is written, so a rerun creates nothing.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core.text import render_markdown
from exec_blog.delegates import delegate_add
from profiles.models import Department, Follow, Profile, Skill, User
from profiles.permissions import ROLES

from .data import ADMIN, CEO, COMMS, DEPARTMENTS, DEPARTMENTS_BY_SLUG
from .hierarchy import Person, admin_person, follow_pairs, staff_follow_pairs, staff_people
from .writers import Progress, chunked

BATCH_SIZE = 2000
# Rows per `__in` lookup: below SQLite's historical limit of 999 variables per statement.
LOOKUP_CHUNK = 900


@dataclass(frozen=True)
class Company:
    """What the content needs from the written company."""

    user_ids: dict[str, int]  # by username, the admin included
    departments: dict[str, int]  # by slug
    created: int  # accounts new in this run


@dataclass(frozen=True)
class CompanyTotals:
    people: int  # with a profile in a seeded department
    departments: int
    follows: int


def seed_company(people: list[Person], *, password: str, seed: int, progress: Progress) -> Company:
    """Write whatever of `people` (and the admin) is missing, one transaction per step."""
    return CompanySeeder(password=password, progress=progress).run(people, seed=seed)


def company_totals() -> CompanyTotals:
    return CompanyTotals(
        people=Profile.objects.filter(department__slug__in=DEPARTMENTS_BY_SLUG).count(),
        departments=Department.objects.count(),
        follows=Follow.objects.count(),
    )


class CompanySeeder:
    """One run's writes; holds the password hash so it is computed at most once."""

    def __init__(self, *, password: str, progress: Progress) -> None:
        self.password = password
        self.progress = progress
        self._hash: str | None = None

    def run(self, people: list[Person], *, seed: int) -> Company:
        with transaction.atomic():
            departments = self.ensure_departments()
            skills = self.ensure_skills()
        with transaction.atomic():
            user_ids, created = self.ensure_accounts(people)
        with transaction.atomic():
            self.ensure_profiles(people, user_ids, departments, skills)
        with transaction.atomic():
            self.ensure_roles(people, user_ids)
            self.ensure_delegates(user_ids)
        with transaction.atomic():
            self.ensure_follows(people, user_ids, seed=seed)
        return Company(user_ids=user_ids, departments=departments, created=created)

    @property
    def password_hash(self) -> str:
        # Hashing is deliberately slow (~0.3 s): once per run, shared by every new account.
        if self._hash is None:
            self._hash = make_password(self.password)
        return self._hash

    def ensure_departments(self) -> dict[str, int]:
        existing = set(Department.objects.values_list("slug", flat=True))
        Department.objects.bulk_create(
            [
                Department(name=d.name, slug=d.slug, description=d.description)
                for d in DEPARTMENTS
                if d.slug not in existing
            ],
            ignore_conflicts=True,
        )
        return dict(Department.objects.values_list("slug", "id"))

    def ensure_skills(self) -> dict[str, int]:
        names: dict[str, str] = {}
        for dept in DEPARTMENTS:
            for name in dept.skills:
                names.setdefault(slugify(name), name)
        existing = set(Skill.objects.filter(slug__in=names).values_list("slug", flat=True))
        Skill.objects.bulk_create(
            [Skill(slug=slug, name=name) for slug, name in names.items() if slug not in existing],
            ignore_conflicts=True,
        )
        return dict(Skill.objects.filter(slug__in=names).values_list("slug", "id"))

    def ensure_accounts(self, people: list[Person]) -> tuple[dict[str, int], int]:
        """Create the missing accounts; returns {username: user id} and how many were new."""
        accounts = [*people, admin_person(), *staff_people(people)]
        user_ids = self.user_ids([p.username for p in accounts])
        self.reset_passwords_if_changed(user_ids)
        now = timezone.now()
        missing = [p for p in accounts if p.username not in user_ids]
        for done, batch in enumerate(chunked(missing, BATCH_SIZE), start=1):
            User.objects.bulk_create(
                [
                    User(
                        username=p.username,
                        email=p.email,
                        first_name=p.first_name,
                        last_name=p.last_name,
                        password=self.password_hash,
                        is_staff=p.username == ADMIN.username,
                        is_superuser=p.username == ADMIN.username,
                        date_joined=now - timedelta(days=p.days_ago),
                    )
                    for p in batch
                ],
                batch_size=BATCH_SIZE,
            )
            self.progress.update("accounts", done * BATCH_SIZE, len(missing))
        new_ids = self.user_ids([p.username for p in missing])
        user_ids.update(new_ids)
        # Verified and primary: login by email works at once and no confirmation is asked.
        EmailAddress.objects.bulk_create(
            (
                EmailAddress(
                    user_id=new_ids[p.username], email=p.email, verified=True, primary=True
                )
                for p in missing
            ),
            batch_size=BATCH_SIZE,
            ignore_conflicts=True,
        )
        return user_ids, len(missing)

    def reset_passwords_if_changed(self, user_ids: dict[str, int]) -> None:
        """Every demo account has the password asked for, also when a run asks for a new one.

        One check on the CEO's account stands for all: they were all set to the same hash.
        """
        if CEO.username not in user_ids:
            return
        current = User.objects.filter(pk=user_ids[CEO.username]).values_list("password", flat=True)
        if check_password(self.password, current[0]):
            return
        for batch in chunked(user_ids.values(), LOOKUP_CHUNK):
            User.objects.filter(pk__in=batch).update(password=self.password_hash)

    def ensure_profiles(
        self,
        people: list[Person],
        user_ids: dict[str, int],
        departments: dict[str, int],
        skills: dict[str, int],
    ) -> None:
        """Create missing profiles, managers before their reports, with their skills."""
        admin = admin_person()
        staff = staff_people(people)
        profile_ids = self.profile_ids(list(user_ids.values()))
        missing = [p for p in [admin, *people, *staff] if user_ids[p.username] not in profile_ids]
        # Plan order hires managers first, so each depth's managers exist before its reports.
        depth: dict[int, int] = {}
        for person in [*people, *staff]:
            depth[person.index] = 0 if person.manager is None else depth[person.manager] + 1
        by_depth: dict[int, list[Person]] = defaultdict(list)
        for person in missing:
            by_depth[depth.get(person.index, 0)].append(person)  # the admin has no manager
        now = timezone.now()
        done = 0
        for level in sorted(by_depth):
            for batch in chunked(by_depth[level], BATCH_SIZE):
                profiles = []
                for p in batch:
                    manager_id = None
                    if p.manager is not None:
                        manager_id = profile_ids[user_ids[people[p.manager].username]]
                    profiles.append(
                        Profile(
                            user_id=user_ids[p.username],
                            display_name=p.display_name,
                            title=p.title,
                            department_id=departments.get(p.department),
                            manager_id=manager_id,
                            location=p.location,
                            pronouns=p.pronouns,
                            bio=p.bio,
                            bio_html=render_markdown(p.bio) if p.bio else "",
                            created_at=now - timedelta(days=p.days_ago),
                        )
                    )
                Profile.objects.bulk_create(profiles, batch_size=BATCH_SIZE)
                profile_ids.update(self.profile_ids([p.user_id for p in profiles]))
                done += len(batch)
                self.progress.update("profiles", done, len(missing))
        Through = Profile.skills.through
        rows = (
            Through(profile_id=profile_ids[user_ids[p.username]], skill_id=skills[slugify(name)])
            for p in missing
            for name in p.skills
        )
        for batch in chunked(rows, BATCH_SIZE):
            Through.objects.bulk_create(batch, ignore_conflicts=True)

    def ensure_roles(self, people: list[Person], user_ids: dict[str, int]) -> None:
        """Put the fixed accounts and the executives in their groups (the rest have none)."""
        groups = {name: Group.objects.get_or_create(name=name)[0].pk for name in ROLES}
        Through = User.groups.through
        Through.objects.bulk_create(
            [
                Through(user_id=user_ids[p.username], group_id=groups[role])
                for p in [*people, *staff_people(people)]
                for role in p.roles
            ],
            ignore_conflicts=True,
        )

    def ensure_delegates(self, user_ids: dict[str, int]) -> None:
        """The CEO names her communications manager as her delegate (audited, idempotent)."""
        ceo = User.objects.get(pk=user_ids[CEO.username])
        comms = User.objects.select_related("profile").get(pk=user_ids[COMMS.username])
        delegate_add(executive=ceo, delegate=comms)

    def ensure_follows(self, people: list[Person], user_ids: dict[str, int], *, seed: int) -> None:
        staff = staff_people(people)
        id_of = {p.index: user_ids[p.username] for p in [*people, *staff]}
        ids = list(id_of.values())
        pairs = {
            (id_of[a], id_of[b])
            for a, b in follow_pairs(people, seed=seed) | staff_follow_pairs(people, staff)
        }
        # Skipping the follows already there makes a second run fast; ignore_conflicts still
        # covers a follow someone makes while this runs.
        for batch in chunked(ids, LOOKUP_CHUNK):
            pairs.difference_update(
                Follow.objects.filter(follower_id__in=batch).values_list(
                    "follower_id", "followee_id"
                )
            )
        now = timezone.now()
        rows = (Follow(follower_id=a, followee_id=b, created_at=now) for a, b in sorted(pairs))
        done = 0
        for batch in chunked(rows, BATCH_SIZE):
            Follow.objects.bulk_create(batch, ignore_conflicts=True)
            done += len(batch)
            self.progress.update("follows", done, len(pairs))

    @staticmethod
    def user_ids(usernames: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for batch in chunked(usernames, LOOKUP_CHUNK):
            found.update(User.objects.filter(username__in=batch).values_list("username", "id"))
        return found

    @staticmethod
    def profile_ids(user_ids: list[int]) -> dict[int, int]:
        """{user id: profile id} for those of these users who have a profile."""
        found: dict[int, int] = {}
        for batch in chunked(user_ids, LOOKUP_CHUNK):
            found.update(Profile.objects.filter(user_id__in=batch).values_list("user_id", "id"))
        return found
