"""POST /api/v1/uploads/: every kind accepted or refused by its content, never its name."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from attachments.models import Attachment
from tests.attachments import media
from tests.attachments.helpers import client_for, post_upload

pytestmark = pytest.mark.django_db


def stored(response) -> Attachment:
    return Attachment.objects.get(token=response.json()["id"])


def read(field) -> bytes:
    with default_storage.open(field.name, "rb") as handle:
        return handle.read()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (media.picture("JPEG"), "a.jpg"),
        (media.picture("PNG"), "a.png"),
        (media.picture("GIF"), "a.gif"),
        (media.picture("WEBP"), "a.webp"),
        (media.picture("PNG"), "named-like-a.pdf"),
    ],
)
def test_pictures_are_accepted_and_re_encoded_as_jpeg_with_a_thumbnail(alice, content, name):
    response = post_upload(client_for(alice), content, name=name, alt="Red square")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "image" and body["content_type"] == "image/jpeg"
    assert body["name"].endswith(".jpg") and body["alt"] == "Red square"
    assert body["url"].startswith("/files/") and body["thumbnail_url"]
    attachment = stored(response)
    with Image.open(io.BytesIO(read(attachment.file))) as image:
        assert image.format == "JPEG"
    with Image.open(io.BytesIO(read(attachment.thumbnail))) as image:
        assert image.format == "WEBP"
    assert attachment.owner_id is None and attachment.uploader == alice


def test_a_transparent_picture_stays_transparent_as_webp(alice):
    content = media.picture("PNG", color=(200, 30, 30, 0))
    response = post_upload(client_for(alice), content, name="logo.png")
    assert response.json()["content_type"] == "image/webp"
    with Image.open(io.BytesIO(read(stored(response).file))) as image:
        assert image.format == "WEBP" and image.mode == "RGBA"


def test_a_heic_photo_is_converted(alice):
    pytest.importorskip("pillow_heif")
    response = post_upload(client_for(alice), media.heic(), name="IMG_0001.HEIC")
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "image/jpeg"
    assert response.json()["name"] == "IMG_0001.jpg"


def test_gps_position_and_camera_data_are_gone_after_upload(alice):
    original = media.jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(media.GPS)  # the test photo does carry a position
    response = post_upload(client_for(alice), original, name="holiday.jpg")
    attachment = stored(response)
    for field in (attachment.file, attachment.thumbnail):
        data = read(field)
        with Image.open(io.BytesIO(data)) as after:
            exif = after.getexif()
            assert not exif.get_ifd(media.GPS) and media.GPS not in exif
            assert 0x010F not in exif
        assert b"PhoneCo" not in data


def test_a_large_picture_is_scaled_to_2560_on_its_longest_side(alice):
    response = post_upload(client_for(alice), media.picture("PNG", size=(3000, 1000)))
    attachment = stored(response)
    assert (attachment.width, attachment.height) == (2560, 853)
    with Image.open(io.BytesIO(read(attachment.thumbnail))) as thumb:
        assert max(thumb.size) == 640


def test_a_decompression_bomb_is_refused_and_nothing_is_kept(alice):
    response = post_upload(client_for(alice), media.png_bomb(), name="bomb.png")
    assert response.status_code == 400
    assert "pixels" in response.json()["file"][0]
    assert not Attachment.objects.exists()


def test_a_polyglot_png_comes_out_as_pixels_only(alice):
    response = post_upload(client_for(alice), media.polyglot(), name="innocent.png")
    assert response.status_code == 201
    data = read(stored(response).file)
    assert b"<script" not in data and b"<html" not in data
    assert b"PK\x03\x04" not in data and b"evil.html" not in data
    assert data.startswith(b"\xff\xd8\xff") and data.endswith(b"\xff\xd9")  # JPEG, nothing after


@pytest.mark.parametrize(
    ("content", "content_type", "name"),
    [
        (media.pdf(), "application/pdf", "policy.pdf"),
        (
            media.docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "notes.docx",
        ),
        (media.odt(), "application/vnd.oasis.opendocument.text", "notes.odt"),
        (media.zip_bytes({"a.txt": b"hello"}), "application/zip", "bundle.zip"),
        ("Grüße aus Köln\nLine two\n".encode(), "text/plain", "hello.txt"),
        (b"name,amount\nalice,3\nbob,4\n", "text/csv", "numbers.csv"),
    ],
)
def test_files_are_stored_exactly_as_sent(alice, content, content_type, name):
    response = post_upload(client_for(alice), content, name=name, alt=None)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "file" and body["content_type"] == content_type
    assert body["name"] == name and body["size"] == len(content)
    assert body["thumbnail_url"] is None
    assert read(stored(response).file) == content


def test_a_file_is_named_by_what_it_is_not_what_it_claims(alice):
    response = post_upload(client_for(alice), media.pdf(), name="../../etc/passwd.exe")
    assert response.json()["name"] == "passwd.pdf"


@pytest.mark.parametrize(
    ("content", "name", "named"),
    [
        (media.PE, "photo.jpg", "Programs"),
        (media.ELF, "report.pdf", "Programs"),
        (media.MACHO, "notes.txt", "Programs"),
        (media.SCRIPT, "readme.txt", "Programs"),
        (media.SVG, "logo.png", "SVG"),
        (b"<?xml version='1.0'?>\n" + media.SVG, "logo.svg", "SVG"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "page.txt", "HTML"),
        (b"  <script>alert(1)</script>", "notes.csv", "HTML"),
        (b"\x00\x01\x02binary", "data.txt", "kind of file"),
        (b"\xff\xfe\x00 not utf-8 \xc3", "latin.txt", "kind of file"),
        (b"", "empty.txt", "empty"),
        (b"\xff\xd8\xff\xe0 not really a jpeg", "photo.jpg", "damaged"),
        (
            media.zip_bytes({"mimetype": b"application/x-evil"}, first="mimetype"),
            "a.odt",
            "packaged",
        ),
    ],
)
def test_refused_kinds_are_400_naming_them_and_leave_nothing(alice, content, name, named, tmp_path):
    response = post_upload(client_for(alice), content, name=name)
    assert response.status_code == 400, response.content
    assert named.lower() in response.json()["file"][0].lower()
    assert not Attachment.objects.exists()
    assert not default_storage.exists("attachments") or not any(
        default_storage.listdir("attachments")[0]
    )


def test_mp4_webm_and_mov_video_are_checked_and_get_a_poster(alice, videos):
    client = client_for(alice)
    for ext, content_type in (
        ("mp4", "video/mp4"),
        ("webm", "video/webm"),
        ("mov", "video/quicktime"),
    ):
        response = post_upload(client, videos[ext], name=f"clip.{ext}")
        assert response.status_code == 201, (ext, response.content)
        body = response.json()
        assert body["kind"] == "video" and body["content_type"] == content_type
        assert body["thumbnail_url"], ext
        attachment = stored(response)
        assert read(attachment.file) == videos[ext]
        assert attachment.duration and abs(attachment.duration - 1.0) < 0.3


def test_a_fake_video_is_refused(alice, videos):
    fake = videos["mp4"][:40] + b"\x00" * 400
    response = post_upload(client_for(alice), fake, name="clip.mp4")
    assert response.status_code == 400
    assert "video" in response.json()["file"][0].lower()


def test_each_kind_has_its_own_size_limit_413(alice, settings):
    settings.ATTACHMENTS_IMAGE_MAX_BYTES = 1000
    settings.ATTACHMENTS_FILE_MAX_BYTES = 100
    client = client_for(alice)
    response = post_upload(client, media.pdf(), name="big.pdf")
    assert response.status_code == 413 and response.json()["detail"].startswith("Files may be")
    response = post_upload(client, media.jpeg_with_gps(size=(400, 400)))
    assert response.status_code == 413 and response.json()["detail"].startswith("Pictures")
    assert post_upload(client, media.picture("PNG", size=(8, 8))).status_code == 201
    assert Attachment.objects.count() == 1


def test_an_upload_above_the_largest_limit_is_stopped_while_streaming(alice, settings):
    settings.ATTACHMENTS_IMAGE_MAX_BYTES = settings.ATTACHMENTS_FILE_MAX_BYTES = 50_000
    settings.ATTACHMENTS_VIDEO_MAX_BYTES = settings.UPLOAD_MAX_BYTES = 50_000
    response = post_upload(client_for(alice), b"a" * 200_000, name="big.txt")
    assert response.status_code == 413
    assert "at most" in response.json()["detail"]
    assert not Attachment.objects.exists()


def test_the_daily_quota_answers_429(alice, settings):
    settings.ATTACHMENTS_DAILY_QUOTA_BYTES = 10_000
    client = client_for(alice)
    assert post_upload(client, media.pdf(), name="a.pdf").status_code == 201
    content = b"x,y\n" + b"1,2\n" * 2500
    response = post_upload(client, content, name="big.csv")
    assert response.status_code == 429
    assert "24 hours" in response.json()["detail"] and response["Retry-After"]
    assert Attachment.objects.count() == 1


def test_uploading_needs_a_login_and_a_file(alice, api):
    response = post_upload(api, media.pdf())
    assert response.status_code in (401, 403)
    response = client_for(alice).post("/api/v1/uploads/", {"alt": "x"}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    response = client_for(alice).post("/api/v1/uploads/", {"file": "text"}, format="json")
    assert response.status_code in (400, 415)
    assert not Attachment.objects.exists()


def test_the_uploader_reads_and_describes_an_upload_nobody_else_can(alice, bob, api):
    token = post_upload(client_for(alice), media.picture(), alt="").json()["id"]
    url = f"/api/v1/uploads/{token}/"
    assert api.get(url).status_code in (401, 403)
    assert client_for(bob).get(url).status_code == 404
    assert client_for(bob).patch(url, {"alt": "x"}, format="json").status_code == 404
    response = client_for(alice).patch(url, {"alt": "A red square"}, format="json")
    assert response.status_code == 200 and response.json()["alt"] == "A red square"
    assert (
        client_for(alice).patch(url, {"alt": "x", "kind": "file"}, format="json").status_code == 400
    )
    assert client_for(alice).get(url).json()["alt"] == "A red square"
