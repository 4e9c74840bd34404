"""Every `next` a page accepts keeps the browser on this site (core.http.safe_next, and the
allauth adapter's `is_safe_url` for the login): the hostile spellings fall back to the page's
own default."""

import pytest

from exec_blog import services as blog_services
from feeds import services as feed_services
from ideas import services as idea_services
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

HOSTILE = [
    "/\\evil.example",
    "//evil.example",
    "https://evil.example",
    "http://evil.example/",
    "\\\\evil.example",
    "/\\/evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "https:evil.example",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_login_with_a_foreign_next_lands_on_the_home_page(client, alice, target):
    response = client.post(
        f"/accounts/login/?next={target}", {"login": "alice", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    response = client.post(
        "/accounts/login/", {"login": "alice", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_with_a_local_next_goes_there(client, alice):
    response = client.post(
        "/accounts/login/", {"login": "alice", "password": PASSWORD, "next": "/people/?q=a"}
    )
    assert response.status_code == 302 and response["Location"] == "/people/?q=a"


def pages_with_next(alice, bob, ceo):
    """(who, url, form data, where it goes without a `next`) for every page that reads `next`."""
    status = feed_services.status_create(author=bob, body="Ship it")
    poll = feed_services.status_create(
        author=bob,
        body="Tabs or spaces?",
        poll={"options": ["Tabs", "Spaces"], "multiple": False, "anonymous": False},
    )
    option = poll.poll.options.order_by("position").first()
    mine = feed_services.status_create(author=alice, body="Mine to delete")
    question = blog_services.question_create(
        asker=bob, body="Will we keep remote Fridays next year?", anonymous=False
    )
    idea = idea_services.idea_create(
        author=bob, title="Quiet rooms on every floor", description="Focus time matters."
    )
    return [
        (alice, f"/statuses/{status.pk}/react/", {"kind": "like"}, status.get_absolute_url()),
        (alice, f"/statuses/{poll.pk}/poll/vote/", {"option": option.pk}, poll.get_absolute_url()),
        (alice, f"/statuses/{mine.pk}/delete/", {}, mine.get_absolute_url()),
        (ceo, f"/statuses/{status.pk}/announce/", {"pinned": "on"}, status.get_absolute_url()),
        (alice, "/notifications/read/", {}, "/notifications/"),
        (alice, f"/ask/{question.pk}/vote/", {"action": "add"}, question.get_absolute_url()),
        (alice, f"/ideas/{idea.pk}/vote/", {"action": "add"}, idea.get_absolute_url()),
        (alice, "/people/bob/follow/", {"action": "follow"}, "/people/bob/"),
    ]


@pytest.mark.parametrize("target", ["/\\evil.example", "//evil.example", "https://evil.example"])
def test_every_page_refuses_a_foreign_next(client, alice, bob, ceo, target):
    for user, url, data, default in pages_with_next(alice, bob, ceo):
        client.force_login(user)
        response = client.post(url, {**data, "next": target})
        assert response.status_code == 302, url
        assert response["Location"] == default, url
        response = client.post(f"{url}?next={target}", data)
        assert response.status_code == 302, url
        assert response["Location"] == default, url


def test_every_page_follows_a_local_next(client, alice, bob, ceo):
    for user, url, data, _ in pages_with_next(alice, bob, ceo):
        client.force_login(user)
        response = client.post(url, {**data, "next": "/ideas/?sort=new#idea-1"})
        assert response.status_code == 302, url
        assert response["Location"] == "/ideas/?sort=new#idea-1", url
