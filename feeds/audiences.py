"""Who hears about a status: its audience mirrors the feed. Used by events and polls."""

from core.realtime import Audience

from .models import Status, Visibility


def status_audience(status: Status) -> Audience:
    if status.visibility == Visibility.DEPARTMENT:
        return Audience(user_ids=(status.author_id,), department_id=status.department_id)
    if status.is_announcement:
        return Audience(everyone=True)
    return Audience(user_ids=(status.author_id,), followers_of=status.author_id)


def readers_audience(status: Status) -> Audience:
    if status.visibility == Visibility.DEPARTMENT:
        return Audience(user_ids=(status.author_id,), department_id=status.department_id)
    return Audience(everyone=True)
