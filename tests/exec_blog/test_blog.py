"""Executive blog: services, visibility on the clock, reads, announcements and the API."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from exec_blog import jobs as blog_jobs
from exec_blog import services
from exec_blog.models import BlogPost, BlogPostRevision, BlogRead
from feeds import selectors as feed_selectors
from feeds.models import Status
from notifications.models import Notification
from profiles.permissions import EXECUTIVES
from tests.factories import UserFactory
from tests.feeds.test_stream import connect, events_of, people, types  # noqa: F401

pytestmark = pytest.mark.django_db

BODY = "## Where we are\n\nA long *Markdown* post.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def write(author, **kwargs) -> BlogPost:
    fields = {"title": "Our year ahead", "body": BODY, "summary": "The plan."}
    fields.update(kwargs)
    return services.post_create(author=author, **fields)


@pytest.fixture
def cfo(db):
    return UserFactory(username="cfo", roles=[EXECUTIVES])


# --- writing ------------------------------------------------------------------------------------


def test_executive_creates_a_draft_by_default(ceo):
    response = client_for(ceo).post(
        "/api/v1/blog/posts/",
        {"title": "Our year ahead", "body": BODY, "tags": ["Strategy", "#q1"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["publish_at"] is None
    assert body["slug"] == "our-year-ahead"
    assert body["url"] == "/blog/our-year-ahead/"
    assert body["author"]["username"] == "ceo"
    assert sorted(body["tags"]) == ["q1", "strategy"]
    assert "<h2>" in body["body_html"] and "<table>" in body["body_html"]
    assert body["status_id"] is None
    assert body["reads_count"] == 0 and body["reading_minutes"] == 1


def test_anonymous_gets_401(api):
    assert api.get("/api/v1/blog/posts/").status_code == 401
    assert api.post("/api/v1/blog/posts/", {"title": "x", "body": "y"}).status_code == 401


def test_non_executive_cannot_create_or_edit(alice_api, ceo):
    response = alice_api.post(
        "/api/v1/blog/posts/", {"title": "Mine", "body": "text"}, format="json"
    )
    assert response.status_code == 403
    post = write(ceo, status="published")
    response = alice_api.patch(f"/api/v1/blog/posts/{post.slug}/", {"title": "Hacked"})
    assert response.status_code == 403
    assert BlogPost.objects.count() == 1
    assert BlogPost.objects.get().title == "Our year ahead"


def test_another_executive_cannot_edit(ceo, cfo):
    post = write(ceo, status="published")
    response = client_for(cfo).patch(
        f"/api/v1/blog/posts/{post.slug}/", {"title": "Mine now"}, format="json"
    )
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.title == "Our year ahead"


def test_duplicate_explicit_slug_is_400_and_generated_slug_gets_a_suffix(ceo):
    api = client_for(ceo)
    first = api.post("/api/v1/blog/posts/", {"title": "Hello", "body": "x"}, format="json")
    assert first.json()["slug"] == "hello"
    second = api.post("/api/v1/blog/posts/", {"title": "Hello", "body": "x"}, format="json")
    assert second.json()["slug"] == "hello-2"
    third = api.post(
        "/api/v1/blog/posts/", {"title": "Other", "body": "x", "slug": "hello"}, format="json"
    )
    assert third.status_code == 400 and "slug" in third.json()
    assert BlogPost.objects.count() == 2


def test_unparseable_publish_at_is_400(ceo):
    response = client_for(ceo).post(
        "/api/v1/blog/posts/",
        {"title": "T", "body": "x", "status": "published", "publish_at": "next tuesday"},
        format="json",
    )
    assert response.status_code == 400 and "publish_at" in response.json()
    assert not BlogPost.objects.exists()


@pytest.mark.parametrize(
    "field", [{"author": 1}, {"reads_count": 99}, {"body_html": "<script>"}, {"card": 1}]
)
def test_mass_assignment_is_refused(ceo, field):
    response = client_for(ceo).post(
        "/api/v1/blog/posts/", {"title": "T", "body": "x", **field}, format="json"
    )
    assert response.status_code == 400
    assert not BlogPost.objects.exists()


def test_bad_input_is_400(ceo):
    api = client_for(ceo)
    for data in (
        {"title": "", "body": "x"},
        {"title": "T", "body": ""},
        {"title": "x" * 151, "body": "x"},
        {"title": "T", "body": "x", "status": "live"},
        {"title": "T", "body": "x", "tags": ["no spaces allowed"]},
    ):
        assert api.post("/api/v1/blog/posts/", data, format="json").status_code == 400, data
    assert not BlogPost.objects.exists()


# --- visibility -----------------------------------------------------------------------------------


def test_draft_is_404_for_everyone_but_its_author(ceo, cfo, alice_api):
    post = write(ceo)
    assert alice_api.get(f"/api/v1/blog/posts/{post.slug}/").status_code == 404
    assert client_for(cfo).get(f"/api/v1/blog/posts/{post.slug}/").status_code == 404
    assert client_for(ceo).get(f"/api/v1/blog/posts/{post.slug}/").status_code == 200
    assert alice_api.get("/api/v1/blog/posts/").json()["results"] == []
    assert alice_api.get("/api/v1/blog/posts/nope/").status_code == 404


def test_scheduled_post_appears_by_itself_and_the_job_runner_announces_it(ceo, alice, alice_api):
    later = timezone.now() + timedelta(hours=2)
    post = write(ceo, status="published", publish_at=later)
    assert post.card_id is not None
    assert alice_api.get(f"/api/v1/blog/posts/{post.slug}/").status_code == 404
    assert alice_api.get("/api/v1/blog/posts/").json()["results"] == []
    assert not feed_selectors.feed(user=alice).filter(pk=post.card_id).exists()
    assert not Notification.objects.filter(kind="blog").exists()
    # Time passes; no job runs.
    BlogPost.objects.filter(pk=post.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    Status.objects.filter(pk=post.card_id).update(
        created_at=timezone.now() - timedelta(minutes=1),
        announcement_until=timezone.now() - timedelta(minutes=1),
    )
    assert alice_api.get(f"/api/v1/blog/posts/{post.slug}/").status_code == 200
    listed = alice_api.get("/api/v1/blog/posts/").json()["results"]
    assert [p["slug"] for p in listed] == [post.slug]
    assert feed_selectors.feed(user=alice).filter(pk=post.card_id).exists()
    # Reading announces nothing: the job runner does, at the post's time.
    assert not Notification.objects.filter(kind="blog").exists()
    assert blog_jobs.posts_release() == 1
    assert blog_jobs.posts_release() == 0
    assert Notification.objects.filter(kind="blog", recipient=alice).count() == 1


def test_scheduled_post_with_a_monkeypatched_clock(ceo, alice, monkeypatch):
    start = timezone.now()
    post = write(ceo, status="published", publish_at=start + timedelta(days=1))
    from exec_blog import selectors

    assert not selectors.posts_visible_to(user=alice).filter(pk=post.pk).exists()
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(days=1, seconds=1))
    assert selectors.posts_visible_to(user=alice).filter(pk=post.pk).exists()
    assert services.posts_release_due() == 1


def test_published_now_creates_a_feed_card_and_notifies_everyone_once(ceo, alice, bob):
    post = write(ceo, status="published")
    assert post.publish_at is not None and post.is_live
    card = Status.objects.get(pk=post.card_id)
    assert card.author == ceo and card.visibility == "company"
    assert f"/blog/{post.slug}/" in card.body_html
    assert feed_selectors.feed(user=alice).filter(pk=card.pk).exists()  # without following
    assert feed_selectors.statuses_visible_to(user=alice).filter(pk=card.pk).exists()
    notes = Notification.objects.filter(kind="blog")
    assert sorted(n.recipient.username for n in notes) == ["alice", "bob"]
    assert services.posts_release_due() == 0
    assert services.posts_release_due() == 0
    assert Notification.objects.filter(kind="blog").count() == 2
    listed = client_for(alice).get("/api/v1/notifications/").json()["results"]
    assert listed[0]["url"] == f"/blog/{post.slug}/"


def test_feed_card_reaches_followers_feed(ceo, alice):
    from profiles.services import follow_create

    follow_create(follower=alice, followee=ceo)
    post = write(ceo, status="published")
    assert feed_selectors.feed(user=alice).filter(pk=post.card_id).exists()


# --- editing ----------------------------------------------------------------------------------


def test_edit_of_a_published_post_keeps_history(ceo, alice_api):
    post = write(ceo, status="published")
    api = client_for(ceo)
    response = api.patch(
        f"/api/v1/blog/posts/{post.slug}/", {"body": "A better text."}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["edited_at"] is not None
    revision = BlogPostRevision.objects.get(post=post)
    assert revision.body == BODY.strip()
    assert (
        api.patch(
            f"/api/v1/blog/posts/{post.slug}/", {"status": "draft"}, format="json"
        ).status_code
        == 400
    )
    assert (
        api.patch(f"/api/v1/blog/posts/{post.slug}/", {"reads_count": 5}, format="json").status_code
        == 400
    )


def test_publishing_a_draft_by_patch(ceo, alice):
    post = write(ceo)
    response = client_for(ceo).patch(
        f"/api/v1/blog/posts/{post.slug}/", {"status": "published"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status_id"] is not None
    assert not BlogPostRevision.objects.exists()
    assert Notification.objects.filter(kind="blog", recipient=alice).count() == 1


def test_scheduled_post_back_to_draft_drops_its_card(ceo):
    post = write(ceo, status="published", publish_at=timezone.now() + timedelta(days=1))
    card_id = post.card_id
    services.post_update(actor=ceo, post=post, status="draft", publish_at=None)
    assert post.card_id is None and not Status.objects.filter(pk=card_id).exists()


# --- reading --------------------------------------------------------------------------------------


def test_reads_count_once_per_person(ceo, alice, bob):
    post = write(ceo, status="published")
    assert services.post_read(user=alice, post=post) is True
    assert services.post_read(user=alice, post=post) is False
    services.post_read(user=bob, post=post)
    services.post_read(user=ceo, post=post)  # the author does not count
    post.refresh_from_db()
    assert post.reads_count == 2 == BlogRead.objects.count()


def test_api_detail_does_not_count_a_read(ceo, alice_api):
    post = write(ceo, status="published")
    body = alice_api.get(f"/api/v1/blog/posts/{post.slug}/").json()
    assert body["reads_count"] == 0
    assert not BlogRead.objects.exists()


def test_reading_minutes():
    assert BlogPost(body="word " * 10).reading_minutes == 1
    assert BlogPost(body="word " * 200).reading_minutes == 1
    assert BlogPost(body="word " * 201).reading_minutes == 2


def test_comments_go_to_the_card_with_notifications(ceo, alice_api):
    post = write(ceo, status="published")
    url = f"/api/v1/blog/posts/{post.slug}/comments/"
    response = alice_api.post(url, {"body": "Thanks @ceo!"}, format="json")
    assert response.status_code == 201, response.content
    assert alice_api.get(url).json()["results"][0]["body"] == "Thanks @ceo!"
    assert Notification.objects.filter(recipient=ceo, kind="comment").exists()
    assert alice_api.post(url, {"body": "x", "author": 3}, format="json").status_code == 400


def test_comments_on_a_draft_are_404(ceo, alice_api):
    post = write(ceo)
    url = f"/api/v1/blog/posts/{post.slug}/comments/"
    assert alice_api.get(url).status_code == 404
    assert alice_api.post(url, {"body": "hi"}, format="json").status_code == 404
    assert client_for(ceo).get(url).status_code == 404


def test_list_query_count_is_constant(ceo, alice_api):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert alice_api.get("/api/v1/blog/posts/").status_code == 200
        return len(ctx.captured_queries)

    write(ceo, status="published", tags=["a"])
    count()  # the day's first request also records a visit
    few = count()
    for i in range(5):
        write(ceo, title=f"Post {i}", status="published", tags=["b", "c"])
    assert count() == few


def test_list_is_keyset_paged_newest_first(ceo, alice_api, settings):
    now = timezone.now()
    for i in range(3):
        write(ceo, title=f"P{i}", status="published", publish_at=now - timedelta(hours=3 - i))
    first = alice_api.get("/api/v1/blog/posts/?page_size=2")
    body = first.json()
    slugs = [p["slug"] for p in body["results"]]
    assert slugs[:2] == ["p2", "p1"]
    assert alice_api.get("/api/v1/blog/posts/?cursor=garbage").status_code == 400


# --- the stream -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_blog_published_reaches_every_socket(people):  # noqa: F811
    ceo = await database_sync_to_async(UserFactory)(username="ceo2", roles=[EXECUTIVES])
    sockets = {name: (await connect(user))[0] for name, user in people.items()}
    await database_sync_to_async(write)(ceo, status="published")
    got = {name: await events_of(s) for name, s in sockets.items()}
    for name in people:
        assert "blog.published" in types(got[name]), name
        event = next(e for e in got[name] if e["type"] == "blog.published")
        assert event["post"]["slug"] == "our-year-ahead"
    for s in sockets.values():
        await s.disconnect()
