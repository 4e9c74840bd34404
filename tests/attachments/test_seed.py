"""seed_demo puts photos, a PDF and a video on a few statuses, once."""

import shutil

import pytest

from attachments.models import Attachment
from attachments.selectors import attachment_get_for_download
from demo.seeding.attachments import AttachmentSeeder
from tests.attachments.helpers import client_for
from tests.conftest import seeded_module

pytestmark = pytest.mark.django_db

company = seeded_module("company", employees=20, statuses=80)


def test_demo_statuses_carry_photos_a_pdf_and_a_video_made_here(company):
    assert "Attachments ready" in company
    kinds = sorted(Attachment.objects.filter(owner_id__isnull=False).values_list("kind", flat=True))
    expected = ["file", "image", "image"] + (["video"] if shutil.which("ffprobe") else [])
    assert kinds == sorted(expected)
    assert all(a.alt for a in Attachment.objects.filter(kind="image"))
    assert AttachmentSeeder().run() == 0  # a second run creates nothing


def test_alice_sees_the_demo_pictures_in_her_feed(company):
    from profiles.models import User

    alice = User.objects.get(username="alice")
    picture = Attachment.objects.filter(kind="image").first()
    assert attachment_get_for_download(user=alice, token=picture.token) == picture
    page = client_for(alice).get(f"/statuses/{picture.owner_id}/").content.decode()
    assert picture.alt in page
