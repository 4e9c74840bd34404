"""Reach's work in the job runner: nothing here runs in a request."""

from core.jobs import periodic

from . import push, services


def notifications_dispatch(notification_ids: list[int]) -> dict:
    return services.notifications_dispatch(notification_ids=list(notification_ids))


def announcement_notify(status_id: int, actor_id: int) -> int:
    return services.announcement_notify(status_id=status_id, actor_id=actor_id)


@periodic(every_minutes=1)
def mail_flush() -> dict:
    """Queued notifications whose wait is over become one email per person; due emails and
    retries are sent. Also run at each person's own time (`reach-mail-<user id>`)."""
    return services.mail_flush()


@periodic(every_minutes=5)
def digests_send() -> int:
    """Everyone whose local digest hour has come gets their digest (sent by mail_flush's
    outbox at once here, and retried like any email)."""
    queued = services.digests_queue_due()
    if queued:
        services.mail_flush()
    return queued


@periodic(every_minutes=1)
def push_retry() -> int:
    return push.retries_send_due().sent
