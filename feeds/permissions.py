"""Who may do what with statuses. Visibility itself is a query: see selectors.visible_q."""

from django.db.models import Q

from profiles.models import Profile, User
from profiles.permissions import is_employee, is_executive, is_moderator

from .models import Visibility


def can_moderate(user) -> bool:
    return is_moderator(user)


def can_announce(user) -> bool:
    return is_executive(user) or is_moderator(user)


def can_edit_status(user, status) -> bool:
    return is_employee(user) and status.author_id == user.pk and not status.is_removed


def can_comment(user, status) -> bool:
    return is_employee(user) and not status.is_removed and not status.comments_locked


# --- Who may read a status (every read goes through these) ---------------------------------


def viewer_department_id(user: User) -> int | None:
    cached = getattr(user, "_es_department_id", False)
    if cached is False:
        cached = Profile.objects.filter(user=user).values_list("department_id", flat=True).first()
        user._es_department_id = cached
    return cached


def visible_q(user: User) -> Q:
    """Statuses this person may read: company posts, their own, their department's."""
    return visible_q_for(user.pk, viewer_department_id(user))


def visible_q_for(user_id: int, department_id: int | None) -> Q:
    q = Q(visibility=Visibility.COMPANY) | Q(author_id=user_id)
    if department_id is not None:
        q |= Q(visibility=Visibility.DEPARTMENT, department_id=department_id)
    return q
