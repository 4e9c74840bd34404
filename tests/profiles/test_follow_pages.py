"""Followers and following pages, and the API's people lists, page by keyset (never OFFSET)."""

import re

import pytest

from profiles.models import Follow
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def followed_by_many(user, n: int) -> list[str]:
    dept = DepartmentFactory()
    fans = [UserFactory(finish__department=dept) for _ in range(n)]
    Follow.objects.bulk_create(Follow(follower=fan, followee=user) for fan in fans)
    return [fan.username for fan in fans]


def usernames_on(html: str) -> list[str]:
    return re.findall(r'href="/people/([^/"]+)/"', html)


def test_followers_page_pages_forward_without_gaps_or_repeats(alice_client, alice):
    fans = followed_by_many(alice, 55)
    first = alice_client.get("/people/alice/followers/")
    assert first.status_code == 200
    html = first.content.decode()
    assert "55 people" in html
    after = re.search(r'href="\?after=([^"]+)" rel="next"', html)
    assert after, "a Next link"
    assert "First page" not in html
    second = alice_client.get(f"/people/alice/followers/?after={after.group(1)}")
    assert second.status_code == 200
    html2 = second.content.decode()
    assert 'rel="next"' not in html2 and "First page" in html2
    seen = [u for u in usernames_on(html) + usernames_on(html2) if u in set(fans)]
    assert len(seen) == len(set(seen)) == 55


def test_a_bad_cursor_on_the_followers_page_is_a_400(alice_client, alice):
    response = alice_client.get("/people/alice/following/?after=not-a-cursor")
    assert response.status_code == 400


def test_api_followers_and_departments_page_with_next_links(alice_api, alice):
    followed_by_many(alice, 25)
    url = "/api/v1/profiles/alice/followers/?page_size=10"
    seen, pages = [], 0
    while url:
        body = alice_api.get(url).json()
        assert set(body) == {"results", "next"}
        assert body["next"] is None or body["next"].startswith("http://testserver/")
        seen += [p["username"] for p in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 3 and len(seen) == len(set(seen)) == 25
    assert alice_api.get("/api/v1/profiles/?cursor=not-a-cursor").status_code == 400
    departments = alice_api.get("/api/v1/departments/?page_size=1").json()
    assert len(departments["results"]) == 1 and departments["next"]
    rest = alice_api.get(departments["next"]).json()
    assert rest["results"][0]["id"] != departments["results"][0]["id"]
