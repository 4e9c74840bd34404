"""The feed benchmark's comparison row (issue 21, part 7): the same feed written the obvious way
with the ORM and DRF, routed only with `DJANGO_BENCH_ENDPOINTS` (feeds/bench_plain.py)."""

import pytest
from django.test import Client
from django.urls import path
from rest_framework.test import APIClient

from enterprise_social.urls import urlpatterns as product_urlpatterns
from feeds import services
from feeds.bench_plain import BenchPlainFeedView
from feeds.models import Visibility
from tests.factories import FollowFactory

PLAIN = "/api/v1/bench/plain-feed/"

# What enterprise_social/urls.py routes when DJANGO_BENCH_ENDPOINTS is set.
urlpatterns = [path("api/v1/bench/plain-feed/", BenchPlainFeedView.as_view()), *product_urlpatterns]


@pytest.fixture
def bench_urls(settings):
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def company(alice, bob, carol):
    """alice follows bob; carol is alice's department; bob also posts to his own department."""
    FollowFactory(follower=alice, followee=bob)
    posts = {
        "alice": services.status_create(author=alice, body="mine #plain"),
        "bob": services.status_create(author=bob, body="hello @alice"),
        "bob_department": services.status_create(
            author=bob, body="sales only", visibility=Visibility.DEPARTMENT
        ),
        "carol_department": services.status_create(
            author=carol, body="engineering only", visibility=Visibility.DEPARTMENT
        ),
    }
    services.reaction_add(user=alice, status=posts["bob"], kind="like")
    return posts


def test_not_routed_without_the_bench_setting(alice_api):
    assert alice_api.get(PLAIN).status_code == 404


def test_anonymous_is_refused(bench_urls, company):
    assert APIClient().get(PLAIN).status_code in (401, 403)


def test_the_plain_feed_is_the_product_feed(bench_urls, company, alice_api):
    plain = alice_api.get(PLAIN)
    product = alice_api.get("/api/v1/feed/")
    assert plain.status_code == product.status_code == 200
    ids = [s["id"] for s in plain.json()["results"]]
    assert ids == [s["id"] for s in product.json()["results"]]
    # Bob's department-only post is not alice's to read; carol's (her department) is.
    assert company["bob_department"].pk not in ids
    assert company["carol_department"].pk in ids
    by_id = {s["id"]: s for s in plain.json()["results"]}
    bob_post = by_id[company["bob"].pk]
    assert bob_post["author"]["username"] == "bob"
    assert bob_post["author"]["department"]["slug"] == "sales"
    assert bob_post["mentions"] == ["alice"]
    assert bob_post["reaction_counts"] == {"like": 1}
    assert bob_post["my_reactions"] == ["like"]
    assert by_id[company["alice"].pk]["hashtags"] == ["plain"]


def test_another_viewer_sees_their_own_feed(bench_urls, company, bob):
    client = Client()
    client.force_login(bob)
    ids = [s["id"] for s in client.get(PLAIN).json()["results"]]
    assert company["bob_department"].pk in ids
    assert company["carol_department"].pk not in ids
    mine = next(s for s in client.get(PLAIN).json()["results"] if s["id"] == company["bob"].pk)
    assert mine["my_reactions"] == []
