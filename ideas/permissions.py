"""Who may do what with ideas. Every employee reads every idea (they are company-wide)."""

from profiles.permissions import is_employee, is_executive

from .models import EDITABLE_STATES


def can_propose(user) -> bool:
    return is_employee(user)


def can_vote(user, idea) -> bool:
    """Not for one's own idea: a vote says "I want this too"."""
    return is_employee(user) and idea.author_id != user.pk


def can_decide(user) -> bool:
    return is_executive(user)


def can_edit_idea(user, idea) -> bool:
    """Its author, while nobody has acted on it (open) and it is not hidden or withdrawn."""
    return (
        is_employee(user)
        and idea.author_id == user.pk
        and idea.state in EDITABLE_STATES
        and not idea.is_removed
    )
