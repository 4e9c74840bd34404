"""Polls on statuses: creating, voting, the rules, anonymous secrecy, live counts, cost."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from activity.models import ActivityEvent
from feeds import polls, services, status_cache
from feeds.models import Poll, PollBallot, PollOption, PollVote, Status
from profiles.services import follow_create

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def post_poll(
    user,
    options=("Tabs", "Spaces"),
    *,
    body="Tabs or spaces?",
    visibility="company",
    **poll,
) -> Status:
    return services.status_create(
        author=user, body=body, visibility=visibility, poll={"options": list(options), **poll}
    )


def option_ids(status: Status) -> list[int]:
    return list(status.poll.options.order_by("position").values_list("pk", flat=True))


def vote_url(status: Status) -> str:
    return f"/api/v1/statuses/{status.pk}/poll/vote/"


def nothing_counted(status: Status) -> bool:
    poll = Poll.objects.get(status=status)
    return (
        poll.voters_count == 0
        and not PollBallot.objects.filter(poll=poll).exists()
        and not PollVote.objects.filter(option__poll=poll).exists()
        and all(o.votes_count == 0 for o in poll.options.all())
    )


# --- creating ---------------------------------------------------------------------------------


def test_posting_a_status_with_a_poll_returns_it_in_the_payload(alice_api, alice):
    response = alice_api.post(
        "/api/v1/statuses/",
        {"body": "Where should the offsite be?", "poll": {"options": ["Lisbon", " Porto  "]}},
        format="json",
    )
    assert response.status_code == 201, response.content
    poll = response.json()["poll"]
    assert [o["label"] for o in poll["options"]] == ["Lisbon", "Porto"]
    assert all(o["votes_count"] == 0 and o["voters"] == [] for o in poll["options"])
    assert poll["multiple"] is False and poll["anonymous"] is False
    assert poll["is_closed"] is False
    assert poll["total_votes"] == 0 and poll["voters_count"] == 0
    assert poll["has_voted"] is False and poll["my_choices"] == []
    ends_at = Poll.objects.get(pk=poll["id"]).ends_at
    assert abs(ends_at - (timezone.now() + polls.DEFAULT_DURATION)) < timedelta(minutes=1)


def test_poll_end_can_be_a_time_or_a_duration(alice_api):
    ends = timezone.now() + timedelta(days=3)
    response = alice_api.post(
        "/api/v1/statuses/",
        {"body": "A", "poll": {"options": ["x", "y"], "ends_at": ends.isoformat()}},
        format="json",
    )
    assert response.status_code == 201
    assert abs(Poll.objects.get(pk=response.json()["poll"]["id"]).ends_at - ends) < timedelta(
        seconds=1
    )
    response = alice_api.post(
        "/api/v1/statuses/",
        {
            "body": "B",
            "poll": {"options": ["x", "y", "z"], "duration_hours": 2, "multiple": True},
        },
        format="json",
    )
    assert response.status_code == 201
    poll = Poll.objects.get(pk=response.json()["poll"]["id"])
    assert poll.multiple and abs(poll.ends_at - timezone.now() - timedelta(hours=2)) < timedelta(
        minutes=1
    )


def test_a_status_without_a_poll_says_null(alice_api):
    response = alice_api.post("/api/v1/statuses/", {"body": "No poll here"}, format="json")
    assert response.status_code == 201 and response.json()["poll"] is None
    response = alice_api.post(
        "/api/v1/statuses/", {"body": "Still none", "poll": None}, format="json"
    )
    assert response.status_code == 201 and response.json()["poll"] is None


def _later(**delta) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


@pytest.mark.parametrize(
    "poll",
    [
        {"options": ["only one"]},
        {"options": []},
        {"options": [f"option {i}" for i in range(7)]},
        {"options": ["fine", "   "]},
        {"options": ["fine", "x" * 101]},
        {"options": ["Same", "same "]},
        {"options": "Tabs, Spaces"},
        {"options": [["nested"], "list"]},
        {"multiple": True},
        {"options": ["a", "b"], "ends_at": _later(minutes=-5)},
        {"options": ["a", "b"], "ends_at": _later(days=31)},
        {"options": ["a", "b"], "ends_at": _later(days=1), "duration_hours": 3},
        {"options": ["a", "b"], "duration_hours": 0},
        {"options": ["a", "b"], "duration_hours": 24 * 31},
        {"options": ["a", "b"], "ends_at": "next tuesday"},
        {"options": ["a", "b"], "secret_voters": ["bob"]},
        "a poll",
        ["a", "b"],
    ],
)
def test_bad_poll_is_400_and_creates_nothing(alice_api, poll):
    response = alice_api.post("/api/v1/statuses/", {"body": "Vote!", "poll": poll}, format="json")
    assert response.status_code == 400, response.content
    assert "poll" in response.json()
    assert not Status.objects.exists() and not Poll.objects.exists()


def test_the_service_refuses_a_bad_poll_before_writing(alice):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        post_poll(alice, ["one"])
    with pytest.raises(ValidationError):
        post_poll(alice, ["a", "b"], whatever=True)
    assert not Status.objects.exists()


def test_option_labels_are_plain_text(alice, bob):
    status = post_poll(alice, ["<script>alert(1)</script>", "**bold** [x](javascript:y)"])
    labels = list(status.poll.options.values_list("label", flat=True))
    assert labels == ["<script>alert(1)</script>", "**bold** [x](javascript:y)"]
    client = APIClient()
    client.force_login(bob)
    html = client.get(status.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "**bold** [x](javascript:y)" in html  # shown as typed, not rendered as a link


# --- voting: who ------------------------------------------------------------------------------


def test_anonymous_cannot_vote(api, alice):
    status = post_poll(alice)
    response = api.put(vote_url(status), {"options": option_ids(status)[:1]}, format="json")
    assert response.status_code == 401
    assert nothing_counted(status)


def test_a_poll_on_a_status_you_cannot_see_is_404(alice, bob):
    status = post_poll(alice, visibility="department")  # engineering only
    response = client_for(bob).put(
        vote_url(status), {"options": option_ids(status)[:1]}, format="json"
    )
    assert response.status_code == 404
    assert nothing_counted(status)


def test_a_colleague_votes_and_sees_their_choice_and_the_counts(alice, bob):
    status = post_poll(alice, ["Tabs", "Spaces", "Both"])
    tabs, spaces, _ = option_ids(status)
    response = client_for(bob).put(vote_url(status), {"options": [spaces]}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status_id"] == status.pk
    poll = body["poll"]
    assert poll["has_voted"] is True and poll["my_choices"] == [spaces]
    assert [o["votes_count"] for o in poll["options"]] == [0, 1, 0]
    assert poll["options"][1]["voters"] == [{"username": "bob", "display_name": "Bob Baker"}]
    assert poll["voters_count"] == 1 and poll["total_votes"] == 1
    # Everyone else sees the count and, in a named poll, who voted; not as their own choice.
    seen = client_for(alice).get(f"/api/v1/statuses/{status.pk}/").json()["poll"]
    assert seen["has_voted"] is False and seen["my_choices"] == []
    assert seen["options"][1]["votes_count"] == 1
    assert seen["options"][1]["voters"][0]["username"] == "bob"


def test_the_author_may_vote_in_their_own_poll(alice):
    status = post_poll(alice)
    response = client_for(alice).put(
        vote_url(status), {"options": option_ids(status)[:1]}, format="json"
    )
    assert response.status_code == 200


def test_multiple_choice_counts_each_option_and_each_voter_once(alice, bob, carol):
    status = post_poll(alice, ["A", "B", "C"], multiple=True)
    a, b, c = option_ids(status)
    assert (
        client_for(bob).put(vote_url(status), {"options": [a, c]}, format="json").status_code == 200
    )
    response = client_for(carol).put(vote_url(status), {"options": [c]}, format="json")
    poll = response.json()["poll"]
    assert [o["votes_count"] for o in poll["options"]] == [1, 0, 2]
    assert poll["total_votes"] == 3 and poll["voters_count"] == 2
    assert poll["my_choices"] == [c]


def test_a_vote_is_recorded_for_the_engagement_report(alice, bob):
    status = post_poll(alice)
    client_for(bob).put(vote_url(status), {"options": option_ids(status)[:1]}, format="json")
    event = ActivityEvent.objects.get(kind="poll_vote")
    assert event.actor_id == bob.pk and event.object_id == status.poll.pk


def test_an_anonymous_poll_vote_is_recorded_without_the_voter(alice, bob):
    status = post_poll(alice, anonymous=True)
    client_for(bob).put(vote_url(status), {"options": option_ids(status)[:1]}, format="json")
    event = ActivityEvent.objects.get(kind="poll_vote")
    assert event.actor_id is None and event.department_id == 0


# --- voting: the rules ------------------------------------------------------------------------


def test_votes_are_final(alice, bob):
    status = post_poll(alice)
    tabs, spaces = option_ids(status)
    client = client_for(bob)
    assert client.put(vote_url(status), {"options": [tabs]}, format="json").status_code == 200
    again = client.put(vote_url(status), {"options": [spaces]}, format="json")
    assert again.status_code == 400
    assert "already voted" in json.dumps(again.json())
    poll = Poll.objects.get(status=status)
    assert poll.voters_count == 1
    assert [o.votes_count for o in poll.options.all()] == [1, 0]
    assert PollBallot.objects.filter(poll=poll).count() == 1


def test_no_votes_after_the_end(alice, bob):
    status = post_poll(alice)
    Poll.objects.filter(status=status).update(ends_at=timezone.now() - timedelta(seconds=1))
    response = client_for(bob).put(
        vote_url(status), {"options": option_ids(status)[:1]}, format="json"
    )
    assert response.status_code == 400
    assert "closed" in json.dumps(response.json())
    assert nothing_counted(status)
    assert client_for(bob).get(f"/api/v1/statuses/{status.pk}/").json()["poll"]["is_closed"]


@pytest.mark.parametrize(
    "payload",
    [
        {"options": []},
        {"options": "first"},
        {"options": ["abc"]},
        {"options": [True]},
        {"options": [None]},
        {"choices": "first"},
        {},
        {"options": "FIRST_TWICE"},
        {"options": "BOTH"},
        {"options": "FOREIGN"},
        {"options": [10**12]},
        {"options": "FIRST", "extra": 1},
    ],
)
def test_bad_votes_are_400_and_change_nothing(alice, bob, payload):
    status = post_poll(alice)
    other = post_poll(alice, ["Other A", "Other B"], body="another poll")
    first, second = option_ids(status)
    replace = {
        "first": first,
        "FIRST_TWICE": [first, first],
        "BOTH": [first, second],  # a single-choice poll
        "FOREIGN": option_ids(other)[:1],
        "FIRST": [first],
    }
    payload = {k: replace.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    response = client_for(bob).put(vote_url(status), payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()  # says why
    assert nothing_counted(status) and nothing_counted(other)


def test_removed_and_hidden_statuses_take_no_votes(alice, bob, carol, moderator):
    deleted = post_poll(alice, body="deleted")
    hidden = post_poll(alice, body="hidden")
    services.status_delete(actor=alice, status=deleted)
    services.moderation_apply(moderator=moderator, action="hide", reason="Spam", status=hidden)
    for status in (deleted, hidden):
        response = client_for(bob).put(
            vote_url(status), {"options": option_ids(status)[:1]}, format="json"
        )
        assert response.status_code == 400
        assert nothing_counted(status)
        assert client_for(carol).get(f"/api/v1/statuses/{status.pk}/").json()["poll"] is None


def test_a_status_without_a_poll_takes_no_votes(alice, bob):
    status = services.status_create(author=alice, body="No poll")
    response = client_for(bob).put(vote_url(status), {"options": [1]}, format="json")
    assert response.status_code == 404


def test_other_methods_are_refused(alice, bob):
    status = post_poll(alice)
    client = client_for(bob)
    assert client.get(vote_url(status)).status_code == 405
    assert client.delete(vote_url(status)).status_code == 405


# --- anonymous polls: nobody learns who chose what --------------------------------------------


def test_an_anonymous_poll_stores_no_link_between_voter_and_option(alice, bob, carol):
    status = post_poll(alice, ["Yes", "No"], anonymous=True)
    yes, no = option_ids(status)
    response = client_for(bob).put(vote_url(status), {"options": [no]}, format="json")
    assert response.status_code == 200
    mine = response.json()["poll"]
    # Not even the voter is shown a choice: none is stored to show.
    assert mine["has_voted"] is True and mine["my_choices"] == []
    assert all("voters" not in o for o in mine["options"])
    assert [o["votes_count"] for o in mine["options"]] == [0, 1]
    assert not PollVote.objects.exists()
    ballot = PollBallot.objects.get()
    assert {f.name for f in PollBallot._meta.concrete_fields} == {"id", "poll", "user"}
    assert ballot.user_id == bob.pk and ballot.poll_id == status.poll.pk
    # A second vote is still refused.
    again = client_for(bob).put(vote_url(status), {"options": [yes]}, format="json")
    assert again.status_code == 400


def test_no_response_or_page_names_an_anonymous_voter(alice, bob, carol, admin_user):
    follow_create(follower=carol, followee=alice)
    follow_create(follower=bob, followee=alice)
    status = post_poll(alice, ["Yes", "No"], anonymous=True)
    client_for(bob).put(vote_url(status), {"options": option_ids(status)[1:]}, format="json")
    for viewer in (alice, carol, bob):
        client = client_for(viewer)
        for url in (
            f"/api/v1/statuses/{status.pk}/",
            "/api/v1/feed/",
            f"/api/v1/statuses/?author={alice.username}",
        ):
            body = client.get(url).json()
            found = [body] if "poll" in body else body["results"]
            poll = next(s["poll"] for s in found if s["id"] == status.pk)
            assert [o["votes_count"] for o in poll["options"]] == [0, 1]
            assert all(set(o) == {"id", "label", "votes_count"} for o in poll["options"])
            assert poll["my_choices"] == []
            assert "bob" not in json.dumps(poll).lower(), (viewer, url)
        for url in (status.get_absolute_url(), "/", f"/statuses/cards/?ids={status.pk}"):
            html = client.get(url).content.decode()
            start = html.index(f'id="poll-{status.pk}"')
            section = html[start : html.index("</section>", start)]
            # A CSRF token is random letters: it may spell "bob" (it once did).
            section = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", section)
            assert "1 person voted" in section
            assert "bob" not in section.lower() and "data-poll-voter-list" not in section
            assert "your choice" not in section and "checked" not in section, (viewer, url)
            if viewer != bob:
                assert "/people/bob/" not in html or "Bob Baker" not in section
    admin = client_for(admin_user)
    for url in (
        "/admin/feeds/poll/",
        f"/admin/feeds/poll/{status.poll.pk}/change/",
    ):
        response = admin.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "Bob Baker" not in text and ">bob<" not in text, url
    # Ballots and named votes have no admin pages at all.
    assert admin.get("/admin/feeds/pollballot/").status_code == 404
    assert admin.get("/admin/feeds/pollvote/").status_code == 404


def test_the_poll_admin_is_for_staff_only(alice, client):
    status = post_poll(alice)
    client.force_login(alice)
    response = client.get(f"/admin/feeds/poll/{status.poll.pk}/change/")
    assert response.status_code in (302, 403)


# --- the pages --------------------------------------------------------------------------------


def test_the_composer_offers_a_poll(alice_client):
    html = alice_client.get("/").content.decode()
    assert "Add a poll" in html
    assert 'name="poll_option_1"' in html and 'name="poll_option_6"' in html
    assert 'name="poll_anonymous"' in html and 'name="poll_duration"' in html
    assert "js/polls.js" in html


def test_posting_a_poll_without_javascript(alice_client, alice):
    response = alice_client.post(
        "/statuses/",
        {
            "body": "Lunch?",
            "visibility": "company",
            "poll_option_1": "Pizza",
            "poll_option_2": "",
            "poll_option_3": "Salad",
            "poll_duration": "6",
            "poll_anonymous": "on",
        },
    )
    assert response.status_code == 302
    poll = Poll.objects.get()
    assert poll.anonymous and not poll.multiple
    assert list(poll.options.values_list("label", flat=True)) == ["Pizza", "Salad"]
    assert abs(poll.ends_at - timezone.now() - timedelta(hours=6)) < timedelta(minutes=1)


def test_posting_a_poll_with_htmx_shows_it_in_the_new_card(alice_client):
    response = alice_client.post(
        "/statuses/",
        {"body": "Lunch?", "visibility": "company", "poll_option_1": "A", "poll_option_2": "B"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="poll' in html and 'name="option"' in html


def test_a_poll_with_one_option_is_400_and_keeps_the_panel_open(alice_client):
    response = alice_client.post(
        "/statuses/",
        {"body": "Lunch?", "visibility": "company", "poll_option_1": "Only"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "2 to 6 options" in html
    assert '<details class="composer__poll" open>' in html
    assert not Status.objects.exists()


def test_plain_posts_make_no_poll(alice_client):
    alice_client.post("/statuses/", {"body": "Just news", "visibility": "company"})
    assert Status.objects.count() == 1 and not Poll.objects.exists()


def test_voting_on_the_page_without_javascript(client, alice, bob):
    status = post_poll(alice)
    url = f"/statuses/{status.pk}/poll/vote/"
    response = client.post(url, {"option": option_ids(status)[0]})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert nothing_counted(status)
    client.force_login(bob)
    response = client.post(url, {"option": option_ids(status)[0], "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert Poll.objects.get(status=status).voters_count == 1
    html = client.get(status.get_absolute_url()).content.decode()
    assert "You voted" in html and "your choice" in html
    assert 'name="option"' not in html  # no second vote offered
    again = client.post(url, {"option": option_ids(status)[1]}, follow=True)
    assert "already voted" in again.content.decode()
    assert Poll.objects.get(status=status).voters_count == 1


def test_voting_on_the_page_with_htmx_replaces_the_poll(client, alice, bob):
    status = post_poll(alice, ["A", "B", "C"], multiple=True)
    client.force_login(bob)
    url = f"/statuses/{status.pk}/poll/vote/"
    response = client.post(url, {"option": option_ids(status)[:2]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<section") and f'id="poll-{status.pk}"' in html
    assert "You voted" in html and html.count("your choice") == 2
    bad = client.post(url, {"option": option_ids(status)[2:]}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and "already voted" in bad.content.decode()


def test_a_bad_vote_on_the_page_is_400_in_place(client, alice, bob):
    status = post_poll(alice)
    client.force_login(bob)
    url = f"/statuses/{status.pk}/poll/vote/"
    response = client.post(url, {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "Choose an option" in response.content.decode()
    response = client.post(url, {"option": option_ids(status)}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "one choice" in response.content.decode()
    assert nothing_counted(status)


def test_a_vote_on_the_page_for_a_removed_status_is_400(client, alice, bob):
    status = post_poll(alice)
    ids = option_ids(status)
    services.status_delete(actor=alice, status=status)
    client.force_login(bob)
    url = f"/statuses/{status.pk}/poll/vote/"
    response = client.post(url, {"option": ids[:1]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "removed" in response.content.decode()
    response = client.post(url, {"option": ids[:1]}, follow=True)
    assert "removed" in response.content.decode()
    assert nothing_counted(status)


def test_the_vote_page_is_404_for_a_status_you_cannot_see(client, alice, bob):
    status = post_poll(alice, visibility="department")
    client.force_login(bob)
    response = client.post(f"/statuses/{status.pk}/poll/vote/", {"option": option_ids(status)})
    assert response.status_code == 404
    assert client.get(status.get_absolute_url()).status_code == 404
    assert nothing_counted(status)


def test_the_vote_page_only_takes_posts(alice_client, alice):
    status = post_poll(alice)
    assert alice_client.get(f"/statuses/{status.pk}/poll/vote/").status_code == 405


def test_a_closed_poll_shows_results_and_no_form(alice, bob):
    status = post_poll(alice)
    client_for(bob).put(vote_url(status), {"options": option_ids(status)[:1]}, format="json")
    Poll.objects.filter(status=status).update(ends_at=timezone.now() - timedelta(hours=1))
    html = client_for(alice).get(status.get_absolute_url()).content.decode()
    assert "poll--closed" in html and "Closed" in html
    assert 'name="option"' not in html
    assert "Bob Baker" in html  # a named poll shows its voters


# --- live -------------------------------------------------------------------------------------


def test_a_vote_broadcasts_counts_after_commit_without_anyones_choices(
    alice, bob, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr("core.realtime.publish_many", sent.extend)
    status = post_poll(alice, ["Yes", "No"], anonymous=True)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        polls.poll_vote(user=bob, status=status, option_ids=option_ids(status)[1:])
    events = [m["event"] for m in sent if m["event"]["type"] == "poll.changed"]
    assert len(events) == 1
    event = events[0]
    assert event["status_id"] == status.pk
    assert [o["votes_count"] for o in event["poll"]["options"]] == [0, 1]
    assert "my_choices" not in event["poll"] and "has_voted" not in event["poll"]
    text = json.dumps(event)
    assert "bob" not in text.lower() and 'voters"' not in text


def test_a_refused_vote_broadcasts_nothing(
    alice, bob, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.exceptions import ValidationError

    sent = []
    monkeypatch.setattr("core.realtime.publish_many", sent.extend)
    status = post_poll(alice)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        polls.poll_vote(user=bob, status=status, option_ids=option_ids(status))
    assert sent == []


def test_new_status_events_carry_the_poll_without_viewer_fields(
    alice, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr("core.realtime.publish_many", sent.extend)
    with django_capture_on_commit_callbacks(execute=True):
        post_poll(alice, ["A", "B"])
    created = next(m["event"] for m in sent if m["event"]["type"] == "status.created")
    poll = created["status"]["poll"]
    assert [o["label"] for o in poll["options"]] == ["A", "B"]
    assert "my_choices" not in poll and "has_voted" not in poll


# --- the feed's cost --------------------------------------------------------------------------


def test_the_feed_costs_the_same_queries_at_5_and_50_statuses_with_polls(
    alice, bob, carol, monkeypatch
):
    follow_create(follower=alice, followee=bob)
    for i in range(60):
        if i % 2:
            status = post_poll(bob, ["A", "B", "C"], body=f"poll {i}", anonymous=i % 4 == 1)
            for voter in (alice, carol):
                polls.poll_vote(user=voter, status=status, option_ids=option_ids(status)[:1])
        else:
            services.status_create(author=bob, body=f"status {i}")
    client = client_for(alice)
    client.get("/api/v1/feed/?page_size=5")  # warm up the session
    # Cold (cards built in bulk) and then warm (feeds.status_cache): constant either way.
    for cold in (True, False):
        counts = []
        for size in (5, 50):
            if cold:
                monkeypatch.setattr(status_cache, "SCHEMA", f"cold-{size}")
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(f"/api/v1/feed/?page_size={size}")
            results = response.json()["results"]
            assert len(results) == size
            assert any(r["poll"] and r["poll"]["has_voted"] for r in results)
            assert any(r["poll"] and r["poll"]["my_choices"] for r in results)
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1]
    html_counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            client.get("/")
        html_counts.append(len(ctx.captured_queries))
    assert html_counts[0] == html_counts[1]


def test_named_voters_are_bounded(alice, bob):
    from tests.factories import UserFactory

    status = post_poll(alice)
    first = option_ids(status)[0]
    for _ in range(polls.VOTERS_SHOWN + 3):
        polls.poll_vote(user=UserFactory(), status=status, option_ids=[first])
    poll = client_for(bob).get(f"/api/v1/statuses/{status.pk}/").json()["poll"]
    assert poll["options"][0]["votes_count"] == polls.VOTERS_SHOWN + 3
    assert len(poll["options"][0]["voters"]) == polls.VOTERS_SHOWN
    assert PollOption.objects.get(pk=first).votes_count == polls.VOTERS_SHOWN + 3


# --- live, over the socket --------------------------------------------------------------------


async def _connect(user):
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    from enterprise_social.asgi import application

    @database_sync_to_async
    def cookie() -> bytes:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return f"sessionid={session.session_key}".encode()

    headers = [(b"origin", b"http://testserver"), (b"cookie", await cookie())]
    communicator = WebsocketCommunicator(application, "/ws/stream/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    return communicator


async def _watch(communicator, status_ids: list[int]) -> None:
    """The status is on this person's screen (applied once the pong comes back)."""
    await communicator.send_json_to({"type": "watch", "status_ids": status_ids})
    await communicator.send_json_to({"type": "ping"})
    assert json.loads(await communicator.receive_from(timeout=5)) == {"type": "pong"}


async def _events(communicator, wait: float = 0.3) -> list[dict]:
    # receive_nothing, unlike a timed-out receive, leaves the consumer running.
    out = []
    while not await communicator.receive_nothing(timeout=wait):
        out.append(json.loads(await communicator.receive_from()))
    return out


@pytest.mark.django_db(transaction=True)
async def test_poll_changed_reaches_watching_readers_and_nobody_else(engineering, sales):
    from channels.db import database_sync_to_async

    from tests.factories import UserFactory

    make = database_sync_to_async(UserFactory)
    alice = await make(username="alice", finish__department=engineering)
    carol = await make(username="carol", finish__department=engineering)
    bob = await make(username="bob", finish__department=sales)
    status = await database_sync_to_async(post_poll)(
        alice, ["Yes", "No"], visibility="department", anonymous=True
    )
    ids = await database_sync_to_async(option_ids)(status)
    sockets = {"alice": await _connect(alice), "carol": await _connect(carol)}
    sockets["bob"] = await _connect(bob)
    # The voter and bob have it on screen; alice, its author, hears without watching.
    await _watch(sockets["carol"], [status.pk])
    await _watch(sockets["bob"], [status.pk])
    await database_sync_to_async(polls.poll_vote)(user=carol, status=status, option_ids=ids[1:])
    got = {name: await _events(socket) for name, socket in sockets.items()}
    for name in ("alice", "carol"):
        changed = [e for e in got[name] if e["type"] == "poll.changed"]
        assert len(changed) == 1, name
        assert changed[0]["status_id"] == status.pk
        assert [o["votes_count"] for o in changed[0]["poll"]["options"]] == [0, 1]
        assert "my_choices" not in changed[0]["poll"] and "carol" not in json.dumps(changed[0])
    assert got["bob"] == []  # sales cannot read an engineering post
    for socket in sockets.values():
        await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_named_polls_voters_reach_whoever_watches_a_company_status(engineering, sales):
    from channels.db import database_sync_to_async

    from tests.factories import UserFactory

    make = database_sync_to_async(UserFactory)
    alice = await make(username="alice", finish__department=engineering)
    bob = await make(username="bob", finish__department=sales, finish__display_name="Bob Baker")
    status = await database_sync_to_async(post_poll)(alice, ["Yes", "No"])
    ids = await database_sync_to_async(option_ids)(status)
    socket = await _connect(bob)  # not a follower of alice: a company post's readers
    await _watch(socket, [status.pk])  # who look at it
    await database_sync_to_async(polls.poll_vote)(user=bob, status=status, option_ids=ids[:1])
    changed = [e for e in await _events(socket) if e["type"] == "poll.changed"]
    assert len(changed) == 1
    assert changed[0]["poll"]["options"][0]["voters"] == [
        {"username": "bob", "display_name": "Bob Baker"}
    ]
    await socket.disconnect()


# --- demo content -----------------------------------------------------------------------------


def test_seed_demo_adds_polls_of_every_kind_once():
    from io import StringIO

    from django.core.management import call_command
    from django.db.models import Sum

    def seed() -> str:
        out = StringIO()
        call_command("seed_demo", employees=30, statuses=300, stdout=out, stderr=StringIO())
        return out.getvalue()

    output = seed()
    all_polls = list(Poll.objects.select_related("status"))
    assert "Polls ready" in output
    assert len(all_polls) >= 4
    now = timezone.now()
    kinds = {(p.ends_at > now, p.multiple, p.anonymous) for p in all_polls}
    assert {open_ for open_, _, _ in kinds} == {True, False}
    assert {multiple for _, multiple, _ in kinds} == {True, False}
    assert {anonymous for _, _, anonymous in kinds} == {True, False}
    for poll in all_polls:
        assert poll.voters_count > 0
        assert poll.voters_count == PollBallot.objects.filter(poll=poll).count()
        assert poll.status.created_at <= poll.created_at < poll.ends_at
        votes = PollVote.objects.filter(option__poll=poll)
        if poll.anonymous:
            assert not votes.exists()
        else:
            assert votes.count() == poll.options.aggregate(n=Sum("votes_count"))["n"]
            assert all(poll.status.created_at <= v.created_at < poll.ends_at for v in votes)
    counts = (Poll.objects.count(), PollBallot.objects.count(), PollVote.objects.count())
    output = seed()
    assert (Poll.objects.count(), PollBallot.objects.count(), PollVote.objects.count()) == counts
    assert "0 new)" in output.split("Polls ready")[1].splitlines()[0]
