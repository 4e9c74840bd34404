"""Writes the communities (community_plan.py): the communities, their members, and the scripted
posts.

Memberships are bulk-created, as people.py does follows: a site of 1,500 people through
`membership_join` one at a time would take minutes at 10,000 people, and the services' invariants
still hold (every community has an active owner; only active members hold a role;
`members_count` is recounted). What a person would be told goes through the services: alice's
request to join (its admins are notified), the invitations, and the scripted posts and their
comments (feeds.services, so mentions notify only people who may read them), whose clock is then
turned back with queryset updates, as leadership.py does. Reactions are bulk-created, as for
the stories; the fixed accounts' reaction notifications come from notifications.py.

Known by slug (communities), by person (memberships) and by body (posts): a second run creates
nothing.
"""

import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from communities import services as communities
from communities.models import Community, Membership, State, Visibility
from feeds import services as feeds
from feeds.models import Comment, Reaction, Status
from notifications.models import Notification
from profiles.models import User

from .cast import Cast, Clock
from .community_plan import People, PlannedCommunity
from .data.communities import CommunityPost
from .stream import COMMENT_DELAY_HOURS, KIND_WEIGHTS, REACTION_DELAY_HOURS, Place
from .writers import INSERT_BATCH, chunked

READ_AFTER = timedelta(days=3)  # notifications about older posts have been read


@dataclass(frozen=True)
class CommunityTotals:
    communities: int
    memberships: int  # active
    pending: int  # requests and invitations


def community_totals() -> CommunityTotals:
    states = dict(
        Membership.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    return CommunityTotals(
        communities=Community.objects.count(),
        memberships=states.get(State.ACTIVE, 0),
        pending=states.get(State.REQUESTED, 0) + states.get(State.INVITED, 0),
    )


class CommunitySeeder:
    def __init__(
        self, cast: Cast, plan: list[PlannedCommunity], *, seed: int, now: datetime | None = None
    ) -> None:
        self.cast = cast
        self.plan = plan
        self.seed = seed
        self.now = now or timezone.now()
        self.ids: dict[str, int] = {}  # community id by slug
        self.users: dict[int, User] = {}
        self.who = People(cast.people)

    def user(self, index: int) -> User:
        if index not in self.users:
            self.users[index] = User.objects.get(pk=self.cast.user_ids[index])
        return self.users[index]

    @property
    def scripted_posts(self) -> int:
        """How many statuses ensure_posts writes: part of --statuses, like the stories."""
        return sum(len(c.posts) for c in self.plan)

    # Communities and members.

    def ensure(self) -> int:
        """Communities and memberships; returns how many communities were new."""
        with transaction.atomic():
            created = self.ensure_communities()
            self.ensure_members()
            self.recount()
        # Through the services, each in its own transaction, as a person would.
        self.ensure_pending()
        return created

    def ensure_communities(self) -> int:
        users = self.cast.user_ids
        self.ids = dict(
            Community.objects.filter(slug__in=[c.slug for c in self.plan]).values_list("slug", "id")
        )
        missing = [c for c in self.plan if c.slug not in self.ids]
        Community.objects.bulk_create(
            [
                Community(
                    name=c.name,
                    slug=c.slug,
                    description=c.description,
                    visibility=c.visibility,
                    join_policy=c.join_policy,
                    created_by_id=users[c.owner],
                    created_at=self.now - timedelta(days=c.days_ago),
                )
                for c in missing
            ],
            batch_size=INSERT_BATCH,
            ignore_conflicts=True,
        )
        self.ids = dict(
            Community.objects.filter(slug__in=[c.slug for c in self.plan]).values_list("slug", "id")
        )
        return len(missing)

    def ensure_members(self) -> None:
        users, people = self.cast.user_ids, self.cast.people
        have = set(
            Membership.objects.filter(community_id__in=self.ids.values()).values_list(
                "community_id", "user_id"
            )
        )
        rows = []
        for c in self.plan:
            community_id = self.ids[c.slug]
            for index, role in c.roles.items():
                if (community_id, users[index]) in have:
                    continue
                # They joined as soon as both the community and their job existed.
                joined = self.now - timedelta(days=min(c.days_ago, people[index].days_ago))
                rows.append(
                    Membership(
                        community_id=community_id,
                        user_id=users[index],
                        role=role,
                        state=State.ACTIVE,
                        created_at=joined,
                        updated_at=joined,
                    )
                )
            # Generated requests are bulk-created; the fixed accounts' go through the services.
            for index in c.requested:
                if index not in self.who.fixed and (community_id, users[index]) not in have:
                    asked = self.now - timedelta(days=min(c.days_ago, 3) * _fraction(index))
                    rows.append(
                        Membership(
                            community_id=community_id,
                            user_id=users[index],
                            state=State.REQUESTED,
                            created_at=asked,
                            updated_at=asked,
                        )
                    )
        for batch in chunked(rows, INSERT_BATCH):
            Membership.objects.bulk_create(batch, ignore_conflicts=True)

    def ensure_pending(self) -> None:
        """The fixed accounts' requests and invitations, through the services: the admins are
        told of a request, the invited person of an invitation."""
        for c in self.plan:
            community = None
            for index in c.requested:
                if index in self.who.fixed:
                    community = community or Community.objects.get(slug=c.slug)
                    if not Membership.objects.filter(
                        community=community, user_id=self.cast.user_ids[index]
                    ).exists():
                        communities.membership_join(actor=self.user(index), community=community)
            for index in c.invited:
                community = community or Community.objects.get(slug=c.slug)
                if not Membership.objects.filter(
                    community=community, user_id=self.cast.user_ids[index]
                ).exists():
                    communities.member_put(
                        actor=self.user(c.owner),
                        community=community,
                        username=self.user(index).username,
                        state=State.INVITED,
                    )

    def recount(self) -> None:
        active = (
            Membership.objects.filter(
                community=OuterRef("pk"), state=State.ACTIVE, user__is_active=True
            )
            .values("community")
            .annotate(n=Count("id"))
            .values("n")
        )
        Community.objects.filter(pk__in=self.ids.values()).update(
            members_count=Coalesce(Subquery(active), 0)
        )

    # Where stream statuses may go (stream.py).

    def places(self) -> list[tuple[Place, ...]]:
        """By plan index: the communities whose stream statuses this person may post, with who
        may comment and react there when that is not everyone."""
        found: list[list[Place]] = [[] for _ in self.cast.people]
        for c in self.plan:
            if not c.in_stream:
                continue
            readers = None if c.visibility == Visibility.OPEN else frozenset(c.roles)
            place = Place(self.ids[c.slug], readers, self.now - timedelta(days=c.days_ago))
            for index in c.roles:
                found[index].append(place)
        return [tuple(places) for places in found]

    # Scripted posts.

    def ensure_posts(self, clock: Clock) -> int:
        """The scripted posts with their comments, reactions and pins; how many were new."""
        created = 0
        for c in self.plan:
            if not c.posts:
                continue
            community = Community.objects.get(slug=c.slug)
            for number, post in enumerate(c.posts):
                rng = random.Random(f"{self.seed}:community-post:{c.slug}:{number}")  # noqa: S311
                author = self.person(post.author, c, rng, set())
                body = self.text(post.body, c)
                if Status.objects.filter(community=community, body=body).exists():
                    continue
                with transaction.atomic():
                    self.create_post(c, community, post, author, body, rng, clock)
                created += 1
        return created

    def person(self, name: str, c: PlannedCommunity, rng: random.Random, spoken: set[int]) -> int:
        if name == "owner":
            return c.owner
        if name == "admin":
            return c.admin
        if name != "member":
            return self.who.named(name)
        pool = [i for i in c.roles if i not in self.who.fixed and i not in spoken]
        return pool[int(rng.random() * len(pool))] if pool else c.owner

    def text(self, source: str, c: PlannedCommunity) -> str:
        people = self.cast.people
        seeder = self

        class Names(dict):
            def __missing__(self, key: str) -> str:
                index = seeder.person(key, c, random.Random(0), set())  # noqa: S311
                return f"@{people[index].username}"

        return source.format_map(Names(office=c.office, community=c.name))

    def moment(self, c: PlannedCommunity, author: int, rng: random.Random, clock: Clock):
        """When, in the author's office hours over the content's days, after the community
        was created (squeezed into its life when it is younger than the content)."""
        picked = clock.pick(rng, clock.tables[self.cast.people[author].location])
        born = self.now - timedelta(days=c.days_ago)
        if born <= clock.start:
            return picked
        return born + (picked - clock.start) * ((self.now - born) / (self.now - clock.start))

    def create_post(
        self,
        c: PlannedCommunity,
        community: Community,
        post: CommunityPost,
        author: int,
        body: str,
        rng: random.Random,
        clock: Clock,
    ) -> None:
        posted = self.moment(c, author, rng, clock)
        status = feeds.status_create(author=self.user(author), body=body, community=community)
        Status.objects.filter(pk=status.pk).update(created_at=posted)
        status.created_at = posted
        self.backdate_notifications(status, posted)
        spoken = {author}
        when = posted
        for spec in post.comments:
            writer = self.person(spec.author, c, rng, spoken)
            spoken.add(writer)
            comment = feeds.comment_create(
                author=self.user(writer), status=status, body=self.text(spec.body, c)
            )
            when = clock.after(rng, when, COMMENT_DELAY_HOURS)
            Comment.objects.filter(pk=comment.pk).update(created_at=when)
            self.backdate_notifications(comment, when)
        self.add_reactions(c, status, author, post.reactions, rng, clock)
        if post.pinned:
            feeds.status_announce(actor=self.user(c.owner), status=status, pinned=True)

    def add_reactions(
        self,
        c: PlannedCommunity,
        status: Status,
        author: int,
        count: int,
        rng: random.Random,
        clock: Clock,
    ) -> None:
        """From the community's members: the people who read it first."""
        pool = [i for i in c.roles if i != author]
        kinds = [k for k, _ in KIND_WEIGHTS]
        weights = [w for _, w in KIND_WEIGHTS]
        cumulative = [sum(weights[: n + 1]) for n in range(len(weights))]
        users = self.cast.user_ids
        Reaction.objects.bulk_create(
            Reaction(
                status=status,
                user_id=users[index],
                kind=kinds[bisect_right(cumulative, rng.random() * cumulative[-1])],
                created_at=clock.after(rng, status.created_at, REACTION_DELAY_HOURS),
            )
            for index in rng.sample(pool, min(count, len(pool)))
        )

    def backdate_notifications(self, target, when: datetime) -> None:
        told = Notification.objects.about(target)
        told.update(created_at=when, updated_at=when)
        if when < self.now - READ_AFTER:
            told.filter(read_at=None).update(read_at=when + timedelta(hours=2))


def _fraction(index: int) -> float:
    """A fixed number in [0, 1) for a person: spreads join dates without a generator."""
    return (index * 0.6180339887) % 1.0
