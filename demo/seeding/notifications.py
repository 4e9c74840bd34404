"""The notifications of the accounts people log in as, for the content seeded.

Derived from what is stored rather than from the stream, so they match the database whatever
earlier runs wrote: the latest mentions, comments, reactions and follows of each account.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from communities.models import Community
from communities.permissions import readable_q
from feeds.models import Comment, Reaction, Status, Visibility
from notifications.models import Notification
from profiles.models import Follow

from .cast import Cast
from .writers import INSERT_BATCH

# Who gets notifications: the accounts people log in as, not all 10,000.
NOTIFIED = ("alice", "bob", "ceo", "hr", "mod")
NOTIFY_LATEST = 40  # of each kind
NOTIFY_ACTORS = 50  # people listed in one grouped reaction notification
NOTIFY_FOLLOWS = 8
UNREAD_FOR = timedelta(days=3)
ALWAYS_UNREAD = 3  # the newest few stay unread, so there is a badge


def ensure_notifications(cast: Cast, *, now: datetime) -> None:
    """What the fixed accounts would have been told about the seeded content.

    Missing ones only: a notification is known by its kind, target (a status or a comment) and
    actor (a grouped reaction by its status; a follow by its follower), so a second run adds
    none.
    """
    for username in NOTIFIED:
        if username in cast.index_of:
            notify(cast, cast.index_of[username], now=now)


def notify(cast: Cast, person: int, *, now: datetime) -> None:
    me = cast.user_ids[person]
    department = cast.department_ids[person]
    # Of the communities, those this person may read (feeds.permissions.visible_q_for).
    readable = list(Community.objects.filter(readable_q(me)).values_list("pk", flat=True))

    def visible(prefix: str = "") -> Q:
        outside = (
            Q(**{f"{prefix}visibility": Visibility.COMPANY})
            | Q(**{f"{prefix}department_id": department})
            | Q(**{f"{prefix}author_id": me})
        )
        return (Q(**{f"{prefix}community": None}) & outside) | Q(
            **{f"{prefix}community_id__in": readable}
        )

    status_type = ContentType.objects.get_for_model(Status).pk
    comment_type = ContentType.objects.get_for_model(Comment).pk
    have = set(
        Notification.objects.filter(recipient_id=me).values_list(
            "kind", "target_type_id", "target_id", "actor_id"
        )
    )
    reacted = {
        target for kind, type_id, target, _ in have if kind == "reaction" and type_id == status_type
    }
    followed = {actor for kind, _, _, actor in have if kind == "follow"}
    new: list[Notification] = []

    def add(kind, actor, when, status=None, comment=None, actors=None, updated=None):
        """About the comment if there is one, else the status, else nobody (a follow)."""
        if comment is not None:
            type_id, target = comment_type, comment
        elif status is not None:
            type_id, target = status_type, status
        else:
            type_id, target = None, None
        if (kind, type_id, target, actor) in have:
            return
        new.append(
            Notification(
                recipient_id=me,
                kind=kind,
                actor_id=actor,
                actor_ids=actors or [actor],
                target_type_id=type_id,
                target_id=target,
                created_at=when,
                updated_at=updated or when,
            )
        )

    mentions = (
        Status.objects.filter(visible(), mentions=me, removal="")
        .exclude(author_id=me)
        .order_by("-created_at", "-id")
        .values_list("id", "author_id", "created_at")[:NOTIFY_LATEST]
    )
    for status, author, when in mentions:
        add("mention", author, when, status=status)
    # Mentioned in a comment on someone else's status (on their own, it is a comment).
    comment_mentions = (
        Comment.objects.filter(visible("status__"), mentions=me)
        .exclude(author_id=me)
        .exclude(status__author_id=me)
        .order_by("-created_at", "-id")
        .values_list("id", "status_id", "author_id", "created_at")[:NOTIFY_LATEST]
    )
    for comment, status, author, when in comment_mentions:
        add("mention", author, when, status=status, comment=comment)
    comments = (
        Comment.objects.filter(status__author_id=me)
        .exclude(author_id=me)
        .order_by("-created_at", "-id")
        .values_list("id", "status_id", "author_id", "created_at")[:NOTIFY_LATEST]
    )
    for comment, status, author, when in comments:
        add("comment", author, when, status=status, comment=comment)
    mine = list(
        Status.objects.filter(author_id=me)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)[:NOTIFY_LATEST]
    )
    reactors: dict[int, dict[int, datetime]] = defaultdict(dict)
    for status, user, when in (
        Reaction.objects.filter(status_id__in=mine)
        .exclude(user_id=me)
        .order_by("created_at", "id")
        .values_list("status_id", "user_id", "created_at")
    ):
        reactors[status].setdefault(user, when)
    for status, people in reactors.items():
        if status in reacted:
            continue
        actors = list(people)[-NOTIFY_ACTORS:]
        first, last = min(people.values()), max(people.values())
        add("reaction", actors[-1], first, status=status, actors=actors,
            updated=last)  # fmt: skip
    followers = (
        Follow.objects.filter(followee_id=me)
        .order_by("-created_at", "-id")
        .values_list("follower_id", flat=True)[:NOTIFY_FOLLOWS]
    )
    for number, follower in enumerate(followers):
        if follower not in followed:
            when = now - timedelta(hours=18 + 97 * number)
            add("follow", follower, when)
    new.sort(key=lambda n: n.updated_at, reverse=True)
    for number, notification in enumerate(new):
        if number >= ALWAYS_UNREAD and notification.updated_at < now - UNREAD_FOR:
            notification.read_at = min(now, notification.updated_at + timedelta(hours=2))
    Notification.objects.bulk_create(new, batch_size=INSERT_BATCH)
