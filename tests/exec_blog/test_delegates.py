"""Delegates who write for an executive: exactly what they may do (a table over actions and
actors), how their work is labelled everywhere, who hears of it, what the audit log keeps, and
naming and removing them."""

import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from app_accounts.services import app_account_create
from audit.actions import DELEGATE_ACTED, DELEGATE_ADDED, DELEGATE_REMOVED
from audit.models import AuditEntry
from core import realtime
from exec_blog import delegates, services
from exec_blog import jobs as blog_jobs
from exec_blog.models import BlogPost, Delegation, Question
from feeds import services as feed_services
from feeds.models import Status
from notifications.models import Notification
from profiles.permissions import EXECUTIVES
from reach.kinds import setting_kind
from tests.factories import UserFactory
from tests.feeds.test_stream import connect, events_of

pytestmark = pytest.mark.django_db

LABEL = "posted by Jordan Avery on behalf of Morgan Reyes"
BYLINE = "Posted by Jordan Avery on behalf of Morgan Reyes"  # at the start of a line
BODY = "## Plans\n\nWhat we will do next quarter, in plain words."


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def comms(db):
    return UserFactory(
        username="comms", finish__display_name="Jordan Avery", finish__title="Communications"
    )


@pytest.fixture
def delegation(ceo, comms):
    return delegates.delegate_add(executive=ceo, delegate=comms)[0]


@pytest.fixture
def former(ceo):
    """A delegate the CEO has removed."""
    person = UserFactory(username="former", finish__display_name="Fran Former")
    delegates.delegate_add(executive=ceo, delegate=person)
    delegates.delegate_remove(executive=ceo, delegate=person)
    return person


@pytest.fixture
def cfo(db):
    return UserFactory(username="cfo", finish__display_name="Casey Cfo", roles=[EXECUTIVES])


@pytest.fixture
def actors(ceo, comms, delegation, former, bob):
    return {"delegate": comms, "removed": former, "employee": bob, "executive": ceo}


def state() -> dict:
    """Everything an action could change."""
    return {
        "posts": sorted(
            BlogPost.objects.values_list(
                "slug", "title", "body", "status", "publish_at", "posted_by_id", "author_id"
            )
        ),
        "answers": sorted(
            Question.objects.values_list(
                "pk", "answer_body", "answered_by_id", "answer_posted_by_id"
            )
        ),
        "statuses": sorted(Status.objects.values_list("pk", "body", "removal", "author_id")),
        "audit": AuditEntry.objects.exclude(action__startswith="login.").count(),
        "notifications": Notification.objects.count(),
        "delegations": sorted(Delegation.objects.values_list("executive_id", "delegate_id")),
    }


# --- the table: what each actor may do for the CEO ---------------------------------------------


def world(ceo, alice):
    """The objects the actions act on, fresh for each cell."""
    draft = services.post_create(author=ceo, title="A draft", body=BODY)
    published = services.post_create(author=ceo, title="Out already", body=BODY, status="published")
    open_question = services.question_create(asker=alice, body="When is the next all-hands?")
    answered = services.question_create(asker=alice, body="Will we hire in Lisbon this year?")
    services.question_answer(executive=ceo, question=answered, body="Yes, five people.")
    status = feed_services.status_create(author=ceo, body="Good morning, everyone.")
    return {
        "draft": draft,
        "published": published,
        "open": open_question,
        "answered": answered,
        "status": status,
    }


def _future() -> str:
    return (timezone.now() + timedelta(days=2)).isoformat()


# action → (method, url builder, body); the answer each actor gets, and for the allowed ones what
# the audit log says the delegate did.
ACTIONS = {
    "create draft": (
        "post",
        lambda w: "/api/v1/blog/posts/",
        lambda: {"title": "By comms", "body": BODY, "author": "ceo"},
        "drafted",
    ),
    "edit draft": (
        "patch",
        lambda w: f"/api/v1/blog/posts/{w['draft'].slug}/",
        lambda: {"title": "A better title"},
        "edited",
    ),
    "schedule": (
        "patch",
        lambda w: f"/api/v1/blog/posts/{w['draft'].slug}/",
        lambda: {"status": "published", "publish_at": _future()},
        "scheduled",
    ),
    "publish": (
        "patch",
        lambda w: f"/api/v1/blog/posts/{w['draft'].slug}/",
        lambda: {"status": "published"},
        "published",
    ),
    "edit published": (
        "patch",
        lambda w: f"/api/v1/blog/posts/{w['published'].slug}/",
        lambda: {"body": BODY + "\n\nOne more thing."},
        "edited",
    ),
    "answer": (
        "post",
        lambda w: f"/api/v1/questions/{w['open'].pk}/answer/",
        lambda: {"body": "In March, in every office.", "author": "ceo"},
        "answered",
    ),
    "edit answer": (
        "post",
        lambda w: f"/api/v1/questions/{w['answered'].pk}/answer/",
        lambda: {"body": "Yes: six people now.", "author": "ceo"},
        "edited_answer",
    ),
    "moderate": (
        "post",
        lambda w: f"/api/v1/questions/{w['open'].pk}/moderation/",
        lambda: {"action": "hide", "reason": "Off topic"},
        None,
    ),
    "delete the executive's status": (
        "delete",
        lambda w: f"/api/v1/statuses/{w['status'].pk}/",
        lambda: None,
        None,
    ),
    "delete the executive's post": (
        "delete",
        lambda w: f"/api/v1/blog/posts/{w['published'].slug}/",
        lambda: None,
        None,
    ),
    "post a status as the executive": (
        "post",
        lambda w: "/api/v1/statuses/",
        lambda: {"body": "Speaking for the CEO", "author": "ceo"},
        None,
    ),
    "write for a non-delegating executive": (
        "post",
        lambda w: "/api/v1/blog/posts/",
        lambda: {"title": "For the CFO", "body": BODY, "author": "cfo"},
        None,
    ),
    "answer for a non-delegating executive": (
        "post",
        lambda w: f"/api/v1/questions/{w['open'].pk}/answer/",
        lambda: {"body": "The CFO says no.", "author": "cfo"},
        None,
    ),
}

ACTORS = ("delegate", "removed", "employee", "executive")
OK = {"delegate": 2, "executive": 2}  # the first digit of the answer: 2xx
DRAFT_HIDDEN = {"removed": 404, "employee": 404}  # a draft is not theirs to see
WRITE_REFUSED = {"removed": 403, "employee": 403}
# action → actor → the expected status (or the first digit, 2, for "allowed").
EXPECTED = {
    "create draft": {**OK, **WRITE_REFUSED},
    "edit draft": {**OK, **DRAFT_HIDDEN},
    "schedule": {**OK, **DRAFT_HIDDEN},
    "publish": {**OK, **DRAFT_HIDDEN},
    "edit published": {**OK, **WRITE_REFUSED},
    "answer": {**OK, **WRITE_REFUSED},
    "edit answer": {**OK, **WRITE_REFUSED},
    "moderate": dict.fromkeys(ACTORS, 403),
    # Her own status: hers to delete (a tombstone), nobody else's.
    "delete the executive's status": {
        "delegate": 403,
        "removed": 403,
        "employee": 403,
        "executive": 2,
    },
    "delete the executive's post": dict.fromkeys(ACTORS, 405),
    "post a status as the executive": dict.fromkeys(ACTORS, 400),
    "write for a non-delegating executive": dict.fromkeys(ACTORS, 403),
    "answer for a non-delegating executive": dict.fromkeys(ACTORS, 403),
}


def test_the_table_names_every_action_and_actor():
    assert set(EXPECTED) == set(ACTIONS)
    for action, row in EXPECTED.items():
        assert set(row) == set(ACTORS), action


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_delegates_do_exactly_what_is_listed(action, actor, actors, ceo, cfo, alice):
    expected = EXPECTED[action][actor]
    w = world(ceo, alice)
    method, url, body, what = ACTIONS[action]
    before = state()
    person = actors[actor]
    payload = body()
    if actor == "executive" and what and payload.get("author") == "ceo":
        payload = {k: v for k, v in payload.items() if k != "author"}  # speaks for herself
    client = client_for(person)
    call = getattr(client, method)
    response = call(url(w), payload, format="json") if payload is not None else call(url(w))
    assert response.status_code != 500
    if expected == 2:
        assert 200 <= response.status_code < 300, response.content
    else:
        assert response.status_code == expected, response.content
        assert "detail" in response.json() or response.status_code == 400
        assert state() == before, "a refused action changed something"
        return
    # Allowed: the executive is the author; the delegate is named, audited and reported.
    data = response.json()
    acted = actor == "delegate"
    if what is None:  # the executive's own status, not delegate business
        assert not AuditEntry.objects.filter(action=DELEGATE_ACTED).exists()
        return
    if "slug" in data:
        assert data["author"]["username"] == "ceo"
        assert data["posted_by"] == ("comms" if acted else None)
        target = BlogPost.objects.get(slug=data["slug"])
    else:
        assert data["answer"]["answered_by"]["username"] == "ceo"
        assert data["answer"]["posted_by"] == ("comms" if acted else None)
        target = Question.objects.get(pk=data["id"])
    entries = AuditEntry.objects.filter(action=DELEGATE_ACTED)
    notes = Notification.objects.filter(recipient=ceo, kind__startswith="delegate_")
    if not acted:
        assert not entries.exists() and not notes.exists()
        return
    (entry,) = entries
    assert (entry.actor, entry.on_behalf_of, entry.detail) == (person, ceo, {"what": what})
    assert entry.target_type == target._meta.label_lower and entry.target_id == str(target.pk)
    (note,) = notes
    assert note.actor == person and note.target == target
    assert note.kind == delegates.ACTION_KINDS[what]


def test_an_executive_who_loses_the_role_takes_the_delegates_power_with_them(
    ceo, comms, delegation, alice
):
    ceo.groups.remove(Group.objects.get(name=EXECUTIVES))
    question = services.question_create(asker=alice, body="Is the office open on Fridays?")
    before = state()
    response = client_for(comms).post(
        f"/api/v1/questions/{question.pk}/answer/",
        {"body": "Yes.", "author": "ceo"},
        format="json",
    )
    assert response.status_code == 403
    response = client_for(comms).post(
        "/api/v1/blog/posts/", {"title": "T", "body": BODY, "author": "ceo"}, format="json"
    )
    assert response.status_code == 403
    assert state() == before


def test_removal_ends_access_at_once_even_to_a_draft_already_open(ceo, comms, delegation):
    post = services.post_create(author=ceo, title="Work in progress", body=BODY, actor=comms)
    client = client_for(comms)
    assert client.get(f"/api/v1/blog/posts/{post.slug}/").status_code == 200
    assert client.get(f"/blog/{post.slug}/edit/").status_code == 200
    delegates.delegate_remove(executive=ceo, delegate=comms)
    # The same logged-in session, no new login: the next request is refused.
    assert client.get(f"/api/v1/blog/posts/{post.slug}/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/blog/posts/{post.slug}/", {"title": "Sneaky"}, format="json"
        ).status_code
        == 404
    )
    assert client.get(f"/blog/{post.slug}/edit/").status_code == 404
    assert client.get("/api/v1/blog/posts/?mine=true").json()["results"] == []
    post.refresh_from_db()
    assert post.title == "Work in progress"


def test_a_delegate_reads_none_of_the_executives_notifications(ceo, comms, delegation, alice):
    feed_services.status_create(author=alice, body="Hello @ceo, a question for you")
    assert Notification.objects.filter(recipient=ceo).exists()
    listed = client_for(comms).get("/api/v1/notifications/").json()["results"]
    assert listed == []


def test_a_delegate_sees_the_executives_drafts_and_others_do_not(ceo, comms, delegation, bob):
    post = services.post_create(author=ceo, title="Draft", body=BODY)
    mine = client_for(comms).get("/api/v1/blog/posts/?mine=true").json()["results"]
    assert [p["slug"] for p in mine] == [post.slug]
    assert client_for(bob).get("/api/v1/blog/posts/?mine=true").json()["results"] == []
    assert client_for(bob).get(f"/api/v1/blog/posts/{post.slug}/").status_code == 404


# --- the executive's own edits, and scheduled publication -------------------------------------


def test_the_executive_publishing_a_delegates_draft_posts_it_herself(ceo, comms, delegation):
    post = services.post_create(author=ceo, title="Drafted by comms", body=BODY, actor=comms)
    assert post.posted_by == comms
    services.post_update(actor=ceo, post=post, status="published")
    post.refresh_from_db()
    assert post.posted_by is None
    assert LABEL not in Status.objects.get(pk=post.card_id).body


def test_the_executive_editing_a_delegates_published_post_keeps_the_byline(ceo, comms, delegation):
    post = services.post_create(
        author=ceo, title="Published by comms", body=BODY, status="published", actor=comms
    )
    services.post_update(actor=ceo, post=post, body=BODY + "\n\nA typo fixed.")
    post.refresh_from_db()
    assert post.posted_by == comms
    assert BYLINE in Status.objects.get(pk=post.card_id).body


def test_a_post_scheduled_by_a_delegate_is_released_by_the_job_as_theirs(
    ceo, comms, delegation, alice, monkeypatch, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(comms).post(
            "/api/v1/blog/posts/",
            {
                "title": "Kickoff",
                "body": BODY,
                "status": "published",
                "publish_at": (start + timedelta(hours=3)).isoformat(),
                "author": "ceo",
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    post = BlogPost.objects.get(slug=response.json()["slug"])
    assert post.is_scheduled
    assert AuditEntry.objects.get(action=DELEGATE_ACTED).detail == {"what": "scheduled"}
    sent = []
    monkeypatch.setattr(realtime, "publish_many", sent.extend)
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(hours=3, seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert blog_jobs.posts_release() == 1
    post.refresh_from_db()
    assert post.posted_by == comms and post.announced_at is not None
    (event,) = [m["event"] for m in sent if m["event"]["type"] == "blog.published"]
    assert event["post"]["posted_by"] == "comms"
    assert event["post"]["author"]["username"] == "ceo"
    note = Notification.objects.get(kind="blog", recipient=alice)
    listed = client_for(alice).get("/api/v1/notifications/").json()["results"]
    (item,) = [n for n in listed if n["id"] == note.pk]
    assert f"({LABEL})" in item["text"]
    # The delegate who posted it is not told about it as news.
    assert not Notification.objects.filter(kind="blog", recipient=comms).exists()


# --- labels everywhere -------------------------------------------------------------------------


def test_a_delegates_post_is_labelled_on_every_page_and_in_the_api(
    ceo, comms, delegation, alice, client
):
    post = services.post_create(
        author=ceo, title="Hybrid work", body=BODY, status="published", actor=comms
    )
    client.force_login(alice)
    for url in (f"/blog/{post.slug}/", "/blog/", "/"):
        page = client.get(url).content.decode()
        assert BYLINE in page, url
    api = client_for(alice)
    detail = api.get(f"/api/v1/blog/posts/{post.slug}/").json()
    assert detail["author"]["username"] == "ceo" and detail["posted_by"] == "comms"
    listed = api.get("/api/v1/blog/posts/").json()["results"]
    assert listed[0]["posted_by"] == "comms"
    # The feed card, in the feed API and as the status API shows it.
    feed = api.get("/api/v1/feed/").json()["results"]
    (card,) = [s for s in feed if s["id"] == post.card_id]
    assert card["author"]["username"] == "ceo"
    assert BYLINE in card["body_html"]
    assert BYLINE in api.get(f"/api/v1/statuses/{post.card_id}/").json()["body_html"]
    # The executive's own post carries no label.
    own = services.post_create(author=ceo, title="Mine", body=BODY, status="published")
    assert api.get(f"/api/v1/blog/posts/{own.slug}/").json()["posted_by"] is None
    assert "on behalf of" not in client.get(f"/blog/{own.slug}/").content.decode()


def test_a_delegates_answer_is_labelled_on_its_page_in_the_api_and_live(
    ceo, comms, delegation, alice, bob, client, monkeypatch, django_capture_on_commit_callbacks
):
    question = services.question_create(asker=alice, body="When do we move offices?")
    services.question_vote(user=bob, question=question)
    sent = []
    monkeypatch.setattr(realtime, "publish_many", sent.extend)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(comms).post(
            f"/api/v1/questions/{question.pk}/answer/",
            {"body": "In **June**.", "author": "ceo"},
            format="json",
        )
    assert response.status_code == 200, response.content
    answer = response.json()["answer"]
    assert answer["answered_by"]["username"] == "ceo" and answer["posted_by"] == "comms"
    (event,) = [m["event"] for m in sent if m["event"]["type"] == "question.answered"]
    assert event["question"]["answer"]["posted_by"] == "comms"
    client.force_login(bob)
    for url in (f"/ask/{question.pk}/", "/ask/?answered=true"):
        assert BYLINE in client.get(url).content.decode(), url
    listed = client_for(bob).get("/api/v1/notifications/").json()["results"]
    (voter_note,) = [n for n in listed if n["question_id"] == question.pk]
    assert voter_note["text"].startswith("Morgan Reyes answered a question you voted for")
    assert f"({LABEL})" in voter_note["text"]
    asker_note = client_for(alice).get("/api/v1/notifications/").json()["results"][0]
    assert asker_note["text"] == f"Morgan Reyes answered your question ({LABEL})"


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_blog_published_on_the_socket_names_the_delegate(engineering):
    ceo = await database_sync_to_async(UserFactory)(
        username="ceo", finish__display_name="Morgan Reyes", roles=[EXECUTIVES]
    )
    comms = await database_sync_to_async(UserFactory)(
        username="comms", finish__display_name="Jordan Avery"
    )
    alice = await database_sync_to_async(UserFactory)(
        username="alice", finish__department=engineering
    )
    await database_sync_to_async(delegates.delegate_add)(executive=ceo, delegate=comms)
    socket = (await connect(alice))[0]
    await database_sync_to_async(services.post_create)(
        author=ceo, title="Live", body=BODY, status="published", actor=comms
    )
    events = await events_of(socket)
    (event,) = [e for e in events if e["type"] == "blog.published"]
    assert event["post"]["author"]["username"] == "ceo"
    assert event["post"]["posted_by"] == "comms"
    # The post's feed card, which the event names, carries the byline in its text.
    card = await database_sync_to_async(Status.objects.get)(pk=event["post"]["status_id"])
    assert BYLINE in card.body_html
    await socket.disconnect()


# --- the executive hears of everything ---------------------------------------------------------


def test_the_executive_is_notified_of_every_delegate_action(ceo, comms, delegation, alice):
    post = services.post_create(author=ceo, title="Steps", body=BODY, actor=comms)
    services.post_update(actor=comms, post=post, title="Steps, edited")
    services.post_update(actor=comms, post=post, status="published")
    question = services.question_create(asker=alice, body="What about parking spaces?")
    services.question_answer(executive=ceo, question=question, body="More.", actor=comms)
    services.question_answer(executive=ceo, question=question, body="Many more.", actor=comms)
    listed = client_for(ceo).get("/api/v1/notifications/").json()["results"]
    texts = sorted(n["text"] for n in listed if "on your behalf" in n["text"])
    assert texts == sorted(
        [
            "Jordan Avery drafted a blog post on your behalf",
            "Jordan Avery edited your blog post on your behalf",
            "Jordan Avery published a blog post on your behalf",
            "Jordan Avery answered a question on your behalf",
            "Jordan Avery edited your answer to a question on your behalf",
        ]
    )
    whats = list(
        AuditEntry.objects.filter(action=DELEGATE_ACTED)
        .order_by("id")
        .values_list("detail__what", flat=True)
    )
    assert whats == ["drafted", "edited", "published", "answered", "edited_answer"]
    # reach files them under one setting the executive chooses for.
    kinds = set(Notification.objects.filter(recipient=ceo).values_list("kind", flat=True))
    assert {setting_kind(kind) for kind in kinds if kind.startswith("delegate_")} == {"delegate"}


def test_the_executive_can_turn_delegate_emails_off_like_any_other_kind(ceo):
    response = client_for(ceo).get("/api/v1/me/notification-settings/")
    assert response.json()["email"]["delegate"] == "immediate"
    response = client_for(ceo).put(
        "/api/v1/me/notification-settings/",
        {**response.json(), "email": {**response.json()["email"], "delegate": "off"}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["email"]["delegate"] == "off"


# --- naming and removing delegates -------------------------------------------------------------


def test_an_executive_names_lists_and_removes_a_delegate(ceo, comms):
    client = client_for(ceo)
    response = client.put("/api/v1/me/delegates/comms/")
    assert response.status_code == 201, response.content
    assert response.json()["delegate"]["username"] == "comms"
    assert client.put("/api/v1/me/delegates/comms/").status_code == 200  # idempotent
    listed = client.get("/api/v1/me/delegates/").json()
    assert [d["delegate"]["username"] for d in listed["results"]] == ["comms"]
    assert listed["next"] is None
    assert client.delete("/api/v1/me/delegates/comms/").status_code == 204
    assert client.delete("/api/v1/me/delegates/comms/").status_code == 204
    assert client.get("/api/v1/me/delegates/").json()["results"] == []
    entries = AuditEntry.objects.exclude(action__startswith="login.").order_by("id")
    assert [(e.action, e.actor, e.target_id) for e in entries] == [
        (DELEGATE_ADDED, ceo, str(comms.pk)),
        (DELEGATE_REMOVED, ceo, str(comms.pk)),
    ]


@pytest.fixture
def inactive(db):
    return UserFactory(username="gone", is_active=False)


@pytest.fixture
def app(admin_user):
    return app_account_create(actor=admin_user, name="Build bot", username="buildbot").user


@pytest.mark.parametrize(
    ("who", "username", "code", "says"),
    [
        ("ceo", "nobody", 404, "Nobody is called"),
        ("ceo", "gone", 400, "not an active employee"),
        ("ceo", "buildbot", 400, "app account"),
        ("ceo", "ceo", 400, "your own delegate"),
        ("alice", "comms", 403, "Only executives"),
    ],
)
def test_bad_delegations_are_refused_with_the_reason_and_change_nothing(
    who, username, code, says, ceo, alice, comms, inactive, app
):
    before = state()
    person = {"ceo": ceo, "alice": alice}[who]
    response = client_for(person).put(f"/api/v1/me/delegates/{username}/")
    assert response.status_code == code, response.content
    assert says in json.dumps(response.json())
    assert state() == before


def test_anonymous_gets_401_on_the_delegates_api(api, ceo, comms, delegation):
    before = state()
    assert api.get("/api/v1/me/delegates/").status_code == 401
    assert api.put("/api/v1/me/delegates/comms/").status_code == 401
    assert api.delete("/api/v1/me/delegates/comms/").status_code == 401
    assert state() == before


def test_another_executive_cannot_remove_someone_elses_delegate(ceo, comms, delegation, cfo):
    before = state()
    # The CFO's DELETE removes the CFO's own delegation (there is none): the CEO's stays.
    assert client_for(cfo).delete("/api/v1/me/delegates/comms/").status_code == 204
    assert state() == before
    assert client_for(cfo).get("/api/v1/me/delegates/").json()["results"] == []


def test_a_delegation_put_takes_no_fields(ceo, comms):
    response = client_for(ceo).put(
        "/api/v1/me/delegates/comms/", {"executive": "cfo"}, format="json"
    )
    assert response.status_code == 400
    assert "cannot be set" in json.dumps(response.json())
    assert not Delegation.objects.exists()


# --- pages -------------------------------------------------------------------------------------


def test_the_executive_manages_delegates_on_her_profile_page(ceo, comms, client):
    client.force_login(ceo)
    page = client.get("/people/ceo/").content.decode()
    assert "Add a delegate" in page and "Nobody writes for you" in page
    response = client.post("/blog/delegates/", {"username": "comms"})
    assert response.status_code == 302 and response["Location"] == "/people/ceo/"
    assert Delegation.objects.filter(executive=ceo, delegate=comms).exists()
    page = client.get("/people/ceo/").content.decode()
    assert "Jordan Avery" in page and "/blog/delegates/comms/remove/" in page
    response = client.post("/blog/delegates/", {"username": "ceo"}, follow=True)
    assert "You cannot be your own delegate." in response.content.decode()
    response = client.post("/blog/delegates/comms/remove/")
    assert response.status_code == 302
    assert not Delegation.objects.exists()
    assert AuditEntry.objects.filter(action=DELEGATE_REMOVED).count() == 1


def test_everyone_sees_who_writes_for_an_executive_but_only_she_manages(
    ceo, comms, delegation, alice, client
):
    client.force_login(alice)
    page = client.get("/people/ceo/").content.decode()
    assert "Jordan Avery" in page and "Add a delegate" not in page
    assert "/remove/" not in page
    assert "Writes on behalf of" in client.get("/people/comms/").content.decode()
    before = state()
    assert client.post("/blog/delegates/", {"username": "alice"}).status_code == 403
    assert client.post("/blog/delegates/comms/remove/").status_code == 403
    assert state() == before


def test_anonymous_is_sent_to_log_in_by_the_delegate_pages(client, ceo, comms, delegation):
    before = state()
    for url in ("/blog/delegates/", "/blog/delegates/comms/remove/"):
        response = client.post(url, {"username": "comms"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert state() == before


def test_a_delegate_writes_and_answers_for_the_executive_in_the_pages(
    ceo, comms, delegation, alice, bob, client
):
    client.force_login(comms)
    form = client.get("/blog/new/").content.decode()
    assert "Write as" in form and "Morgan Reyes" in form
    response = client.post(
        "/blog/new/",
        {"author": "ceo", "title": "From the pages", "body": BODY, "status": "published"},
    )
    assert response.status_code == 302, response.content
    post = BlogPost.objects.get(title="From the pages")
    assert (post.author, post.posted_by) == (ceo, comms)
    editor = client.get(f"/blog/{post.slug}/edit/").content.decode()
    assert "on their behalf" in editor
    question = services.question_create(asker=alice, body="What is the plan for Q2?")
    page = client.get(f"/ask/{question.pk}/").content.decode()
    assert "Answer as" in page
    response = client.post(
        f"/ask/{question.pk}/answer/", {"author": "ceo", "body": "Growth, carefully."}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.answered_by, question.answer_posted_by) == (ceo, comms)
    # A colleague who writes for nobody gets neither form.
    client.force_login(bob)
    assert client.get("/blog/new/").status_code == 403
    assert "Answer as" not in client.get(f"/ask/{question.pk}/").content.decode()
    before = state()
    response = client.post(f"/ask/{question.pk}/answer/", {"author": "ceo", "body": "Hijack"})
    assert response.status_code == 403
    assert state() == before


def test_a_delegate_cannot_pick_an_executive_they_do_not_write_for_in_the_form(
    ceo, comms, delegation, cfo, client
):
    client.force_login(comms)
    before = state()
    response = client.post("/blog/new/", {"author": "cfo", "title": "CFO", "body": BODY})
    assert response.status_code == 400
    assert state() == before


def test_a_delegates_draft_says_who_can_see_it(ceo, comms, delegation, client):
    post = services.post_create(author=ceo, title="Private", body=BODY, actor=comms)
    client.force_login(comms)
    page = client.get(f"/blog/{post.slug}/").content.decode()
    assert "only its author and their delegates can see it" in page
    assert BYLINE in page
    listing = client.get("/blog/").content.decode()
    assert "for Morgan Reyes" in listing


def test_the_personal_export_lists_what_a_delegate_posted_and_the_delegations(
    ceo, comms, delegation
):
    services.post_create(author=ceo, title="For Morgan", body=BODY, actor=comms)
    data = client_for(comms).get("/api/v1/me/export/").json()
    assert [(p["kind"], p["author__username"]) for p in data["posted_as_delegate"]] == [
        ("blog_post", "ceo")
    ]
    assert [d["executive__username"] for d in data["delegations"]] == ["ceo"]
    mine = client_for(ceo).get("/api/v1/me/export/").json()
    assert mine["blog_posts"][0]["posted_by__username"] == "comms"
