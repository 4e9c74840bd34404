"""Questions to leadership: services, API, votes, answers, moderation and anonymity."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from exec_blog import services
from exec_blog.models import Question, QuestionVote
from feeds.models import ModerationAction
from notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def ask(user, body="Will we keep remote Fridays next year?", anonymous=False) -> Question:
    return services.question_create(asker=user, body=body, anonymous=anonymous)


# --- asking -------------------------------------------------------------------------------------


def test_asking_returns_the_contract_object(alice_api, alice):
    response = alice_api.post(
        "/api/v1/questions/", {"body": "  What is our plan for 2027?  "}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["body"] == "What is our plan for 2027?"
    assert body["asker"]["username"] == "alice"
    assert body["anonymous"] is False
    assert body["is_mine"] is True
    assert body["votes_count"] == 0 and body["has_voted"] is False
    assert body["days_open"] == 0
    assert body["answer"] is None
    assert body["url"] == f"/ask/{body['id']}/"


@pytest.mark.parametrize("text", ["", "too short", " " * 20 + "short" + " " * 20, "x" * 501])
def test_question_length_is_10_to_500_characters(alice_api, text):
    response = alice_api.post("/api/v1/questions/", {"body": text}, format="json")
    assert response.status_code == 400
    assert "body" in response.json()
    assert not Question.objects.exists()


def test_question_of_exactly_10_and_500_characters_is_accepted(alice_api):
    for text in ("x" * 10, "y" * 500):
        assert (
            alice_api.post("/api/v1/questions/", {"body": text}, format="json").status_code == 201
        )


def test_unknown_fields_are_refused(alice_api, bob):
    response = alice_api.post(
        "/api/v1/questions/",
        {"body": "A question long enough", "asker": bob.pk, "votes_count": 9},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"asker", "votes_count"}


def test_at_most_five_questions_an_hour(alice, alice_api):
    for i in range(5):
        ask(alice, f"Question number {i} to leadership")
    response = alice_api.post(
        "/api/v1/questions/", {"body": "One question too many"}, format="json"
    )
    assert response.status_code == 429
    assert "an hour" in response.json()["detail"]
    assert 3500 <= int(response["Retry-After"]) <= 3601
    assert Question.objects.count() == 5
    # An hour later the limit is free again.
    Question.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    assert ask(alice, "Now I may ask again").pk


def test_anonymous_users_get_401_everywhere(api, alice):
    question = ask(alice)
    base = f"/api/v1/questions/{question.pk}/"
    assert api.get("/api/v1/questions/").status_code == 401
    assert api.post("/api/v1/questions/", {"body": "x" * 20}, format="json").status_code == 401
    assert api.get(base).status_code == 401
    assert api.put(base + "vote/").status_code == 401
    assert api.delete(base + "vote/").status_code == 401
    assert api.post(base + "answer/", {"body": "Yes"}, format="json").status_code == 401
    assert (
        api.post(base + "moderation/", {"action": "hide", "reason": "x"}, format="json").status_code
        == 401
    )


def test_missing_question_is_404(alice_api):
    assert alice_api.get("/api/v1/questions/999/").status_code == 404
    assert alice_api.put("/api/v1/questions/999/vote/").status_code == 404


# --- votes ----------------------------------------------------------------------------------------


def test_votes_are_idempotent_and_can_be_taken_back(alice, bob, carol):
    question = ask(alice)
    bob_api = client_for(bob)
    url = f"/api/v1/questions/{question.pk}/vote/"
    first = bob_api.put(url)
    assert first.status_code == 201
    assert first.json() == {"question_id": question.pk, "votes_count": 1, "has_voted": True}
    again = bob_api.put(url)
    assert again.status_code == 200 and again.json()["votes_count"] == 1
    client_for(carol).put(url)
    assert QuestionVote.objects.filter(question=question).count() == 2
    detail = bob_api.get(f"/api/v1/questions/{question.pk}/").json()
    assert detail["votes_count"] == 2 and detail["has_voted"] is True
    gone = bob_api.delete(url)
    assert gone.json() == {"question_id": question.pk, "votes_count": 1, "has_voted": False}
    assert bob_api.delete(url).json()["votes_count"] == 1
    question.refresh_from_db()
    assert question.votes_count == 1


def test_voting_for_your_own_question_is_refused(alice, alice_api):
    question = ask(alice, anonymous=True)
    response = alice_api.put(f"/api/v1/questions/{question.pk}/vote/")
    assert response.status_code == 400
    assert "your own question" in response.json()["detail"][0]
    question.refresh_from_db()
    assert question.votes_count == 0


# --- lists ----------------------------------------------------------------------------------------


def test_list_sorts_by_votes_or_date_and_filters_answered(alice, bob, carol, ceo):
    old = ask(alice, "The oldest question of all")
    popular = ask(bob, "The most popular question")
    new = ask(carol, "The newest question here")
    for user in (alice, carol):
        services.question_vote(user=user, question=popular)
    services.question_vote(user=bob, question=old)
    services.question_answer(executive=ceo, question=old, body="Answered **now**.")
    api = client_for(alice)
    by_votes = [q["id"] for q in api.get("/api/v1/questions/").json()["results"]]
    assert by_votes == [popular.pk, old.pk, new.pk]
    recent = [q["id"] for q in api.get("/api/v1/questions/?sort=recent").json()["results"]]
    assert recent == [new.pk, popular.pk, old.pk]
    answered = api.get("/api/v1/questions/?answered=true").json()["results"]
    assert [q["id"] for q in answered] == [old.pk]
    assert answered[0]["answer"]["answered_by"]["username"] == "ceo"
    assert "<strong>now</strong>" in answered[0]["answer"]["body_html"]
    assert answered[0]["days_open"] is None
    open_ = api.get("/api/v1/questions/?answered=false").json()["results"]
    assert [q["id"] for q in open_] == [popular.pk, new.pk]


def test_days_open_counts_whole_days(alice, alice_api):
    question = ask(alice)
    Question.objects.filter(pk=question.pk).update(created_at=timezone.now() - timedelta(days=3))
    assert alice_api.get(f"/api/v1/questions/{question.pk}/").json()["days_open"] == 3


def test_list_pages_by_keyset(alice, bob, carol):
    people = [alice, bob, carol]
    for i in range(7):
        ask(people[i % 3], f"Paged question number {i}")
    api = client_for(alice)
    first = api.get("/api/v1/questions/?page_size=5").json()
    assert len(first["results"]) == 5 and first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    ids = [q["id"] for q in first["results"] + second["results"]]
    assert len(set(ids)) == 7
    assert api.get("/api/v1/questions/?cursor=nonsense").status_code == 400


def test_list_costs_the_same_queries_at_5_and_30_items(alice, bob, ceo):
    askers = [UserFactory() for _ in range(7)]
    for i in range(35):
        question = ask(askers[i % 7], f"Question {i} for the list", anonymous=i % 2 == 0)
        services.question_vote(user=bob, question=question)
        if i % 3 == 0:
            services.question_answer(executive=ceo, question=question, body=f"Answer {i}")
    api = client_for(alice)
    api.get("/api/v1/questions/?page_size=5")
    counts = []
    for size in (5, 30):
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(f"/api/v1/questions/?page_size={size}")
        assert len(response.json()["results"]) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 8


# --- answers --------------------------------------------------------------------------------------


def test_only_executives_answer(alice, bob):
    question = ask(alice)
    response = client_for(bob).post(
        f"/api/v1/questions/{question.pk}/answer/", {"body": "I am not the CEO"}, format="json"
    )
    assert response.status_code == 403
    question.refresh_from_db()
    assert not question.is_answered


def test_answer_notifies_the_asker_and_every_voter(alice, bob, carol, ceo):
    question = ask(alice)
    services.question_vote(user=bob, question=question)
    services.question_vote(user=carol, question=question)
    response = client_for(ceo).post(
        f"/api/v1/questions/{question.pk}/answer/",
        {"body": "Yes, *remote Fridays* stay."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert "<em>remote Fridays</em>" in response.json()["answer"]["body_html"]
    notes = Notification.objects.about(question).filter(kind="answer")
    assert sorted(n.recipient.username for n in notes) == ["alice", "bob", "carol"]
    assert all(n.actor_id == ceo.pk for n in notes)
    alice_notes = client_for(alice).get("/api/v1/notifications/").json()["results"]
    assert alice_notes[0]["url"] == f"/ask/{question.pk}/"
    assert alice_notes[0]["question_id"] == question.pk
    assert alice_notes[0]["text"] == "Morgan Reyes answered your question"
    bob_notes = client_for(bob).get("/api/v1/notifications/").json()["results"]
    assert bob_notes[0]["text"] == "Morgan Reyes answered a question you voted for"


def test_answering_again_edits_the_answer_without_new_notifications(alice, ceo):
    question = ask(alice)
    services.question_answer(executive=ceo, question=question, body="First answer")
    answered_at = question.answered_at
    services.question_answer(executive=ceo, question=question, body="Better answer")
    question.refresh_from_db()
    assert question.answer_body == "Better answer"
    assert question.answered_at == answered_at
    assert Notification.objects.filter(kind="answer").count() == 1


def test_empty_answer_is_refused(alice, ceo):
    question = ask(alice)
    response = client_for(ceo).post(
        f"/api/v1/questions/{question.pk}/answer/", {"body": "   "}, format="json"
    )
    assert response.status_code == 400


def test_answer_broadcasts_question_answered_to_everyone(
    alice, ceo, django_capture_on_commit_callbacks, monkeypatch
):
    from core import realtime

    sent = []
    monkeypatch.setattr(realtime, "publish_many", sent.extend)
    question = ask(alice, anonymous=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.question_answer(executive=ceo, question=question, body="Answered")
    events = [m for m in sent if m["event"]["type"] == "question.answered"]
    assert len(events) == 1
    assert events[0]["audience"]["everyone"] is True
    payload = events[0]["event"]["question"]
    assert payload["id"] == question.pk and payload["asker"] is None
    assert "alice" not in json.dumps(sent).lower()


# --- moderation -----------------------------------------------------------------------------------


def test_only_moderators_moderate_questions(alice, bob):
    question = ask(alice)
    response = client_for(bob).post(
        f"/api/v1/questions/{question.pk}/moderation/",
        {"action": "hide", "reason": "Abusive"},
        format="json",
    )
    assert response.status_code == 403
    assert not ModerationAction.objects.exists()


def test_hidden_question_shows_tombstone_and_a_log_entry(alice, bob, moderator):
    question = ask(alice, "Why is the boss such a muppet?")
    response = client_for(moderator).post(
        f"/api/v1/questions/{question.pk}/moderation/",
        {"action": "hide", "reason": "Personal attack"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["question_id"] == question.pk
    api = client_for(bob)
    assert api.get("/api/v1/questions/").json()["results"] == []
    tomb = api.get(f"/api/v1/questions/{question.pk}/").json()
    assert tomb["is_removed"] is True and tomb["body"] == ""
    assert tomb["removal_reason"] == "Personal attack"
    assert api.put(f"/api/v1/questions/{question.pk}/vote/").status_code == 400
    log = api.get("/api/v1/moderation-log/").json()["results"]
    assert log[0]["action"] == "hide" and log[0]["question_id"] == question.pk
    assert log[0]["status_id"] is None
    restored = client_for(moderator).post(
        f"/api/v1/questions/{question.pk}/moderation/",
        {"action": "restore", "reason": "On reflection, fair"},
        format="json",
    )
    assert restored.status_code == 201
    assert len(api.get("/api/v1/questions/").json()["results"]) == 1


def test_moderation_needs_a_reason(alice, moderator):
    question = ask(alice)
    response = client_for(moderator).post(
        f"/api/v1/questions/{question.pk}/moderation/",
        {"action": "hide", "reason": ""},
        format="json",
    )
    assert response.status_code == 400


def test_merge_combines_votes_without_double_counting(alice, bob, carol, moderator):
    dave, erin = UserFactory(username="dave"), UserFactory(username="erin")
    original = ask(alice, "Will we get a pay review this year?")
    duplicate = ask(bob, "Is there a salary review in 2027?")
    services.question_vote(user=carol, question=original)
    services.question_vote(user=carol, question=duplicate)  # voted for both
    services.question_vote(user=dave, question=duplicate)
    services.question_vote(user=alice, question=duplicate)  # the original's asker
    services.question_vote(user=erin, question=original)
    response = client_for(moderator).post(
        f"/api/v1/questions/{duplicate.pk}/moderation/",
        {"action": "merge", "reason": "Same question", "into": original.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    original.refresh_from_db()
    duplicate.refresh_from_db()
    voters = set(
        QuestionVote.objects.filter(question=original).values_list("user__username", flat=True)
    )
    # carol once, erin, dave moved, bob (the duplicate's asker) joins; alice asked the original.
    assert voters == {"carol", "erin", "dave", "bob"}
    assert original.votes_count == 4
    assert duplicate.merged_into_id == original.pk
    api = client_for(carol)
    listed = [q["id"] for q in api.get("/api/v1/questions/").json()["results"]]
    assert listed == [original.pk]
    assert api.get(f"/api/v1/questions/{duplicate.pk}/").json()["merged_into"] == original.pk
    entry = ModerationAction.objects.get(action="merge")
    assert entry.target == duplicate  # the log names the duplicate (feeds.moderation)


def test_merge_refuses_a_later_target_itself_and_missing(alice, bob, moderator):
    first = ask(alice)
    second = ask(bob, "A later question, long enough")
    api = client_for(moderator)
    url = f"/api/v1/questions/{first.pk}/moderation/"
    for into in (second.pk, first.pk, 9999, None):
        body = {"action": "merge", "reason": "dup"}
        if into is not None:
            body["into"] = into
        assert api.post(url, body, format="json").status_code == 400, into
    assert not ModerationAction.objects.exists()


def test_status_moderation_refuses_merge(alice, moderator):
    from feeds.services import status_create

    status = status_create(author=alice, body="Hello")
    response = client_for(moderator).post(
        f"/api/v1/statuses/{status.pk}/moderation/",
        {"action": "merge", "reason": "no"},
        format="json",
    )
    assert response.status_code == 400


# --- anonymity ------------------------------------------------------------------------------------


def assert_no_alice(text: str) -> None:
    lowered = text.lower()
    assert "alice" not in lowered
    assert "archer" not in lowered


def test_anonymous_asker_appears_in_no_api_response(alice, bob, ceo, moderator):
    question = ask(alice, "Why are we moving offices again?", anonymous=True)
    duplicate = ask(alice, "Are we moving offices once more?", anonymous=True)
    services.question_vote(user=bob, question=question)
    services.question_answer(executive=ceo, question=question, body="Because we grow.")
    client_for(moderator).post(
        f"/api/v1/questions/{duplicate.pk}/moderation/",
        {"action": "merge", "reason": "Duplicate", "into": question.pk},
        format="json",
    )
    for user in (bob, ceo, moderator):
        api = client_for(user)
        for url in (
            "/api/v1/questions/",
            "/api/v1/questions/?sort=recent",
            f"/api/v1/questions/{question.pk}/",
            f"/api/v1/questions/{duplicate.pk}/",
            "/api/v1/moderation-log/",
            "/api/v1/notifications/",
        ):
            response = api.get(url)
            assert response.status_code == 200, url
            assert_no_alice(response.content.decode())
        detail = api.get(f"/api/v1/questions/{question.pk}/").json()
        assert detail["asker"] is None and detail["is_mine"] is False
    # The asker sees it is theirs, and still no name.
    mine = client_for(alice).get(f"/api/v1/questions/{question.pk}/").json()
    assert mine["is_mine"] is True and mine["asker"] is None
    note = client_for(alice).get("/api/v1/notifications/").json()["results"][0]
    assert note["actor"]["username"] == "ceo"


def test_vote_response_does_not_reveal_the_asker(alice, bob):
    question = ask(alice, anonymous=True)
    response = client_for(bob).put(f"/api/v1/questions/{question.pk}/vote/")
    assert_no_alice(response.content.decode())
