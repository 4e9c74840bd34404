"""Keeping `Rollup` in step with `ActivityEvent`: incrementally from the pending queue, or by
rebuilding a date range from the events. Both hold the `RollupState` row lock, so they never
run at once and an event is never added twice or missed.

An event becomes one or more (metric, subject, person) facts: its own kind, `active` (any
event), `participant` (statuses and comments), and for answers and decisions a time histogram.
Facts are summed per day, then days are merged into ISO weeks and calendar months.

Two tables of figures are kept from the same events in the same pass: `Rollup`, per department,
and `CommunityRollup`, per community for the events on a community's statuses (its
`COMMUNITY_METRICS` only). Neither knows whether a community is secret: the report decides
that from the community as it is when the report is made.
"""

import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Sum, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from activity.models import ActivityEvent, PendingEvent
from communities.models import Membership, State
from profiles.models import Profile

from .models import CommunityRollup, DepartmentWeek, Rollup, RollupFigure, RollupState

Kind = ActivityEvent.Kind
Period = Rollup.Period

ACTIVE = "active"
HEADCOUNT = "headcount"
PARTICIPANT = "participant"
ANSWER_HOURS = "answer_hours"
IDEA_DECIDED = "idea_decided"
DECISION_HOURS = "decision_hours"
PARTICIPATION_KINDS = frozenset({Kind.STATUS.value, Kind.COMMENT.value})
SUBJECT_KINDS = frozenset({Kind.HASHTAG.value, Kind.BLOG_READ.value})
# Reported for the whole company only: kept for department 0 alone, so a report reads one row
# per week and subject instead of one per department.
COMPANY_WIDE = frozenset(
    {
        Kind.HASHTAG.value,
        Kind.BLOG_READ.value,
        Kind.QUESTION.value,
        Kind.ANSWER.value,
        "answer_hours",
    }
)
# Broken down by a subject (hashtag, post, hours): weekly rows only, the reports' grain.
WEEKLY_ONLY = frozenset(
    {Kind.HASHTAG.value, Kind.BLOG_READ.value, "answer_hours", "decision_hours"}
)
# What a community's figures are made of: who was active on its statuses, and how.
COMMUNITY_METRICS = frozenset(
    {ACTIVE, PARTICIPANT, Kind.STATUS.value, Kind.COMMENT.value, Kind.REACTION.value}
)
EVENT_FIELDS = (
    "id",
    "kind",
    "actor_id",
    "department_id",
    "day",
    "object_id",
    "value",
    "about_id",
    "community_id",
)
# An event as `_tally_grouped` reads it: how many alike, and what the rollups read of them.
GROUPED_FIELDS = (
    "n",
    "kind",
    "actor_id",
    "department_id",
    "day",
    "subject",
    "value",
    "about_id",
    "community_id",
)
CATCH_UP_BATCH = 5_000
WRITE_BATCH = 2_000


def pack(people: Iterable[int]) -> bytes:
    packed = array("I", sorted(people))
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tobytes()


def unpack(blob: bytes | memoryview | None) -> set[int]:
    if not blob:
        return set()
    packed = array("I")
    packed.frombytes(bytes(blob))
    if sys.byteorder != "little":
        packed.byteswap()
    return set(packed)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def period_end(period: str, start: date) -> date:
    if period == Period.DAY:
        return start
    if period == Period.WEEK:
        return start + timedelta(days=6)
    return month_end(start)


def facts(kind, actor_id, object_id, value, about_id):
    """(metric, subject, person) for one event."""
    if kind in SUBJECT_KINDS:
        yield kind, object_id or 0, actor_id
    elif kind == Kind.ANSWER:
        # Figures about answers rest on the people who asked (None for an anonymous question:
        # counted, but it makes no block big enough to publish).
        yield kind, 0, about_id
        if value is not None:
            yield ANSWER_HOURS, max(0, value), about_id
    elif kind == Kind.IDEA_DECISION:
        # Filed under the author's department: the figures are about their ideas. The deciding
        # executive is not made "active" there (their own visit counts them where they work).
        yield kind, 0, about_id
        if value is not None:  # the first accepted or declined: "the decision"
            yield IDEA_DECIDED, 0, about_id
            yield DECISION_HOURS, max(0, value), about_id
        return
    else:
        yield kind, 0, actor_id
    if actor_id is None:
        return
    yield ACTIVE, 0, actor_id
    if kind in PARTICIPATION_KINDS:
        yield PARTICIPANT, 0, actor_id


@dataclass
class Tally:
    count: int = 0
    people: set[int] = field(default_factory=set)

    def add(self, person: int | None, times: int = 1) -> None:
        self.count += times
        if person is not None:
            self.people.add(person)


@dataclass(frozen=True)
class Table:
    """A table of figures and the field that says whose figure a row is."""

    model: type[RollupFigure]
    scope: str

    def row(self, key: tuple) -> RollupFigure:
        period, start, scope, metric, subject = key
        return self.model(
            period=period, start=start, metric=metric, subject=subject, **{self.scope: scope}
        )

    def key(self, row: RollupFigure) -> tuple:
        return (row.period, row.start, getattr(row, self.scope), row.metric, row.subject)


DEPARTMENTS = Table(Rollup, "department_id")
COMMUNITIES = Table(CommunityRollup, "community_id")
TABLES = (DEPARTMENTS, COMMUNITIES)

DayKey = tuple[date, int, str, int]  # day, department or community, metric, subject


def tally_days(events: Iterable[tuple]) -> dict[Table, dict[DayKey, Tally]]:
    """Events as `EVENT_FIELDS` rows, tallied per day."""
    return _tally((1, *event[1:]) for event in events)


def _tally(groups: Iterable[tuple]) -> dict[Table, dict[DayKey, Tally]]:
    """Like `tally_days`, from (how many, kind, actor, ...) rows: identical events at once."""
    departments: dict[DayKey, Tally] = defaultdict(Tally)
    communities: dict[DayKey, Tally] = defaultdict(Tally)
    for n, kind, actor_id, department_id, day, object_id, value, about_id, community in groups:
        for metric, subject, person in facts(kind, actor_id, object_id, value, about_id):
            scope = 0 if metric in COMPANY_WIDE else department_id
            departments[(day, scope, metric, subject)].add(person, n)
            if community and metric in COMMUNITY_METRICS:
                communities[(day, community, metric, subject)].add(person, n)
    return {DEPARTMENTS: departments, COMMUNITIES: communities}


def _keys_of(day: date, dept: int, metric: str, subject: int) -> list[tuple]:
    """The rows a day's tally adds to: its day, week and month, or its week alone."""
    week = (Period.WEEK, week_start(day), dept, metric, subject)
    if metric in WEEKLY_ONLY:
        return [week]
    return [
        (Period.DAY, day, dept, metric, subject),
        week,
        (Period.MONTH, month_start(day), dept, metric, subject),
    ]


def _lock() -> None:
    RollupState.objects.get_or_create(id=1)
    # An UPDATE takes the row lock on PostgreSQL and the write lock on SQLite.
    RollupState.objects.filter(id=1).update(runs=F("runs") + 1, caught_up_at=timezone.now())


def _write(rows: list[RollupFigure], table: Table) -> None:
    for i in range(0, len(rows), WRITE_BATCH):
        table.model.objects.bulk_create(
            rows[i : i + WRITE_BATCH],
            update_conflicts=True,
            unique_fields=["period", "start", table.scope, "metric", "subject"],
            update_fields=["count", "people", "person_days", "members"],
        )


def _write_fresh(rows: list[RollupFigure], table: Table) -> None:
    """Insert rows known to be new; COPY on PostgreSQL (a rebuild writes tens of thousands)."""
    if connection.vendor != "postgresql":
        for i in range(0, len(rows), WRITE_BATCH):
            table.model.objects.bulk_create(rows[i : i + WRITE_BATCH])
        return
    columns = (
        "period",
        "start",
        table.scope,
        "metric",
        "subject",
        "count",
        "people",
        "person_days",
        "members",
    )
    with connection.cursor() as cursor:
        sql = f"COPY {table.model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for r in rows:
                copy.write_row(
                    (
                        r.period,
                        r.start,
                        getattr(r, table.scope),
                        r.metric,
                        r.subject,
                        r.count,
                        r.people,
                        r.person_days,
                        r.members,
                    )
                )


def rollups_catch_up(*, limit: int | None = None) -> int:
    """Add pending events to the rollups, oldest first. Returns how many were added."""
    if not PendingEvent.objects.exists():
        return 0
    done = 0
    while limit is None or done < limit:
        batch = CATCH_UP_BATCH if limit is None else min(CATCH_UP_BATCH, limit - done)
        with transaction.atomic():
            _lock()
            ids = list(
                PendingEvent.objects.order_by("event_id").values_list("event_id", flat=True)[:batch]
            )
            if not ids:
                break
            events = ActivityEvent.objects.filter(id__in=ids).values_list(*EVENT_FIELDS)
            for table, days in tally_days(events).items():
                _merge(days, table)
            PendingEvent.objects.filter(event_id__in=ids).delete()
        done += len(ids)
        if len(ids) < batch:
            break
    return done


def rollups_counted_until() -> datetime:
    """Activity up to this moment is in the rollups: now if no event is queued, else the last
    catch-up (the job runner drains the queue every minute). Reads no event."""
    # One query: the last catch-up, only when an event is queued.
    state = (
        RollupState.objects.filter(Exists(PendingEvent.objects.all()), id=1)
        .values_list("caught_up_at", flat=True)
        .first()
    )
    return state or timezone.now()


def _merge(days: dict[DayKey, Tally], table: Table) -> None:
    """Add day tallies to the stored day, week and month rows of `table`."""
    if not days:
        return
    keys = set()
    for day, dept, metric, subject in days:
        keys.update(_keys_of(day, dept, metric, subject))
    existing = {}
    for period in Period.values:
        starts = {k[1] for k in keys if k[0] == period}
        if not starts:
            continue
        for r in table.model.objects.filter(
            period=period, start__in=starts, metric__in={k[3] for k in keys}
        ):
            key = table.key(r)
            if key in keys:
                existing[key] = r
    rows: dict[tuple, RollupFigure] = {}
    people: dict[tuple, set[int]] = {}

    def row_for(key) -> RollupFigure:
        if key not in rows:
            found = existing.get(key)
            rows[key] = found or table.row(key)
            people[key] = unpack(found.members) if found else set()
        return rows[key]

    for (day, dept, metric, subject), tally in days.items():
        targets = _keys_of(day, dept, metric, subject)
        new_days = 0
        if targets[0][0] == Period.DAY:
            row = row_for(targets[0])
            before = len(people[targets[0]])
            people[targets[0]] |= tally.people
            row.count += tally.count
            new_days = len(people[targets[0]]) - before
            row.person_days = len(people[targets[0]])
            targets = targets[1:]
        for key in targets:
            row = row_for(key)
            people[key] |= tally.people
            row.count += tally.count
            row.person_days += new_days
    for key, row in rows.items():
        row.people = len(people[key])
        row.members = pack(people[key])
    _write(list(rows.values()), table)
    if table is DEPARTMENTS:
        department_weeks_refresh(
            {
                key[1]
                for key in rows
                if key[0] == Period.WEEK and key[4] == 0 and key[3] in DepartmentWeek.METRICS
            }
        )


def department_weeks_refresh(weeks: Iterable[date]) -> None:
    """Fold the weekly department rows of these weeks into `DepartmentWeek` rows, replacing
    the ones there were: called wherever those rows change, in the same transaction."""
    weeks = sorted(set(weeks))
    folded = {}
    for metric in DepartmentWeek.METRICS:
        folded[f"{metric}_count"] = Sum("count", filter=Q(metric=metric), default=0)
        folded[f"{metric}_people"] = Sum("people", filter=Q(metric=metric), default=0)
    folded["active_person_days"] = Sum("person_days", filter=Q(metric=ACTIVE), default=0)
    for i in range(0, len(weeks), 200):
        chunk = weeks[i : i + 200]
        DepartmentWeek.objects.filter(start__in=chunk).delete()
        found = (
            Rollup.objects.filter(
                period=Period.WEEK, start__in=chunk, subject=0, metric__in=DepartmentWeek.METRICS
            )
            .values("start", "department_id")
            .annotate(**folded)
            .order_by()
        )
        DepartmentWeek.objects.bulk_create(
            [DepartmentWeek(**row) for row in found], batch_size=WRITE_BATCH
        )


def rollups_rebuild(*, start: date, end: date) -> tuple[date, date, int]:
    """Recompute every day, week and month row that overlaps start..end from the events.

    Reads the whole weeks and months around the range, so the window it rewrites is wider than
    asked; returns that window and how many events it read. Events still pending are left to
    the next catch-up, which adds them to the rebuilt rows exactly once. A range given the wrong
    way round is read as the same range.
    """
    start, end = min(start, end), max(start, end)
    window_start = min(week_start(start), month_start(start))
    window_end = max(week_start(end) + timedelta(days=6), month_end(end))
    with transaction.atomic():
        _lock()
        tallies, events = _tally_grouped(window_start, window_end)
        if tallies is None:
            tallies, events = _tally_one_by_one(window_start, window_end)
        covered = _covered_starts(window_start, window_end)
        for table, days in tallies.items():
            for period, starts in covered.items():
                # Headcount snapshots are not made from events: a rebuild keeps them.
                rows = table.model.objects.exclude(metric=HEADCOUNT)
                if period == Period.DAY:
                    rows.filter(period=period, start__range=(starts[0], starts[-1])).delete()
                else:
                    rows.filter(period=period, start__in=starts).delete()
            _write_fresh(_rows_from_days(days, window_start, window_end, table), table)
            if table is DEPARTMENTS:
                department_weeks_refresh(covered[Period.WEEK])
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # Tens of thousands of new rows: plan the reports' queries on fresh
                    # statistics.
                    cursor.execute(f"ANALYZE {table.model._meta.db_table}")
    return window_start, window_end, events


def _groups_events() -> bool:
    return True


def _tally_grouped(first: date, last: date) -> tuple[dict | None, int]:
    """The window's events not queued, tallied from the database's GROUP BY of identical ones
    (what `facts` reads of them): a million reactions are far fewer (day, person, kind,
    department, community) groups, each read and tallied once (issue 21).

    (None, 0) if the queue changed meanwhile: an event and its queue row may have been
    committed apart, and only the one by one tally can tell which events were read."""
    if not _groups_events():
        return None, 0
    queued = set(PendingEvent.objects.values_list("event_id", flat=True))
    groups = (
        ActivityEvent.objects.filter(day__range=(first, last))
        .exclude(Exists(PendingEvent.objects.filter(event_id=OuterRef("pk"))))
        # The object matters to the rollups only as the subject of a hashtag or a blog read.
        .annotate(subject=Case(When(kind__in=SUBJECT_KINDS, then="object_id"), default=None))
        .values(*GROUPED_FIELDS[1:])
        .annotate(n=Count("pk"))
        .order_by()
        .values_list(*GROUPED_FIELDS)
        .iterator(chunk_size=20_000)
    )  # fmt: skip
    counted = [0]
    tallies = _tally(_counting(groups, counted))
    if set(PendingEvent.objects.values_list("event_id", flat=True)) != queued:
        return None, 0
    return tallies, counted[0]


def _counting(groups, counted: list[int]):
    for group in groups:
        counted[0] += group[0]
        yield group


def _tally_one_by_one(first: date, last: date) -> tuple[dict, int]:
    read: list[int] = []
    tallies = tally_days(_recording(_events_between(first, last), read))
    pending = _pending_in(read)
    if pending:
        # Recorded while this ran: left to the catch-up, so not counted here.
        tallies = tally_days(e for e in _events_between(first, last) if e[0] not in pending)
    return tallies, len(read) - len(pending)


def _events_between(first: date, last: date):
    return (
        ActivityEvent.objects.filter(day__range=(first, last))
        .values_list(*EVENT_FIELDS)
        .iterator(chunk_size=20_000)
    )


def _recording(events, ids: list[int]):
    for event in events:
        ids.append(event[0])
        yield event


def _pending_in(read: list[int]) -> set[int]:
    """Which of these events are still queued (read after them: see rollups_rebuild)."""
    if not read:
        return set()
    if len(read) <= 10_000:
        return set(
            PendingEvent.objects.filter(event_id__in=read).values_list("event_id", flat=True)
        )
    wanted = set(read)
    return {
        event_id
        for event_id in PendingEvent.objects.values_list("event_id", flat=True).iterator(
            chunk_size=50_000
        )
        if event_id in wanted
    }


def _covered_starts(window_start: date, window_end: date) -> dict[str, list[date]]:
    """The periods lying wholly inside the window: the rows a rebuild replaces."""
    covered: dict[str, list[date]] = {Period.DAY: [], Period.WEEK: [], Period.MONTH: []}
    day = window_start
    while day <= window_end:
        covered[Period.DAY].append(day)
        for period, start in ((Period.WEEK, day), (Period.MONTH, day)):
            if (
                (period == Period.WEEK and day.weekday() == 0)
                or (period == Period.MONTH and day.day == 1)
            ) and period_end(period, start) <= window_end:
                covered[period].append(start)
        day += timedelta(days=1)
    return covered


def _rows_from_days(
    days: dict[DayKey, Tally], window_start: date, window_end: date, table: Table
) -> list[RollupFigure]:
    covered = {p: set(s) for p, s in _covered_starts(window_start, window_end).items()}
    merged: dict[tuple, RollupFigure] = {}
    people: dict[tuple, set[int]] = defaultdict(set)
    for (day, scope, metric, subject), tally in days.items():
        for key in _keys_of(day, scope, metric, subject):
            if key[1] not in covered[key[0]]:
                continue
            row = merged.get(key)
            if row is None:
                row = merged[key] = table.row(key)
            row.count += tally.count
            row.person_days += len(tally.people)
            people[key] |= tally.people
    for key, row in merged.items():
        row.people = len(people[key])
        row.members = pack(people[key])
    return list(merged.values())


# --- Headcount snapshots -------------------------------------------------------------------


def _after(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def headcounts_on(days: list[date]) -> dict[tuple[int, date], int]:
    """Active accounts per department at the end of each of these (past) days.

    Kept as daily `headcount` rows, so a report reads a few rows instead of counting every
    account: the first report that needs a day counts it (one query for all the days it
    lacks) and stores it. A snapshot keeps who worked here then, even after they leave; each
    day also gets a row for department 0, so "counted, nobody" differs from "not counted yet".
    """
    return _snapshots(days, DEPARTMENTS, _count_headcounts)


def community_headcounts_on(days: list[date]) -> dict[tuple[int, date], int]:
    """Active members per community at the end of each of these days, kept the same way as
    departments' headcounts (the first report that needs a day counts and stores it; community
    0 marks a day as counted). A member counts from the day their membership was made (joined,
    asked to join or was invited) if they are an active member with an active account when it
    is counted: people who left before then are not in it."""
    return _snapshots(days, COMMUNITIES, _count_members)


def _snapshots(days: list[date], table: Table, count) -> dict[tuple[int, date], int]:
    wanted = sorted(set(days))
    found: dict[tuple[int, date], int] = {}
    seen: set[date] = set()
    for scope, day, counted in table.model.objects.filter(
        period=Period.DAY, metric=HEADCOUNT, start__in=wanted
    ).values_list(table.scope, "start", "count"):
        found[(scope, day)] = counted
        seen.add(day)
    missing = [day for day in wanted if day not in seen]
    if missing:
        counted = count(missing)
        today = timezone.localdate()  # a day still running is counted, not stored
        rows = []
        for (scope, day), n in counted.items():
            if day < today:
                row = table.row((Period.DAY, day, scope, HEADCOUNT, 0))
                row.count = row.people = n
                rows.append(row)
        _write(rows, table)
        found.update(counted)
    return found


def _count_headcounts(days: list[date]) -> dict[tuple[int, date], int]:
    joined = (
        Profile.objects.filter(user__is_active=True, user__date_joined__lt=_after(days[-1]))
        .annotate(day=TruncDate("user__date_joined"))
        .values_list("department_id", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _running_totals(joined, days)


def _count_members(days: list[date]) -> dict[tuple[int, date], int]:
    joined = (
        Membership.objects.filter(
            state=State.ACTIVE, user__is_active=True, created_at__lt=_after(days[-1])
        )
        .annotate(day=TruncDate("created_at"))
        .values_list("community_id", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _running_totals(joined, days)


def _running_totals(joined_rows, days: list[date]) -> dict[tuple[int, date], int]:
    """(scope, day joined, how many) rows -> how many had joined by the end of each day."""
    joined: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for scope, day, count in joined_rows:
        joined[scope or 0].append((day, count))
    counted = {(0, day): 0 for day in days}
    for scope, joins in joined.items():
        joins.sort()
        total, i = 0, 0
        for day in days:
            while i < len(joins) and joins[i][0] <= day:
                total += joins[i][1]
                i += 1
            counted[(scope, day)] = total
    return counted
