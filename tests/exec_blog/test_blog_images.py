"""Images of executive blog posts: upload (API and editor), validation, private serving."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from core.text import render
from exec_blog import services
from exec_blog.models import BlogImage, BlogPost
from profiles.permissions import EXECUTIVES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def write(author, **kwargs) -> BlogPost:
    fields = {"title": "Our year ahead", "body": "## Plan\n\nText.", "summary": "The plan."}
    fields.update(kwargs)
    return services.post_create(author=author, **fields)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def image_file(size=(2400, 1200), fmt="JPEG", name="photo.jpg", exif=False) -> SimpleUploadedFile:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x0112] = 6  # orientation: rotate 90° clockwise to display
        data[0x010F] = "PhoneCo"  # camera make: metadata that must not survive
        kwargs["exif"] = data.tobytes()
    image.save(out, format=fmt, **kwargs)
    return SimpleUploadedFile(name, out.getvalue(), f"image/{fmt.lower()}")


def upload(user, post, **data):
    data.setdefault("image", image_file())
    return client_for(user).post(
        f"/api/v1/blog/posts/{post.slug}/images/", data, format="multipart"
    )


@pytest.fixture
def cfo(db):
    return UserFactory(username="cfo", roles=[EXECUTIVES])


# --- uploading -----------------------------------------------------------------------------------


def test_author_uploads_an_image_reencoded_to_webp_and_resized(ceo):
    post = write(ceo)
    response = upload(ceo, post, alt="Our new office")
    assert response.status_code == 201, response.content
    body = response.json()
    image = BlogImage.objects.get()
    assert body == {
        "id": image.pk,
        "url": f"/blog/images/{image.pk}/",
        "markdown": f"![Our new office](/blog/images/{image.pk}/)",
        "width": 1600,
        "height": 800,
    }
    assert image.post == post and image.alt == "Our new office"
    assert image.file.name.startswith("blog/") and image.file.name.endswith(".webp")
    path = Path(settings.MEDIA_ROOT) / image.file.name
    assert path.is_file()
    with Image.open(path) as stored:
        assert stored.format == "WEBP" and stored.size == (1600, 800)


def test_exif_orientation_is_applied_and_metadata_dropped(ceo):
    post = write(ceo)
    image = services.post_image_add(
        actor=ceo, post=post, upload=image_file(size=(400, 200), exif=True)
    )
    assert (image.width, image.height) == (200, 400)
    with Image.open(Path(settings.MEDIA_ROOT) / image.file.name) as stored:
        assert stored.size == (200, 400)
        assert not stored.getexif()


def test_small_png_keeps_its_size(ceo):
    post = write(ceo)
    response = upload(ceo, post, image=image_file(size=(300, 100), fmt="PNG", name="a.png"))
    assert response.status_code == 201, response.content
    assert (response.json()["width"], response.json()["height"]) == (300, 100)


def test_another_executive_cannot_upload(ceo, cfo):
    post = write(ceo, status="published")
    assert upload(cfo, post).status_code == 403
    assert not BlogImage.objects.exists()


def test_an_employee_cannot_upload(ceo, alice):
    post = write(ceo, status="published")
    assert upload(alice, post).status_code == 403
    assert not BlogImage.objects.exists()


def test_someone_elses_draft_is_404(ceo, cfo):
    post = write(ceo)
    assert upload(cfo, post).status_code == 404


def test_a_non_image_is_refused(ceo):
    post = write(ceo)
    fake = SimpleUploadedFile("photo.jpg", b"<svg onload=alert(1)></svg>", "image/jpeg")
    response = upload(ceo, post, image=fake)
    assert response.status_code == 400
    assert "image" in response.json()
    assert not BlogImage.objects.exists()


def test_a_format_outside_the_allow_list_is_refused(ceo):
    post = write(ceo)
    response = upload(ceo, post, image=image_file(size=(50, 50), fmt="BMP", name="a.bmp"))
    assert response.status_code == 400
    assert not BlogImage.objects.exists()


def test_over_five_megabytes_is_refused(ceo):
    post = write(ceo)
    out = io.BytesIO()
    Image.frombytes("RGB", (1400, 1400), bytes(range(256)) * (1400 * 1400 * 3 // 256 + 1)).save(
        out, format="BMP"
    )
    big = out.getvalue()  # 5.9 MB, which the size cap refuses before decoding
    assert len(big) > 5 * 1024 * 1024
    response = upload(ceo, post, image=SimpleUploadedFile("big.bmp", big, "image/bmp"))
    assert response.status_code == 400
    assert "5 MB" in str(response.json()["image"])
    assert not BlogImage.objects.exists()


def test_anonymous_gets_401_from_the_api(api, ceo):
    post = write(ceo)
    response = api.post(f"/api/v1/blog/posts/{post.slug}/images/", {"image": image_file()})
    assert response.status_code == 401


# --- serving -------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, ceo):
    post = write(ceo, status="published")
    image = services.post_image_add(actor=ceo, post=post, upload=image_file())
    response = client.get(f"/blog/images/{image.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_colleague_sees_the_image_of_a_published_post(alice_client, ceo):
    post = write(ceo, status="published")
    image = services.post_image_add(actor=ceo, post=post, upload=image_file())
    response = alice_client.get(f"/blog/images/{image.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "private, max-age=86400"
    assert b"".join(response.streaming_content)[8:12] == b"WEBP"


def test_image_of_a_draft_is_404_for_others_but_not_the_author(alice_client, client, ceo):
    post = write(ceo)
    image = services.post_image_add(actor=ceo, post=post, upload=image_file())
    assert alice_client.get(f"/blog/images/{image.pk}/").status_code == 404
    client.force_login(ceo)
    assert client.get(f"/blog/images/{image.pk}/").status_code == 200


def test_missing_image_is_404(alice_client):
    assert alice_client.get("/blog/images/999/").status_code == 404


def test_images_is_not_a_post_slug(ceo):
    post = write(ceo, title="Images")
    assert post.slug != "images"


# --- rendering -----------------------------------------------------------------------------------


def test_relative_image_urls_survive_the_sanitiser():
    html = render("![A chart](/blog/images/7/)", long_form=True).html
    assert '<img alt="A chart" src="/blog/images/7/">' in html
    html = render("![x](javascript:alert(1))", long_form=True).html
    assert "javascript" not in html


def test_the_post_body_keeps_the_image(ceo, alice_client):
    post = write(ceo, status="published")
    image = services.post_image_add(actor=ceo, post=post, upload=image_file(), alt="Chart")
    services.post_update(actor=ceo, post=post, body=f"## Plan\n\n{image.markdown}\n")
    post.refresh_from_db()
    assert f'<img alt="Chart" src="/blog/images/{image.pk}/">' in post.body_html
    page = alice_client.get(f"/blog/{post.slug}/").content.decode()
    assert f'<img alt="Chart" src="/blog/images/{image.pk}/">' in page


# --- the editor ----------------------------------------------------------------------------------


def test_editor_attaches_images_and_shows_the_markdown(client, ceo):
    client.force_login(ceo)
    page = client.get("/blog/new/").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="images"' in page
    response = client.post(
        "/blog/new/",
        {
            "title": "With pictures",
            "body": "Some text here.",
            "status": "draft",
            "images": [image_file(name="a.jpg"), image_file(size=(100, 100), fmt="PNG")],
        },
    )
    post = BlogPost.objects.get(title="With pictures")
    assert response.status_code == 302 and response["Location"] == f"/blog/{post.slug}/edit/"
    images = list(post.images.order_by("id"))
    assert len(images) == 2
    page = client.get(response["Location"]).content.decode()
    for image in images:
        assert f"![](/blog/images/{image.pk}/)" in page


def test_editor_reports_a_refused_image_and_keeps_the_post(client, ceo):
    client.force_login(ceo)
    post = write(ceo)
    response = client.post(
        f"/blog/{post.slug}/edit/",
        {
            "title": post.title,
            "body": post.body,
            "status": "draft",
            "images": [SimpleUploadedFile("notes.txt", b"just text", "text/plain")],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "notes.txt" in response.content.decode()
    assert not BlogImage.objects.exists()


def test_editor_without_images_goes_to_the_post(client, ceo):
    client.force_login(ceo)
    post = write(ceo)
    response = client.post(
        f"/blog/{post.slug}/edit/", {"title": "New title", "body": post.body, "status": "draft"}
    )
    assert response.status_code == 302 and response["Location"] == f"/blog/{post.slug}/"
