"""Outgoing webhooks end to end on loopback: what is sent, signed, in order, exactly once."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_q.models import OrmQ, Schedule
from django_q.signing import SignedPackage

from communities import services as communities
from exec_blog import services as blog
from feeds import services as feeds
from ideas import services as ideas
from notifications.models import Notification
from webhooks import jobs, services
from webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """Run a service as a request would: its on-commit work (the deliveries) happens."""

    def run(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return run


def post(act, author, body, **kwargs):
    return act(feeds.status_create, author=author, body=body, **kwargs)


def drain(times: int = 10) -> None:
    for _ in range(times):
        jobs.deliveries_due()


def test_every_delivery_is_signed_and_verifies_with_the_standard_library(
    act, receiver, subscribe, alice
):
    endpoint = subscribe()
    status = post(act, alice, "Hello #launch")
    delivery = WebhookDelivery.objects.get()
    assert delivery.msg_id.startswith("msg_") and delivery.endpoint == endpoint
    # The job is queued for the endpoint when the delivery is made.
    queued = [SignedPackage.loads(row.payload) for row in OrmQ.objects.all()]
    assert [(t["func"], t["args"]) for t in queued] == [
        ("webhooks.jobs.endpoint_deliver", (endpoint.pk,))
    ]
    assert jobs.endpoint_deliver(endpoint.pk) == 1
    assert receiver.refused == []
    [got] = receiver.received
    assert got["id"] == delivery.msg_id
    assert got["payload"]["type"] == "status.created"
    assert got["payload"]["timestamp"].endswith("Z")
    data = got["payload"]["data"]["status"]
    assert data["id"] == status.pk and data["body"] == "Hello #launch"
    assert data["author"]["username"] == "alice"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 1
    assert delivery.last_status_code == 204
    # Sending again sends nothing: the job is idempotent.
    assert jobs.endpoint_deliver(endpoint.pk) == 0
    assert len(receiver.received) == 1


def test_a_receiver_failing_three_times_gets_every_delivery_once_in_order(
    act, receiver, subscribe, alice, bob, django_capture_on_commit_callbacks
):
    endpoint = subscribe()
    receiver.fail_next = 3
    statuses = [post(act, author, f"Post {i}") for i, author in enumerate([alice, bob] * 3)]
    ids_in_order = list(WebhookDelivery.objects.order_by("id").values_list("msg_id", flat=True))
    assert len(ids_in_order) == 6
    for expected_attempts in (1, 2, 3):
        with django_capture_on_commit_callbacks(execute=True):
            assert jobs.deliveries_due() == 0
        head = WebhookDelivery.objects.order_by("id").first()
        assert head.attempts == expected_attempts and head.state == DeliveryState.PENDING
        assert head.last_status_code == 500
        # The later deliveries waited behind it: order holds.
        assert WebhookDelivery.objects.filter(attempts__gt=0).count() == 1
        # A retry is scheduled at the head's next attempt.
        assert Schedule.objects.filter(name=f"at:webhook-{endpoint.pk}").exists()
    assert jobs.deliveries_due() == 6
    assert receiver.requests == 9
    assert [r["id"] for r in receiver.received] == ids_in_order
    assert [r["payload"]["data"]["status"]["id"] for r in receiver.received] == [
        s.pk for s in statuses
    ]
    assert receiver.refused == []
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.consecutive_failures == 0
    drain(3)
    assert len(receiver.received) == 6  # exactly once


def test_a_failing_endpoint_does_not_hold_up_another(act, receiver, subscribe, admin_user, alice):
    good = subscribe()
    bad = services.endpoint_create(
        actor=admin_user, url="http://127.0.0.1:9/nothing-listens", events=["status.created"]
    )
    post(act, alice, "One")
    post(act, alice, "Two")
    drain(2)
    assert len(receiver.received) == 2
    assert not WebhookDelivery.objects.filter(endpoint=good, state="pending").exists()
    assert WebhookDelivery.objects.filter(endpoint=bad, state="pending").count() == 2
    failed = WebhookDelivery.objects.filter(endpoint=bad).order_by("id").first()
    assert failed.attempts == 2 and failed.last_error


def test_the_retry_waits_for_its_backoff(act, receiver, subscribe, alice, settings):
    settings.WEBHOOK_RETRY_BASE = 60
    subscribe()
    receiver.fail_next = 1
    post(act, alice, "Once")
    drain(1)
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=50)
    drain(2)  # not due yet
    assert delivery.attempts == WebhookDelivery.objects.get().attempts
    assert services.backoff(1) == timedelta(seconds=60)
    assert services.backoff(3) == timedelta(seconds=240)
    settings.WEBHOOK_RETRY_MAX = 100
    assert services.backoff(10) == timedelta(seconds=100)
    services.deliveries_retry_now(deliveries=[delivery])
    drain(1)
    assert len(receiver.received) == 1


def test_an_endpoint_failing_repeatedly_is_disabled_and_the_admins_told(
    act, receiver, subscribe, admin_user, alice, settings
):
    settings.WEBHOOK_DISABLE_AFTER = 3
    endpoint = subscribe()
    receiver.always_fail = True
    post(act, alice, "First")
    post(act, alice, "Second")
    drain(5)
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_at is not None
    assert "3 failed deliveries" in endpoint.disabled_reason
    assert receiver.requests == 3
    note = Notification.objects.get(kind="webhook_disabled")
    assert note.recipient == admin_user and note.target == endpoint
    page = Client()
    page.force_login(admin_user)
    html = page.get("/notifications/").content.decode()
    assert "disabled after repeated failures" in html
    assert f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/" in html
    # Nothing new is made for a disabled endpoint; what was pending waits.
    post(act, alice, "Third")
    assert WebhookDelivery.objects.filter(state="pending").count() == 2
    # An admin enables it again: the waiting ones go, oldest first.
    receiver.always_fail = False
    act(services.endpoint_enable, endpoint=endpoint)
    drain(1)
    assert [r["payload"]["data"]["status"]["body"] for r in receiver.received] == [
        "First",
        "Second",
    ]


def test_department_posts_and_private_or_secret_communities_are_never_sent(
    act, receiver, subscribe, alice, bob
):
    subscribe(events=["status.created", "community.created"])
    open_c = act(communities.community_create, actor=bob, name="Runners", visibility="open")
    private = act(communities.community_create, actor=bob, name="Leads", visibility="private")
    secret = act(communities.community_create, actor=bob, name="Merger", visibility="secret")
    post(act, alice, "Only Engineering", visibility="department")
    post(act, bob, "Members only", community=private)
    post(act, bob, "Very secret", community=secret)
    post(act, bob, "Run on Sunday", community=open_c)
    post(act, alice, "Everyone")
    drain(2)
    sent = [
        (r["payload"]["type"], r["payload"]["data"].get("status", {}).get("body"))
        for r in receiver.received
    ]
    assert sent == [
        ("community.created", None),
        ("community.created", None),
        ("status.created", "Run on Sunday"),
        ("status.created", "Everyone"),
    ]
    names = [r["payload"]["data"]["community"]["name"] for r in receiver.received[:2]]
    assert names == ["Runners", "Leads"]
    everything = json.dumps([r["raw"] for r in receiver.received])
    for never in ("Only Engineering", "Members only", "Very secret", "Merger"):
        assert never not in everything
    assert WebhookDelivery.objects.count() == 4


def test_a_community_subscription_hears_only_that_community(
    act, receiver, subscribe, admin_user, alice, bob
):
    private = act(communities.community_create, actor=bob, name="Leads", visibility="private")
    other = act(communities.community_create, actor=bob, name="Other", visibility="open")
    subscribe(community=private)
    post(act, bob, "Members only", community=private)
    post(act, bob, "Elsewhere", community=other)
    post(act, alice, "Company")
    drain(1)
    assert [r["payload"]["data"]["status"]["body"] for r in receiver.received] == ["Members only"]


def test_visibility_is_checked_again_when_sending(act, receiver, subscribe, alice, bob):
    subscribe()
    open_c = act(communities.community_create, actor=bob, name="Runners", visibility="open")
    removed = post(act, alice, "Oops")
    moved = post(act, bob, "Run", community=open_c)
    kept = post(act, alice, "Fine")
    act(feeds.status_delete, actor=alice, status=removed)
    open_c.visibility = "secret"
    open_c.save(update_fields=["visibility"])
    drain(1)
    assert [r["payload"]["data"]["status"]["id"] for r in receiver.received] == [kept.pk]
    states = dict(WebhookDelivery.objects.values_list("object_id", "state"))
    assert states == {removed.pk: "skipped", moved.pk: "skipped", kept.pk: "delivered"}


def test_blog_questions_ideas_are_announced(act, receiver, subscribe, ceo, alice):
    subscribe(events=["blog.published", "question.answered", "idea.decided"])
    act(blog.post_create, author=ceo, title="Our year", body="It was good.", status="published")
    draft = act(blog.post_create, author=ceo, title="Later", body="Not yet.")
    question = act(
        blog.question_create, asker=alice, body="Will we hire this year?", anonymous=True
    )
    act(blog.question_answer, executive=ceo, question=question, body="Yes, twenty people.")
    act(blog.question_answer, executive=ceo, question=question, body="Yes, thirty people.")
    idea = act(ideas.idea_create, author=alice, title="Quiet room", description="A quiet room.")
    act(ideas.idea_decide, executive=ceo, idea=idea, state="under_review", reason="Looking.")
    drain(1)
    assert receiver.types == ["blog.published", "question.answered", "idea.decided"]
    post_data, question_data, idea_data = (r["payload"]["data"] for r in receiver.received)
    assert post_data["post"]["title"] == "Our year"
    assert draft.title not in json.dumps(receiver.received[0]["raw"])
    assert question_data["question"]["asker"] is None  # anonymous stays anonymous
    assert "alice" not in json.dumps(question_data)
    assert idea_data["idea"]["state"] == "under_review"
    assert idea_data["idea"]["decision"]["reason"] == "Looking."


def test_a_rolled_back_post_sends_nothing(
    receiver, subscribe, alice, django_capture_on_commit_callbacks
):
    from django.db import transaction

    subscribe()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                feeds.status_create(author=alice, body="Never mind")
                raise RuntimeError
    assert not WebhookDelivery.objects.exists()


def test_a_name_that_now_resolves_inside_is_refused_when_sending(
    act, monkeypatch, admin_user, alice, settings
):
    import socket

    real = socket.getaddrinfo
    answer = {"ip": "93.184.216.34"}

    def fake(host, port, *args, **kwargs):
        if host == "hooks.example.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer["ip"], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    settings.WEBHOOK_RETRY_BASE = 0
    endpoint = services.endpoint_create(
        actor=admin_user, url="https://hooks.example.test/in", events=["status.created"]
    )
    answer["ip"] = "10.0.0.7"  # DNS rebinding
    post(act, alice, "Hello")
    jobs.endpoint_deliver(endpoint.pk)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending" and delivery.last_error.startswith("Refused")
    assert delivery.last_status_code is None


def test_two_workers_never_send_the_same_endpoint_at_once(act, receiver, subscribe, alice):
    endpoint = subscribe()
    post(act, alice, "Hello")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        lease_until=timezone.now() + timedelta(seconds=30)
    )
    assert jobs.endpoint_deliver(endpoint.pk) == 0  # another worker holds it
    assert receiver.requests == 0
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(lease_until=None)
    assert jobs.endpoint_deliver(endpoint.pk) == 1
