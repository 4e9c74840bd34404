"""Writing many rows fast: COPY on PostgreSQL, bulk_create elsewhere; two writers at once.

Nothing here decides what is written: the rows come from stream.py already generated, so how
they are written (one connection or two, COPY or INSERT) can change the ids they get, never
what they say.
"""

import queue
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import connection, connections, models, transaction
from django.db.models import Max

from feeds.models import Comment, Hashtag, Reaction, Status, Visibility

from .cast import Cast
from .stream import NewStatus

INSERT_BATCH = 5000
PROGRESS_WIDTH = 30
WRITERS = 2  # connections writing at once in `StatusWriter.write_in_parallel`

STATUS_FIELDS = (
    "id", "author_id", "body", "body_html", "visibility", "department_id", "created_at",
    "removal", "removal_reason", "comments_locked", "lock_reason", "is_announcement",
    "comment_count", "community_id", "pinned_in_community",
)  # fmt: skip
COMMENT_FIELDS = (
    "id", "status_id", "author_id", "body", "body_html", "created_at", "removal",
    "removal_reason",
)  # fmt: skip
REACTION_FIELDS = ("status_id", "user_id", "kind", "created_at")
COMPANY_VISIBLE, DEPARTMENT_VISIBLE = Visibility.COMPANY.value, Visibility.DEPARTMENT.value


def chunked(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class Progress:
    """A one-line text bar on stderr: `[#####.....]  50% people`.

    `stream` is a management command's OutputWrapper (`self.stderr`), hence `ending` and
    `style_func` below.
    """

    def __init__(self, stream, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.last: tuple[str, int] | None = None

    def update(self, label: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        percent = min(100, done * 100 // total)
        if self.last == (label, percent):
            return
        self.last = (label, percent)
        filled = percent * PROGRESS_WIDTH // 100
        bar = "#" * filled + "." * (PROGRESS_WIDTH - filled)
        end = "\n" if percent == 100 else ""
        self.stream.write(f"\r[{bar}] {percent:3d}% {label}", ending=end, style_func=str)
        self.stream.flush()


class RowWriter:
    """Inserts many rows fast: COPY on PostgreSQL, bulk_create elsewhere.

    Statuses and comments get their ids before they are written, so their links, comments and
    reactions can be written in the same pass: on PostgreSQL drawn from the table's own
    sequence (nothing to reset afterwards), elsewhere counted on from the largest id.
    """

    def __init__(self) -> None:
        self.copy = connection.vendor == "postgresql"
        self.next_id: dict[type[models.Model], int] = {}
        self.sequences: dict[type[models.Model], str] = {}

    def reserve_ids(self, model: type[models.Model], count: int) -> list[int]:
        if count == 0:
            return []
        if self.copy:
            with connection.cursor() as cursor:
                if model not in self.sequences:
                    cursor.execute(
                        "SELECT pg_get_serial_sequence(%s, %s)",
                        [model._meta.db_table, model._meta.pk.column],
                    )
                    self.sequences[model] = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT nextval(%s) FROM generate_series(1, %s)",
                    [self.sequences[model], count],
                )
                return [row[0] for row in cursor.fetchall()]
        if model not in self.next_id:
            self.next_id[model] = (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1
        first = self.next_id[model]
        self.next_id[model] = first + count
        return list(range(first, first + count))

    def insert(self, model: type[models.Model], fields: tuple[str, ...], rows: list[tuple]):
        if not rows:
            return
        if not self.copy:
            model.objects.bulk_create(
                [model(**dict(zip(fields, row, strict=True))) for row in rows],
                batch_size=INSERT_BATCH,
            )
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(model._meta.get_field(f).column) for f in fields)
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)


class Hashtags:
    """Hashtag ids by name, creating the missing hashtags first.

    Only ever called from the main thread: the writer threads read `ids` but never add to it.
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def ensure(self, names: Iterable[str]) -> None:
        missing = set(names) - self.ids.keys()
        if not missing:
            return
        Hashtag.objects.bulk_create(
            [Hashtag(name=n) for n in sorted(missing)], ignore_conflicts=True
        )
        self.ids.update(Hashtag.objects.filter(name__in=missing).values_list("name", "id"))


class StatusWriter:
    """Writes generated statuses with their mentions, hashtags, comments and reactions."""

    def __init__(self, cast: Cast, hashtags: Hashtags) -> None:
        self.cast = cast
        self.hashtags = hashtags
        self.rows = RowWriter()

    @property
    def copy(self) -> bool:
        return self.rows.copy

    def write_in_parallel(
        self, batches: Iterator[list[NewStatus]], total: int, progress: Progress
    ) -> None:
        """Generate here while WRITERS threads, each with its own connection, write.

        Most of a large run is PostgreSQL inserting rows and checking foreign keys, one core
        per connection: two connections and the generator in parallel take ~35 % less time.
        Each batch is still one transaction; an interrupted run may leave a later batch
        written and an earlier one not, which only shifts where a rerun continues the stream.
        """
        work: queue.Queue = queue.Queue(maxsize=WRITERS * 2)
        failures: list[BaseException] = []
        lock = threading.Lock()
        done = 0

        def writer() -> None:
            nonlocal done
            try:
                while (batch := work.get()) is not None:
                    if failures:
                        continue  # keep draining so the generator never blocks
                    try:
                        self.write(batch)
                    except BaseException as exc:  # re-raised in the main thread
                        failures.append(exc)
                        continue
                    with lock:
                        done += len(batch)
                        progress.update("statuses", done, total)
            finally:
                connections.close_all()  # this thread's connection

        threads = [threading.Thread(target=writer, daemon=True) for _ in range(WRITERS)]
        for thread in threads:
            thread.start()
        try:
            for batch in batches:
                if failures:
                    break
                # Hashtag rows are created here, before any writer needs their ids.
                self.hashtags.ensure(t for s in batch for t in s.hashtags)
                work.put(batch)
        finally:
            for _ in threads:
                work.put(None)
            for thread in threads:
                thread.join()
        if failures:
            raise failures[0]

    def write(self, statuses: list[NewStatus]) -> None:
        """One transaction: the statuses, their links, comments and reactions (tags exist)."""
        cast, writer = self.cast, self.rows
        users, departments = cast.user_ids, cast.department_ids
        tag_ids = self.hashtags.ids
        status_ids = writer.reserve_ids(Status, len(statuses))
        comment_ids = iter(writer.reserve_ids(Comment, sum(len(s.comments) for s in statuses)))
        rows: dict[str, list[tuple]] = defaultdict(list)
        for status_id, s in zip(status_ids, statuses, strict=True):
            visibility = DEPARTMENT_VISIBLE if s.department_only else COMPANY_VISIBLE
            rows["statuses"].append(
                (status_id, users[s.author], s.body, s.html, visibility, departments[s.author],
                 s.created, "", "", False, "", False, len(s.comments), s.community, False)
            )  # fmt: skip
            rows["mentions"].extend((status_id, users[p]) for p in s.mentions)
            rows["hashtags"].extend((status_id, tag_ids[t]) for t in dict.fromkeys(s.hashtags))
            for c in s.comments:
                comment_id = next(comment_ids)
                rows["comments"].append(
                    (comment_id, status_id, users[c.author], c.body, c.html, c.created, "", "")
                )
                rows["comment_mentions"].extend((comment_id, users[p]) for p in c.mentions)
            rows["reactions"].extend(
                (status_id, users[p], kind, moment) for p, kind, moment in s.reactions
            )
        with transaction.atomic():
            writer.insert(Status, STATUS_FIELDS, rows["statuses"])
            writer.insert(Status.mentions.through, ("status_id", "user_id"), rows["mentions"])
            writer.insert(Status.hashtags.through, ("status_id", "hashtag_id"), rows["hashtags"])
            writer.insert(Comment, COMMENT_FIELDS, rows["comments"])
            writer.insert(
                Comment.mentions.through, ("comment_id", "user_id"), rows["comment_mentions"]
            )
            writer.insert(Reaction, REACTION_FIELDS, rows["reactions"])

    def analyze(self) -> None:
        """Refresh the planner's statistics at once rather than when autovacuum gets to it."""
        with connection.cursor() as cursor:
            for model in (Status, Comment, Reaction, Status.mentions.through,
                          Status.hashtags.through, Comment.mentions.through):  # fmt: skip
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
