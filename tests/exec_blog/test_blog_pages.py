"""Executive blog pages: list, post, editor and history, for anonymous, wrong and right users."""

from datetime import timedelta

import pytest
from django.utils import timezone

from exec_blog import services
from exec_blog.models import BlogPost, BlogRead
from profiles.permissions import EXECUTIVES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def write(author, **kwargs) -> BlogPost:
    fields = {"title": "Our year ahead", "body": "## Plan\n\nText.", "summary": "The plan."}
    fields.update(kwargs)
    return services.post_create(author=author, **fields)


def test_anonymous_is_redirected_to_login(client, ceo):
    post = write(ceo, status="published")
    for url in ("/blog/", f"/blog/{post.slug}/", "/blog/new/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_list_shows_published_posts_and_the_authors_drafts(client, ceo, alice_client):
    write(ceo, status="published")
    write(ceo, title="Secret draft")
    write(ceo, title="Coming soon", status="published", publish_at=timezone.now() + timedelta(1))
    page = alice_client.get("/blog/").content.decode()
    assert "Our year ahead" in page and "1 min read" in page
    assert "Secret draft" not in page and "Coming soon" not in page
    assert "Write a post" not in page
    client.force_login(ceo)
    page = client.get("/blog/").content.decode()
    assert "Write a post" in page and "Secret draft" in page and "Coming soon" in page


def test_post_page_counts_one_read_per_person(alice_client, ceo, alice):
    post = write(ceo, status="published")
    for _ in range(2):
        response = alice_client.get(f"/blog/{post.slug}/")
        assert response.status_code == 200
    assert "Plan</h" in response.content.decode()
    assert "read by 1 colleague" in response.content.decode()
    assert BlogRead.objects.filter(user=alice).count() == 1


def test_draft_page_is_404_for_others(alice_client, ceo):
    post = write(ceo)
    assert alice_client.get(f"/blog/{post.slug}/").status_code == 404
    assert alice_client.get(f"/blog/{post.slug}/history/").status_code == 404


def test_editor_is_for_executives_and_only_the_author(alice_client, client, ceo):
    post = write(ceo, status="published")
    assert alice_client.get("/blog/new/").status_code == 403
    assert alice_client.post("/blog/new/", {"title": "x", "body": "y"}).status_code == 403
    assert alice_client.get(f"/blog/{post.slug}/edit/").status_code == 403
    other = UserFactory(username="cfo", roles=[EXECUTIVES])
    client.force_login(other)
    assert client.post(f"/blog/{post.slug}/edit/", {"title": "x", "body": "y"}).status_code == 403


def test_executive_writes_schedules_and_edits_with_history(client, ceo):
    client.force_login(ceo)
    response = client.post(
        "/blog/new/",
        {"title": "Hello all", "body": "First.", "tags": "news, q1", "status": "published"},
    )
    assert response.status_code == 302
    post = BlogPost.objects.get()
    assert post.is_live and sorted(t.name for t in post.tags.all()) == ["news", "q1"]
    response = client.post(
        f"/blog/{post.slug}/edit/",
        {"title": "Hello all", "body": "Second.", "status": "published"},
    )
    assert response.status_code == 302
    page = client.get(f"/blog/{post.slug}/history/").content.decode()
    assert "First." in page
    assert "edited" in client.get(f"/blog/{post.slug}/").content.decode()


def test_bad_publish_at_in_the_form_is_400(client, ceo):
    client.force_login(ceo)
    response = client.post(
        "/blog/new/",
        {"title": "T", "body": "x", "status": "published", "publish_at": "soon-ish"},
    )
    assert response.status_code == 400
    assert not BlogPost.objects.exists()


def test_home_feed_shows_the_card(alice_client, ceo):
    post = write(ceo, status="published")
    assert f"/blog/{post.slug}/" in alice_client.get("/").content.decode()


def test_comment_in_place_on_a_post_updates_its_comment_count(alice_client, ceo):
    post = write(ceo, status="published")
    page = alice_client.get(f"/blog/{post.slug}/")
    # The in-place comment answer refreshes this element out of band; it must exist.
    assert f'id="status-{post.card_id}-comments"'.encode() in page.content
    response = alice_client.post(
        f"/statuses/{post.card_id}/comments/", {"body": "Thanks!"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert f'id="status-{post.card_id}-comments"'.encode() in response.content
