"""Pages of "Ideas": list, filters, waiting for leadership, propose, edit, votes in place,
decisions, history, discussion on the card, moderation and notifications; and the live
`idea.updated` event reaching every socket."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from feeds import services as feed_services
from feeds.models import Comment
from ideas import services
from ideas.models import Idea, IdeaDecision, IdeaVote
from notifications.models import Notification
from tests.factories import UserFactory
from tests.feeds.test_stream import connect, events_of, people, types  # noqa: F401

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def login(client, user):
    client.force_login(user)
    return client


def propose(author, **kwargs) -> Idea:
    fields = {"title": "Quiet rooms on every floor", "description": "Focus time *matters*."}
    fields.update(kwargs)
    return services.idea_create(author=author, **fields)


# --- who may see what ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_everywhere(client, alice):
    idea = propose(alice)
    for method, url in [
        ("get", "/ideas/"),
        ("get", "/ideas/new/"),
        ("post", "/ideas/new/"),
        ("get", f"/ideas/{idea.pk}/"),
        ("get", f"/ideas/{idea.pk}/edit/"),
        ("post", f"/ideas/{idea.pk}/vote/"),
        ("post", f"/ideas/{idea.pk}/decision/"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith("/accounts/login/")
    assert not IdeaVote.objects.exists()


def test_nav_links_to_ideas(alice_client):
    page = alice_client.get("/ideas/").content.decode()
    assert 'href="/ideas/" aria-current="page"' in page


def test_empty_list_helps(alice_client):
    page = alice_client.get("/ideas/").content.decode()
    assert "No ideas yet." in page and 'href="/ideas/new/"' in page
    filtered = alice_client.get("/ideas/?state=done").content.decode()
    assert "No ideas match these filters." in filtered


def test_list_shows_ideas_with_state_votes_and_the_latest_reason(alice_client, bob, ceo):
    idea = propose(bob, tags=["office"])
    services.idea_decide(executive=ceo, idea=idea, state="accepted", reason="Floors *2 and 3*.")
    page = alice_client.get("/ideas/").content.decode()
    assert "Quiet rooms on every floor" in page
    assert "idea-state--accepted" in page
    assert "Floors 2 and 3." in page
    assert "?tag=office" in page
    assert "How decisions work" in page and "nothing: it is final" in page


def test_list_filters_and_sorts_from_the_query_string(alice_client, alice, engineering, sales):
    propose(alice, title="An engineering idea", department=engineering, tags=["tooling"])
    propose(alice, title="A sales idea here", department=sales, tags=["office"])
    page = alice_client.get("/ideas/?department=sales&sort=new").content.decode()
    assert "A sales idea here" in page and "An engineering idea" not in page
    page = alice_client.get("/ideas/?tag=tooling").content.decode()
    assert "An engineering idea" in page and "A sales idea here" not in page
    # Unknown values fall back to defaults instead of failing.
    assert alice_client.get("/ideas/?sort=zzz&state=zzz").status_code == 200
    assert alice_client.get("/ideas/?cursor=garbage").status_code == 400


def test_list_pages_with_a_cursor(alice_client, alice):
    for i in range(23):
        propose(alice, title=f"Idea with number {i:02}")
    first = alice_client.get("/ideas/?sort=new")
    next_link = first.context["next_cursor"]
    assert next_link and len(first.context["ideas"]) == 20
    second = alice_client.get("/ideas/", {"sort": "new", "cursor": next_link})
    assert len(second.context["ideas"]) == 3
    assert not {i.pk for i in first.context["ideas"]} & {i.pk for i in second.context["ideas"]}


def test_waiting_for_leadership_is_listed_prominently(alice_client, bob, settings):
    settings.IDEAS_REVIEW_VOTES = 2
    idea = propose(bob, title="Waiting for so long")
    past = timezone.now() - timedelta(days=35)
    Idea.objects.filter(pk=idea.pk).update(state_changed_at=past, created_at=past, votes_count=4)
    page = alice_client.get("/ideas/").content.decode()
    assert "Waiting for leadership" in page
    section = page.split("Waiting for leadership", 1)[1].split("</section>", 1)[0]
    assert "Waiting for so long" in section and "waiting 35 days" in section
    # Shown whatever the sort.
    assert alice_client.get("/ideas/?sort=new").context["waiting"]


def test_no_waiting_section_without_such_ideas(alice_client, bob):
    propose(bob)
    assert "Waiting for leadership" not in alice_client.get("/ideas/").content.decode()


# --- proposing and editing ----------------------------------------------------------------------


def test_propose_form_creates_the_idea(alice_client, alice, engineering):
    assert alice_client.get("/ideas/new/").status_code == 200
    response = alice_client.post(
        "/ideas/new/",
        {
            "title": "A shared team calendar",
            "description": "So we **see** holidays.",
            "tags": "planning, Calendar",
            "department": engineering.pk,
        },
    )
    idea = Idea.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ideas/{idea.pk}/"
    assert idea.author == alice and idea.department == engineering
    assert sorted(t.name for t in idea.tags.all()) == ["calendar", "planning"]


def test_propose_form_shows_errors_with_400(alice_client):
    response = alice_client.post("/ideas/new/", {"title": "short", "description": ""})
    assert response.status_code == 400
    assert not Idea.objects.exists()
    response = alice_client.post("/ideas/new/", {"title": "short one", "description": "Why"})
    assert response.status_code == 400
    assert "at least 10 characters" in response.content.decode()


def test_author_edits_while_open_others_get_403(client, alice, bob, ceo):
    idea = propose(alice)
    assert login(client, bob).get(f"/ideas/{idea.pk}/edit/").status_code == 403
    assert client.post(f"/ideas/{idea.pk}/edit/", {"title": "Hijacked!"}).status_code == 403
    login(client, alice)
    page = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert f'href="/ideas/{idea.pk}/edit/"' in page
    response = client.post(
        f"/ideas/{idea.pk}/edit/",
        {"title": "Quiet rooms on two floors", "description": "Shorter.", "tags": ""},
    )
    assert response.status_code == 302
    page = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert "Quiet rooms on two floors" in page and "Earlier versions (1)" in page
    services.idea_decide(executive=ceo, idea=idea, state="under_review", reason="Looking.")
    assert client.get(f"/ideas/{idea.pk}/edit/").status_code == 403
    assert f'href="/ideas/{idea.pk}/edit/"' not in client.get(f"/ideas/{idea.pk}/").content.decode()


def test_missing_idea_is_404(alice_client):
    assert alice_client.get("/ideas/999/").status_code == 404
    assert alice_client.post("/ideas/999/vote/").status_code == 404


# --- votes in place -----------------------------------------------------------------------------


def test_vote_in_place_with_htmx_and_back(alice_client, alice, bob):
    idea = propose(bob)
    response = alice_client.post(f"/ideas/{idea.pk}/vote/", {"action": "add"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-pressed="true"' in html and f'id="idea-vote-{idea.pk}"' in html
    assert IdeaVote.objects.filter(idea=idea, user=alice).exists()
    response = alice_client.post(f"/ideas/{idea.pk}/vote/", {"action": "remove"}, **HTMX)
    assert 'aria-pressed="false"' in response.content.decode()
    assert not IdeaVote.objects.exists()


def test_vote_without_javascript_redirects_back(alice_client, bob):
    idea = propose(bob)
    response = alice_client.post(
        f"/ideas/{idea.pk}/vote/", {"action": "add", "next": "/ideas/?sort=new"}
    )
    assert response.status_code == 302 and response["Location"] == "/ideas/?sort=new"
    response = alice_client.post(f"/ideas/{idea.pk}/vote/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/ideas/{idea.pk}/"


def test_own_idea_and_closed_voting_show_a_static_count(alice_client, alice, bob, ceo):
    mine = propose(alice)
    page = alice_client.get(f"/ideas/{mine.pk}/").content.decode()
    assert "You cannot vote for your own idea" in page
    response = alice_client.post(f"/ideas/{mine.pk}/vote/", {"action": "add"}, **HTMX)
    assert response.status_code == 400 and not IdeaVote.objects.exists()
    theirs = propose(bob, title="Another one of those")
    services.idea_decide(executive=ceo, idea=theirs, state="declined", reason="Not now.")
    page = alice_client.get(f"/ideas/{theirs.pk}/").content.decode()
    assert "Voting has closed" in page


# --- decisions ----------------------------------------------------------------------------------


def test_decision_form_is_for_executives_only(client, alice, bob, ceo, moderator):
    idea = propose(alice)
    for user in (alice, bob, moderator):
        login(client, user)
        assert 'id="idea-decision"' not in client.get(f"/ideas/{idea.pk}/").content.decode()
        response = client.post(
            f"/ideas/{idea.pk}/decision/", {"state": "accepted", "reason": "Yes."}
        )
        assert response.status_code == 403
    idea.refresh_from_db()
    assert idea.state == "open"
    login(client, ceo)
    page = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert 'id="idea-decision"' in page
    assert '<option value="done"' not in page  # not reachable from open


def test_executive_decides_with_a_reason_and_the_history_shows_it(client, alice, bob, ceo):
    idea = propose(alice)
    services.idea_vote(user=bob, idea=idea)
    login(client, ceo)
    response = client.post(
        f"/ideas/{idea.pk}/decision/",
        {"state": "under_review", "reason": "Costing it with *Facilities*."},
    )
    assert response.status_code == 302
    response = client.post(
        f"/ideas/{idea.pk}/decision/", {"state": "accepted", "reason": "Budget found."}
    )
    assert response.status_code == 302
    page = login(client, bob).get(f"/ideas/{idea.pk}/").content.decode()
    history = page.split('id="idea-history"', 1)[1].split("</section>", 1)[0]
    assert "Costing it with <em>Facilities</em>." in history and "Budget found." in history
    assert history.index("Costing it") < history.index("Budget found")
    assert "Morgan Reyes" in history and "idea-state--accepted" in history
    assert Notification.objects.filter(recipient=bob, kind="idea").count() == 2


def test_decision_without_a_reason_or_off_the_table_is_400(client, alice, ceo):
    idea = propose(alice)
    login(client, ceo)
    response = client.post(f"/ideas/{idea.pk}/decision/", {"state": "accepted", "reason": " "})
    assert response.status_code == 400
    response = client.post(f"/ideas/{idea.pk}/decision/", {"state": "done", "reason": "Done!"})
    assert response.status_code == 400
    assert not IdeaDecision.objects.exists()


def test_no_decision_form_once_done(client, alice, ceo):
    idea = propose(alice)
    services.idea_decide(executive=ceo, idea=idea, state="accepted", reason="Yes.")
    services.idea_decide(executive=ceo, idea=idea, state="done", reason="Shipped.")
    page = login(client, ceo).get(f"/ideas/{idea.pk}/").content.decode()
    assert 'id="idea-decision"' not in page


def test_notifications_page_links_to_the_idea(client, alice, ceo):
    idea = propose(alice)
    services.idea_decide(executive=ceo, idea=idea, state="accepted", reason="Yes.")
    page = login(client, alice).get("/notifications/").content.decode()
    assert f'href="/ideas/{idea.pk}/"' in page
    assert "changed the state of an idea" in page and "Quiet rooms on every floor" in page


# --- discussion and moderation ------------------------------------------------------------------


def test_discussion_uses_the_card_in_place(alice_client, alice, bob):
    idea = propose(bob)
    page = alice_client.get(f"/ideas/{idea.pk}/").content.decode()
    assert f'action="/statuses/{idea.card_id}/comments/"' in page
    assert f'id="reactions-{idea.card_id}"' in page
    response = alice_client.post(
        f"/statuses/{idea.card_id}/comments/", {"body": "Love it @bob"}, **HTMX
    )
    assert response.status_code == 200
    comment = Comment.objects.get()
    assert comment.status_id == idea.card_id
    assert Notification.objects.filter(recipient=bob, kind="comment").exists()
    assert "Love it" in alice_client.get(f"/ideas/{idea.pk}/").content.decode()


def test_hidden_idea_shows_a_tombstone_with_the_reason(client, alice, bob, moderator):
    idea = propose(alice)
    feed_services.comment_create(author=bob, status=idea.card, body="Nice one")
    page = login(client, moderator).get(f"/ideas/{idea.pk}/").content.decode()
    assert f'href="/statuses/{idea.card_id}/moderate/?action=hide"' in page
    feed_services.moderation_apply(
        moderator=moderator, action="hide", reason="Personal data.", status=idea.card
    )
    page = login(client, bob).get(f"/ideas/{idea.pk}/").content.decode()
    assert "Personal data." in page and "Quiet rooms on every floor" not in page
    assert "Nice one" not in page
    assert "Quiet rooms" not in login(client, bob).get("/ideas/").content.decode()
    log = client.get("/moderation/log/").content.decode()
    assert "Personal data." in log


def test_report_link_for_colleagues_not_the_author(client, alice, bob):
    idea = propose(alice)
    report = f'href="/statuses/{idea.card_id}/report/"'
    assert report in login(client, bob).get(f"/ideas/{idea.pk}/").content.decode()
    assert report not in login(client, alice).get(f"/ideas/{idea.pk}/").content.decode()


def test_the_card_in_the_feed_links_to_the_idea(client, alice, bob):
    from profiles.services import follow_create

    follow_create(follower=bob, followee=alice)
    idea = propose(alice)
    page = login(client, bob).get("/").content.decode()
    assert "Proposed an idea:" in page and f'href="/ideas/{idea.pk}/"' in page


def test_admin_lists_ideas_read_only(client, admin_user, alice, ceo):
    idea = propose(alice)
    services.idea_decide(executive=ceo, idea=idea, state="accepted", reason="Yes.")
    login(client, admin_user)
    assert client.get("/admin/ideas/idea/").status_code == 200
    page = client.get(f"/admin/ideas/idea/{idea.pk}/change/")
    assert page.status_code == 200 and "Yes." in page.content.decode()
    assert client.get("/admin/ideas/idea/add/").status_code == 403
    assert client.get("/admin/ideas/ideadecision/").status_code == 200
    assert login(client, alice).get("/admin/ideas/idea/").status_code == 302


# --- live ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_idea_updated_reaches_every_socket_and_notifications_reach_participants(
    people,  # noqa: F811
):
    from profiles.permissions import EXECUTIVES

    ceo = await database_sync_to_async(UserFactory)(username="ceo2", roles=[EXECUTIVES])
    idea = await database_sync_to_async(propose)(people["alice"])
    await database_sync_to_async(services.idea_vote)(user=people["bob"], idea=idea)
    sockets = {name: (await connect(user))[0] for name, user in people.items()}
    await database_sync_to_async(services.idea_decide)(
        executive=ceo, idea=idea, state="under_review", reason="Looking at it."
    )
    got = {name: await events_of(s) for name, s in sockets.items()}
    for name in people:
        updates = [e for e in got[name] if e["type"] == "idea.updated"]
        assert len(updates) == 1, name
        payload = updates[0]["idea"]
        assert payload["id"] == idea.pk and payload["state"] == "under_review"
        assert payload["decision"]["reason"] == "Looking at it."
        assert payload["has_voted"] is False  # one message serves every viewer
    # The author and the voter are notified, live; the others are not.
    assert "notification.created" in types(got["alice"])
    assert "notification.created" in types(got["bob"])
    assert "notification.created" not in types(got["carol"]) + types(got["dave"])
    note = next(e for e in got["bob"] if e["type"] == "notification.created")["notification"]
    assert note["kind"] == "idea" and note["url"] == f"/ideas/{idea.pk}/"
    for s in sockets.values():
        await s.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_refused_decision_sends_nothing(people):  # noqa: F811
    idea = await database_sync_to_async(propose)(people["alice"])
    sockets = {name: (await connect(user))[0] for name, user in people.items()}
    with pytest.raises(Exception):  # noqa: B017  (PermissionDenied, whatever the layer)
        await database_sync_to_async(services.idea_decide)(
            executive=people["bob"], idea=idea, state="accepted", reason="Me!"
        )
    got = {name: await events_of(s) for name, s in sockets.items()}
    assert all(events == [] for events in got.values())
    for s in sockets.values():
        await s.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_proposing_reaches_followers_as_a_status(people):  # noqa: F811
    # carol follows bob (see the `people` fixture).
    sockets = {name: (await connect(user))[0] for name, user in people.items()}
    idea = await database_sync_to_async(propose)(people["bob"])
    got = {name: await events_of(s) for name, s in sockets.items()}
    assert types(got["carol"]) == ["status.created"]
    assert got["carol"][0]["status"]["id"] == idea.card_id
    assert got["alice"] == [] and got["dave"] == []
    for s in sockets.values():
        await s.disconnect()


def test_list_page_query_count_is_constant(alice_client, alice, bob, ceo, engineering, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.IDEAS_REVIEW_VOTES = 1

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert alice_client.get("/ideas/").status_code == 200
        return len(ctx.captured_queries)

    def add(i: int) -> None:
        idea = propose(bob, title=f"Idea number {i} here", tags=["a", "b"], department=engineering)
        services.idea_vote(user=alice, idea=idea)
        services.idea_decide(executive=ceo, idea=idea, state="under_review", reason="Looking.")
        past = timezone.now() - timedelta(days=40)
        Idea.objects.filter(pk=idea.pk).update(state_changed_at=past)

    add(0)
    count()  # the first request of the day also records a visit
    few = count()
    for i in range(1, 6):
        add(i)
    assert count() == few
