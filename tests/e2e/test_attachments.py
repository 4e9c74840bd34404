"""Pictures and files in a real browser: alice posts two photos (described) and a PDF, bob sees
the post arrive live with its thumbnails, opens the viewer and downloads the PDF; at 375 px the
gallery fits. `E2E_SCREENSHOTS=1` also writes docs/screenshots/attachments-*.png."""

import io
import os
import re
import time
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def photo(color) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (1200, 800), color)
    for x in range(0, 1200, 40):  # some detail, so the thumbnail is not a flat square
        for y in range(500, 800, 40):
            image.putpixel((x, y), (255, 255, 255))
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 800), "white").save(out, format="PDF")
    return out.getvalue()


def follow(page, username: str) -> None:
    page.goto(f"/people/{username}/")
    following = page.get_by_role("button", name=re.compile(r"^Following"))
    if following.count() == 0:
        page.get_by_role("button", name=re.compile(r"^Follow\b")).first.click()
        expect(following.first).to_be_visible()


def test_photos_with_alt_text_and_a_pdf_arrive_live_open_in_the_viewer_and_download(
    server, open_page
):
    bob = open_page("bob")
    follow(bob, "alice")
    bob.goto("/")
    time.sleep(0.5)  # bob's socket is open before the post is made

    alice = open_page("alice")
    alice.goto("/")
    alice.locator("#composer-files").set_input_files(
        [
            {"name": "lake.jpg", "mimeType": "image/jpeg", "buffer": photo((40, 110, 170))},
            {"name": "dinner.jpg", "mimeType": "image/jpeg", "buffer": photo((170, 90, 40))},
            {"name": "offsite-agenda.pdf", "mimeType": "application/pdf", "buffer": pdf()},
        ]
    )
    uploads = alice.locator("[data-attach-list] .upload-item")
    expect(uploads).to_have_count(3)
    alts = alice.get_by_label(re.compile("Describe this picture"))
    expect(alts).to_have_count(2)
    expect(uploads.nth(2)).to_contain_text("file")
    alice.locator("#composer textarea[name=body]").fill("Offsite photos and the agenda #offsite")
    alice.get_by_role("button", name="Post", exact=True).click()
    # No description yet: the composer says so and posts nothing.
    expect(alice.locator("[data-attach-error]")).to_contain_text("Describe every picture")
    expect(alts.first).to_be_focused()
    alts.nth(0).fill("The lake at dawn from the offsite venue")
    alts.nth(1).fill("The team dinner table on the terrace")
    alts.nth(1).press("Tab")  # change: the description is saved
    alice.get_by_role("button", name="Post", exact=True).click()
    card = alice.locator("#timeline article.status", has_text="Offsite photos and the agenda")
    expect(card.first).to_be_visible()
    expect(card.first.locator(".gallery img")).to_have_count(2)

    banner = bob.locator("#new-posts")
    expect(banner).to_be_visible()
    banner.get_by_role("button").click()
    card = bob.locator("#timeline article.status", has_text="Offsite photos and the agenda")
    expect(card).to_be_visible()
    thumbs = card.locator(".gallery img")
    expect(thumbs).to_have_count(2)
    expect(thumbs.nth(0)).to_have_attribute("alt", "The lake at dawn from the offsite venue")
    expect(thumbs.nth(1)).to_have_attribute("alt", "The team dinner table on the terrace")
    bob.wait_for_function(
        "() => [...document.querySelectorAll('.gallery img')].slice(0, 2)"
        ".every((img) => img.complete && img.naturalWidth > 0)"
    )
    expect(card.locator(".attachment-file")).to_contain_text("offsite-agenda.pdf")
    expect(card.locator(".attachment-file")).to_contain_text("PDF document")

    card.locator(".status__permalink").click()
    expect(bob).to_have_url(re.compile(r"/statuses/\d+/$"))
    bob.locator(".gallery a[data-viewer]").first.click()
    viewer = bob.get_by_role("dialog", name="Picture viewer")
    expect(viewer).to_be_visible()
    expect(viewer.locator("img")).to_have_attribute(
        "alt", "The lake at dawn from the offsite venue"
    )
    bob.wait_for_function("() => document.querySelector('.viewer__image').naturalWidth > 1000")
    viewer.get_by_role("button", name="Next").click()
    expect(viewer.locator("img")).to_have_attribute("alt", "The team dinner table on the terrace")
    bob.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    with bob.expect_download() as download:
        bob.get_by_role("link", name="offsite-agenda.pdf").click()
    assert download.value.suggested_filename == "offsite-agenda.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    status_path = bob.url.removeprefix(server.base)

    phone = open_page("bob", phone=True)
    phone.goto(status_path)
    gallery = phone.locator(".gallery").first
    expect(gallery).to_be_visible()
    box = gallery.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    if os.environ.get("E2E_SCREENSHOTS"):
        phone.goto("/")
        phone.wait_for_load_state("networkidle")
        phone.locator(".gallery").first.scroll_into_view_if_needed()
        phone.screenshot(path=SHOTS / "attachments-phone.png")
        bob.goto("/")
        bob.wait_for_load_state("networkidle")
        bob.locator(".gallery").first.scroll_into_view_if_needed()
        bob.screenshot(path=SHOTS / "attachments-desktop.png")
