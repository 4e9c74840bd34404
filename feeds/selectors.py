"""Reads of statuses, comments and the moderation log."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from attachments.selectors import attachments_decorate
from communities import permissions as community_permissions
from communities.models import Community, Membership
from communities.selectors import active_community_ids
from profiles.models import Department, Follow, Profile, User

from . import polls
from .models import (
    Comment,
    Hashtag,
    ModerationAction,
    Poll,
    Reaction,
    ReactionKind,
    Report,
    Status,
    StatusRevision,
    Visibility,
)
from .permissions import (
    can_moderate,
    can_moderate_status,
    viewer_department_id,
    visible_q,
    visible_q_for,
)


def status_base_qs() -> QuerySet[Status]:
    return Status.objects.select_related(
        "author__profile__department", "department", "removed_by__profile", "community"
    ).prefetch_related(
        Prefetch("mentions", queryset=User.objects.only("id", "username")),
        "hashtags",
    )


def statuses_visible_to(*, user: User) -> QuerySet[Status]:
    # A status dated in the future (the card of a scheduled blog post) waits for its time.
    return status_base_qs().filter(visible_q(user), created_at__lte=timezone.now())


def status_get_for_user(*, user: User, status_id: int | str, row_only: bool = False) -> Status:
    """The status, or 404 alike for missing and not yours to see. Moderators see every one.
    `row_only`: only the columns of `status_rows` (for feeds.status_cache), in one query."""
    try:
        status_id = int(status_id)
    except (TypeError, ValueError):
        raise Http404("No such status.") from None
    qs = status_base_qs() if can_moderate(user) else statuses_visible_to(user=user)
    if row_only:
        qs = status_rows(qs)
    status = qs.filter(pk=status_id).first()
    if status is None:
        raise Http404("No such status.")
    return status


# What a feed's id query reads of each status beside its id: enough to key its cached card
# (feeds.status_cache) and to page (created_at). A change to any of these columns, by whatever
# code path, makes a new key.
STATUS_ROW_FIELDS = (
    "id",
    "created_at",
    "author_id",
    "community_id",
    "removed_by_id",
    "removal",
    "edited_at",
    "comment_count",
    "comments_locked",
    "is_announcement",
    "announcement_until",
    "pinned_in_community",
    "visibility",
)
_ROW_DATETIMES = {"created_at", "edited_at", "announcement_until"}
_ROW_BOOLEANS = {"comments_locked", "is_announcement", "pinned_in_community"}


def status_rows(qs: QuerySet[Status]) -> QuerySet[Status]:
    """`qs` reading only STATUS_ROW_FIELDS (the same filters and order): statuses to render
    from the cache of cards, not from their rows."""
    fields = [name.removesuffix("_id") if name != "id" else name for name in STATUS_ROW_FIELDS]
    return qs.select_related(None).prefetch_related(None).only(*fields)


class StatusRow:
    """A status as the feed's id query reads it (STATUS_ROW_FIELDS), for feeds.status_cache;
    `viewer_reactions`: the viewer's own reactions to it when the same query read them (the
    home feed), else None."""

    __slots__ = (*STATUS_ROW_FIELDS, "viewer_reactions")

    def __init__(self, values: Sequence, viewer_reactions: list[str] | None = None) -> None:
        self.viewer_reactions = viewer_reactions
        for name, value in zip(STATUS_ROW_FIELDS, values, strict=True):
            if name in _ROW_DATETIMES and isinstance(value, str):  # SQLite's raw cursor
                value = parse_datetime(value)
                if timezone.is_naive(value):
                    value = timezone.make_aware(value, UTC)
            elif name in _ROW_BOOLEANS:
                value = bool(value)
            setattr(self, name, value)

    @property
    def pk(self) -> int:
        return self.id


def active_announcements_q(now: datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(is_announcement=True, removal="") & (
        Q(announcement_until__isnull=True) | Q(announcement_until__gt=now)
    )


def pinned_announcements(*, user: User) -> QuerySet[Status]:
    return (
        statuses_visible_to(user=user)
        .filter(active_announcements_q())
        .order_by("-created_at", "-id")
    )


def feed(*, user: User, include_pinned: bool = False) -> QuerySet[Status]:
    """The home timeline, newest first: own posts, people followed, own department's posts,
    and announcements once their pinned time is over (while pinned they lead the first page,
    unless `include_pinned`)."""
    department_id = viewer_department_id(user)
    followees = Follow.objects.filter(follower_id=user.pk).values("followee_id")
    communities = Membership.objects.filter(user_id=user.pk, state="active").values("community_id")
    wanted = (
        Q(author_id=user.pk)
        | Q(author_id__in=followees)
        | Q(is_announcement=True)
        | Q(community_id__in=communities)
    )
    if department_id is not None:
        wanted |= Q(visibility=Visibility.DEPARTMENT, department_id=department_id)
    qs = statuses_visible_to(user=user).filter(wanted)
    if not include_pinned:
        qs = qs.exclude(active_announcements_q())
    return qs.order_by("-created_at", "-id")


# Above this many people followed, their branch of the feed walks the company's time index and
# filters by author (they post often enough to fill a page quickly); below it, each person's own
# (author, created_at) index is read, since a scan of the time index for a few quiet people
# would cross most of the table before it found a page.
FOLLOWS_BY_TIME = 30
# The same for the communities someone is in: each one's (community, created_at) index below
# this many, the time index filtered by membership above.
COMMUNITIES_BY_TIME = 30
# Values no id or time takes, marking where a compiled branch holds the viewer's values.
_AUTHOR_SLOT = -7_654_321
_USER_SLOT = -7_654_322
_DEPARTMENT_SLOT = -7_654_323
_AFTER_ID_SLOT = -7_654_324
_COMMUNITY_SLOT = -7_654_325
_NOW_SLOT = datetime(1901, 1, 1, tzinfo=UTC)
_AFTER_SLOT = datetime(1902, 1, 1, tzinfo=UTC)
# The branches' SQL by shape (vendor, department or not, cursor or not, busy follows, limit),
# compiled once per process: building and compiling the ORM's querysets was a fifth of a feed
# request's time (cProfile, issue 7), the same work every time but for the values.
_BRANCHES: dict[tuple, tuple[list[tuple[str, list]], tuple[str, list], tuple[str, list]]] = {}
# The pinned announcements' SQL by shape (vendor, department or not), compiled once too.
_PINNED: dict[tuple, tuple[str, list]] = {}


def _compiled(qs: QuerySet[Status], limit: int | None = None) -> tuple[str, list]:
    # created_at and id first: the union is ordered by its first two columns.
    branch = qs.order_by("-created_at", "-id").values_list(*_UNION_FIELDS)
    if limit is not None:
        branch = branch[:limit]
    sql, params = branch.query.get_compiler(using=branch.db).as_sql()
    return sql, list(params)


def _visible_base(department: bool) -> QuerySet[Status]:
    department_id = _DEPARTMENT_SLOT if department else None
    return Status.objects.filter(
        visible_q_for(_USER_SLOT, department_id), created_at__lte=_NOW_SLOT
    )


def _feed_branches(
    *, department: bool, after: bool, busy: bool, many_communities: bool, limit: int
) -> tuple[list[tuple[str, list]], tuple[str, list], tuple[str, list]]:
    """The compiled branches of `feed_page_rows` with slots for the values: the fixed sources
    (announcements, the department, busy follows, many communities), one person's branch and
    one community's branch."""
    key = (connection.vendor, department, after, busy, many_communities, limit)
    if key in _BRANCHES:
        return _BRANCHES[key]
    base = _visible_base(department).exclude(active_announcements_q(_NOW_SLOT))
    if after:
        # The bound on created_at alone lets each scan start at the cursor (an index condition);
        # the OR that settles ties is only a filter.
        base = base.filter(created_at__lte=_AFTER_SLOT).filter(
            Q(created_at__lt=_AFTER_SLOT) | Q(created_at=_AFTER_SLOT, id__lt=_AFTER_ID_SLOT)
        )
    sources = [Q(is_announcement=True)]
    if department:
        sources.append(Q(visibility=Visibility.DEPARTMENT, department_id=_DEPARTMENT_SLOT))
    if busy:
        followed = Follow.objects.filter(follower_id=_USER_SLOT).values("followee_id")
        sources.append(Q(author_id__in=followed))
    if many_communities:
        joined = Membership.objects.filter(user_id=_USER_SLOT, state="active").values(
            "community_id"
        )
        sources.append(Q(community_id__in=joined))
    branches = (
        [_compiled(base.filter(source), limit) for source in sources],
        _compiled(base.filter(author_id=_AUTHOR_SLOT), limit),
        _compiled(base.filter(community_id=_COMMUNITY_SLOT), limit),
    )
    _BRANCHES[key] = branches
    return branches


def _pinned_branch(*, department: bool) -> tuple[str, list]:
    """`pinned_announcements` compiled with slots, as `_feed_branches`."""
    key = (connection.vendor, department)
    if key not in _PINNED:
        _PINNED[key] = _compiled(
            _visible_base(department).filter(active_announcements_q(_NOW_SLOT))
        )
    return _PINNED[key]


_UNION_FIELDS = ("created_at", "id", *STATUS_ROW_FIELDS[2:])


def _lateral(sql: str, params: list, slot: int, values: list[int]) -> tuple[str, list]:
    """PostgreSQL: the branch `sql` once for each of `values`, in one statement: the branch,
    its `slot` parameter replaced by the column of `unnest(values)`, joined LATERAL."""
    pieces = sql.split("%s")
    if len(pieces) != len(params) + 1:
        raise ValueError("a compiled branch with a literal %s")
    text, kept = [pieces[0]], []
    for param, piece in zip(params, pieces[1:], strict=True):
        if isinstance(param, int) and param == slot:
            text.append("wanted.value")
        else:
            text.append("%s")
            kept.append(param)
        text.append(piece)
    lateral = (
        "SELECT rows.* FROM unnest(%s::bigint[]) AS wanted(value) "  # noqa: S608 - the ORM's SQL
        f"CROSS JOIN LATERAL ({''.join(text)}) AS rows"
    )
    return lateral, [list(values), *kept]


def viewer_sources(user: User) -> tuple[int | None, list[int], list[int]]:
    """What the home feed is made of for `user`, in one query: their department, the people
    they follow (FOLLOWS_BY_TIME + 1 at most: enough to tell a busy follow set, whose branch
    reads the follows itself) and the communities they are an active member of."""
    quote = connection.ops.quote_name
    profile, follow, membership = (
        quote(model._meta.db_table) for model in (Profile, Follow, Membership)
    )
    sql = (
        f"SELECT 0, department_id FROM {profile} WHERE user_id = %s "  # noqa: S608 - table names
        f"UNION ALL SELECT 1, followee_id FROM (SELECT followee_id FROM {follow} "
        f"WHERE follower_id = %s LIMIT {FOLLOWS_BY_TIME + 1}) AS followed "
        f"UNION ALL SELECT 2, community_id FROM {membership} WHERE user_id = %s AND state = %s"
    )
    department_id, followees, communities = None, [], []
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk, user.pk, "active"])
        for source, value in cursor.fetchall():
            if source == 0:
                department_id = value
            elif source == 1:
                followees.append(value)
            else:
                communities.append(value)
    # feeds.permissions.viewer_department_id reads it from here for the rest of the request.
    user._es_department_id = department_id
    return department_id, followees, communities


def feed_page_ids(*, user: User, after: Sequence | None = None, limit: int = 21) -> list[int]:
    """The ids of `feed_page_rows`."""
    return [row.id for row in feed_page_rows(user=user, after=after, limit=limit)]


def feed_page_rows(
    *, user: User, after: Sequence | None = None, limit: int = 21
) -> list[StatusRow]:
    """The rows (StatusRow: the id and the columns that key a cached card) of the next `limit`
    statuses of `feed(user=user)` after the key `after` ((created_at, id), exclusive), in the
    feed's order. See `feed_page`."""
    return feed_page(user=user, after=after, limit=limit)[1]


def feed_page(
    *,
    user: User,
    after: Sequence | None = None,
    limit: int = 21,
    pinned: bool = False,
    reactions: bool = False,
) -> tuple[list[StatusRow], list[StatusRow]]:
    """The pinned announcements (`pinned_announcements`, if `pinned`, else none) and the next
    `limit` statuses of `feed(user=user)` after the key `after` ((created_at, id), exclusive),
    in the feed's order, as StatusRows; with `reactions`, each row carries the viewer's own
    reactions (`viewer_reactions`). Two queries in all: `viewer_sources` and this.

    The same statuses as the feed, read as a union of one index scan per source (own, each
    quiet person followed or all the busy ones, department, announcements), each stopped at
    `limit`, instead of one scan filtered by an OR of all of them, which the planner can only
    serve by crossing the time index (slow for someone who follows a few quiet people, slower
    on every later page). Raw SQL around the ORM's branches: Django refuses LIMIT inside a
    UNION on SQLite, which accepts it inside `SELECT * FROM (...)` like PostgreSQL."""
    department_id, followees, communities = viewer_sources(user)
    busy = len(followees) > FOLLOWS_BY_TIME
    many_communities = len(communities) > COMMUNITIES_BY_TIME
    fixed, person, community_branch = _feed_branches(
        department=department_id is not None,
        after=after is not None,
        busy=busy,
        many_communities=many_communities,
        limit=limit,
    )
    adapt = connection.ops.adapt_datetimefield_value
    values = {
        _USER_SLOT: user.pk,
        _DEPARTMENT_SLOT: department_id,
        adapt(_NOW_SLOT): adapt(timezone.now()),
    }
    if after is not None:
        values[adapt(_AFTER_SLOT)] = adapt(after[0])
        values[_AFTER_ID_SLOT] = after[1]

    def filled(params: list, extra: dict | None = None) -> list:
        slots = values if extra is None else {**values, **extra}
        return [slots.get(p, p) if isinstance(p, int | str | datetime) else p for p in params]

    parts, params = [], []
    branches = [(sql, filled(branch_params)) for sql, branch_params in fixed]
    people = [user.pk] + ([] if busy else followees)
    joined = [] if many_communities else communities
    for ids, (branch_sql, branch_params), slot in (
        (people, person, _AUTHOR_SLOT),
        (joined, community_branch, _COMMUNITY_SLOT),
    ):
        if connection.vendor == "postgresql" and len(ids) > 1:
            # One branch for all of them: each one's own index scan, joined LATERAL to the
            # list, planned once (a branch per person cost the planner a copy each).
            branches.append(_lateral(branch_sql, filled(branch_params), slot, ids))
        else:
            for value in ids:
                branches.append((branch_sql, filled(branch_params, {slot: value})))
    for n, (sql, branch_params) in enumerate(branches):
        parts.append(f"SELECT * FROM ({sql}) AS branch{n}")  # noqa: S608 - the ORM's SQL
        params.extend(branch_params)
    # The page, marked 0; the pinned announcements, marked 1, in the same statement.
    sql = (
        "SELECT 0 AS pinned, page.* FROM ("  # noqa: S608 - the ORM's SQL
        + " UNION ".join(parts)
        + f" ORDER BY 1 DESC, 2 DESC LIMIT {int(limit)}) AS page"
    )
    if pinned:
        pinned_sql, pinned_params = _pinned_branch(department=department_id is not None)
        sql = f"SELECT 1 AS pinned, pins.* FROM ({pinned_sql}) AS pins UNION ALL {sql}"  # noqa: S608
        params = filled(pinned_params) + params
    if reactions:
        # The viewer's reactions to each row (the reaction_one_per_kind index: status first).
        concat = "string_agg" if connection.vendor == "postgresql" else "group_concat"
        sql = (
            f"SELECT feed.*, (SELECT {concat}(kind, ',') FROM "  # noqa: S608 - fixed names
            f"{connection.ops.quote_name(Reaction._meta.db_table)} AS mine "
            f"WHERE mine.status_id = feed.id AND mine.user_id = %s) FROM ({sql}) AS feed"
        )
        params = [user.pk, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    width = len(_UNION_FIELDS) + 1
    pins, page = [], []
    for row in rows:
        mine = None
        if reactions:
            mine = row[width].split(",") if row[width] else []
        status = StatusRow((row[2], row[1], *row[3:width]), mine)
        (pins if row[0] else page).append(status)
    key = lambda status: (status.created_at, status.id)  # noqa: E731
    pins.sort(key=key, reverse=True)
    page.sort(key=key, reverse=True)
    return pins, page


def statuses_by_ids(ids: list[int]) -> dict[int, Status]:
    """These statuses by id, with what the API's StatusSerializer reads: `mention_names` and
    `hashtag_names` (two plain queries, cheaper than prefetching the objects), and `has_poll`
    (so that `decorate` asks for polls only when a status has one: most pages have none)."""
    found = (
        Status.objects.select_related("author__profile__department", "removed_by", "community")
        .annotate(has_poll=Exists(Poll.objects.filter(status_id=OuterRef("pk"))))
        .in_bulk(ids)
    )
    for status in found.values():
        status.mention_names, status.hashtag_names = [], []
    for status_id, name in (
        Status.mentions.through.objects.filter(status_id__in=ids)
        .order_by("id")
        .values_list("status_id", "user__username")
    ):
        found[status_id].mention_names.append(name)
    for status_id, name in (
        Status.hashtags.through.objects.filter(status_id__in=ids)
        .order_by("hashtag__name")
        .values_list("status_id", "hashtag__name")
    ):
        found[status_id].hashtag_names.append(name)
    return found


def stream_context(*, user: User) -> dict:
    """What a socket needs to pick its events: the department and the people followed."""
    return {
        "department_id": viewer_department_id(user),
        "followees": list(
            Follow.objects.filter(follower_id=user.pk).values_list("followee_id", flat=True)
        ),
        "communities": active_community_ids(user_id=user.pk),
    }


def statuses_missed(*, user: User, after: int, limit: int) -> tuple[list[Status], bool]:
    """Feed statuses with an id above `after`, oldest first, decorated for `user`; and whether
    there were more than `limit` (then the client should reload instead)."""
    # "After" in the feed's own order, (created_at, id): the statuses newer than the last seen.
    last = Status.objects.filter(pk=after).values_list("created_at", flat=True).first()
    qs = feed(user=user, include_pinned=True).filter(removal="")
    if last is None:
        qs = qs.filter(pk__gt=after)
    else:
        qs = qs.filter(Q(created_at__gt=last) | Q(created_at=last, pk__gt=after))
    qs = qs.order_by("created_at", "id")
    statuses = list(qs[: limit + 1])
    truncated = len(statuses) > limit
    statuses = decorate(statuses[:limit], user=user)
    return statuses, truncated


def statuses_by_author(*, user: User, author: User) -> QuerySet[Status]:
    return statuses_visible_to(user=user).filter(author=author).order_by("-created_at", "-id")


def community_statuses(*, user: User, community: Community) -> QuerySet[Status]:
    """A community's statuses this person may read (all of them, or none), newest first;
    pinned ones are listed apart (`community_pinned`)."""
    return (
        statuses_visible_to(user=user)
        .filter(community=community)
        .exclude(pinned_in_community=True, removal="")
        .order_by("-created_at", "-id")
    )


def community_pinned(*, user: User, community: Community) -> QuerySet[Status]:
    return (
        statuses_visible_to(user=user)
        .filter(community=community, pinned_in_community=True, removal="")
        .order_by("-created_at", "-id")
    )


def statuses_by_hashtag(*, user: User, tag: str) -> QuerySet[Status]:
    return (
        statuses_visible_to(user=user)
        .filter(hashtags__name=tag.lower())
        .order_by("-created_at", "-id")
    )


def statuses_of_department(*, user: User, department: Department) -> QuerySet[Status]:
    return (
        statuses_visible_to(user=user)
        .filter(Q(department=department) | Q(author__profile__department=department))
        .order_by("-created_at", "-id")
    )


def status_search(*, user: User, q: str) -> QuerySet[Status]:
    """Full-text search on PostgreSQL (GIN index, ranked); a simple match on SQLite."""
    q = " ".join(q.split())[:200]
    qs = statuses_visible_to(user=user).filter(removal="")
    if not q:
        return qs.order_by("-created_at", "-id").none()
    if connection.vendor == "postgresql":
        # The same expression as the GIN index of migration feeds 0002, so the index is used.
        vector = SearchVector("body", config="english")
        query = SearchQuery(q, config="english", search_type="websearch")
        return (
            qs.alias(search=vector)
            .filter(search=query)
            .annotate(rank=SearchRank(vector, query))
            .order_by("-rank", "-created_at", "-id")
        )
    for term in q.split():
        qs = qs.filter(body__icontains=term)
    return qs.order_by("-created_at", "-id")


def status_list(
    *, user: User, author: str = "", hashtag: str = "", q: str = ""
) -> QuerySet[Status]:
    qs = status_search(user=user, q=q) if q else statuses_visible_to(user=user)
    if author:
        qs = qs.filter(author__username=author)
    if hashtag:
        qs = qs.filter(hashtags__name=hashtag.lower().lstrip("#"))
    if not q:
        qs = qs.order_by("-created_at", "-id")
    return qs


def decorate(statuses: list[Status], *, user: User | None) -> list[Status]:
    """Add reaction counts, the viewer's own reactions and the polls (`poll_data`, see
    feeds.polls) to a page: one query, and up to three more when a status has a poll.

    With `user=None` (a payload for many viewers) `my_reactions` is empty and the polls carry
    nothing about the viewer."""
    ids = [s.pk for s in statuses]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    mine: dict[int, list[str]] = defaultdict(list)
    if ids:
        # Counts and the viewer's own reactions in one read.
        rows = Reaction.objects.filter(status_id__in=ids).values("status_id", "kind")
        if user is not None:
            rows = rows.annotate(n=Count("id"), own=Count("id", filter=Q(user_id=user.pk)))
        else:
            rows = rows.annotate(n=Count("id"))
        for row in rows.order_by():
            counts[row["status_id"]][row["kind"]] = row["n"]
            if row.get("own"):
                mine[row["status_id"]].append(row["kind"])
    order = [k.value for k in ReactionKind]
    managed: set[int] = set()
    if user is not None and any(s.community_id for s in statuses):
        # The communities on this page the viewer moderates as an owner or admin.
        managed = set(
            Membership.objects.filter(
                user_id=user.pk,
                state="active",
                role__in=("owner", "admin"),
                community_id__in={s.community_id for s in statuses if s.community_id},
            ).values_list("community_id", flat=True)
        )
    for status in statuses:
        status.viewer_can_moderate = status.community_id in managed
        status.reaction_counts = {kind: counts[status.pk].get(kind, 0) for kind in order}
        status.my_reactions = [kind for kind in order if kind in mine[status.pk]]
        status.viewer_can_edit = (
            user is not None and status.author_id == user.pk and not status.is_removed
        )
    # `poll_data`: at most three more queries, and none past the first without polls.
    polls.decorate_polls(statuses, user=user)
    # `attachment_list`: one query for the page's pictures, files and video.
    attachments_decorate(statuses)
    return statuses


def decorate_comments(comments: list[Comment]) -> list[Comment]:
    attachments_decorate(comments)
    return comments


def status_readable(user: User, status: Status) -> bool:
    """attachments' access rule for a status's files, asked on every download: the status as
    it is now. Hidden by a moderator: moderators only; deleted by its author: nobody."""
    if status.removal == "author":
        return False
    if can_moderate_status(user, status):
        return True
    return not status.is_removed and statuses_visible_to(user=user).filter(pk=status.pk).exists()


def comment_readable(user: User, comment: Comment) -> bool:
    status = Status.objects.filter(pk=comment.status_id).first()
    if status is None or comment.removal == "author":
        return False
    if comment.is_removed and not can_moderate_status(user, status):
        return False
    return status_readable(user, status)


def comments_for(*, status: Status) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(status=status)
        .select_related("author__profile__department", "removed_by__profile")
        .prefetch_related(Prefetch("mentions", queryset=User.objects.only("id", "username")))
        .order_by("created_at", "id")
    )


def status_history(*, status: Status) -> QuerySet[StatusRevision]:
    return StatusRevision.objects.filter(status=status).order_by("-written_at", "-id")


def hashtag_get(*, tag: str) -> Hashtag:
    hashtag = Hashtag.objects.filter(name=tag.lower()).first()
    if hashtag is None:
        raise Http404("No such tag.")
    return hashtag


def moderation_log(*, user: User) -> QuerySet[ModerationAction]:
    """The public log. An entry about a community's status or comment is listed only to who may
    read the community now (company moderators: every entry): its reason speaks of the post."""
    qs = ModerationAction.objects.select_related(
        "moderator__profile", "status__author__profile", "comment__author__profile"
    )
    if not can_moderate(user):
        readable = Community.objects.filter(community_permissions.readable_q(user.pk))
        # A comment's entry carries its status too (services.moderation_apply).
        qs = qs.filter(
            Q(status__community__isnull=True) | Q(status__community__in=readable.values("pk"))
        )
    return qs.prefetch_related("target").order_by("-created_at", "-id")


def open_reports() -> QuerySet[Report]:
    return (
        Report.objects.filter(resolved_at__isnull=True)
        .select_related("reporter__profile", "status__author__profile", "comment__author__profile")
        .order_by("-created_at", "-id")
    )


# The profile page shows this many of the person's latest posts (profiles' page hook).
PROFILE_POSTS_SHOWN = 10


def profile_posts_context(*, viewer: User, profile: Profile) -> dict:
    """profiles' `profile_page_context` hook: the person's recent posts this viewer may read."""
    posts = list(statuses_by_author(user=viewer, author=profile.user)[:PROFILE_POSTS_SHOWN])
    decorate(posts, user=viewer)
    return {"posts": posts}
