"""Writes the executive blog and the questions to leadership (data/leadership.py).

A few dozen rows, so they go through exec_blog.services and feeds.services and are stored
exactly as in production; the clock is then turned back with queryset updates (the services
stamp everything "now"). What scales with the company — reads, votes and the notifications
they imply — is bulk-created, so 10,000 people cost a few inserts, not thousands of calls.

Known by slug (posts) and by body (questions): a second run creates nothing.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from exec_blog import services as blog
from exec_blog.models import BlogPost, BlogRead, Question, QuestionVote
from feeds import services as feeds
from feeds.models import Comment, Reaction, ReactionKind
from notifications.models import Notification
from profiles.models import User

from .cast import Cast
from .data.leadership import POSTS, QUESTIONS, LeadershipPost, LeadershipQuestion
from .hierarchy import HEAD
from .writers import INSERT_BATCH, chunked

# The executive who writes with the CEO: the head of this department.
SECOND_EXECUTIVE_DEPARTMENT = "engineering"
READ_SHARE = (0.3, 0.7)  # of the colleagues who were here when a post came out
REACTIONS = (6, 24)  # reactions to a post, through the service
REACTION_KINDS = (
    (ReactionKind.LIKE, 6),
    (ReactionKind.INSIGHTFUL, 3),
    (ReactionKind.CELEBRATE, 2),
    (ReactionKind.SUPPORT, 2),
    (ReactionKind.CURIOUS, 1),
)
UPDATE_CHUNK = 500  # ids per `pk__in` when marking notifications read


@dataclass(frozen=True)
class LeadershipTotals:
    posts: int
    questions: int
    answered: int


def leadership_totals() -> LeadershipTotals:
    return LeadershipTotals(
        posts=BlogPost.objects.count(),
        questions=Question.objects.count(),
        answered=Question.objects.exclude(answered_at=None).count(),
    )


class LeadershipSeeder:
    def __init__(self, cast: Cast, *, seed: int, now: datetime | None = None) -> None:
        self.cast = cast
        self.seed = seed
        self.now = now or timezone.now()
        self.executives = {
            "ceo": cast.index_of["ceo"],
            "cto": next(
                p.index
                for p in cast.people
                if p.department == SECOND_EXECUTIVE_DEPARTMENT and p.level == HEAD
            ),
        }
        self.users: dict[int, User] = {}

    def rng(self, key: str) -> random.Random:
        """One generator per post or question: what one gets does not depend on the others."""
        return random.Random(f"{self.seed}:leadership:{key}")  # noqa: S311

    def user(self, index: int) -> User:
        if index not in self.users:
            self.users[index] = User.objects.get(pk=self.cast.user_ids[index])
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

    def colleagues(self, *, since_days: float, exclude: set[int]) -> list[int]:
        """Everyone who worked here `since_days` ago, by plan index."""
        return [
            p.index for p in self.cast.people if p.index not in exclude and p.days_ago >= since_days
        ]

    def run(self) -> tuple[int, int]:
        """Returns how many posts and questions were new."""
        posts = questions = 0
        for spec in POSTS:
            if not BlogPost.objects.filter(slug=spec.slug).exists():
                with transaction.atomic():
                    self.create_post(spec)
                posts += 1
        for spec in QUESTIONS:
            if not Question.objects.filter(body=spec.body).exists():
                with transaction.atomic():
                    self.create_question(spec)
                questions += 1
        return posts, questions

    # Posts.

    def create_post(self, spec: LeadershipPost) -> None:
        now, rng = self.now, self.rng(spec.slug)
        author = self.executives[spec.author]
        if spec.days_ago is None:
            status, publish_at = BlogPost.State.DRAFT, None
            created = now - timedelta(days=2)
        else:
            status = BlogPost.State.PUBLISHED
            publish_at = now - timedelta(days=spec.days_ago)
            created = min(now, publish_at) - timedelta(days=1, hours=rng.randint(0, 20))
        actor = User.objects.get(username=spec.posted_by) if spec.posted_by else None
        post = blog.post_create(
            author=self.user(author),
            actor=actor,
            title=spec.title,
            body=spec.body,
            summary=spec.summary,
            tags=list(spec.tags),
            status=status,
            publish_at=publish_at,
            slug=spec.slug,
        )
        live = post.is_live
        BlogPost.objects.filter(pk=post.pk).update(
            created_at=created, announced_at=publish_at if live else None
        )
        # The CEO heard of her delegate's post when it was written.
        Notification.objects.about(post).filter(kind__startswith="delegate_").update(
            created_at=min(created, now), updated_at=min(created, now)
        )
        if not live:
            return
        Notification.objects.about(post).filter(kind="blog").update(
            created_at=publish_at, updated_at=publish_at
        )
        readers = self.add_reads(post, spec, rng, author)
        self.add_comments(post, spec, rng, author)
        self.add_reactions(post, rng, readers)

    def add_reads(
        self, post: BlogPost, spec: LeadershipPost, rng: random.Random, author: int
    ) -> list[tuple[int, datetime]]:
        pool = self.colleagues(since_days=spec.days_ago, exclude={author})
        share = rng.uniform(*READ_SHARE)
        chosen = rng.sample(pool, round(share * len(pool)))
        readers = []
        for index in chosen:
            # Most people read a post within a day or two of its publication.
            when = post.publish_at + timedelta(hours=rng.expovariate(1 / 18))
            readers.append((index, min(when, self.now - timedelta(minutes=5))))
        users = self.cast.user_ids
        rows = (BlogRead(post=post, user_id=users[i], created_at=when) for i, when in readers)
        for batch in chunked(rows, INSERT_BATCH):
            BlogRead.objects.bulk_create(batch)
        BlogPost.objects.filter(pk=post.pk).update(reads_count=len(readers))
        # Those who read the post have seen its notification.
        read_at = {users[i]: when for i, when in readers}
        for batch in chunked(sorted(read_at), UPDATE_CHUNK):
            Notification.objects.about(post).filter(kind="blog", recipient_id__in=batch).update(
                read_at=post.publish_at + timedelta(hours=1)
            )
        return readers

    def add_comments(
        self, post: BlogPost, spec: LeadershipPost, rng: random.Random, author: int
    ) -> None:
        card = post.card
        taken = {author}
        for spec_comment in spec.comments:
            who = self.person(spec_comment.author, rng, exclude=taken)
            taken.add(who)
            comment = feeds.comment_create(
                author=self.user(who), status=card, body=spec_comment.body
            )
            when = min(
                post.publish_at + timedelta(hours=spec_comment.hours_after),
                self.now - timedelta(minutes=10),
            )
            Comment.objects.filter(pk=comment.pk).update(created_at=when)
            Notification.objects.about(comment).update(created_at=when, updated_at=when)

    def add_reactions(
        self, post: BlogPost, rng: random.Random, readers: list[tuple[int, datetime]]
    ) -> None:
        card = post.card
        count = min(len(readers), rng.randint(*REACTIONS))
        kinds, weights = zip(*REACTION_KINDS, strict=True)
        chosen = sorted(rng.sample(readers, count), key=lambda r: r[1])
        for index, when in chosen:
            kind = rng.choices(kinds, weights)[0]
            feeds.reaction_add(user=self.user(index), status=card, kind=kind)
            Reaction.objects.filter(status=card, user_id=self.cast.user_ids[index]).update(
                created_at=when
            )
        if chosen:
            Notification.objects.about(card).filter(kind="reaction").update(
                created_at=chosen[0][1], updated_at=chosen[-1][1]
            )

    # Questions.

    def create_question(self, spec: LeadershipQuestion) -> None:
        now, rng = self.now, self.rng(spec.body)
        asker = self.person(spec.asker, rng, exclude=set(self.executives.values()))
        question = blog.question_create(
            asker=self.user(asker), body=spec.body, anonymous=spec.anonymous
        )
        asked = now - timedelta(days=spec.days_ago, hours=rng.randint(0, 8))
        # Back in time at once: the rate limit counts the last hour's questions.
        Question.objects.filter(pk=question.pk).update(created_at=asked)
        question.created_at = asked
        closes = now
        answerer = None
        if spec.answered_by:
            answerer = self.executives[spec.answered_by]
            closes = asked + timedelta(hours=spec.answer_hours_after)
            # Answered before the votes are written: the service notifies the asker, and the
            # voters' notifications are bulk-created below.
            blog.question_answer(executive=self.user(answerer), question=question, body=spec.answer)
            Question.objects.filter(pk=question.pk).update(answered_at=closes)
            Notification.objects.about(question).update(created_at=closes, updated_at=closes)
        pool = self.colleagues(since_days=spec.days_ago, exclude={asker})
        voters = rng.sample(pool, max(1, round(spec.vote_share * len(pool))))
        users = self.cast.user_ids
        span = (closes - asked).total_seconds()
        votes = (
            QuestionVote(
                question=question,
                user_id=users[i],
                created_at=asked + timedelta(seconds=span * min(rng.random(), rng.random())),
            )
            for i in voters
        )
        for batch in chunked(votes, INSERT_BATCH):
            QuestionVote.objects.bulk_create(batch)
        Question.objects.filter(pk=question.pk).update(votes_count=len(voters))
        if answerer is None:
            return
        actor = users[answerer]
        told = (
            Notification(
                recipient_id=users[i],
                kind="answer",
                actor_id=actor,
                actor_ids=[actor],
                target=question,
                created_at=closes,
                updated_at=closes,
            )
            for i in voters
            if users[i] != actor
        )
        for batch in chunked(told, INSERT_BATCH):
            Notification.objects.bulk_create(batch)
