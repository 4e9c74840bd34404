"""The only code that writes statuses, comments, reactions and moderation."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from activity.services import Kind, activity_record, activity_record_each
from attachments import selectors as attachment_selectors
from attachments import services as attachment_services
from audit import actions as audit_actions
from audit.services import audit_record
from communities import permissions as community_permissions
from communities.models import Community, Membership
from core.text import Rendered, mention_candidates, render
from notifications.services import notification_create
from profiles.models import Profile, User

from . import events, hooks, polls
from .models import (
    COMMENT_MAX_ATTACHMENTS,
    MAX_LENGTH,
    MAX_REASON,
    STATUS_ACTIONS,
    STATUS_MAX_ATTACHMENTS,
    Comment,
    Hashtag,
    ModerationAction,
    Reaction,
    ReactionKind,
    Removal,
    Report,
    Status,
    StatusRevision,
    Visibility,
)
from .permissions import (
    can_announce,
    can_comment,
    can_edit_status,
    can_moderate,
    can_moderate_status,
    readers_among,
)
from .versions import statuses_changed

# --- Text ----------------------------------------------------------------------------------


def clean_body(body: str | None, *, field: str = "body") -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({field: "Write something first."})
    if len(body) > MAX_LENGTH:
        raise ValidationError({field: f"At most {MAX_LENGTH:,} characters ({len(body):,} now)."})
    return body


def clean_reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Give a reason: it is shown to everyone."})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": f"At most {MAX_REASON} characters."})
    return reason


def render_user_text(body: str) -> Rendered:
    """Markdown with mentions of active colleagues and hashtags linked."""
    candidates = mention_candidates(body)
    known = {}
    if candidates:
        known = {
            name.lower(): name
            for name in User.objects.filter(username__in=candidates, is_active=True).values_list(
                "username", flat=True
            )
        }
    return render(body, known_usernames=known, link_hashtags=True)


def hashtags_for(names: list[str]) -> list[Hashtag]:
    if not names:
        return []
    Hashtag.objects.bulk_create([Hashtag(name=n) for n in names], ignore_conflicts=True)
    return list(Hashtag.objects.filter(name__in=names))


def users_named(usernames: list[str]) -> list[User]:
    return list(User.objects.filter(username__in=usernames, is_active=True))


# --- Statuses ------------------------------------------------------------------------------


def status_create(
    *,
    author: User,
    body: str,
    visibility: str = Visibility.COMPANY,
    poll: dict | None = None,
    community: Community | None = None,
    attachments: list[str] | None = None,
) -> Status:
    """`poll`: the keyword arguments of `feeds.polls.poll_spec` (options, multiple, anonymous,
    ends_at or duration_hours); checked before anything is written. `community`: posted there
    (its author an active member); its readers are then the community's. `attachments`: ids of
    the author's uploads (attachments app), checked in the transaction."""
    body = clean_body(body)
    spec = polls.poll_spec_from(poll) if poll is not None else None
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": "Choose company or department."})
    if community is not None:
        if visibility != Visibility.COMPANY:
            raise ValidationError(
                {"visibility": "A community post is read by the community: leave out visibility."}
            )
    # The author's profile and department, as its card shows them (events.status_payload
    # builds the new status's payload from these instead of reading it all back).
    profile = Profile.objects.select_related("department").filter(user_id=author.pk).first()
    department_id, is_app = (profile.department_id, profile.is_app) if profile else (None, False)
    if is_app:
        # An app account posts only where its admin allowed it, member or not: app_accounts
        # decides (and refuses with PermissionDenied); nobody answering means no.
        if not any(
            hooks.status_by_app.send(author=author, community=community, visibility=visibility)
        ):
            raise PermissionDenied("This app may not post here.")
    elif community is not None:
        membership = Membership.objects.filter(community=community, user_id=author.pk).first()
        if not community_permissions.can_post(community, membership):
            raise PermissionDenied(f"Join {community.name} to post in it.")
    if visibility == Visibility.DEPARTMENT and department_id is None:
        raise ValidationError({"visibility": "You are not in a department yet."})
    rendered = render_user_text(body)
    with transaction.atomic():
        status = Status.objects.create(
            author=author,
            body=body,
            body_html=rendered.html,
            visibility=visibility,
            department_id=department_id,
            community=community,
        )
        if spec is not None:
            polls.poll_create(status=status, spec=spec)
        status.attachment_list = attachment_services.attachments_attach(
            owner=status, ids=attachments, user=author, limit=STATUS_MAX_ATTACHMENTS
        )
        # `add`, not `set`: a new status has nothing to replace (saves two queries).
        mentioned = users_named(rendered.mentions)
        if mentioned:
            status.mentions.add(*mentioned)
        hashtags = hashtags_for(rendered.hashtags)
        if hashtags:
            status.hashtags.add(*hashtags)
        _notify_mentions(status=status, comment=None, actor=author, users=mentioned)
        # The status and its hashtags: two inserts whatever the number of hashtags.
        activity_record_each(
            actor=author,
            events=[
                (Kind.STATUS, status.pk, community.pk if community is not None else None),
                *((Kind.HASHTAG, hashtag.pk, None) for hashtag in hashtags),
            ],
            department_id=department_id or 0,
        )
        if is_app:
            # Apps post with a token: each of their statuses is in the audit log.
            audit_record(
                action=audit_actions.APP_TOKEN_STATUS_POSTED,
                actor=author,
                target=status,
                detail={
                    "community": community.slug if community is not None else None,
                    "visibility": visibility,
                },
            )
        if spec is None and profile is not None:
            # Everything its card shows, as just written: no need to read it back.
            author.profile = profile
            status.mention_names = [user.username for user in mentioned]
            status.hashtag_names = sorted(hashtag.name for hashtag in hashtags)
        events.status_changed(status, created=True, new_without_poll=spec is None)
        hooks.status_created.send(status=status)
    return status


def status_update(
    *, actor: User, status: Status, body: str | None = None, attachments: list[str] | None = None
) -> Status:
    """Edit a status: the earlier version (its text and which attachments it carried) is kept
    and readable by everyone who sees it. `None`: that part stays as it is."""
    if not can_edit_status(actor, status):
        raise PermissionDenied("Only its author can edit a status.")
    body = status.body if body is None else clean_body(body)
    if attachments is not None:
        attachments = attachment_services.clean_ids(attachments, limit=STATUS_MAX_ATTACHMENTS)
    before = attachment_selectors.tokens_of(status)
    if body == status.body and (attachments is None or attachments == before):
        return status
    rendered = render_user_text(body)
    now = timezone.now()
    with transaction.atomic():
        if attachments is not None:
            before, _ = attachment_services.attachments_set(
                owner=status,
                ids=attachments,
                user=actor,
                limit=STATUS_MAX_ATTACHMENTS,
                now=now,
            )
        StatusRevision.objects.create(
            status=status,
            body=status.body,
            body_html=status.body_html,
            written_at=status.edited_at or status.created_at,
            replaced_at=now,
            attachments=before,
        )
        before = set(status.mentions.values_list("pk", flat=True))
        status.body = body
        status.body_html = rendered.html
        status.edited_at = now
        status.save(update_fields=["body", "body_html", "edited_at"])
        mentioned = users_named(rendered.mentions)
        status.mentions.set(mentioned)
        status.hashtags.set(hashtags_for(rendered.hashtags))
        newly = [u for u in mentioned if u.pk not in before]
        _notify_mentions(status=status, comment=None, actor=actor, users=newly)
        events.status_changed(status)
    return status


def status_delete(*, actor: User, status: Status) -> Status:
    """The author removes a status: a tombstone stays in its place, comments hidden. Under a
    legal hold (`hooks.status_held`) the record and its files are kept for the hold."""
    if status.author_id != actor.pk:
        raise PermissionDenied("Only its author can delete a status.")
    if status.removal == Removal.AUTHOR:
        return status
    if status.removal == Removal.MODERATOR:
        raise ValidationError("This status is hidden by a moderator.")
    if status.removal == Removal.RETENTION:
        raise ValidationError("This status was removed by the retention policy.")
    status.removal = Removal.AUTHOR
    status.removal_reason = ""
    status.removed_by = actor
    status.removed_at = timezone.now()
    status.is_announcement = False
    status.pinned_in_community = False
    with transaction.atomic():
        status.save(
            update_fields=[
                "removal",
                "removal_reason",
                "removed_by",
                "removed_at",
                "is_announcement",
                "pinned_in_community",
            ]
        )
        # Nobody reads a deleted status's history: its files go once this commits, unless a
        # legal hold keeps them.
        if not any(hooks.status_held.send(status=status)):
            attachment_services.attachments_release(owner=status)
        events.status_changed(status)
    return status


def status_announce(
    *, actor: User, status: Status, pinned: bool, until: datetime | None = None
) -> Status:
    """Pin a company status to the top of every feed (until a time, or until unpinned). A
    community's status is pinned on its community's page instead, by the community's owners and
    admins (or a company moderator)."""
    if status.community_id is not None:
        return _community_pin(actor=actor, status=status, pinned=pinned)
    if not can_announce(actor):
        raise PermissionDenied("Only executives and moderators make announcements.")
    if pinned:
        if status.is_removed:
            raise ValidationError("A removed status cannot be an announcement.")
        if status.visibility != Visibility.COMPANY:
            raise ValidationError("Only a status for the whole company can be an announcement.")
        if until is not None and until <= timezone.now():
            raise ValidationError({"until": "The end must be in the future."})
    newly_announced = pinned and not status.is_announcement
    status.is_announcement = pinned
    status.announcement_until = until if pinned else None
    status.announced_by = actor if pinned else None
    with transaction.atomic():
        status.save(update_fields=["is_announcement", "announcement_until", "announced_by"])
        events.status_changed(status)
        if newly_announced:
            hooks.status_announced.send(status=status, actor=actor)
    return status


def _community_pin(*, actor: User, status: Status, pinned: bool) -> Status:
    if not can_moderate_status(actor, status):
        raise PermissionDenied("Only the community's owners and admins pin its posts.")
    if pinned and status.is_removed:
        raise ValidationError("A removed status cannot be pinned.")
    if status.pinned_in_community != pinned:
        status.pinned_in_community = pinned
        with transaction.atomic():
            status.save(update_fields=["pinned_in_community"])
            events.status_changed(status)
    return status


# --- Comments ------------------------------------------------------------------------------


def comment_create(
    *, author: User, status: Status, body: str, attachments: list[str] | None = None
) -> Comment:
    if status.is_removed:
        raise ValidationError({"body": "This status was removed; it takes no comments."})
    if status.comments_locked:
        raise ValidationError({"body": "Comments on this status are locked."})
    if not can_comment(author, status):
        raise PermissionDenied("You cannot comment here.")
    body = clean_body(body)
    rendered = render_user_text(body)
    with transaction.atomic():
        comment = Comment.objects.create(
            status=status, author=author, body=body, body_html=rendered.html
        )
        comment.attachment_list = attachment_services.attachments_attach(
            owner=comment, ids=attachments, user=author, limit=COMMENT_MAX_ATTACHMENTS
        )
        Status.objects.filter(pk=status.pk).update(comment_count=F("comment_count") + 1)
        status.comment_count += 1
        mentioned = users_named(rendered.mentions)
        comment.mentions.set(mentioned)
        # Not to an author who may no longer read their status (removed from its community).
        if status.author_id != author.pk and readers_among(status, [status.author]):
            notification_create(
                recipient=status.author, kind="comment", actor=author, target=comment
            )
        _notify_mentions(
            status=status,
            comment=comment,
            actor=author,
            users=[u for u in mentioned if u.pk != status.author_id],
        )
        activity_record(
            actor=author,
            kind=Kind.COMMENT,
            object_id=comment.pk,
            community_id=status.community_id,
        )
        hooks.comment_created.send(comment=comment, status=status)
        events.comment_created(comment)
    return comment


# --- Reactions -----------------------------------------------------------------------------


def reaction_add(*, user: User, status: Status, kind: str) -> bool:
    """React; reacting again with the same kind changes nothing. Returns True if added."""
    if kind not in ReactionKind.values:
        raise ValidationError({"kind": f"One of: {', '.join(ReactionKind.values)}."})
    if status.is_removed:
        raise ValidationError("This status was removed.")
    try:
        with transaction.atomic():
            _, created = Reaction.objects.get_or_create(status=status, user=user, kind=kind)
            if created:
                activity_record(
                    actor=user,
                    kind=Kind.REACTION,
                    object_id=status.pk,
                    community_id=status.community_id,
                )
            if created and status.author_id != user.pk and readers_among(status, [status.author]):
                notification_create(
                    recipient=status.author, kind="reaction", actor=user, target=status
                )
    except IntegrityError:
        created = False
    if created:
        events.reaction_changed(status)
    return created


def reaction_remove(*, user: User, status: Status, kind: str) -> bool:
    if kind not in ReactionKind.values:
        raise ValidationError({"kind": f"One of: {', '.join(ReactionKind.values)}."})
    deleted, _ = Reaction.objects.filter(status=status, user=user, kind=kind).delete()
    if deleted:
        events.reaction_changed(status)
    return bool(deleted)


# --- Notifications (the kinds are registered in feeds.notification_kinds) ----------------


def _notify_mentions(
    *, status: Status, comment: Comment | None, actor: User, users: list[User]
) -> None:
    # A mention in a department post does not reach someone outside that department.
    for user in readers_among(status, users):
        if user.pk != actor.pk:
            notification_create(
                recipient=user, kind="mention", actor=actor, target=comment or status
            )


# --- Moderation ----------------------------------------------------------------------------

# What can be done to a status or comment ("merge" is for questions: exec_blog.services).


REMOVAL_FIELDS = ["removal", "removal_reason", "removed_by", "removed_at"]

# A moderation action's name in the audit log (exec_blog's questions use it too).
MODERATION_AUDIT = {
    ModerationAction.Action.HIDE: audit_actions.MODERATION_HIDE,
    ModerationAction.Action.RESTORE: audit_actions.MODERATION_RESTORE,
    ModerationAction.Action.LOCK: audit_actions.MODERATION_LOCK,
    ModerationAction.Action.UNLOCK: audit_actions.MODERATION_UNLOCK,
    ModerationAction.Action.MERGE: audit_actions.MODERATION_MERGE,
}


def removable_hide(*, target, moderator: User, reason: str, now) -> None:
    """Hide a status, comment or question: it stays as a tombstone naming who and why."""
    if target.removal:
        raise ValidationError({"action": "This is already removed."})
    target.removal = Removal.MODERATOR
    target.removal_reason = reason
    target.removed_by = moderator
    target.removed_at = now
    target.save(update_fields=REMOVAL_FIELDS)
    _removable_changed(target)


def removable_restore(*, target) -> None:
    if target.removal != Removal.MODERATOR:
        raise ValidationError({"action": "Only hidden content can be restored."})
    target.removal = ""
    target.removal_reason = ""
    target.removed_by = None
    target.removed_at = None
    target.save(update_fields=REMOVAL_FIELDS)
    _removable_changed(target)


def _removable_changed(target) -> None:
    """A status's card shows whether it stands (and a comment's removal may change what it
    says): stale either way. The card's key also holds the status's `removal`, so a removal of
    any kind written another way (a bulk purge) is a new key all the same."""
    if isinstance(target, Status):
        statuses_changed([target.pk])
    elif isinstance(target, Comment):
        statuses_changed([target.status_id])


def moderation_apply(
    *,
    moderator: User,
    action: str,
    reason: str,
    status: Status | None = None,
    comment: Comment | None = None,
) -> ModerationAction:
    """Hide, restore, lock or unlock, always with a public reason and a log entry. Company
    moderators act everywhere, a community's owners and admins in their community."""
    target = comment if comment is not None else status
    if target is None:
        raise ValidationError("Nothing to moderate.")
    if not can_moderate_status(moderator, comment.status if comment is not None else status):
        raise PermissionDenied("Only moderators moderate.")
    if action not in STATUS_ACTIONS:
        raise ValidationError({"action": "One of: hide, restore, lock, unlock."})
    reason = clean_reason(reason)
    now = timezone.now()
    with transaction.atomic():
        if action == ModerationAction.Action.HIDE:
            removable_hide(target=target, moderator=moderator, reason=reason, now=now)
        elif action == ModerationAction.Action.RESTORE:
            removable_restore(target=target)
        else:
            if comment is not None:
                raise ValidationError({"action": "Comments are locked on a status."})
            locking = action == ModerationAction.Action.LOCK
            if status.comments_locked == locking:
                raise ValidationError({"action": f"Comments are already {action}ed."})
            status.comments_locked = locking
            status.lock_reason = reason if locking else ""
            status.save(update_fields=["comments_locked", "lock_reason"])
        entry = ModerationAction.objects.create(
            moderator=moderator,
            action=action,
            status=status if comment is None else comment.status,
            comment=comment,
            reason=reason,
            created_at=now,
        )
        _resolve_reports(moderator=moderator, status=status, comment=comment, now=now)
        audit_record(
            action=MODERATION_AUDIT[action],
            actor=moderator,
            target=target,
            detail={"reason": reason, "moderation_action": entry.pk},
        )
        if comment is None:
            events.status_changed(status)
    return entry


def attachment_moderate(
    *,
    moderator: User,
    token: str,
    reason: str,
    status: Status | None = None,
    comment: Comment | None = None,
) -> ModerationAction:
    """Remove one attachment of a status or comment, with a public reason and a log entry
    (`hide`, its target the attachment); the post itself stays."""
    if not can_moderate(moderator):
        raise PermissionDenied("Only moderators moderate.")
    reason = clean_reason(reason)
    owner = comment if comment is not None else status
    if owner is None:
        raise ValidationError("Nothing to moderate.")
    attachment = attachment_selectors.attachment_on(owner=owner, token=token)
    now = timezone.now()
    with transaction.atomic():
        attachment_services.attachment_remove(
            moderator=moderator, attachment=attachment, reason=reason, now=now
        )
        entry = ModerationAction.objects.create(
            moderator=moderator,
            action=ModerationAction.Action.HIDE,
            status=status if comment is None else comment.status,
            comment=comment,
            target=attachment,
            reason=reason,
            created_at=now,
        )
        audit_record(
            action=audit_actions.MODERATION_ATTACHMENT_REMOVED,
            actor=moderator,
            target=attachment,
            detail={
                "reason": reason,
                "moderation_action": entry.pk,
                "owner": f"{owner._meta.label_lower}:{owner.pk}",
            },
        )
        events.status_changed(status if comment is None else comment.status)
    return entry


def _resolve_reports(*, moderator, status, comment, now) -> None:
    reports = Report.objects.filter(resolved_at__isnull=True)
    reports = reports.filter(comment=comment) if comment else reports.filter(status=status)
    reports.update(resolved_at=now, resolved_by=moderator)


def report_create(
    *,
    reporter: User,
    reason: str,
    status: Status | None = None,
    comment: Comment | None = None,
) -> Report:
    reason = clean_reason(reason)
    if status is None and comment is None:
        raise ValidationError("Nothing to report.")
    # A moderator has already acted on it: a report would only fill their queue again.
    if (comment is not None and comment.is_removed) or (status is not None and status.is_removed):
        raise ValidationError("A moderator has already hidden this.")
    existing = Report.objects.filter(
        reporter=reporter, status=status, comment=comment, resolved_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    return Report.objects.create(reporter=reporter, status=status, comment=comment, reason=reason)


def report_dismiss(*, moderator: User, report: Report) -> Report:
    if not can_moderate(moderator):
        raise PermissionDenied("Only moderators handle reports.")
    report.resolved_at = timezone.now()
    report.resolved_by = moderator
    with transaction.atomic():
        report.save(update_fields=["resolved_at", "resolved_by"])
        audit_record(
            action=audit_actions.MODERATION_REPORT_DISMISSED,
            actor=moderator,
            target=report,
            detail={"status": report.status_id, "comment": report.comment_id},
        )
    return report
