"""Who may do what with questions to leadership and the executive blog.

A delegate (exec_blog.models.Delegation) acts for an executive: draft, edit, schedule and
publish the executive's blog posts and answer questions as them, nothing else. Every check
reads the delegation from the database, so removing a delegate ends their access at once."""

from profiles.permissions import EXECUTIVES, is_employee, is_executive, is_moderator

from .models import Delegation


def can_ask(user) -> bool:
    return is_employee(user)


def can_answer(user) -> bool:
    return is_executive(user)


def can_moderate_questions(user) -> bool:
    return is_moderator(user)


def can_vote(user, question) -> bool:
    """Not on one's own question: a vote says "I want this answered too"."""
    return is_employee(user) and question.asker_id != user.pk


def can_write_post(user) -> bool:
    return is_executive(user)


def can_have_delegates(user) -> bool:
    return is_executive(user)


def is_delegate_of(user, executive) -> bool:
    """`user` may act for `executive` now: an active employee named by an executive who is
    still one (an executive who loses the role takes their delegates' power with them)."""
    if not is_employee(user) or executive is None or user.pk == executive.pk:
        return False
    if not is_executive(executive):
        return False
    return Delegation.objects.filter(executive_id=executive.pk, delegate_id=user.pk).exists()


def can_act_as(user, executive) -> bool:
    """Write a post or an answer that shows `executive` as its author."""
    if executive is not None and user.pk == executive.pk:
        return is_executive(user)
    return is_delegate_of(user, executive)


def writes_for_anyone(user) -> bool:
    """A delegate of at least one executive (the editor and the answer form show for them)."""
    return (
        is_employee(user)
        and Delegation.objects.filter(
            delegate_id=user.pk,
            executive__is_active=True,
            executive__groups__name=EXECUTIVES,
        ).exists()
    )


def can_edit_post(user, post) -> bool:
    """Its author, while still an executive, or one of the author's delegates."""
    if is_executive(user) and post.author_id == user.pk:
        return True
    return is_delegate_of(user, post.author)
