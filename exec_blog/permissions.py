"""Who may do what with questions to leadership."""

from profiles.permissions import is_employee, is_executive, is_moderator


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


def can_edit_post(user, post) -> bool:
    """Only its author, while still an executive."""
    return is_executive(user) and post.author_id == user.pk
