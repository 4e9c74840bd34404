"""A few polls on demo statuses that ask for one (data below), with votes, via feeds.polls.

Polls go on statuses the stream already wrote, never on new ones, so --statuses still counts
every status. Each poll is known by the status text it goes with and its first option: a second
run finds them and creates nothing. Open polls go on recent statuses that alice sees in her
feed when there is one, and the fixed accounts have not voted in them, so a demo can; closed
polls went on older statuses and ran for a few days.

Votes go through `feeds.polls.poll_vote`, dated within the poll's run (`at`), so anonymous
polls store exactly what production stores: ballots and counts, and no choice of anyone's.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from feeds import polls as feed_polls
from feeds.models import Poll, Status, Visibility
from feeds.selectors import feed
from profiles.models import User

FIXED = ("alice", "bob", "ceo", "hr", "mod", "admin")
MAX_VOTERS = 60  # per poll, whatever the size of the company
OPEN_WITHIN = timedelta(days=21)  # an open poll's status is this recent (polls run ≤ 30 days)


@dataclass(frozen=True)
class DemoPoll:
    fits: tuple[str, ...]  # the beginnings of the statuses it fits (their Markdown source)
    options: tuple[str, ...]
    weights: tuple[int, ...]  # how popular each option is
    multiple: bool = False
    anonymous: bool = False
    open_days: float | None = None  # open for this much longer; None: closed
    ran_days: float = 3  # how long a closed poll ran
    turnout: float = 0.3  # of everyone who can read the status


# Open polls first: they take the most recent statuses that fit.
POLLS = (
    DemoPoll(
        ("Lunch and learn on ", "Who's going to the ", "Running club in "),
        ("I'm in", "Maybe", "Can't make it this time"),
        (5, 3, 3),
        open_days=2,
        turnout=0.2,
    ),
    DemoPoll(
        ("#til the ", "Reminder to take your breaks.", "Small win: cut our weekly status meeting"),
        ("A quiet room", "No-meeting mornings", "Headphones on", "Working from home", "Walks"),
        (4, 6, 3, 5, 2),
        multiple=True,
        anonymous=True,
        open_days=4,
        turnout=0.25,
    ),
    DemoPoll(
        ("Anyone have a good template for a project retro?",),
        ("Start / stop / continue", "Mad / sad / glad", "Sailboat", "We just talk it through"),
        (5, 2, 3, 2),
        anonymous=True,
        ran_days=3,
    ),
    DemoPoll(
        ("_Quick poll:_ tabs or spaces?",),
        ("Tabs", "Spaces", "Whatever the formatter says"),
        (3, 4, 7),
        ran_days=2,
        turnout=0.35,
    ),
    DemoPoll(
        ("Running club in ",),
        ("5 km", "10 km", "Just here for the coffee"),
        (4, 2, 3),
        multiple=True,
        ran_days=4,
        turnout=0.15,
    ),
)


def fits_q(spec: DemoPoll, prefix: str = "") -> Q:
    q = Q()
    for start in spec.fits:
        q |= Q(**{f"{prefix}body__startswith": start})
    return q


class PollSeeder:
    def __init__(self, *, seed: int, now: datetime | None = None) -> None:
        self.seed = seed
        self.now = now or timezone.now()

    def rng(self, spec: DemoPoll) -> random.Random:
        return random.Random(f"{self.seed}:polls:{spec.options[0]}")  # noqa: S311

    def run(self) -> int:
        """Returns how many polls were new."""
        created = 0
        for spec in POLLS:
            if self.exists(spec):
                continue
            status = self.status_for(spec)
            if status is None:  # a small stream may have no status that fits
                continue
            with transaction.atomic():
                self.create(spec, status)
            created += 1
        return created

    def candidates(self, spec: DemoPoll) -> QuerySet[Status]:
        # Outside communities or in an open one: anyone may read and vote.
        return Status.objects.filter(
            fits_q(spec),
            Q(community=None) | Q(community__visibility="open"),
            blog_post=None,
            visibility=Visibility.COMPANY,
            removal="",
            is_announcement=False,
            poll__isnull=True,
            created_at__lte=self.now,
        )

    def exists(self, spec: DemoPoll) -> bool:
        return Poll.objects.filter(
            fits_q(spec, prefix="status__"), options__label=spec.options[0]
        ).exists()

    def status_for(self, spec: DemoPoll) -> Status | None:
        candidates = self.candidates(spec)
        if spec.open_days is not None:
            recent = candidates.filter(created_at__gte=self.now - OPEN_WITHIN)
            alice = User.objects.filter(username="alice").first()
            if alice is not None:
                seen = recent.filter(pk__in=feed(user=alice).values("pk"))
                status = seen.order_by("-created_at", "-id").first()
                if status is not None:
                    return status
            return recent.order_by("-created_at", "-id").first()
        older = candidates.filter(created_at__lte=self.now - timedelta(days=spec.ran_days + 1))
        ids = list(older.order_by("created_at", "id").values_list("pk", flat=True))
        return Status.objects.get(pk=self.rng(spec).choice(ids)) if ids else None

    def create(self, spec: DemoPoll, status: Status) -> None:
        rng = self.rng(spec)
        if spec.open_days is not None:
            ends_at = self.now + timedelta(days=spec.open_days)
        else:
            ends_at = status.created_at + timedelta(days=spec.ran_days)
        feed_polls.poll_create(
            status=status,
            spec=feed_polls.PollSpec(
                labels=spec.options,
                multiple=spec.multiple,
                anonymous=spec.anonymous,
                ends_at=ends_at,
            ),
        )
        options = list(status.poll.options.order_by("position").values_list("pk", flat=True))
        readers = User.objects.filter(is_active=True).exclude(pk=status.author_id)
        if spec.open_days is not None:
            readers = readers.exclude(username__in=FIXED)  # left for the demo to vote
        else:
            readers = readers.exclude(username="admin")
        pool = list(readers.order_by("pk"))
        voters = rng.sample(pool, min(len(pool), MAX_VOTERS, round(len(pool) * spec.turnout)))
        until = min(ends_at, self.now)
        span = (until - status.created_at).total_seconds()
        for user in voters:
            at = status.created_at + timedelta(seconds=span * rng.random() ** 2)
            feed_polls.poll_vote(
                user=user, status=status, option_ids=self.choose(spec, options, rng), at=at
            )

    @staticmethod
    def choose(spec: DemoPoll, options: list[int], rng: random.Random) -> list[int]:
        weights = list(spec.weights)
        wanted = rng.choice((1, 1, 2, 2, 3)) if spec.multiple else 1
        chosen: list[int] = []
        while len(chosen) < wanted:
            i = rng.choices(range(len(options)), weights=weights)[0]
            chosen.append(options[i])
            weights[i] = 0
        return chosen


def poll_totals() -> tuple[int, int]:
    """Polls, and those still open."""
    return Poll.objects.count(), Poll.objects.filter(ends_at__gt=timezone.now()).count()
