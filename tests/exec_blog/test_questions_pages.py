"""Pages of "Ask leadership": list, ask form, votes in place, answers, moderation, anonymity."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from exec_blog import services
from exec_blog.models import Question, QuestionVote
from feeds.models import ModerationAction
from notifications.models import Notification

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def login(client, user):
    client.force_login(user)
    return client


def ask(user, body="Will we keep remote Fridays next year?", anonymous=False) -> Question:
    return services.question_create(asker=user, body=body, anonymous=anonymous)


def test_anonymous_visitors_are_sent_to_log_in(client, alice):
    question = ask(alice)
    for method, url in (
        ("get", "/ask/"),
        ("post", "/ask/new/"),
        ("get", f"/ask/{question.pk}/"),
        ("post", f"/ask/{question.pk}/vote/"),
        ("post", f"/ask/{question.pk}/answer/"),
        ("get", f"/ask/{question.pk}/moderate/"),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_list_page_has_the_ask_form_tabs_and_cards(alice_client, alice, bob, ceo):
    answered = ask(bob, "What is the plan for the new office?")
    services.question_answer(executive=ceo, question=answered, body="We open in **May**.")
    ask(bob, "Another open question for leadership")
    response = alice_client.get("/ask/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="body"' in html and 'name="anonymous"' in html
    assert "Ask anonymously" in html and "never shown" in html
    assert "Most votes" in html and "Newest" in html and "Unanswered" in html
    assert "<strong>May</strong>" in html
    assert "Open 0 days" in html
    assert "Morgan Reyes" in html  # who answered
    assert 'href="/ask/"' in html  # the main nav
    only_open = alice_client.get("/ask/?answered=false").content.decode()
    assert "new office" not in only_open and "Another open question" in only_open


def test_asking_with_a_form_post_redirects_to_the_question(alice_client, alice):
    response = alice_client.post(
        "/ask/new/", {"body": "Can we have standing desks?", "anonymous": "on"}
    )
    question = Question.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ask/{question.pk}/"
    assert question.anonymous and question.asker_id == alice.pk


def test_a_too_short_question_shows_the_error(alice_client):
    response = alice_client.post("/ask/new/", {"body": "short"})
    assert response.status_code == 400
    assert b"at least 10 characters" in response.content
    assert not Question.objects.exists()


def test_the_rate_limit_is_shown_on_the_form(alice_client, alice):
    for i in range(5):
        ask(alice, f"Question number {i} to leadership")
    response = alice_client.post("/ask/new/", {"body": "One question too many"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert b"at most 5 questions an hour" in response.content


def test_vote_toggles_in_place_with_htmx_and_without_js(client, alice, bob):
    question = ask(alice)
    login(client, bob)
    response = client.post(f"/ask/{question.pk}/vote/", {"action": "add"}, **HTMX)
    assert response.status_code == 200
    assert b'aria-pressed="true"' in response.content
    assert b'id="vote-' in response.content
    assert QuestionVote.objects.filter(user=bob).count() == 1
    response = client.post(
        f"/ask/{question.pk}/vote/", {"action": "remove", "next": "/ask/?sort=recent"}
    )
    assert response.status_code == 302 and response["Location"] == "/ask/?sort=recent"
    assert not QuestionVote.objects.exists()


def test_own_question_has_no_vote_button_and_a_vote_is_refused(alice_client, alice):
    question = ask(alice)
    html = alice_client.get(f"/ask/{question.pk}/").content.decode()
    assert f'id="vote-button-{question.pk}"' not in html
    response = alice_client.post(f"/ask/{question.pk}/vote/", {"action": "add"}, **HTMX)
    assert response.status_code == 400
    assert not QuestionVote.objects.exists()


def test_answer_form_is_for_executives_only(client, alice, bob, ceo):
    question = ask(alice)
    login(client, bob)
    assert b"Publish the answer" not in client.get(f"/ask/{question.pk}/").content
    assert client.post(f"/ask/{question.pk}/answer/", {"body": "Hi"}).status_code == 403
    login(client, ceo)
    assert b"Publish the answer" in client.get(f"/ask/{question.pk}/").content
    response = client.post(f"/ask/{question.pk}/answer/", {"body": "Yes, we **will**."})
    assert response.status_code == 302
    question.refresh_from_db()
    assert "<strong>will</strong>" in question.answer_html
    assert Notification.objects.filter(recipient=alice, kind="answer").exists()


def test_notifications_page_links_to_the_question(client, alice, ceo):
    question = ask(alice)
    services.question_answer(executive=ceo, question=question, body="Answer")
    html = login(client, alice).get("/notifications/").content.decode()
    assert f'href="/ask/{question.pk}/"' in html
    assert "answered your question" in html


def test_moderator_hides_with_a_reason_and_the_log_links_the_question(client, alice, moderator):
    question = ask(alice, "Why is the boss such a muppet?")
    login(client, alice)
    assert client.get(f"/ask/{question.pk}/moderate/").status_code == 403
    login(client, moderator)
    assert b"Merge as a duplicate" in client.get(f"/ask/{question.pk}/").content
    form = client.get(f"/ask/{question.pk}/moderate/?action=hide")
    assert form.status_code == 200
    response = client.post(
        f"/ask/{question.pk}/moderate/", {"action": "hide", "reason": "Personal attack"}
    )
    assert response.status_code == 302
    assert ModerationAction.objects.get().target == question
    page = client.get(f"/ask/{question.pk}/").content.decode()
    assert "Personal attack" in page and "muppet" not in page
    assert "muppet" not in client.get("/ask/").content.decode()
    log = client.get("/moderation/log/").content.decode()
    assert f'href="/ask/{question.pk}/"' in log and "Personal attack" in log


def test_merge_from_the_page_and_the_duplicate_says_where_it_went(client, alice, bob, moderator):
    original = ask(alice, "Will we get a pay review this year?")
    duplicate = ask(bob, "Is there a salary review in 2027?")
    login(client, moderator)
    bad = client.post(
        f"/ask/{duplicate.pk}/moderate/", {"action": "merge", "reason": "dup", "into": 999}
    )
    assert bad.status_code == 400
    response = client.post(
        f"/ask/{duplicate.pk}/moderate/",
        {"action": "merge", "reason": "Same question", "into": original.pk},
    )
    assert response.status_code == 302
    page = client.get(f"/ask/{duplicate.pk}/").content.decode()
    assert f'merged into <a href="/ask/{original.pk}/">question #{original.pk}</a>' in page
    original.refresh_from_db()
    assert original.votes_count == 1  # bob, the duplicate's asker


# --- anonymity ------------------------------------------------------------------------------------


def assert_no_alice(html: str) -> None:
    lowered = html.lower()
    assert "alice" not in lowered, "the asker's username leaked"
    assert "archer" not in lowered, "the asker's display name leaked"


def test_anonymous_asker_appears_in_no_page(client, alice, bob, ceo, moderator, admin_user):
    question = ask(alice, "Why are we moving offices again?", anonymous=True)
    hidden = ask(alice, "Is leadership listening at all, really?", anonymous=True)
    duplicate = ask(alice, "Are we moving offices once more?", anonymous=True)
    services.question_vote(user=bob, question=question)
    services.question_answer(executive=ceo, question=question, body="Because we grow.")
    services.question_moderate(moderator=moderator, question=hidden, action="hide", reason="Tone")
    services.question_moderate(
        moderator=moderator, question=duplicate, action="merge", reason="Dup", into=question
    )
    pages = [
        "/ask/",
        "/ask/?sort=recent",
        "/ask/?answered=true",
        f"/ask/{question.pk}/",
        f"/ask/{hidden.pk}/",
        f"/ask/{duplicate.pk}/",
        "/moderation/log/",
        "/notifications/",
    ]
    for user in (bob, ceo, moderator):
        login(client, user)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_no_alice(response.content.decode())
        assert "Anonymous colleague" in client.get(f"/ask/{question.pk}/").content.decode()
    login(client, moderator)
    assert_no_alice(client.get(f"/ask/{question.pk}/moderate/").content.decode())
    # The admin: list, search, change page, and the moderation log's.
    login(client, admin_user)
    for url in (
        "/admin/exec_blog/question/",
        f"/admin/exec_blog/question/{question.pk}/change/",
        "/admin/feeds/moderationaction/",
        "/admin/feeds/notification/",
    ):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert_no_alice(response.content.decode())
    assert "offices" in client.get("/admin/exec_blog/question/").content.decode()
    # Searching by the asker finds nothing (the search box echoes the words, nothing more).
    assert "0 results" in client.get("/admin/exec_blog/question/?q=alice").content.decode()


def test_the_asker_sees_their_anonymous_question_marked_as_theirs(alice_client, alice):
    question = ask(alice, anonymous=True)
    html = alice_client.get(f"/ask/{question.pk}/").content.decode()
    assert "Anonymous colleague" in html and "you asked this" in html


def test_a_named_question_shows_its_asker(client, alice, bob):
    question = ask(alice, "A question with my name on it")
    html = login(client, bob).get(f"/ask/{question.pk}/").content.decode()
    assert "Alice Archer" in html


# --- the stream -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_question_answered_reaches_everyone_on_the_stream(engineering, sales):
    from tests.factories import UserFactory
    from tests.feeds.test_stream import connect, events_of

    make = database_sync_to_async(UserFactory)
    alice = await make(username="alice", finish__department=engineering)
    bob = await make(username="bob", finish__department=sales)
    ceo = await make(username="ceo", roles=["Executives"])
    question = await database_sync_to_async(ask)(alice, anonymous=True)
    sockets = {name: (await connect(user))[0] for name, user in (("alice", alice), ("bob", bob))}
    await database_sync_to_async(services.question_answer)(
        executive=ceo, question=question, body="Answered live"
    )
    for name, socket in sockets.items():
        got = await events_of(socket)
        answered = [e for e in got if e["type"] == "question.answered"]
        assert len(answered) == 1, name
        assert answered[0]["question"]["id"] == question.pk
        assert answered[0]["question"]["asker"] is None
        assert "alice" not in json.dumps(answered).lower()
        await socket.disconnect()
    assert isinstance(sockets["bob"], WebsocketCommunicator)
