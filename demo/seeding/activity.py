"""Twelve months of activity events for the engagement report.

Two sources, so the report agrees with what people can read:

- **The content.** Every seeded status, hashtag, comment, reaction, blog read, question, vote
  and answer gets its event at the moment the row says it happened. The services already
  record events, but "now" while seeding; those are dropped and made again from the rows.
  Ideas and polls date their own events (ideas.py, polls.py).
- **The year before.** The content covers the last CONTENT_DAYS; before that the demo database
  has no rows (think of it as archived), so daily visits, statuses, comments, reactions and
  hashtags for the rest of the year are drawn at each person's own rate from the content, with
  a weekly rhythm (weekends quiet), holidays, and departments that differ in how much they
  take part. Visits are drawn for the whole year.

Companies over HISTORY_MAX_PEOPLE get only the events of their content: the benchmark builds
its own year of events (bench/engagement.py). A second run creates nothing: content events are
matched by what they are about, and history is drawn only for people who have none.
"""

import math
import random
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Min
from django.utils import timezone

from activity.models import ActivityEvent, PendingEvent
from engagement.rollups import rollups_catch_up, rollups_rebuild
from exec_blog.models import BlogPost, BlogRead, Question, QuestionVote
from feeds.models import Comment, Reaction, Status
from ideas.models import Idea
from profiles.models import Profile

from .cast import CONTENT_DAYS, WEEKDAY_WEIGHT, Cast
from .writers import INSERT_BATCH

HISTORY_DAYS = 365
HISTORY_MAX_PEOPLE = 2_000
Kind = ActivityEvent.Kind
# Kinds the content seeders record through the services, stamped "now".
RESTAMPED = (
    Kind.STATUS,
    Kind.HASHTAG,
    Kind.COMMENT,
    Kind.REACTION,
    Kind.BLOG_READ,
    Kind.QUESTION,
    Kind.VOTE,
    Kind.ANSWER,
)


def _season(day: date) -> float:
    if (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 3):
        return 0.35
    if day.month == 8:
        return 0.75
    return 1.0


class ActivitySeeder:
    def __init__(
        self, cast: Cast, *, seed: int, started_at: datetime, history_days: int | None = None
    ) -> None:
        self.cast = cast
        self.seed = seed
        self.started_at = started_at
        self.today = timezone.localdate()
        self.window_start = self.today - timedelta(days=CONTENT_DAYS)
        # How far back the demo's activity goes (the test suite shortens it: settings).
        if history_days is None:
            history_days = getattr(settings, "DEMO_ACTIVITY_DAYS", HISTORY_DAYS)
        self.history_days = history_days
        self.first_day = self.today - timedelta(days=self.history_days)
        self.events: list[ActivityEvent] = []
        self.departments = dict(Profile.objects.values_list("user_id", "department_id"))

    def run(self) -> int:
        with transaction.atomic():
            restamped = ActivityEvent.objects.filter(
                kind__in=RESTAMPED, occurred_at__gte=self.started_at
            )
            PendingEvent.objects.filter(event_id__in=restamped.values("pk")).delete()
            restamped.delete()
            inserted = self._from_content()
            if len(self.cast.people) <= HISTORY_MAX_PEOPLE:
                self._history()
            before = ActivityEvent.objects.count()
            for i in range(0, len(self.events), INSERT_BATCH):
                ActivityEvent.objects.bulk_create(
                    self.events[i : i + INSERT_BATCH], ignore_conflicts=True
                )
            created = ActivityEvent.objects.count() - before + inserted
        if created:
            first = ActivityEvent.objects.aggregate(first=Min("day"))["first"] or self.first_day
            rollups_rebuild(start=min(first, self.first_day), end=self.today)
        rollups_catch_up()
        return created

    # --- From the rows --------------------------------------------------------------------

    def _event(
        self,
        kind,
        actor_id,
        at: datetime,
        *,
        object_id=None,
        value=None,
        about_id=None,
        community_id=None,
    ):
        self.events.append(
            ActivityEvent(
                kind=kind,
                actor_id=actor_id,
                department_id=(self.departments.get(actor_id) or 0) if actor_id else 0,
                occurred_at=at,
                day=timezone.localdate(at),
                object_id=object_id,
                value=value,
                about_id=about_id,
                community_id=community_id,
            )
        )

    def _have(self, *kinds) -> Counter:
        return Counter(
            ActivityEvent.objects.filter(kind__in=kinds).values_list(
                "kind", "object_id", "actor_id"
            )
        )

    def _from_content(self) -> int:
        """Events of the content rows; returns how many were written straight to the table
        (PostgreSQL: set-based SQL, the rest are in `self.events`)."""
        if connection.vendor == "postgresql":
            inserted = self._from_content_sql()
        else:
            inserted = 0
            self._from_content_rows()
        self._from_questions()
        return inserted

    def _from_content_rows(self) -> None:
        have = self._have(*RESTAMPED)
        known_objects = {(kind, object_id) for kind, object_id, _actor in have}
        statuses = Status.objects.filter(blog_post__isnull=True, idea__isnull=True)
        tags = {}
        for status_id, hashtag_id in Status.hashtags.through.objects.filter(
            status__in=statuses
        ).values_list("status_id", "hashtag_id"):
            tags.setdefault(status_id, []).append(hashtag_id)
        for status_id, author_id, department_id, at, community_id in statuses.values_list(
            "pk", "author_id", "department_id", "created_at", "community_id"
        ):
            if (Kind.STATUS, status_id) in known_objects:
                continue
            self._event(Kind.STATUS, author_id, at, object_id=status_id, community_id=community_id)
            self.events[-1].department_id = department_id or 0
            for hashtag_id in tags.get(status_id, ()):
                self._event(Kind.HASHTAG, author_id, at, object_id=hashtag_id)
                self.events[-1].department_id = department_id or 0
        for comment_id, author_id, at, community_id in Comment.objects.values_list(
            "pk", "author_id", "created_at", "status__community_id"
        ):
            if (Kind.COMMENT, comment_id) not in known_objects:
                self._event(
                    Kind.COMMENT, author_id, at, object_id=comment_id, community_id=community_id
                )
        for kind, model, fields in (
            (
                Kind.REACTION,
                Reaction,
                ("status_id", "user_id", "created_at", "status__community_id"),
            ),
            (Kind.BLOG_READ, BlogRead, ("post_id", "user_id", "created_at")),
            (Kind.VOTE, QuestionVote, ("question_id", "user_id", "created_at")),
        ):
            # Someone may react to a status in several ways: one event per row. A reaction
            # also says which community its status is in.
            for object_id, user_id, at, *community in model.objects.values_list(*fields):
                if have[(kind, object_id, user_id)] > 0:
                    have[(kind, object_id, user_id)] -= 1
                else:
                    self._event(
                        kind,
                        user_id,
                        at,
                        object_id=object_id,
                        community_id=community[0] if community else None,
                    )

    def _from_content_sql(self) -> int:
        """The same events as `_from_content_rows`, written by PostgreSQL in one statement per
        kind: millions of rows (a 10,000-person company) in seconds, not Python objects.

        Repeat-safe the same way: an object's events already recorded (by an earlier run, or
        by the services at the time) are matched by kind, object and person and counted off."""
        event_table = ActivityEvent._meta.db_table
        status_table = Status._meta.db_table
        cards = " ".join(
            f"AND NOT EXISTS (SELECT 1 FROM {model._meta.db_table} c WHERE c.card_id = s.id)"  # noqa: S608
            for model in (BlogPost, Idea)
        )
        columns = "kind, actor_id, department_id, occurred_at, day, object_id, community_id"
        tz = settings.TIME_ZONE
        inserted = 0
        # Millions of rows go in faster without the secondary indexes; they are built again
        # once, at the end (in the same transaction: nobody sees the table without them).
        indexes = list(ActivityEvent._meta.indexes)
        with connection.schema_editor(atomic=False) as editor:
            for index in indexes:
                editor.remove_index(ActivityEvent, index)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # Hashtags first: they belong to statuses that have no event yet.
            cursor.execute(
                f"""INSERT INTO {event_table} ({columns})
                SELECT %s, s.author_id, COALESCE(s.department_id, 0), s.created_at,
                       (s.created_at AT TIME ZONE %s)::date, h.hashtag_id, NULL
                FROM {status_table} s
                JOIN {Status.hashtags.through._meta.db_table} h ON h.status_id = s.id
                WHERE NOT EXISTS (SELECT 1 FROM {event_table} e
                                  WHERE e.kind = %s AND e.object_id = s.id) {cards}""",  # noqa: S608
                [Kind.HASHTAG, tz, Kind.STATUS],
            )
            inserted += cursor.rowcount
            # The community of the status it happened on, if any (see ActivityEvent).
            on_status = f"LEFT JOIN {status_table} st ON st.id = s.status_id"
            sources = (
                (Kind.STATUS, status_table, "id", "author_id", f"WHERE TRUE {cards}", True),
                (Kind.COMMENT, Comment._meta.db_table, "id", "author_id", "", False),
                (Kind.REACTION, Reaction._meta.db_table, "status_id", "user_id", "", False),
                (Kind.BLOG_READ, BlogRead._meta.db_table, "post_id", "user_id", "", False),
                (Kind.VOTE, QuestionVote._meta.db_table, "question_id", "user_id", "", False),
            )
            communities = {
                Kind.STATUS: ("s.community_id", ""),
                Kind.COMMENT: ("st.community_id", on_status),
                Kind.REACTION: ("st.community_id", on_status),
            }
            for kind, table, object_column, actor_column, where, own_department in sources:
                community, status_join = communities.get(kind, ("NULL::integer", ""))
                department = (
                    "COALESCE(s.department_id, 0)"
                    if own_department
                    else "COALESCE(p.department_id, 0)"
                )
                profiles = (
                    ""
                    if own_department
                    else f"LEFT JOIN {Profile._meta.db_table} p ON p.user_id = s.{actor_column}"
                )
                profiles = f"{profiles} {status_join}"
                exists = f"SELECT 1 FROM {event_table} WHERE kind = %s LIMIT 1"  # noqa: S608
                cursor.execute(exists, [kind])
                if cursor.fetchone() is None:
                    # Nothing of this kind yet: every row gets its event, no matching needed.
                    cursor.execute(
                        f"""INSERT INTO {event_table} ({columns})
                        SELECT %s, s.{actor_column}, {department}, s.created_at,
                               (s.created_at AT TIME ZONE %s)::date, s.{object_column},
                               {community}
                        FROM {table} s {profiles} {where}""",  # noqa: S608 - names from models
                        [kind, tz],
                    )
                    inserted += cursor.rowcount
                    continue
                cursor.execute(
                    f"""WITH src AS (
                        SELECT s.{object_column} AS object_id, s.{actor_column} AS actor_id,
                               s.created_at, {department} AS department_id,
                               {community} AS community_id,
                               row_number() OVER (PARTITION BY s.{object_column}, s.{actor_column}
                                                  ORDER BY s.id) AS n
                        FROM {table} s {profiles} {where}
                    ), have AS (
                        SELECT object_id, actor_id, count(*) AS c FROM {event_table}
                        WHERE kind = %s GROUP BY object_id, actor_id
                    )
                    INSERT INTO {event_table} ({columns})
                    SELECT %s, src.actor_id, src.department_id, src.created_at,
                           (src.created_at AT TIME ZONE %s)::date, src.object_id,
                           src.community_id
                    FROM src LEFT JOIN have
                      ON have.object_id = src.object_id AND have.actor_id = src.actor_id
                    WHERE src.n > COALESCE(have.c, 0)""",  # noqa: S608 - table names from models
                    [kind, kind, tz],
                )
                inserted += cursor.rowcount
        with connection.schema_editor(atomic=False) as editor:
            for index in indexes:
                editor.add_index(ActivityEvent, index)
        return inserted

    def _from_questions(self) -> None:
        have = self._have(Kind.QUESTION, Kind.ANSWER)
        known_objects = {(kind, object_id) for kind, object_id, _actor in have}
        for question in Question.objects.only(
            "pk", "asker_id", "anonymous", "created_at", "answered_at", "answered_by_id"
        ):
            asker = None if question.anonymous else question.asker_id
            if (Kind.QUESTION, question.pk) not in known_objects:
                self._event(Kind.QUESTION, asker, question.created_at, object_id=question.pk)
            if question.answered_at and (Kind.ANSWER, question.pk) not in known_objects:
                waited = question.answered_at - question.created_at
                self._event(
                    Kind.ANSWER,
                    question.answered_by_id,
                    question.answered_at,
                    object_id=question.pk,
                    value=max(0, int(waited.total_seconds() // 3600)),
                    about_id=asker,
                )

    # --- The year before ------------------------------------------------------------------

    def _history(self) -> None:
        """Visits all year, and the content's own rhythm before the content window.

        Each person's rhythm is read from what they did in the window: the days they were
        active there (they visited on each), plus a few days they only looked in, give their
        chance of visiting on a working day; their statuses, comments and reactions per visit
        there are what they do per visit in the months before."""
        cast = self.cast
        # People who already have drawn visits (the draw ends yesterday; real visits are today).
        done = set(
            ActivityEvent.objects.filter(kind=Kind.VISIT, day__lt=self.today)
            .values_list("actor_id", flat=True)
            .distinct()
        )
        in_window = [e for e in self.events if e.day >= self.window_start]
        in_window += ActivityEvent.objects.filter(day__gte=self.window_start, kind__in=RESTAMPED)
        active_days: dict[int, set[date]] = defaultdict(set)
        made: dict[int, Counter] = defaultdict(Counter)
        for event in in_window:
            if event.actor_id is None:
                continue
            active_days[event.actor_id].add(event.day)
            if event.kind in (Kind.STATUS, Kind.COMMENT, Kind.REACTION, Kind.HASHTAG):
                made[event.actor_id][event.kind] += 1
        tags = list(
            Status.hashtags.through.objects.values("hashtag_id")
            .annotate(n=Count("pk"))
            .order_by("-n", "hashtag_id")
            .values_list("hashtag_id", flat=True)[:30]
        )
        days = [self.first_day + timedelta(days=i) for i in range(self.history_days)]
        rhythm = {d: WEEKDAY_WEIGHT[d.weekday()] * _season(d) for d in days}
        window_days = [d for d in days if d >= self.window_start]
        window_weight = sum(rhythm[d] for d in window_days) or 1
        for person in cast.people:
            user_id = cast.user_ids[person.index]
            if user_id in done:
                continue
            rng = random.Random(f"{self.seed}:activity:{person.username}")  # noqa: S311
            looks_in = 0.05 + rng.random() * 0.3  # days they only read
            visits = set(active_days[user_id])
            visits |= {d for d in window_days if rng.random() < looks_in * rhythm[d]}
            chance = min(0.97, len(visits) / window_weight)
            per_visit = {
                kind: made[user_id][kind] / len(visits) if visits else 0
                for kind in (Kind.STATUS, Kind.COMMENT, Kind.REACTION)
            }
            tag_share = made[user_id][Kind.HASHTAG] / max(made[user_id][Kind.STATUS], 1)
            for day in days:
                if day >= self.window_start:
                    if day in visits:
                        self._event(Kind.VISIT, user_id, self._moment(rng, day))
                    continue
                if rng.random() >= chance * rhythm[day]:
                    continue
                at = self._moment(rng, day)
                self._event(Kind.VISIT, user_id, at)
                for kind, mean_count in per_visit.items():
                    for _ in range(_poisson(rng, mean_count)):
                        moment = at + timedelta(minutes=int(rng.random() * 120))
                        self._event(kind, user_id, moment)
                        if kind == Kind.STATUS and tags and rng.random() < min(tag_share, 1):
                            tag = tags[min(int(rng.expovariate(0.25)), len(tags) - 1)]
                            self._event(Kind.HASHTAG, user_id, moment, object_id=tag)

    def _moment(self, rng: random.Random, day: date) -> datetime:
        minutes = 420 + int(rng.random() * 600)  # 7:00 to 17:00
        return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(
            minutes=minutes
        )


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    limit, count, product = math.exp(-min(mean, 30)), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
