"""Writes the ideas and their decisions (data/ideas.py).

A handful of ideas, so each goes through ideas.services and feeds.services (the card, the
comments, the decisions and their notifications) exactly as in production; then the clock is
turned back with queryset updates, as leadership.py does. The votes, which grow with the
company, are bulk-created with their activity events, so 10,000 people cost a few inserts.

Known by title: a second run creates nothing.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from activity.models import ActivityEvent, PendingEvent
from feeds import services as feeds
from feeds.models import Comment, Status
from ideas import services as ideas
from ideas.models import Idea, IdeaDecision, IdeaState, IdeaVote
from notifications.models import Notification
from profiles.models import Department, User

from .cast import Cast
from .data.ideas import IDEAS, DemoIdea
from .hierarchy import HEAD
from .writers import INSERT_BATCH, chunked

# Executives by the department they head; the CEO stands in where there is no such head.
EXECUTIVE_DEPARTMENTS = {"cto": "engineering", "cfo": "finance", "cpo": "product"}
READ_AFTER = timedelta(days=2)  # notifications older than this have been read


@dataclass(frozen=True)
class IdeaTotals:
    ideas: int
    votes: int
    decisions: int


def idea_totals() -> IdeaTotals:
    return IdeaTotals(
        ideas=Idea.objects.count(),
        votes=IdeaVote.objects.count(),
        decisions=IdeaDecision.objects.count(),
    )


class IdeaSeeder:
    def __init__(self, cast: Cast, *, seed: int, now: datetime | None = None) -> None:
        self.cast = cast
        self.seed = seed
        self.now = now or timezone.now()
        ceo = cast.index_of["ceo"]
        self.executives = {"ceo": ceo}
        for name, slug in EXECUTIVE_DEPARTMENTS.items():
            self.executives[name] = next(
                (p.index for p in cast.people if p.department == slug and p.level == HEAD), ceo
            )
        self.users: dict[int, User] = {}

    def rng(self, key: str) -> random.Random:
        """One generator per idea: what one gets does not depend on the others."""
        return random.Random(f"{self.seed}:ideas:{key}")  # noqa: S311

    def user(self, index: int) -> User:
        if index not in self.users:
            self.users[index] = User.objects.select_related("profile").get(
                pk=self.cast.user_ids[index]
            )
        return self.users[index]

    def person(self, name: str, rng: random.Random, *, exclude: set[int]) -> int:
        if name in self.executives:
            return self.executives[name]
        if name != "someone":
            return self.cast.index_of[name]
        fixed = {self.cast.index_of.get(n) for n in ("alice", "bob", "hr", "mod")}
        pool = [
            p.index
            for p in self.cast.people
            if p.index not in exclude and p.index not in fixed and p.level < HEAD
        ]
        return rng.choice(pool)

    def run(self) -> int:
        """Returns how many ideas were new."""
        created = 0
        for spec in IDEAS:
            if not Idea.objects.filter(title=spec.title).exists():
                with transaction.atomic():
                    self.create_idea(spec)
                created += 1
        return created

    def at(self, moment: datetime, *, margin_minutes: int = 10) -> datetime:
        return min(moment, self.now - timedelta(minutes=margin_minutes))

    def create_idea(self, spec: DemoIdea) -> None:
        rng = self.rng(spec.title)
        author = self.person(spec.author, rng, exclude=set(self.executives.values()))
        department = Department.objects.filter(slug=spec.department).first()
        idea = ideas.idea_create(
            author=self.user(author),
            title=spec.title,
            description=spec.description,
            tags=list(spec.tags),
            department=department,
        )
        proposed = self.now - timedelta(days=spec.days_ago, hours=rng.randint(0, 6))
        Idea.objects.filter(pk=idea.pk).update(
            created_at=proposed, state_changed_at=proposed, last_activity_at=proposed
        )
        Status.objects.filter(pk=idea.card_id).update(created_at=proposed)
        Notification.objects.about(idea).update(created_at=proposed, updated_at=proposed)
        self.backdate_events(kind="idea", object_id=idea.pk, when=proposed)
        idea.refresh_from_db()

        decided = [self.at(proposed + timedelta(days=s.days_after)) for s in spec.steps]
        # Votes come in while the decision is pending: until the last vote-closing decision.
        closes = self.now
        for step, when in zip(spec.steps, decided, strict=True):
            if step.state not in (IdeaState.UNDER_REVIEW,):
                closes = when
                break
        self.add_votes(idea, spec, rng, author, proposed, closes)
        last = self.add_comments(idea, spec, rng, author, proposed)

        for step, when in zip(spec.steps, decided, strict=True):
            executive = self.executives.get(step.by, self.executives["ceo"])
            decision = ideas.idea_decide(
                executive=self.user(executive), idea=idea, state=step.state, reason=step.reason
            )
            IdeaDecision.objects.filter(pk=decision.pk).update(created_at=when)
            Notification.objects.about(idea).filter(kind="idea", created_at__gt=when).update(
                created_at=when, updated_at=when
            )
            # The service marks the first accepted or declined with the hours it took: redo
            # those hours on the demo's clock, leave the other changes without.
            hours = int((when - proposed).total_seconds() // 3600)
            recorded = ActivityEvent.objects.filter(
                kind=ActivityEvent.Kind.IDEA_DECISION, object_id=idea.pk, occurred_at__gt=when
            )
            recorded.filter(value__isnull=False).update(value=hours)
            recorded.update(occurred_at=when, day=timezone.localdate(when))
            last = max(last, when)
        Idea.objects.filter(pk=idea.pk).update(
            state_changed_at=decided[-1] if decided else proposed, last_activity_at=last
        )
        Notification.objects.about(idea).filter(created_at__lt=self.now - READ_AFTER).update(
            read_at=self.now - READ_AFTER
        )

    def backdate_events(self, *, kind: str, object_id: int, when: datetime) -> None:
        ActivityEvent.objects.filter(kind=kind, object_id=object_id).update(
            occurred_at=when, day=timezone.localdate(when)
        )

    def add_votes(
        self,
        idea: Idea,
        spec: DemoIdea,
        rng: random.Random,
        author: int,
        proposed: datetime,
        closes: datetime,
    ) -> None:
        pool = [
            p.index
            for p in self.cast.people
            if p.index != author and p.days_ago >= spec.days_ago and p.department
        ]
        voters = rng.sample(pool, min(len(pool), max(1, round(spec.vote_share * len(pool)))))
        span = max((closes - proposed).total_seconds(), 60)
        # Most votes come in the first days after an idea is proposed.
        when = {
            i: self.at(proposed + timedelta(seconds=span * min(rng.random(), rng.random())))
            for i in voters
        }
        users, departments = self.cast.user_ids, self.cast.department_ids
        rows = (IdeaVote(idea=idea, user_id=users[i], created_at=when[i]) for i in voters)
        for batch in chunked(rows, INSERT_BATCH):
            IdeaVote.objects.bulk_create(batch)
        events = (
            ActivityEvent(
                kind=ActivityEvent.Kind.IDEA_VOTE,
                actor_id=users[i],
                department_id=departments[i] or 0,
                occurred_at=when[i],
                day=timezone.localdate(when[i]),
                object_id=idea.pk,
            )
            for i in voters
        )
        for batch in chunked(events, INSERT_BATCH):
            made = ActivityEvent.objects.bulk_create(batch)
            PendingEvent.objects.bulk_create([PendingEvent(event_id=e.pk) for e in made])
        Idea.objects.filter(pk=idea.pk).update(votes_count=len(voters))
        idea.votes_count = len(voters)

    def add_comments(
        self, idea: Idea, spec: DemoIdea, rng: random.Random, author: int, proposed: datetime
    ) -> datetime:
        """The comments on the idea's card; returns the time of the last one (or the proposal)."""
        card = Status.objects.get(pk=idea.card_id)
        taken = {author}
        last = proposed
        for spec_comment in spec.comments:
            who = self.person(spec_comment.author, rng, exclude=taken)
            taken.add(who)
            comment = feeds.comment_create(
                author=self.user(who), status=card, body=spec_comment.body
            )
            when = self.at(proposed + timedelta(hours=spec_comment.hours_after))
            Comment.objects.filter(pk=comment.pk).update(created_at=when)
            Notification.objects.about(comment).update(created_at=when, updated_at=when)
            ActivityEvent.objects.filter(
                kind=ActivityEvent.Kind.COMMENT, object_id=card.pk, actor_id=self.user(who).pk
            ).update(occurred_at=when, day=timezone.localdate(when))
            last = max(last, when)
        return last
