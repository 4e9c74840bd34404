"""What an email or a push says: notifications as lines (read again when sent, with what the
recipient may still read), mutes, and the digest's choice of posts, questions and ideas."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, F
from django.utils.html import strip_tags
from django.utils.text import Truncator

from communities.models import Community
from exec_blog.selectors import question_list
from feeds.models import Status
from feeds.selectors import feed
from ideas.selectors import ideas_waiting
from notifications import registry
from notifications.models import Notification
from notifications.selectors import targets_attach
from profiles.models import User

from . import kinds
from .models import NotificationSettings

# The digest: at most this many of each, and questions with at least this many votes.
DIGEST_POSTS = 8
DIGEST_QUESTIONS = 5
DIGEST_QUESTION_VOTES = 3
DIGEST_IDEAS = 5
DIGEST_NOTIFICATIONS = 10


@dataclass(frozen=True)
class Line:
    """One notification as an email or a push says it."""

    notification_id: int
    kind: str
    text: str
    excerpt: str
    url: str


@dataclass(frozen=True)
class Mutes:
    communities: frozenset[int] = frozenset()
    statuses: frozenset[int] = frozenset()


def absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def mutes_of(user_ids: list[int]) -> dict[int, Mutes]:
    through_c = NotificationSettings.muted_communities.through
    through_s = NotificationSettings.muted_statuses.through
    communities: dict[int, set[int]] = defaultdict(set)
    statuses: dict[int, set[int]] = defaultdict(set)
    for uid, cid in through_c.objects.filter(
        notificationsettings__user_id__in=user_ids
    ).values_list("notificationsettings__user_id", "community_id"):
        communities[uid].add(cid)
    for uid, sid in through_s.objects.filter(
        notificationsettings__user_id__in=user_ids
    ).values_list("notificationsettings__user_id", "status_id"):
        statuses[uid].add(sid)
    return {
        uid: Mutes(frozenset(communities.get(uid, ())), frozenset(statuses.get(uid, ())))
        for uid in user_ids
    }


def settings_of(user_ids: list[int]) -> dict[int, NotificationSettings]:
    rows = {row.user_id: row for row in NotificationSettings.objects.filter(user_id__in=user_ids)}
    return {uid: rows.get(uid) or NotificationSettings(user_id=uid) for uid in user_ids}


def _community_of(target) -> int | None:
    if isinstance(target, Community):
        return target.pk
    community_id = getattr(target, "community_id", None)
    if community_id is not None:
        return community_id
    for attr in ("status", "card"):
        related = getattr(type(target), attr, None)
        if related is not None and hasattr(related, "field"):
            holder = getattr(target, attr, None)
            if holder is not None:
                return getattr(holder, "community_id", None)
    return None


def is_muted(notification: Notification, mutes: Mutes) -> bool:
    if not (mutes.communities or mutes.statuses):
        return False
    target = registry.loaded_target(notification)
    if target is None:
        return False
    if mutes.statuses and registry.refs(notification).get("status_id") in mutes.statuses:
        return True
    return bool(mutes.communities) and _community_of(target) in mutes.communities


def readable(notifications: list[Notification]) -> list[Notification]:
    """Attach targets (hiding those the recipient may no longer read) and keep what is left: a
    notification whose target is gone or unreadable is not sent."""
    return [
        n
        for n in targets_attach(notifications)
        if n.target_type_id is None or registry.loaded_target(n) is not None
    ]


def line(notification: Notification) -> Line:
    text = registry.text(notification)
    excerpt = ""
    if not settings.NOTIFY_WITHOUT_CONTENT:
        found = registry.excerpt(notification)
        if found is not None:
            raw = found.note or found.text or strip_tags(found.html)
            excerpt = Truncator(" ".join(raw.split())).chars(140)
    return Line(
        notification_id=notification.pk,
        kind=kinds.setting_kind(notification.kind) or notification.kind,
        text=text,
        excerpt=excerpt,
        url=absolute(registry.url(notification)),
    )


def push_payload(item: Line) -> dict:
    if settings.NOTIFY_WITHOUT_CONTENT:
        body = f"{item.text} — open to read"
    else:
        body = f"{item.text}: “{item.excerpt}”" if item.excerpt else item.text
    return {
        "title": "Enterprise Social",
        "body": Truncator(body).chars(180),
        "url": item.url,
        "tag": f"n{item.notification_id}",
    }


def notifications_of(user_id: int, ids: list[int]) -> list[Notification]:
    return list(
        Notification.objects.filter(pk__in=ids, recipient_id=user_id)
        .select_related("actor__profile")
        .order_by("created_at", "id")
    )


# --- The digest ------------------------------------------------------------------------------


@dataclass
class Digest:
    posts: list[Status]
    questions: list
    ideas: list
    notifications: list[Line]

    def __bool__(self) -> bool:
        return bool(self.posts or self.questions or self.ideas or self.notifications)


def digest_for(
    *,
    user: User,
    start: datetime,
    end: datetime,
    row: NotificationSettings | None = None,
    mutes: Mutes | None = None,
) -> Digest:
    """What the person may read now, from `start` to `end`: the posts of the people they follow,
    their department, their communities and announcements (their feed, read with them as the
    viewer), most discussed first; open questions to leadership with many votes; ideas waiting
    for a decision; and the notifications they chose to receive in the digest. `row` and
    `mutes`: their settings and mutes when the caller has read them already."""
    if row is None:
        row = settings_of([user.pk])[user.pk]
    if mutes is None:
        mutes = mutes_of([user.pk])[user.pk]
    posts_qs = (
        feed(user=user, include_pinned=True)
        .filter(created_at__gt=start, created_at__lte=end, removal="")
        .exclude(author_id=user.pk)
        .exclude(community_id__in=list(mutes.communities))
        .exclude(pk__in=list(mutes.statuses))
        .annotate(score=F("comment_count") + Count("reactions", distinct=True))
        .order_by("-is_announcement", "-score", "-created_at", "-id")
    )
    posts = list(posts_qs[:DIGEST_POSTS])
    questions = list(
        question_list(sort="votes", answered=False).filter(votes_count__gte=DIGEST_QUESTION_VOTES)[
            :DIGEST_QUESTIONS
        ]
    )
    ideas = list(ideas_waiting(now=end)[:DIGEST_IDEAS])
    email = row.effective_email
    wanted_kinds = [k for k, mode in email.items() if mode == "digest"]
    candidates = [
        n
        for n in Notification.objects.filter(
            recipient_id=user.pk, updated_at__gt=start, updated_at__lte=end
        )
        .select_related("actor__profile")
        .order_by("-updated_at", "-id")[:200]
        if kinds.setting_kind(n.kind) in wanted_kinds
    ][: DIGEST_NOTIFICATIONS * 2]
    lines = [line(n) for n in readable(candidates) if not is_muted(n, mutes)]
    return Digest(
        posts=posts, questions=questions, ideas=ideas, notifications=lines[:DIGEST_NOTIFICATIONS]
    )
