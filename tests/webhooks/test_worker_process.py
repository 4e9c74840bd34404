"""A real `manage.py worker` sends the deliveries: a receiver failing once then recovering gets
each delivery exactly once, in order, every signature checked (tests/webhooks/conftest.py)."""

import pytest

from feeds import services as feeds
from tests.core.test_worker_process import Worker, WorkerDatabase, wait_for
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_worker_delivers_in_order_through_a_failure(tmp_path, receiver, subscribe, alice):
    subscribe()
    receiver.fail_next = 1
    statuses = [feeds.status_create(author=alice, body=f"Post {i}") for i in range(3)]
    ids = list(WebhookDelivery.objects.order_by("id").values_list("msg_id", flat=True))
    assert len(ids) == 3
    database = WorkerDatabase(tmp_path)
    database.hand_over()
    log = tmp_path / "worker.log"
    worker = Worker(
        database,
        log,
        WEBHOOK_ALLOW_HOSTS="127.0.0.1",
        WEBHOOK_RETRY_BASE="0.5",
        WEBHOOK_TIMEOUT="3",
    )
    try:
        wait_for(lambda: len(receiver.received) == 3, timeout=40, what="3 deliveries", log=log)
    finally:
        worker.stop()
    assert [r["id"] for r in receiver.received] == ids
    assert [r["payload"]["data"]["status"]["id"] for r in receiver.received] == [
        s.pk for s in statuses
    ]
    assert receiver.refused == [] and receiver.requests == 4
