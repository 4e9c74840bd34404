"""Attaching, editing, moderating, deleting and purging; the API shapes, live events, export."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from attachments import jobs, services
from attachments.models import Attachment
from core import realtime
from exec_blog import services as blog_services
from feeds import services as feed_services
from feeds import status_cache as feed_status_cache
from feeds.models import ModerationAction, Status, StatusRevision
from ideas import services as idea_services
from tests.attachments import media
from tests.attachments.helpers import client_for, make_upload, post_upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def uploads(user, n=1, **kwargs) -> list[str]:
    return [make_upload(user, media.picture(), **kwargs).token for _ in range(n)]


@pytest.fixture
def events(monkeypatch):
    seen = []
    original = realtime.publish_many

    def spy(messages):
        seen.extend(m["event"] for m in messages)
        original(messages)

    monkeypatch.setattr(realtime, "publish_many", spy)
    return seen


# --- statuses through the API -----------------------------------------------------------------


def test_a_status_carries_its_uploads_in_order(alice, bob, django_capture_on_commit_callbacks):
    client = client_for(alice)
    picture = post_upload(client, media.picture(), name="a.png", alt="Team photo").json()
    document = post_upload(client, media.pdf(), name="plan.pdf", alt=None).json()
    assert client_for(bob).get(picture["url"]).status_code == 404  # not attached yet: alice's
    response = client.post(
        "/api/v1/statuses/",
        {"body": "Offsite!", "attachments": [document["id"], picture["id"]]},
        format="json",
    )
    assert response.status_code == 201, response.content
    carried = response.json()["attachments"]
    assert [a["id"] for a in carried] == [document["id"], picture["id"]]
    assert carried[1] == picture
    assert client_for(bob).get(picture["url"]).status_code == 200
    status_id = response.json()["id"]
    assert client_for(bob).get(f"/api/v1/statuses/{status_id}/").json()["attachments"] == carried
    feed = client_for(alice).get("/api/v1/feed/").json()["results"]
    assert feed[0]["attachments"] == carried


@pytest.mark.parametrize(
    "problem",
    ["someone_elses", "already_attached", "unknown", "too_many", "no_alt", "not_a_list", "bad_id"],
)
def test_bad_attachments_are_400_and_nothing_is_written(alice, bob, problem):
    client = client_for(alice)
    mine = uploads(alice)
    ids = {
        "someone_elses": uploads(bob),
        "already_attached": mine,
        "unknown": ["AAAAAAAAAAAAAAAAAAAAAA"],
        "too_many": uploads(alice, 11),
        "no_alt": uploads(alice, alt=""),
        "not_a_list": "abc",
        "bad_id": ["../x"],
    }[problem]
    if problem == "already_attached":
        feed_services.status_create(author=alice, body="First", attachments=mine)
    before = Status.objects.count()
    response = client.post("/api/v1/statuses/", {"body": "Hi", "attachments": ids}, format="json")
    assert response.status_code == 400, response.content
    assert "attachments" in response.json()
    assert Status.objects.count() == before
    if problem == "no_alt":
        assert "alt text" in response.json()["attachments"][0]
    assert Attachment.objects.filter(owner_id__isnull=False).count() == (
        1 if problem == "already_attached" else 0
    )


def test_editing_adds_and_removes_attachments_and_history_keeps_which(alice, bob):
    first, second, third = uploads(alice, 3)
    status = feed_services.status_create(author=alice, body="v1", attachments=[first, second])
    client = client_for(alice)
    response = client.patch(
        f"/api/v1/statuses/{status.pk}/", {"attachments": [third, first]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert [a["id"] for a in response.json()["attachments"]] == [third, first]
    assert response.json()["body"] == "v1"
    (revision,) = StatusRevision.objects.filter(status=status)
    assert revision.attachments == [first, second]
    history = client_for(bob).get(f"/api/v1/statuses/{status.pk}/history/").json()["results"]
    assert history[0]["attachments"] == [first, second]
    # The version in the history still shows its picture to those who read the status.
    assert client_for(bob).get(f"/files/{second}/").status_code == 200
    # Text only: the attachments stay.
    client.patch(f"/api/v1/statuses/{status.pk}/", {"body": "v2"}, format="json")
    assert [a.token for a in Attachment.objects.filter(owner_id=status.pk, detached_at=None)] == [
        third,
        first,
    ]
    # Someone else cannot edit, nor steal an upload into their own status.
    assert (
        client_for(bob)
        .patch(f"/api/v1/statuses/{status.pk}/", {"attachments": []}, format="json")
        .status_code
        == 403
    )


def test_deleting_a_status_deletes_its_files_in_the_job_runner(
    alice, bob, django_capture_on_commit_callbacks
):
    first, second = uploads(alice, 2)
    status = feed_services.status_create(author=alice, body="Oops", attachments=[first])
    feed_services.status_update(actor=alice, status=status, attachments=[second])
    names = [a.file.name for a in Attachment.objects.all()]
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alice).delete(f"/api/v1/statuses/{status.pk}/")
    assert client_for(bob).get(f"/files/{second}/").status_code == 404
    assert all(default_storage.exists(name) for name in names)  # the job has not run yet
    jobs.owner_files_delete(*Attachment.objects.values_list("owner_type_id", "owner_id")[0])
    assert not Attachment.objects.exists()
    assert not any(default_storage.exists(name) for name in names)
    assert jobs.owner_files_delete(1, status.pk) == 0  # run twice: nothing more to do


def test_a_moderator_removes_one_attachment_with_a_public_reason(alice, bob, moderator):
    keep, remove = uploads(alice, 2)
    status = feed_services.status_create(author=alice, body="Photos", attachments=[keep, remove])
    url = f"/api/v1/statuses/{status.pk}/moderation/"
    data = {"action": "remove_attachment", "attachment": remove, "reason": "Shows a badge"}
    assert client_for(bob).post(url, data, format="json").status_code == 403
    assert (
        client_for(moderator)
        .post(url, {**data, "attachment": "NoSuchAttachment"}, format="json")
        .status_code
        == 404
    )
    assert (
        client_for(moderator)
        .post(url, {"action": "remove_attachment", "reason": "x"}, format="json")
        .status_code
        == 400
    )
    response = client_for(moderator).post(url, data, format="json")
    assert response.status_code == 201, response.content
    entry = response.json()
    assert entry["action"] == "hide" and entry["reason"] == "Shows a badge"
    assert entry["status_id"] == status.pk and entry["attachment_id"] is not None
    log = client_for(bob).get("/api/v1/moderation-log/").json()["results"]
    assert log[0]["reason"] == "Shows a badge"
    page = client_for(bob).get("/moderation/log/").content.decode()
    assert "a picture of" in page and "Shows a badge" in page
    body = client_for(bob).get(f"/api/v1/statuses/{status.pk}/").json()
    assert [a["id"] for a in body["attachments"]] == [keep]
    assert client_for(bob).get(f"/files/{remove}/").status_code == 404
    assert client_for(moderator).get(f"/files/{remove}/").status_code == 200
    assert client_for(moderator).post(url, data, format="json").status_code == 400  # again
    assert ModerationAction.objects.count() == 1
    card = client_for(bob).get(f"/statuses/{status.pk}/").content.decode()
    assert "Shows a badge" in card


def test_an_upload_never_attached_is_gone_after_24_hours(alice, monkeypatch):
    stale = make_upload(alice, media.picture())
    kept = make_upload(alice, media.pdf(), alt="")
    feed_services.status_create(author=alice, body="Kept", attachments=[kept.token])
    names = [stale.file.name, stale.thumbnail.name]
    start = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(hours=23))
    assert jobs.uploads_purge() == 0
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(hours=25))
    assert jobs.uploads_purge() == 1
    assert jobs.uploads_purge() == 0
    assert list(Attachment.objects.values_list("token", flat=True)) == [kept.token]
    assert not any(default_storage.exists(name) for name in names)
    assert default_storage.exists(kept.file.name)


def test_the_purge_is_a_periodic_job():
    from core.jobs import periodic_jobs

    assert "attachments.jobs.uploads_purge" in [job.func for job in periodic_jobs()]


def test_files_of_a_post_deleted_outright_are_purged(alice):
    token = uploads(alice)[0]
    status = feed_services.status_create(author=alice, body="Gone", attachments=[token])
    Status.objects.filter(pk=status.pk).delete()
    assert services.uploads_purge() == 1
    assert not Attachment.objects.exists()


# --- comments, blog posts, ideas --------------------------------------------------------------


def test_a_comment_carries_up_to_four(alice, bob):
    status = feed_services.status_create(author=alice, body="Share yours")
    client = client_for(bob)
    url = f"/api/v1/statuses/{status.pk}/comments/"
    response = client.post(url, {"body": "Mine", "attachments": uploads(bob, 5)}, format="json")
    assert response.status_code == 400
    ids = uploads(bob, 4)
    response = client.post(url, {"body": "Mine", "attachments": ids}, format="json")
    assert response.status_code == 201
    assert [a["id"] for a in response.json()["attachments"]] == ids
    listed = client_for(alice).get(url).json()["results"]
    assert [a["id"] for a in listed[0]["attachments"]] == ids


def test_blog_posts_and_ideas_carry_attachments(alice, bob, ceo):
    (picture,) = uploads(ceo)
    response = client_for(ceo).post(
        "/api/v1/blog/posts/",
        {"title": "Our year", "body": "Text", "status": "draft", "attachments": [picture]},
        format="json",
    )
    assert response.status_code == 201, response.content
    slug = response.json()["slug"]
    assert [a["id"] for a in response.json()["attachments"]] == [picture]
    assert client_for(bob).get(f"/files/{picture}/").status_code == 404  # a draft
    client_for(ceo).patch(f"/api/v1/blog/posts/{slug}/", {"status": "published"}, format="json")
    assert client_for(bob).get(f"/files/{picture}/").status_code == 200
    listed = client_for(bob).get("/api/v1/blog/posts/").json()["results"]
    assert [a["id"] for a in listed[0]["attachments"]] == [picture]
    page = client_for(bob).get(f"/blog/{slug}/").content.decode()
    assert f'src="/files/{picture}/thumbnail/"' in page

    (document,) = [make_upload(alice, media.pdf(), alt="").token]
    response = client_for(alice).post(
        "/api/v1/ideas/",
        {"title": "Bike sheds", "description": "More of them", "attachments": [document]},
        format="json",
    )
    assert response.status_code == 201, response.content
    idea_id = response.json()["id"]
    assert [a["id"] for a in response.json()["attachments"]] == [document]
    assert (
        f'href="/files/{document}/"' in client_for(bob).get(f"/ideas/{idea_id}/").content.decode()
    )
    assert client_for(bob).get(f"/files/{document}/").status_code == 200
    response = client_for(alice).patch(
        f"/api/v1/ideas/{idea_id}/", {"attachments": []}, format="json"
    )
    assert response.status_code == 200 and response.json()["attachments"] == []
    assert blog_services and idea_services


# --- live, export, pages ----------------------------------------------------------------------


def test_live_events_carry_thumbnails_not_files(alice, events, django_capture_on_commit_callbacks):
    token = uploads(alice)[0]
    with django_capture_on_commit_callbacks(execute=True):
        status = feed_services.status_create(author=alice, body="Live", attachments=[token])
    (created,) = [e for e in events if e["type"] == "status.created"]
    (item,) = created["status"]["attachments"]
    assert item["id"] == token and item["thumbnail_url"] == f"/files/{token}/thumbnail/"
    with django_capture_on_commit_callbacks(execute=True):
        feed_services.status_update(actor=alice, status=status, attachments=[])
    (updated,) = [e for e in events if e["type"] == "status.updated"]
    assert updated["status"]["attachments"] == []


def test_the_personal_data_export_lists_your_uploads(alice, bob):
    token = uploads(alice)[0]
    feed_services.status_create(author=alice, body="Mine", attachments=[token])
    uploads(bob)
    export = client_for(alice).get("/api/v1/me/export/").json()
    (item,) = export["uploads"]
    assert item["id"] == token and item["attached_to"].startswith("feeds.status:")
    assert item["kind"] == "image" and item["sha256"]


def test_a_feed_page_costs_the_same_queries_with_5_or_20_picture_statuses(
    alice, django_assert_max_num_queries, monkeypatch
):
    client = client_for(alice)
    for n in range(20):
        feed_services.status_create(author=alice, body=f"Photo {n}", attachments=uploads(alice))
    client.get("/api/v1/feed/?page_size=5")
    # Cards not cached yet (feeds.status_cache): the page, its statuses, mentions, hashtags,
    # reactions, attachments, the viewer's follows, communities and department, the viewer's
    # own reactions, the session and the user.
    monkeypatch.setattr(feed_status_cache, "SCHEMA", "cold-5")
    with django_assert_max_num_queries(12) as five:
        client.get("/api/v1/feed/?page_size=5")
    monkeypatch.setattr(feed_status_cache, "SCHEMA", "cold-20")
    with django_assert_max_num_queries(len(five.captured_queries)):
        response = client.get("/api/v1/feed/?page_size=20")
    assert all(len(s["attachments"]) == 1 for s in response.json()["results"])
    # Cached: the pictures are read from the cards, not again.
    with django_assert_max_num_queries(len(five.captured_queries) - 5):
        response = client.get("/api/v1/feed/?page_size=20")
    assert all(len(s["attachments"]) == 1 for s in response.json()["results"])


def test_the_feed_page_shows_a_gallery_with_alt_text(alice, bob):
    picture = make_upload(alice, media.picture(), alt="The team at the lake").token
    document = make_upload(alice, media.pdf(), name="plan.pdf", alt="").token
    status = feed_services.status_create(
        author=alice, body="Offsite", attachments=[picture, document]
    )
    for url in ("/", f"/statuses/{status.pk}/"):
        page = client_for(alice).get(url).content.decode()
        assert f'src="/files/{picture}/thumbnail/"' in page
        assert 'alt="The team at the lake"' in page
        assert "plan.pdf" in page and f'href="/files/{document}/"' in page


def test_a_new_person_has_no_uploads():
    person = UserFactory()
    assert services.uploaded_today(person, now=timezone.now()) == 0


def test_the_edit_page_removes_an_attachment_when_unticked(alice, alice_client):
    keep, drop = uploads(alice, 2)
    status = feed_services.status_create(author=alice, body="Two photos", attachments=[keep, drop])
    page = alice_client.get(f"/statuses/{status.pk}/edit/").content.decode()
    assert f'value="{keep}"' in page and f'value="{drop}"' in page
    response = alice_client.post(
        f"/statuses/{status.pk}/edit/", {"body": "One photo", "keep": [keep]}
    )
    assert response.status_code == 302
    assert [a.token for a in Attachment.objects.filter(owner_id=status.pk, detached_at=None)] == [
        keep
    ]
    assert StatusRevision.objects.get(status=status).attachments == [keep, drop]


def test_a_comment_from_the_page_carries_its_uploads(alice, bob):
    status = feed_services.status_create(author=alice, body="Show us")
    (picture,) = uploads(bob)
    client = client_for(bob)
    response = client.post(
        f"/statuses/{status.pk}/comments/",
        {"body": "Here", "attachments": picture},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'src="/files/{picture}/thumbnail/"' in response.content.decode()
    page = client_for(alice).get(f"/statuses/{status.pk}/").content.decode()
    assert f'src="/files/{picture}/thumbnail/"' in page
    response = client.post(
        f"/statuses/{status.pk}/comments/", {"body": "Again", "attachments": picture}
    )
    assert response.status_code == 400  # already attached: the form says so, nothing written
