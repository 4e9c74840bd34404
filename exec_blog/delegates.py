"""Delegates who write for an executive: naming and removing them, and recording what they do.

Every change of a delegation and every action a delegate takes is audited (audit.actions) and
the executive is notified of each action (notification kinds `delegate_*`, notification_kinds).
Services in exec_blog.services call `delegate_acted` inside their own transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet

from audit.actions import DELEGATE_ACTED, DELEGATE_ADDED, DELEGATE_REMOVED
from audit.services import audit_record
from notifications.services import notification_create
from profiles.models import User
from profiles.permissions import EXECUTIVES, is_employee

from .models import Delegation
from .permissions import can_have_delegates

# What a delegate did (the audit entry's detail["what"]) -> the executive's notification kind.
ACTION_KINDS = {
    "drafted": "delegate_draft",
    "edited": "delegate_edit",
    "scheduled": "delegate_schedule",
    "published": "delegate_publish",
    "added_image": "delegate_edit",
    "answered": "delegate_answer",
    "edited_answer": "delegate_answer_edit",
}


def delegates_of(*, executive: User) -> QuerySet[Delegation]:
    return Delegation.objects.filter(executive=executive).select_related(
        "delegate__profile__department"
    )


def executives_served_by(*, user: User) -> QuerySet[User]:
    """The executives `user` writes for now (still executives, still active)."""
    return (
        User.objects.filter(
            delegations__delegate_id=user.pk, is_active=True, groups__name=EXECUTIVES
        )
        .select_related("profile")
        .order_by("username")
        .distinct()
    )


def delegate_add(*, executive: User, delegate: User) -> tuple[Delegation, bool]:
    """Name `delegate` (idempotent). Returns the delegation and whether it is new."""
    if not can_have_delegates(executive):
        raise PermissionDenied("Only executives name delegates.")
    if delegate.pk == executive.pk:
        raise ValidationError({"delegate": "You cannot be your own delegate."})
    if not is_employee(delegate):
        raise ValidationError(
            {
                "delegate": f"{delegate.username} is not an active employee: only they can write "
                "for you."
            }
        )
    profile = getattr(delegate, "profile", None)
    if profile is not None and profile.is_app:
        raise ValidationError(
            {"delegate": f"{delegate.username} is an app account: only people can write for you."}
        )
    try:
        with transaction.atomic():
            delegation, created = Delegation.objects.get_or_create(
                executive=executive, delegate=delegate
            )
            if created:
                audit_record(
                    action=DELEGATE_ADDED,
                    actor=executive,
                    target=delegate,
                    target_label=delegate.username,
                    detail={"delegate": delegate.username},
                )
    except IntegrityError:  # named twice at once: the other request made it
        delegation, created = Delegation.objects.get(executive=executive, delegate=delegate), False
    return delegation, created


def delegate_remove(*, executive: User, delegate: User) -> bool:
    """End the delegation now (idempotent). Returns True if there was one."""
    if not can_have_delegates(executive):
        raise PermissionDenied("Only executives name delegates.")
    with transaction.atomic():
        deleted, _ = Delegation.objects.filter(executive=executive, delegate=delegate).delete()
        if deleted:
            audit_record(
                action=DELEGATE_REMOVED,
                actor=executive,
                target=delegate,
                target_label=delegate.username,
                detail={"delegate": delegate.username},
            )
    return bool(deleted)


def delegate_acted(*, delegate: User, executive: User, target: models.Model, what: str) -> None:
    """Audit one action a delegate took for `executive` and tell the executive."""
    audit_record(
        action=DELEGATE_ACTED,
        actor=delegate,
        on_behalf_of=executive,
        target=target,
        detail={"what": what},
    )
    notification_create(recipient=executive, kind=ACTION_KINDS[what], actor=delegate, target=target)
