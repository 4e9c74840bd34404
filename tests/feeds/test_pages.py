import pytest

from feeds import services
from feeds.models import Comment, ModerationAction, Reaction, Status
from notifications.models import Notification
from profiles.services import follow_create

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def post(user, body="Hello", visibility="company") -> Status:
    return services.status_create(author=user, body=body, visibility=visibility)


def login(client, user):
    client.force_login(user)
    return client


# --- home and posting -------------------------------------------------------------------------


def test_home_shows_the_feed_and_the_composer(alice_client, alice, bob):
    follow_create(follower=alice, followee=bob)
    post(bob, "Closed the **Acme** deal")
    response = alice_client.get("/")
    assert response.status_code == 200
    assert b"<strong>Acme</strong>" in response.content
    assert b'name="body"' in response.content


def test_posting_without_javascript_redirects_home(alice_client, alice):
    response = alice_client.post("/statuses/", {"body": "Plain form post", "visibility": "company"})
    assert response.status_code == 302
    assert Status.objects.get().body == "Plain form post"


def test_posting_with_htmx_returns_the_new_status_and_a_fresh_composer(alice_client, alice):
    response = alice_client.post(
        "/statuses/", {"body": "In place #fast", "visibility": "company"}, **HTMX
    )
    assert response.status_code == 200
    assert b"In place" in response.content
    assert b"hx-swap-oob" in response.content
    assert Status.objects.count() == 1


@pytest.mark.parametrize("extra", [{}, HTMX])
def test_empty_post_is_400_and_creates_nothing(alice_client, alice, extra):
    response = alice_client.post("/statuses/", {"body": "   ", "visibility": "company"}, **extra)
    assert response.status_code == 400
    assert not Status.objects.exists()


def test_page_two_of_the_feed_with_htmx_returns_only_the_chunk(alice_client, alice):
    for i in range(25):
        post(alice, f"update number {i}")
    first = alice_client.get("/")
    assert b"update number 24" in first.content
    assert b"update number 4<" not in first.content
    cursor = first.context["next_cursor"]
    chunk = alice_client.get(f"/?cursor={cursor}", **HTMX)
    assert chunk.status_code == 200
    assert b"update number 4<" in chunk.content and b"<html" not in chunk.content
    assert alice_client.get("/?cursor=garbage").status_code == 400


# --- a status ---------------------------------------------------------------------------------


def test_status_page_shows_comments_oldest_first(alice_client, alice, bob):
    status = post(alice, "Question")
    services.comment_create(author=bob, status=status, body="first answer")
    services.comment_create(author=alice, status=status, body="second answer")
    content = alice_client.get(f"/statuses/{status.pk}/").content.decode()
    assert content.index("first answer") < content.index("second answer")


def test_department_status_page_is_404_for_another_department(client, alice, bob):
    status = post(alice, "Team only", "department")
    assert login(client, bob).get(f"/statuses/{status.pk}/").status_code == 404


def test_comment_in_place_and_without_javascript(alice_client, alice, bob):
    status = post(bob, "Question")
    response = alice_client.post(f"/statuses/{status.pk}/comments/", {"body": "Answer"}, **HTMX)
    assert response.status_code == 200 and b"Answer" in response.content
    response = alice_client.post(f"/statuses/{status.pk}/comments/", {"body": "Again"})
    assert response.status_code == 302
    assert Comment.objects.count() == 2
    assert Notification.objects.filter(recipient=bob, kind="comment").count() == 2


def test_react_in_place_and_without_javascript(alice_client, alice, bob):
    status = post(bob, "Launch")
    response = alice_client.post(
        f"/statuses/{status.pk}/react/", {"kind": "celebrate", "action": "add"}, **HTMX
    )
    assert response.status_code == 200
    assert b'aria-pressed="true"' in response.content
    response = alice_client.post(
        f"/statuses/{status.pk}/react/", {"kind": "celebrate", "action": "remove"}
    )
    assert response.status_code == 302
    assert not Reaction.objects.exists()
    bad = alice_client.post(f"/statuses/{status.pk}/react/", {"kind": "love"}, **HTMX)
    assert bad.status_code == 400


def test_edit_page_is_for_the_author_only(client, alice, bob):
    status = post(alice, "first")
    assert login(client, bob).get(f"/statuses/{status.pk}/edit/").status_code == 403
    assert client.post(f"/statuses/{status.pk}/edit/", {"body": "hacked"}).status_code == 403
    login(client, alice)
    assert client.post(f"/statuses/{status.pk}/edit/", {"body": "second"}).status_code == 302
    history = client.get(f"/statuses/{status.pk}/history/")
    assert b"first" in history.content and b"second" in history.content


def test_delete_leaves_a_tombstone_page(client, alice, bob):
    status = post(alice, "regrettable words")
    assert login(client, bob).post(f"/statuses/{status.pk}/delete/").status_code == 403
    login(client, alice)
    assert client.post(f"/statuses/{status.pk}/delete/").status_code == 302
    page = login(client, bob).get(f"/statuses/{status.pk}/")
    assert page.status_code == 200
    assert b"regrettable words" not in page.content
    assert b"Removed by the author" in page.content


# --- moderation -------------------------------------------------------------------------------


def test_moderation_pages_are_for_moderators(client, alice, bob, moderator):
    status = post(alice, "rude words")
    login(client, bob)
    assert client.get(f"/statuses/{status.pk}/moderate/").status_code == 403
    assert (
        client.post(
            f"/statuses/{status.pk}/moderate/", {"action": "hide", "reason": "x"}
        ).status_code
        == 403
    )
    assert client.get("/moderation/reports/").status_code == 403
    login(client, moderator)
    assert (
        client.post(
            f"/statuses/{status.pk}/moderate/", {"action": "hide", "reason": ""}
        ).status_code
        == 400
    )
    response = client.post(
        f"/statuses/{status.pk}/moderate/", {"action": "hide", "reason": "Personal attack"}
    )
    assert response.status_code == 302
    assert ModerationAction.objects.get().reason == "Personal attack"
    page = login(client, bob).get(f"/statuses/{status.pk}/")
    assert b"rude words" not in page.content and b"Personal attack" in page.content
    log = client.get("/moderation/log/")
    assert log.status_code == 200 and b"Personal attack" in log.content


def test_reporting_a_status(client, alice, bob, moderator):
    status = post(alice, "spam spam")
    login(client, bob)
    assert client.post(f"/statuses/{status.pk}/report/", {"reason": ""}).status_code == 400
    assert client.post(f"/statuses/{status.pk}/report/", {"reason": "Spam"}).status_code == 302
    page = login(client, moderator).get("/moderation/reports/")
    assert page.status_code == 200 and b"Spam" in page.content


def test_only_executives_and_moderators_pin(client, alice, bob, ceo):
    status = post(bob, "All hands Friday")
    login(client, alice).post(f"/statuses/{status.pk}/announce/", {"pinned": "on"})
    assert not Status.objects.get(pk=status.pk).is_announcement
    login(client, ceo).post(f"/statuses/{status.pk}/announce/", {"pinned": "on"})
    assert Status.objects.get(pk=status.pk).is_announcement
    home = login(client, alice).get("/")
    assert home.context["pinned"][0].pk == status.pk


# --- other timelines --------------------------------------------------------------------------


def test_tag_department_search_and_profile_pages(alice_client, alice, bob):
    post(bob, "Hiring two engineers #hiring")
    post(alice, "Team lunch", "department")
    assert b"Hiring two engineers" in alice_client.get("/tags/hiring/").content
    assert alice_client.get("/tags/nothing/").status_code == 404
    dept = alice_client.get("/departments/engineering/")
    assert dept.status_code == 200 and b"Team lunch" in dept.content
    assert alice_client.get("/departments/nope/").status_code == 404
    found = alice_client.get("/search/?q=engineers")
    assert b"Hiring two engineers" in found.content
    profile = alice_client.get("/people/bob/")
    assert b"Hiring two engineers" in profile.content


def test_department_page_does_not_leak_another_departments_posts(client, alice, bob):
    post(alice, "Engineering secret", "department")
    page = login(client, bob).get("/departments/engineering/")
    assert page.status_code == 200 and b"Engineering secret" not in page.content


def test_notifications_page_and_badge(client, alice, bob):
    post(bob, "Thanks @alice for the help")
    login(client, alice)
    assert client.get("/").context["unread_notifications"] == 1
    page = client.get("/notifications/")
    assert b"mentioned you" in page.content
    assert client.post("/notifications/read/").status_code == 302
    assert client.get("/").context["unread_notifications"] == 0


def test_empty_search_is_a_page_not_an_error(alice_client):
    assert alice_client.get("/search/").status_code == 200
    assert alice_client.get("/search/?q=%20%20").status_code == 200


def test_cards_render_only_visible_statuses(client, alice, bob):
    mine = post(alice, "Engineering only", "department")
    public = post(bob, "Everyone")
    response = login(client, bob).get(f"/statuses/cards/?ids={mine.pk},{public.pk},x,,-3")
    assert response.status_code == 200
    assert b"Everyone" in response.content and b"Engineering only" not in response.content
    assert client.get("/statuses/cards/").status_code == 200
