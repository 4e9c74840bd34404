"""Writes the demo content: the scripted stories, the stream of statuses, the notifications.

Stored exactly as feeds.services would store it (the same HTML, mentions and hashtags), but the
stream is written in bulk (see writers.py), so that 10,000 people and 1,000,000 statuses take
minutes. The stories go through the ORM one by one: there are a dozen of them.
"""

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from feeds.models import (
    Comment,
    ModerationAction,
    Reaction,
    Removal,
    Report,
    Status,
    StatusRevision,
    Visibility,
)
from feeds.services import render_user_text

from .cast import Cast, Clock
from .data import STORIES, Story
from .hierarchy import HEAD, IC
from .notifications import ensure_notifications
from .stream import SPARSE_FROM, ContentPlan, Place
from .writers import Hashtags, Progress, StatusWriter, chunked

STATUS_CHUNK = 5000  # statuses per transaction, with their comments, reactions and links
# From this many new statuses on PostgreSQL, two connections write at once.
PARALLEL_FROM = 50_000


@dataclass(frozen=True)
class ContentTotals:
    statuses: int
    comments: int
    reactions: int


def content_totals() -> ContentTotals:
    return ContentTotals(
        # Blog cards (leadership.py) and idea cards (ideas.py) are not part of --statuses.
        statuses=Status.objects.filter(blog_post=None, idea=None).count(),
        comments=Comment.objects.count(),
        reactions=Reaction.objects.count(),
    )


class ContentSeeder:
    """Writes the stories, the stream of statuses and the fixed accounts' notifications."""

    def __init__(
        self,
        cast: Cast,
        *,
        seed: int,
        statuses: int,
        progress: Progress,
        places: list[tuple[Place, ...]] | None = None,
        scripted: int = 0,
    ) -> None:
        """`places`: the communities people post stream statuses in (communities.py);
        `scripted`: the statuses written elsewhere that --statuses counts, as it counts the
        stories (the communities' scripted posts)."""
        self.cast = cast
        self.seed = seed
        self.statuses = statuses
        self.scripted = scripted
        self.progress = progress
        self.now = timezone.now()
        self.clock = Clock(self.now, {p.location for p in cast.people})
        self.plan = ContentPlan(
            cast, self.clock, seed=seed, sparse=statuses > SPARSE_FROM, places=places
        )
        self.hashtags = Hashtags()
        self.writer = StatusWriter(cast, self.hashtags)

    @property
    def slow_templates(self) -> list[str]:
        """Templates whose HTML could not be precomputed: each body is rendered for real."""
        return self.plan.renderer.slow

    # Who's who in the stories.

    def person(self, name: str) -> int:
        cast = self.cast
        if name in cast.index_of:
            return cast.index_of[name]
        relation, _, username = name.partition("_of_")
        if relation == "head":
            slug = username.replace("_", "-")
            return next(p.index for p in cast.people if p.department == slug and p.level == HEAD)
        subject = cast.people[cast.index_of[username]]
        if relation == "mate":
            mates = [
                p.index
                for p in cast.people
                if p.manager == subject.manager and p.index != subject.index and p.level == IC
            ]
            if mates:
                return mates[0]
        return subject.manager

    def text(self, source: str, author: int) -> str:
        seeder = self

        class Names(dict):
            def __missing__(self, key: str) -> str:
                return f"@{seeder.cast.people[seeder.person(key)].username}"

        return source.format_map(Names(author=f"@{self.cast.people[author].username}"))

    # Writing.

    def run(self) -> tuple[int, int]:
        """Returns how many stories and stream statuses were new."""
        with transaction.atomic():
            stories = self.ensure_stories()
        # Where the stream stopped last time. Statuses posted by hand since count as seeded
        # ones: a rerun creates nothing rather than doubling anyone's demo.
        # The cards of blog posts (leadership.py) and ideas (ideas.py) are not part of the stream.
        scripted = len(STORIES) + self.scripted
        existing = Status.objects.filter(blog_post=None, idea=None).count() - scripted
        wanted = max(0, self.statuses - scripted)
        created = self.ensure_stream(max(0, existing), wanted)
        with transaction.atomic():
            ensure_notifications(self.cast, now=self.now)
        if self.writer.copy and created:
            self.writer.analyze()
        return stories, created

    def ensure_stream(self, start: int, stop: int) -> int:
        total = stop - start
        if total <= 0:
            return 0
        self.progress.update("statuses", 0, total)
        batches = chunked(self.plan.stream(start, stop), STATUS_CHUNK)
        if self.writer.copy and total >= PARALLEL_FROM:
            self.writer.write_in_parallel(batches, total, self.progress)
            return total
        done = 0
        for batch in batches:
            self.hashtags.ensure(t for s in batch for t in s.hashtags)
            self.writer.write(batch)
            done += len(batch)
            self.progress.update("statuses", done, total)
        return total

    def ensure_stories(self) -> int:
        created = 0
        for story in STORIES:
            author = self.person(story.author)
            body = self.text(story.body, author)
            # Known by its text: who wrote it can depend on the company's size when it is tiny.
            if not Status.objects.filter(body=body).exists():
                self.create_story(story, author, body)
                created += 1
        return created

    def user_ids_named(self, usernames: Iterable[str]) -> list[int]:
        return [self.cast.user_ids[self.cast.index_of[u]] for u in usernames]

    def create_story(self, story: Story, author: int, body: str) -> None:
        cast, now = self.cast, self.now
        users = cast.user_ids
        posted = now - timedelta(hours=story.hours_ago)
        rendered = render_user_text(body)
        status = Status(
            author_id=users[author],
            body=body,
            body_html=rendered.html,
            visibility=Visibility.DEPARTMENT if story.department_only else Visibility.COMPANY,
            department_id=cast.department_ids[author],
            created_at=posted,
            comment_count=len(story.comments),
        )
        revisions = []
        written = posted
        for old, replaced_after in story.revisions:
            old = self.text(old, author)
            replaced = posted + timedelta(hours=replaced_after)
            revisions.append(
                StatusRevision(
                    body=old,
                    body_html=render_user_text(old).html,
                    written_at=written,
                    replaced_at=replaced,
                )
            )
            written = replaced
        if revisions:
            status.edited_at = written
        moderator = users[cast.index_of["mod"]]
        moderated = posted + timedelta(hours=story.moderated_hours_after)
        if story.announce_days:
            status.is_announcement = True
            status.announcement_until = now + timedelta(days=story.announce_days)
            status.announced_by_id = users[cast.index_of["ceo"]]
        if story.hidden_reason:
            status.removal = Removal.MODERATOR
            status.removal_reason = story.hidden_reason
            status.removed_by_id = moderator
            status.removed_at = moderated
        if story.locked_reason:
            status.comments_locked = True
            status.lock_reason = story.locked_reason
        status.save()
        status.mentions.set(self.user_ids_named(rendered.mentions))
        self.hashtags.ensure(rendered.hashtags)
        status.hashtags.set([self.hashtags.ids[t] for t in rendered.hashtags])
        for revision in revisions:
            revision.status = status
        StatusRevision.objects.bulk_create(revisions)
        for c in story.comments:
            writer = author if c.author == "author" else self.person(c.author)
            text = self.text(c.body, author)
            rendered = render_user_text(text)
            comment = Comment.objects.create(
                status=status,
                author_id=users[writer],
                body=text,
                body_html=rendered.html,
                created_at=posted + timedelta(hours=c.hours_after),
            )
            comment.mentions.set(self.user_ids_named(rendered.mentions))
        rng = random.Random(f"{self.seed}:story:{story.key}")  # noqa: S311
        Reaction.objects.bulk_create(
            Reaction(status=status, user_id=users[p], kind=kind, created_at=moment)
            for p, kind, moment in self.plan.reactions(
                rng, author, story.department_only, posted, story.reactions
            )
        )
        if story.reported_by:
            Report.objects.create(
                reporter_id=users[self.person(story.reported_by)],
                status=status,
                reason=story.report_reason,
                created_at=posted + timedelta(hours=story.moderated_hours_after / 2),
                resolved_at=moderated,
                resolved_by_id=moderator,
            )
        for reason, action in (
            (story.hidden_reason, ModerationAction.Action.HIDE),
            (story.locked_reason, ModerationAction.Action.LOCK),
        ):
            if reason:
                ModerationAction.objects.create(
                    moderator_id=moderator,
                    action=action,
                    status=status,
                    reason=reason,
                    created_at=moderated,
                )
