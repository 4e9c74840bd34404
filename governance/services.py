"""The only code that writes retention policies and legal holds, and the retention run that
applies the policies (governance.jobs runs it daily)."""

import logging
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from activity.models import ActivityEvent, PendingEvent
from attachments import services as attachment_services
from attachments.models import Attachment
from audit import actions
from audit.services import audit_record
from communities.models import Community
from core.jobs import job_enqueue_on_commit
from exec_blog.models import BlogPost
from feeds import events as feed_events
from feeds.models import (
    Comment,
    Poll,
    Removal,
    Report,
    Status,
    StatusRevision,
)
from ideas.models import Idea
from notifications.models import Notification
from profiles.models import User

from . import selectors
from .models import (
    COMMUNITY_KINDS,
    MAX_DAYS,
    MAX_REASON,
    MIN_DAYS,
    ContentKind,
    LegalHold,
    RetentionPolicy,
)
from .permissions import can_manage_holds, can_set_retention

logger = logging.getLogger(__name__)

# Rows purged per transaction: a run over years of content holds no lock for long.
BATCH = 500
MAX_NAMES = 200


def retention_text(days: int) -> str:
    return f"Removed by the retention policy after {days:,} day{'s' if days != 1 else ''}"


# --- Policies ------------------------------------------------------------------------------


def clean_days(value, *, field: str) -> int | None:
    """A whole number of days from MIN_DAYS to MAX_DAYS, or None (kept)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            {field: "A whole number of days (at least 1), or null to keep it forever."}
        )
    if value < MIN_DAYS:
        raise ValidationError({field: f"Keep it at least {MIN_DAYS} day ({value} given)."})
    if value > MAX_DAYS:
        raise ValidationError({field: f"At most {MAX_DAYS:,} days."})
    return value


def _clean_kinds(values, *, field: str, kinds: Iterable[str]) -> dict[str, int | None]:
    kinds = [str(k) for k in kinds]
    if not isinstance(values, dict):
        raise ValidationError({field: f"An object of kinds ({', '.join(kinds)}) to days."})
    unknown = sorted(str(k) for k in values if k not in kinds)
    if unknown:
        raise ValidationError(
            {f"{field}.{unknown[0]}": f"Not a kind of content here: one of {', '.join(kinds)}."}
        )
    return {kind: clean_days(values.get(kind), field=f"{field}.{kind}") for kind in kinds}


def retention_policies_set(*, actor: User, company: dict, communities: dict | None = None) -> None:
    """Replace the whole policy: `company` maps kinds to days (None or left out: kept),
    `communities` slugs to {statuses, comments: days} (a community left out follows the
    company's). Everything is checked before anything is written."""
    if not can_set_retention(actor):
        raise PermissionDenied("Only Compliance and administrators set retention policies.")
    wanted: dict[tuple[str, int | None], int] = {}
    for kind, days in _clean_kinds(company, field="company", kinds=ContentKind.values).items():
        if days is not None:
            wanted[(kind, None)] = days
    communities = {} if communities is None else communities
    if not isinstance(communities, dict):
        raise ValidationError({"communities": "An object of community slugs to policies."})
    found = {c.slug: c for c in Community.objects.filter(slug__in=[str(s) for s in communities])}
    for slug, kinds in communities.items():
        community = found.get(str(slug))
        if community is None:
            raise ValidationError({f"communities.{slug}"[:100]: "No such community."})
        cleaned = _clean_kinds(kinds, field=f"communities.{slug}", kinds=COMMUNITY_KINDS)
        for kind, days in cleaned.items():
            if days is not None:
                wanted[(kind, community.pk)] = days
    now = timezone.now()
    with transaction.atomic():
        current = {(p.kind, p.community_id): p for p in RetentionPolicy.objects.select_for_update()}
        before = {key: p.days for key, p in current.items()}
        if before == wanted:
            return
        RetentionPolicy.objects.filter(
            pk__in=[p.pk for key, p in current.items() if key not in wanted]
        ).delete()
        for (kind, community_id), days in wanted.items():
            row = current.get((kind, community_id))
            if row is None:
                RetentionPolicy.objects.create(
                    kind=kind,
                    community_id=community_id,
                    days=days,
                    updated_by=actor,
                    updated_at=now,
                )
            elif row.days != days:
                row.days, row.updated_by, row.updated_at = days, actor, now
                row.save(update_fields=["days", "updated_by", "updated_at"])
        slugs = {
            c.pk: c.slug
            for c in Community.objects.filter(pk__in={k[1] for k in {**before, **wanted}})
        }

        def described(policy: dict) -> dict:
            return {
                f"{kind}@{slugs.get(community_id, community_id)}" if community_id else kind: days
                for (kind, community_id), days in sorted(policy.items(), key=str)
            }

        audit_record(
            action=actions.RETENTION_POLICY_CHANGED,
            actor=actor,
            target_type="governance.retentionpolicy",
            target_label="Retention policy",
            detail={"before": described(before), "after": described(wanted)},
        )


# --- Legal holds ---------------------------------------------------------------------------


def _clean_names(values, *, field: str) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ValidationError({field: "A list of names."})
    if len(values) > MAX_NAMES:
        raise ValidationError({field: f"At most {MAX_NAMES} in one hold."})
    return list(dict.fromkeys(v.strip() for v in values if v.strip()))


def hold_place(*, actor: User, reason: str, custodians=None, communities=None) -> LegalHold:
    """Custodians by username (leavers included: their records matter most), communities by
    slug; at least one of them, and a reason."""
    if not can_manage_holds(actor):
        raise PermissionDenied("Only Compliance places legal holds.")
    reason = " ".join(str(reason or "").split()) if isinstance(reason, str | None) else None
    if reason is None:
        raise ValidationError({"reason": "A reason, as text."})
    if not reason:
        raise ValidationError({"reason": "Give the reason for the hold (the matter it is for)."})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": f"At most {MAX_REASON} characters."})
    usernames = _clean_names(custodians, field="custodians")
    slugs = _clean_names(communities, field="communities")
    if not usernames and not slugs:
        raise ValidationError({"custodians": "Name at least one custodian or one community."})
    people = list(User.objects.filter(username__in=usernames))
    missing = sorted(set(usernames) - {u.username for u in people})
    if missing:
        raise ValidationError({"custodians": f"Nobody is called {', '.join(missing)[:200]}."})
    groups = list(Community.objects.filter(slug__in=slugs))
    missing = sorted(set(slugs) - {c.slug for c in groups})
    if missing:
        raise ValidationError({"communities": f"No community {', '.join(missing)[:200]}."})
    with transaction.atomic():
        hold = LegalHold.objects.create(reason=reason, placed_by=actor)
        hold.custodians.set(people)
        hold.communities.set(groups)
        audit_record(
            action=actions.HOLD_PLACED,
            actor=actor,
            target=hold,
            detail={
                "custodians": sorted(u.username for u in people),
                "communities": sorted(c.slug for c in groups),
                "reason": reason,
            },
        )
    return hold


def hold_release(*, actor: User, hold: LegalHold) -> LegalHold:
    """Retention resumes for what the hold kept (the next run purges what is past it), and the
    files of statuses their authors deleted during the hold go, unless another hold keeps
    them."""
    if not can_manage_holds(actor):
        raise PermissionDenied("Only Compliance releases legal holds.")
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if hold.released_at is not None:
            raise ValidationError({"hold": "This hold is already released."})
        hold.released_at = timezone.now()
        hold.released_by = actor
        hold.save(update_fields=["released_at", "released_by"])
        user_ids = list(hold.custodians.values_list("pk", flat=True))
        community_ids = list(hold.communities.values_list("pk", flat=True))
        deleted = Status.objects.filter(
            Q(author_id__in=user_ids) | Q(community_id__in=community_ids),
            removal=Removal.AUTHOR,
        ).exclude(selectors.held_q(author_field="author_id", community_field="community_id"))
        with_files = Attachment.objects.filter(
            owner_type=ContentType.objects.get_for_model(Status),
            owner_id__in=deleted.values("pk"),
        ).values_list("owner_id", flat=True)
        for status in Status.objects.filter(pk__in=set(with_files)):
            attachment_services.attachments_release(owner=status)
        audit_record(
            action=actions.HOLD_RELEASED,
            actor=actor,
            target=hold,
            detail={"reason": hold.reason},
        )
    return selectors.hold_get(hold_id=hold.pk)


# --- The retention run ---------------------------------------------------------------------


def _policies() -> tuple[dict[str, int], dict[str, dict[int, int]]]:
    company: dict[str, int] = {}
    communities: dict[str, dict[int, int]] = {}
    for row in RetentionPolicy.objects.all():
        if row.community_id is None:
            company[row.kind] = row.days
        else:
            communities.setdefault(row.kind, {})[row.community_id] = row.days
    return company, communities


def _scopes(kind: str, company, communities):
    """(days, community id or None, community ids that have their own policy for `kind`)."""
    own = communities.get(kind, {})
    if kind in company:
        yield company[kind], None, set(own)
    for community_id, days in own.items():
        yield days, community_id, set()


def _after(qs: QuerySet, row) -> QuerySet:
    """The rows of `qs` (ordered ascending by one or two fields, the last unique) after `row`:
    each batch starts where the last one ended, instead of stepping again over the rows it
    purged or passed by (held), which would make a long backlog quadratic."""
    fields = list(qs.query.order_by)
    if len(fields) == 1:
        return qs.filter(**{f"{fields[0]}__gt": getattr(row, fields[0])})
    first, second = fields
    value = getattr(row, first)
    # The redundant `>=` bounds the index range; the OR picks up ties on the first field.
    return qs.filter(**{f"{first}__gte": value}).filter(
        Q(**{f"{first}__gt": value}) | Q(**{f"{second}__gt": getattr(row, second)})
    )


class _Clock:
    """When a run must stop (None: never) and whether it had to."""

    def __init__(self, budget_seconds: float | None) -> None:
        self.deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
        self.stopped = False

    def up(self) -> bool:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.stopped = True
        return self.stopped


def _in_batches(select, purge, clock: _Clock) -> int:
    """Run `purge(rows)` on `select()` (re-read in each transaction, so a hold placed meanwhile
    is honoured), a batch at a time in its order, until nothing is left or the run's time is
    up; each batch commits on its own."""
    done = 0
    last = None
    while not clock.up():
        with transaction.atomic():
            qs = select()
            rows = list((qs if last is None else _after(qs, last))[:BATCH])
            if not rows:
                return done
            purge(rows)
        done += len(rows)
        if len(rows) < BATCH:
            return done
        last = rows[-1]
    return done


def _cards() -> Q:
    """The statuses that carry a blog post or an idea into the feed: those follow their post."""
    return Q(pk__in=BlogPost.objects.filter(card__isnull=False).values("card_id")) | Q(
        pk__in=Idea.objects.filter(card__isnull=False).values("card_id")
    )


def _statuses_due(*, cutoff, community_id, overridden) -> QuerySet[Status]:
    qs = Status.objects.filter(created_at__lt=cutoff).exclude(removal=Removal.RETENTION)
    if community_id is not None:
        qs = qs.filter(community_id=community_id)
    elif overridden:
        qs = qs.exclude(community_id__in=overridden)
    held = selectors.held_q(author_field="author_id", community_field="community_id")
    return qs.exclude(held).exclude(_cards()).order_by("created_at", "id")


def _purge_statuses(statuses: list[Status], *, days: int, now: datetime) -> None:
    ids = [s.pk for s in statuses]
    Status.objects.filter(pk__in=ids).update(
        removal=Removal.RETENTION,
        removal_reason=retention_text(days),
        removed_by=None,
        removed_at=now,
        body="",
        body_html="",
        is_announcement=False,
        announcement_until=None,
        pinned_in_community=False,
    )
    StatusRevision.objects.filter(status_id__in=ids).delete()
    Poll.objects.filter(status_id__in=ids).delete()
    Status.mentions.through.objects.filter(status_id__in=ids).delete()
    Status.hashtags.through.objects.filter(status_id__in=ids).delete()
    Report.objects.filter(status_id__in=ids, resolved_at__isnull=True).update(resolved_at=now)
    attachment_services.attachments_delete_on_commit(
        Attachment.objects.filter(
            owner_type=ContentType.objects.get_for_model(Status), owner_id__in=ids
        )
    )
    feed_events.statuses_updated(ids)


def _comments_due(*, cutoff, community_id, overridden) -> QuerySet[Comment]:
    qs = Comment.objects.filter(created_at__lt=cutoff).exclude(removal=Removal.RETENTION)
    if community_id is not None:
        qs = qs.filter(status__community_id=community_id)
    elif overridden:
        qs = qs.exclude(status__community_id__in=overridden)
    held = selectors.held_q(author_field="author_id", community_field="status__community_id")
    return qs.exclude(held).order_by("created_at", "id")


def _purge_comments(comments: list[Comment], *, days: int, now: datetime) -> None:
    """A comment stays as a tombstone, so its status's comment count is unchanged (as when a
    moderator hides one)."""
    ids = [c.pk for c in comments]
    Comment.objects.filter(pk__in=ids).update(
        removal=Removal.RETENTION,
        removal_reason=retention_text(days),
        removed_by=None,
        removed_at=now,
        body="",
        body_html="",
    )
    Comment.mentions.through.objects.filter(comment_id__in=ids).delete()
    Report.objects.filter(comment_id__in=ids, resolved_at__isnull=True).update(resolved_at=now)
    attachment_services.attachments_delete_on_commit(
        Attachment.objects.filter(
            owner_type=ContentType.objects.get_for_model(Comment), owner_id__in=ids
        )
    )


def _held_owners() -> Q:
    """Attachments of held statuses and comments (and any a custodian uploaded)."""
    held_statuses = Status.objects.filter(
        selectors.held_q(author_field="author_id", community_field="community_id")
    ).values("pk")
    held_comments = Comment.objects.filter(
        selectors.held_q(author_field="author_id", community_field="status__community_id")
    ).values("pk")
    return (
        Q(uploader_id__in=selectors.held_user_ids())
        | Q(owner_type=ContentType.objects.get_for_model(Status), owner_id__in=held_statuses)
        | Q(owner_type=ContentType.objects.get_for_model(Comment), owner_id__in=held_comments)
    )


def _uploads_due(*, cutoff) -> QuerySet[Attachment]:
    # Uploads never attached are attachments' own business (gone after a day).
    return (
        Attachment.objects.filter(created_at__lt=cutoff, owner_id__isnull=False)
        .exclude(file="")
        .exclude(_held_owners())
        .order_by("created_at", "id")
    )


def _purge_uploads(attachments: list[Attachment], *, days: int, now: datetime) -> None:
    attachment_services.attachments_expire(
        attachments=attachments, reason=retention_text(days), now=now
    )
    status_type = ContentType.objects.get_for_model(Status)
    owners = {a.owner_id for a in attachments if a.owner_type_id == status_type.pk}
    feed_events.statuses_updated(list(owners))


def _notifications_due(*, cutoff) -> QuerySet[Notification]:
    held = selectors.held_user_ids()
    return (
        Notification.objects.filter(updated_at__lt=cutoff)
        .exclude(Q(recipient_id__in=held) | Q(actor_id__in=held))
        .order_by("updated_at", "id")
    )


def activity_cutoff_day(cutoff: datetime):
    """Activity records go by whole weeks and calendar months (the rollups' periods), the
    first day of the week or month that holds the cutoff: kept at least the policy's days."""
    day = timezone.localdate(cutoff)
    return min(day - timedelta(days=day.weekday()), day.replace(day=1))


def _activity_due(*, cutoff) -> QuerySet[ActivityEvent]:
    """Only events already added to the engagement rollups (none still queued): the reports
    read the rollups, which keep their figures."""
    held = Q(actor_id__in=selectors.held_user_ids()) | Q(
        community_id__in=selectors.held_community_ids()
    )
    return (
        ActivityEvent.objects.filter(day__lt=activity_cutoff_day(cutoff))
        .exclude(pk__in=PendingEvent.objects.values("event_id"))
        .exclude(held)
        .order_by("id")
    )


def retention_run(
    *, now: datetime | None = None, budget_seconds: float | None = None
) -> dict[str, int]:
    """Apply every policy once. Idempotent: what is purged is not selected again, and held
    content is passed by until its hold is released. One audit entry with the counts.

    `budget_seconds`: stop starting new batches after this long (a job runner's time limit) and
    queue another run to go on where this one stopped (a first run over years of content)."""
    now = now or timezone.now()
    clock = _Clock(budget_seconds)
    company, communities = _policies()
    counts = {kind.value: 0 for kind in ContentKind}
    for kind, select, purge in (
        (ContentKind.STATUSES, _statuses_due, _purge_statuses),
        (ContentKind.COMMENTS, _comments_due, _purge_comments),
    ):
        for days, community_id, overridden in _scopes(kind, company, communities):
            cutoff = now - timedelta(days=days)
            counts[kind] += _in_batches(
                lambda s=select, c=cutoff, i=community_id, o=overridden: s(
                    cutoff=c, community_id=i, overridden=o
                ),
                lambda rows, p=purge, d=days: p(rows, days=d, now=now),
                clock,
            )
    if ContentKind.UPLOADS in company:
        days = company[ContentKind.UPLOADS]
        cutoff = now - timedelta(days=days)
        counts[ContentKind.UPLOADS] = _in_batches(
            lambda: _uploads_due(cutoff=cutoff),
            lambda rows: _purge_uploads(rows, days=days, now=now),
            clock,
        )
    for kind, select, model in (
        (ContentKind.NOTIFICATIONS, _notifications_due, Notification),
        (ContentKind.ACTIVITY_EVENTS, _activity_due, ActivityEvent),
    ):
        if kind in company:
            cutoff = now - timedelta(days=company[kind])
            counts[kind] = _in_batches(
                lambda s=select, c=cutoff: s(cutoff=c),
                lambda rows, m=model: m.objects.filter(pk__in=[r.pk for r in rows]).delete(),
                clock,
            )
    with transaction.atomic():
        audit_record(
            action=actions.RETENTION_RUN,
            target_type="governance.retentionpolicy",
            target_label="Retention policy",
            detail={
                "counts": counts,
                "finished": not clock.stopped,
                "policy": {
                    "company": {str(k): v for k, v in company.items()},
                    "communities": {
                        str(k): {str(c): d for c, d in v.items()} for k, v in communities.items()
                    },
                },
                "held": {
                    "custodians": len(selectors.held_user_ids()),
                    "communities": len(selectors.held_community_ids()),
                },
            },
        )
        if clock.stopped:
            job_enqueue_on_commit("governance.jobs.retention_apply")
    logger.info("retention run: %s%s", counts, " (to be continued)" if clock.stopped else "")
    return counts
