"""Creating a status builds its payload once: the live event and the author's answer share it."""

import pytest
from rest_framework.test import APIClient

from feeds import services
from feeds.events import status_payload

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _published(monkeypatch) -> list[dict]:
    sent: list[dict] = []
    monkeypatch.setattr("core.realtime.publish_many", sent.extend)
    return sent


def test_the_answer_to_a_new_status_is_the_payload_its_followers_receive(
    alice, django_capture_on_commit_callbacks, monkeypatch
):
    sent = _published(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(
            "/api/v1/statuses/", {"body": "Shipped **v2** #launch"}, format="json"
        )
    assert response.status_code == 201, response.content
    [event] = [m["event"] for m in sent if m["event"]["type"] == "status.created"]
    assert response.json() == event["status"]
    assert event["status"]["hashtags"] == ["launch"]
    assert event["status"]["reaction_counts"] == {k: 0 for k in event["status"]["reaction_counts"]}
    assert event["status"]["my_reactions"] == [] and event["status"]["poll"] is None


def test_the_new_status_payload_matches_the_full_decoration(alice, bob):
    status = services.status_create(author=alice, body="Hello @bob #launch")
    assert status.live_payload == status_payload(status)


def test_a_new_status_with_a_poll_answers_with_the_authors_view_of_it(alice):
    response = client_for(alice).post(
        "/api/v1/statuses/",
        {"body": "Lunch?", "poll": {"options": ["Pizza", "Soup"]}},
        format="json",
    )
    assert response.status_code == 201, response.content
    poll = response.json()["poll"]
    assert [o["label"] for o in poll["options"]] == ["Pizza", "Soup"]
    assert "my_choices" in poll  # the viewer's fields, which the live event never carries


def test_posting_a_plain_status_stays_within_its_query_budget(alice, django_assert_max_num_queries):
    client = client_for(alice)
    client.post("/api/v1/statuses/", {"body": "warm up"}, format="json")
    # Was 23 before the answer reused the live payload and `set` became `add` on a new status.
    with django_assert_max_num_queries(14):
        response = client.post("/api/v1/statuses/", {"body": "Hello"}, format="json")
    assert response.status_code == 201


def test_live_frames_skip_the_session_wrapper_but_keep_the_server_send():
    from channels.sessions import InstanceSessionWrapper

    from feeds.consumers import transport_send

    async def server_send(message):
        pass

    outer = InstanceSessionWrapper({"cookies": {}}, server_send)
    middle = InstanceSessionWrapper({"cookies": {}}, outer.send)
    assert transport_send(middle.send) is server_send
    assert transport_send(server_send) is server_send


@pytest.mark.parametrize("visibility", ["company", "department"])
def test_the_payload_built_from_memory_is_the_one_read_back(alice, bob, visibility):
    """status_create builds a new status's payload from what it wrote (no read back): the same
    as reading it again and decorating it, hashtags in name order, mentions, department."""
    body = "Hi @bob and @nobody, #zeta #alpha #Mid"
    status = services.status_create(author=alice, body=body, visibility=visibility)
    read_back = status_payload(services.Status.objects.get(pk=status.pk))
    assert status.live_payload == read_back
    assert read_back["hashtags"] == ["alpha", "mid", "zeta"]
    assert read_back["mentions"] == ["bob"]


def test_the_payload_of_a_community_status_is_the_one_read_back(alice):
    from communities import services as community_services

    community = community_services.community_create(actor=alice, name="Runners")
    status = services.status_create(author=alice, body="First run #5k", community=community)
    read_back = status_payload(services.Status.objects.get(pk=status.pk))
    assert status.live_payload == read_back
    assert read_back["community"] == {"slug": community.slug, "name": "Runners"}


def test_creating_a_status_reads_nothing_back(alice, bob):
    """The statements of a new status with a mention and two hashtags: nothing is read back for
    its payload (the read back was three queries: the status with its joins, mentions and
    hashtags)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        services.status_create(author=alice, body="Hi @bob #one #two")
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert not any('FROM "feeds_status"' in sql for sql in reads), reads
    assert not any("feeds_status_mentions" in sql for sql in reads), reads
