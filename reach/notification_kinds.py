"""The kind reach sends itself: a company announcement, to everyone (feeds tells reach through
`feeds.hooks.status_announced`)."""

from feeds.models import Status
from feeds.notification_kinds import status_excerpt, status_refs, status_url
from notifications.registry import register


def register_kinds() -> None:
    register(
        "announcement",
        label="made an announcement",
        icon="check",
        model=Status,
        url=status_url,
        refs=status_refs,
        excerpt=status_excerpt,
    )
