"""Who may do what with statuses. Visibility itself is a query: see selectors.visible_q."""

from profiles.permissions import is_employee, is_executive, is_moderator


def can_moderate(user) -> bool:
    return is_moderator(user)


def can_announce(user) -> bool:
    return is_executive(user) or is_moderator(user)


def can_edit_status(user, status) -> bool:
    return is_employee(user) and status.author_id == user.pk and not status.is_removed


def can_comment(user, status) -> bool:
    return is_employee(user) and not status.is_removed and not status.comments_locked
