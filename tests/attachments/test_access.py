"""Who may download a file: whoever may read its post *now*, and nobody else (the same 404 as
for a file that does not exist). Range requests, headers, and the production hand-offs."""

import re

import pytest
from django.core.files.storage import default_storage

from attachments.models import Attachment
from exec_blog import services as blog_services
from feeds import services as feed_services
from feeds.models import Visibility
from ideas import services as idea_services
from tests.attachments import media
from tests.attachments.helpers import body_of, client_for, make_upload

pytestmark = pytest.mark.django_db

ROLES = ("author", "teammate", "outsider", "moderator")
CSRF = re.compile(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+')


def unmasked(response) -> bytes:
    """The page without its CSRF token, which is masked differently on every response."""
    return CSRF.sub(rb"\1", response.content)


def owner_of(state, *, alice, moderator, ceo):
    """A post in `state` carrying one PDF, and who wrote it."""
    upload = make_upload(
        alice if state not in ("blog_draft", "blog_live") else ceo,
        media.pdf(),
        name="plan.pdf",
        alt="",
    )
    ids = [upload.token]
    if state in ("company", "department", "hidden", "deleted"):
        visibility = Visibility.DEPARTMENT if state == "department" else Visibility.COMPANY
        status = feed_services.status_create(
            author=alice, body="The plan", visibility=visibility, attachments=ids
        )
        if state == "hidden":
            feed_services.moderation_apply(
                moderator=moderator, action="hide", reason="Off topic", status=status
            )
        if state == "deleted":
            feed_services.status_delete(actor=alice, status=status)
    elif state == "department_comment":
        status = feed_services.status_create(
            author=alice, body="The plan", visibility=Visibility.DEPARTMENT
        )
        feed_services.comment_create(author=alice, status=status, body="Here", attachments=ids)
    elif state in ("blog_draft", "blog_live"):
        blog_services.post_create(
            author=ceo,
            title="Our plan",
            body="Text",
            status="draft" if state == "blog_draft" else "published",
            attachments=ids,
        )
    elif state == "idea":
        idea_services.idea_create(
            author=alice, title="A better plan", description="Text", attachments=ids
        )
    elif state == "unattached":
        pass
    return upload.token


# state -> the roles who may download (the author is alice, or ceo for blog posts)
TABLE = {
    "company": {"author", "teammate", "outsider", "moderator"},
    "department": {"author", "teammate", "moderator"},
    "department_comment": {"author", "teammate", "moderator"},
    "hidden": {"moderator"},
    "deleted": set(),
    "blog_draft": {"author"},
    "blog_live": {"author", "teammate", "outsider", "moderator"},
    "idea": {"author", "teammate", "outsider", "moderator"},
    "unattached": {"author"},
}


@pytest.mark.parametrize("state", list(TABLE))
def test_files_follow_their_post_over_roles_and_states(
    state, alice, carol, bob, moderator, ceo, client
):
    token = owner_of(state, alice=alice, moderator=moderator, ceo=ceo)
    author = ceo if state.startswith("blog") else alice
    people = {"author": author, "teammate": carol, "outsider": bob, "moderator": moderator}
    for url in (f"/files/{token}/", f"/files/{token}/thumbnail/"):
        response = client.get(url)  # anonymous: to the login page, whatever the post
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for role in ROLES:
        viewer = client_for(people[role])
        allowed = role in TABLE[state]
        response = viewer.get(f"/files/{token}/")
        assert response.status_code == (200 if allowed else 404), (state, role)
        if not allowed:
            missing = viewer.get("/files/NoSuchFileAtAllHere12/")
            assert unmasked(response) == unmasked(missing), (
                "a refusal must look like a missing file"
            )
        else:
            assert body_of(response) == media.pdf()


def test_a_community_posts_files_follow_the_community_as_it_is_now(alice, bob, carol):
    from communities import services as community_services

    club = community_services.community_create(
        actor=alice, name="Offsite", visibility="private", join_policy="invite"
    )
    community_services.member_put(actor=alice, community=club, username="bob", state="invited")
    community_services.membership_join(actor=bob, community=club)
    token = make_upload(alice, media.pdf(), alt="").token
    status = feed_services.status_create(
        author=alice, body="The agenda", attachments=[token], community=club
    )
    bob_client, carol_client = client_for(bob), client_for(carol)
    assert bob_client.get(f"/files/{token}/").status_code == 200
    assert carol_client.get(f"/files/{token}/").status_code == 404
    # Opened: everyone reads it, its files too.
    community_services.community_update(actor=alice, community=club, visibility="open")
    assert carol_client.get(f"/files/{token}/").status_code == 200
    # Private again, bob removed: his link stops working at once.
    community_services.community_update(actor=alice, community=club, visibility="private")
    community_services.member_remove(actor=alice, community=club, username="bob")
    assert bob_client.get(f"/files/{token}/").status_code == 404
    assert carol_client.get(f"/files/{token}/").status_code == 404
    # Hidden by the community's owner: she (a moderator there) still opens it; a member not.
    community_services.member_put(actor=alice, community=club, username="carol", state="invited")
    community_services.membership_join(actor=carol, community=club)
    feed_services.moderation_apply(moderator=alice, action="hide", reason="Dup", status=status)
    assert client_for(alice).get(f"/files/{token}/").status_code == 200
    assert carol_client.get(f"/files/{token}/").status_code == 404


def test_hiding_and_restoring_a_post_hides_and_shows_its_files(alice, bob, moderator):
    token = make_upload(alice, media.picture(), alt="A red square").token
    status = feed_services.status_create(author=alice, body="Look", attachments=[token])
    bob_client = client_for(bob)
    assert bob_client.get(f"/files/{token}/thumbnail/").status_code == 200
    feed_services.moderation_apply(moderator=moderator, action="hide", reason="No", status=status)
    assert bob_client.get(f"/files/{token}/").status_code == 404
    assert bob_client.get(f"/files/{token}/thumbnail/").status_code == 404
    feed_services.moderation_apply(
        moderator=moderator, action="restore", reason="Ok", status=status
    )
    assert bob_client.get(f"/files/{token}/").status_code == 200


def test_a_leavers_files_stay_with_their_posts(alice, bob):
    token = make_upload(alice, media.pdf(), alt="").token
    feed_services.status_create(author=alice, body="Handover notes", attachments=[token])
    alice.is_active = False
    alice.save()
    assert client_for(bob).get(f"/files/{token}/").status_code == 200


def test_a_moved_author_takes_nothing_along(alice, bob, sales):
    """A department post stays with the department it was written in (feeds' rule)."""
    token = make_upload(alice, media.pdf(), alt="").token
    feed_services.status_create(
        author=alice, body="Team only", visibility=Visibility.DEPARTMENT, attachments=[token]
    )
    assert client_for(bob).get(f"/files/{token}/").status_code == 404


# --- headers --------------------------------------------------------------------------------


def attached(alice, content, name, alt="Described"):
    token = make_upload(alice, content, name=name, alt=alt).token
    feed_services.status_create(author=alice, body="Files", attachments=[token])
    return token


def test_pictures_are_inline_everything_else_a_download_all_nosniff(alice, bob):
    picture = attached(alice, media.picture(), "photo.jpg")
    document = attached(alice, media.pdf(), "plan.pdf")
    viewer = client_for(bob)
    response = viewer.get(f"/files/{picture}/")
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    response = viewer.get(f"/files/{document}/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    for url in (f"/files/{picture}/", f"/files/{picture}/thumbnail/", f"/files/{document}/"):
        response = viewer.get(url)
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert "private" in response["Cache-Control"]
    assert viewer.get(f"/files/{document}/thumbnail/").status_code == 404
    assert viewer.post(f"/files/{document}/").status_code == 405


def test_ids_in_file_urls_are_not_guessable(alice):
    tokens = {make_upload(alice, media.pdf(), alt="").token for _ in range(3)}
    assert len(tokens) == 3
    assert all(len(t) >= 22 and not t.isdigit() for t in tokens)
    for bad in ("1", "../../etc/passwd", "a" * 40, "%00"):
        assert client_for(alice).get(f"/files/{bad}/").status_code == 404


# --- ranges ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-9", 0, 9),
        ("bytes=100-", 100, None),
        ("bytes=-25", -25, None),
        ("bytes=5-5", 5, 5),
        ("bytes=50-100000", 50, None),
    ],
)
def test_range_requests_answer_206_with_the_right_bytes(alice, bob, header, first, last):
    content = media.pdf()
    token = attached(alice, content, "plan.pdf")
    response = client_for(bob).get(f"/files/{token}/", HTTP_RANGE=header)
    assert response.status_code == 206
    expected = content[first : None if last is None else last + 1]
    assert body_of(response) == expected
    start = first if first >= 0 else len(content) + first
    assert response["Content-Range"] == f"bytes {start}-{start + len(expected) - 1}/{len(content)}"
    assert response["Content-Length"] == str(len(expected))
    assert response["Accept-Ranges"] == "bytes"


def test_unsatisfiable_and_malformed_ranges(alice, bob):
    content = media.pdf()
    token = attached(alice, content, "plan.pdf")
    viewer = client_for(bob)
    response = viewer.get(f"/files/{token}/", HTTP_RANGE=f"bytes={len(content)}-")
    assert response.status_code == 416 and response["Content-Range"] == f"bytes */{len(content)}"
    for header in ("bytes=abc", "items=0-5", "bytes=0-1,5-9", "bytes=9-2"):
        response = viewer.get(f"/files/{token}/", HTTP_RANGE=header)
        assert response.status_code == 200 and body_of(response) == content, header
    response = viewer.get(f"/files/{token}/", HTTP_RANGE="bytes=0-3", HTTP_IF_RANGE='"stale"')
    assert response.status_code == 200
    etag = viewer.get(f"/files/{token}/")["ETag"]
    response = viewer.get(f"/files/{token}/", HTTP_RANGE="bytes=0-3", HTTP_IF_RANGE=etag)
    assert response.status_code == 206 and body_of(response) == content[:4]


def test_seeking_in_a_video(alice, bob, videos):
    token = attached(alice, videos["mp4"], "clip.mp4")
    viewer = client_for(bob)
    whole = viewer.get(f"/files/{token}/")
    assert whole["Content-Type"] == "video/mp4" and whole["Accept-Ranges"] == "bytes"
    middle = len(videos["mp4"]) // 2
    response = viewer.get(f"/files/{token}/", HTTP_RANGE=f"bytes={middle}-{middle + 999}")
    assert (
        response.status_code == 206 and body_of(response) == videos["mp4"][middle : middle + 1000]
    )
    assert viewer.get(f"/files/{token}/thumbnail/")["Content-Type"] == "image/webp"


# --- production hand-offs -------------------------------------------------------------------


def test_behind_nginx_the_download_is_an_accel_redirect(alice, bob, settings):
    token = attached(alice, media.pdf(), "plan.pdf")
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    response = client_for(bob).get(f"/files/{token}/")
    name = Attachment.objects.get(token=token).file.name
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{name}"
    assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    outsider = make_upload(alice, media.pdf(), alt="").token
    assert client_for(bob).get(f"/files/{outsider}/").status_code == 404


def test_on_s3_the_download_is_a_short_lived_signed_url(alice, bob, settings, monkeypatch):
    s3 = pytest.importorskip("storages.backends.s3")
    token = attached(alice, media.pdf(), "plan.pdf")
    storage = s3.S3Storage(
        bucket_name="media",
        access_key="AKIDEXAMPLE",
        secret_key="secret",
        region_name="eu-west-1",
        querystring_expire=60,
        signature_version="s3v4",
    )
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storage)
    settings.MEDIA_STORAGE = "s3"
    settings.MEDIA_URL_EXPIRE_SECONDS = 60
    response = client_for(bob).get(f"/files/{token}/")
    assert response.status_code == 302
    url = response["Location"]
    assert "X-Amz-Expires=60" in url and "X-Amz-Signature=" in url
    assert "response-content-disposition=attachment" in url
    assert default_storage.exists(Attachment.objects.get(token=token).file.name)


@pytest.mark.django_db(transaction=True)
async def test_under_asgi_a_download_streams_in_blocks(alice, bob, async_client):
    from asgiref.sync import sync_to_async
    from django.db import connections

    content = media.pdf() * 100
    token = await sync_to_async(attached)(alice, content, "big.pdf")
    await async_client.aforce_login(bob)
    response = await async_client.get(f"/files/{token}/", headers={"Range": "bytes=10-200009"})
    assert response.status_code == 206 and response.is_async
    parts = [part async for part in response.streaming_content]
    assert b"".join(parts) == content[10:200010]
    assert max(len(part) for part in parts) <= 64 * 1024
    # The view ran in asgiref's thread: close its connection there, or PostgreSQL keeps the
    # test database open at teardown.
    await sync_to_async(connections.close_all)()
