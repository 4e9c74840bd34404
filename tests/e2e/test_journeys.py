"""What people do, in a real browser against a real server: two people at once where it is live."""

import base64
import hashlib
import hmac
import json
import re
import struct
import time
import zlib

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def follower_of(server, username: str) -> str:
    return server.one(
        "SELECT fu.username FROM profiles_follow f JOIN profiles_user u ON u.id = f.followee_id "
        "JOIN profiles_user fu ON fu.id = f.follower_id "
        "WHERE u.username = ? AND fu.is_active ORDER BY fu.username LIMIT 1",
        username,
    )


def post_status(page, body: str):
    page.goto("/")
    page.locator("#composer textarea[name=body]").fill(body)
    page.get_by_role("button", name="Post", exact=True).click()
    card = page.locator("#timeline article.status", has_text=body[:40]).first
    expect(card).to_be_visible()
    return card


def test_log_in_and_out(open_page):
    page = open_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label(re.compile("username|email", re.I)).first.fill("bob")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name=re.compile("Log in|Sign in", re.I)).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.locator(".account-menu__toggle").click()
    page.get_by_role("button", name="Log out").click()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_a_post_with_mention_and_hashtag_arrives_live_then_comments_and_reactions(
    server, open_page
):
    reader = follower_of(server, "alice")
    author_page = open_page("alice")
    reader_page = open_page(reader)
    reader_page.goto("/")
    expect(reader_page.locator("body[data-stream-state=open], body")).to_be_attached()
    time.sleep(0.5)  # the reader's socket is open before the post is made
    body = f"Shipping the new onboarding flow today with @{reader} #e2elaunch"
    post_status(author_page, body)

    banner = reader_page.locator("#new-posts")
    expect(banner).to_be_visible()
    card = reader_page.locator("#timeline article.status", has_text="new onboarding flow")
    expect(card).to_have_count(0)  # waits behind the banner; the reader's place does not move
    banner.get_by_role("button").click()
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name=f"@{reader}")).to_be_visible()
    expect(card.get_by_role("link", name="#e2elaunch")).to_be_visible()
    expect(reader_page.locator("a.nav-icon .nav-badge")).to_be_visible()  # mentioned, live

    before = author_page.locator("a.nav-icon .nav-badge").count()
    like = card.locator("button.reaction--like")
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like.locator(".reaction__count")).to_have_text("1")
    author_badge = author_page.locator("a.nav-icon .nav-badge")
    if before == 0:
        expect(author_badge).to_be_visible()  # the author hears about the reaction live
    author_card = author_page.locator("#timeline article.status", has_text="new onboarding flow")
    expect(author_card.locator("button.reaction--like .reaction__count")).to_have_text("1")

    card.locator(".status__permalink").click()
    reader_page.locator("#comment-form textarea").fill("Congratulations, well done!")
    reader_page.get_by_role("button", name="Comment", exact=True).click()
    expect(reader_page.locator("#comment-list")).to_contain_text("Congratulations, well done!")
    expect(reader_page.locator("#comment-form textarea")).to_have_value("")


def test_edit_keeps_history_and_moderator_hide_leaves_tombstone(server, open_page):
    author = open_page("alice")
    card = post_status(author, "First draft of the quarterly plan #planning")
    status_id = card.get_attribute("id").removeprefix("status-")
    author.goto(f"/statuses/{status_id}/edit/")
    author.locator("textarea[name=body]").fill("Final quarterly plan #planning")
    author.get_by_role("button", name="Save changes").click()
    expect(author.locator(f"#status-{status_id}")).to_contain_text("Final quarterly plan")
    author.goto(f"/statuses/{status_id}/history/")
    expect(author.locator("main")).to_contain_text("First draft of the quarterly plan")

    moderator = open_page("mod")
    moderator.goto(f"/statuses/{status_id}/moderate/?action=hide")
    moderator.locator("textarea[name=reason]").fill("Contains a customer's name")
    moderator.get_by_role("button", name="Apply").click()
    author.goto(f"/statuses/{status_id}/")
    tombstone = author.locator(f"#status-{status_id}")
    expect(tombstone).to_contain_text("Contains a customer's name")
    expect(tombstone).not_to_contain_text("Final quarterly plan")
    author.goto("/moderation/log/")
    expect(author.locator("main")).to_contain_text("Contains a customer's name")


def test_ceo_publishes_a_blog_post_and_an_employee_sees_it_arrive(open_page):
    reader = open_page("bob")
    reader.goto("/")
    time.sleep(0.5)
    ceo = open_page("ceo")
    ceo.goto("/blog/new/")
    ceo.get_by_label("Title").fill("Our plans for the spring")
    ceo.get_by_label(re.compile("^Body")).fill("We will **grow** together.\n\nMore soon.")
    ceo.get_by_label("Status", exact=True).select_option("published")
    ceo.locator("main form button[type=submit]").last.click()
    expect(ceo.locator("main h1")).to_contain_text("Our plans for the spring")

    expect(reader.locator("#new-posts")).to_be_visible()
    reader.locator("#new-posts button").click()
    expect(reader.locator("#timeline")).to_contain_text("Our plans for the spring")
    reader.goto("/blog/")
    reader.get_by_role("link", name="Our plans for the spring").first.click()
    expect(reader.locator("main")).to_contain_text("grow")


def test_ask_upvote_and_answer_a_question(server, open_page):
    text = "Will we keep the four-day week in summer?"
    asker = open_page("alice")
    asker.goto("/ask/")
    asker.get_by_label("Your question to leadership").fill(text)
    asker.get_by_role("button", name="Ask", exact=True).click()
    expect(asker.locator("main")).to_contain_text(text)
    question_id = server.one("SELECT id FROM exec_blog_question WHERE body = ?", text)

    voter = open_page("bob")
    voter.goto(f"/ask/{question_id}/")
    vote = voter.locator(f"#vote-button-{question_id}")
    vote.click()
    expect(vote).to_have_attribute("aria-pressed", "true")

    ceo = open_page("ceo")
    ceo.goto(f"/ask/{question_id}/")
    ceo.get_by_label("Your answer (Markdown)").fill("Yes, from June to August.")
    ceo.get_by_role("button", name="Publish the answer").click()
    asker.goto(f"/ask/{question_id}/")
    expect(asker.locator("main")).to_contain_text("Yes, from June to August.")


def test_hr_reads_the_engagement_report_and_others_are_refused(open_page):
    hr = open_page("hr")
    hr.goto("/reports/engagement/")
    expect(hr.locator("main h1")).to_be_visible()
    assert hr.locator("main svg[role=img], main figure svg").count() >= 2
    assert hr.locator("main table").count() >= 2

    open_page.watch.allowed_statuses = {403}
    employee = open_page("bob")
    answer = employee.goto("/reports/engagement/")
    assert answer.status == 403
    expect(employee.locator("main")).to_be_visible()


def png(width: int = 8, height: int = 8) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x2a\x6f\xdb" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_profile_edit_with_avatar_then_directory_search(open_page):
    page = open_page("hr")
    page.goto("/people/me/edit/")
    page.get_by_label("Job title").fill("People analytics lead")
    page.locator("input[type=file][name=avatar]").set_input_files(
        {"name": "me.png", "mimeType": "image/png", "buffer": png(64, 64)}
    )
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/people/hr/$"))
    expect(page.locator("main")).to_contain_text("People analytics lead")
    avatar = page.locator("main img.avatar").first
    expect(avatar).to_have_attribute("src", re.compile("avatar"))
    # The picture loads after the page: wait for it (a loaded, decodable image), not a moment.
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=avatar.element_handle(), timeout=10000
    )

    page.goto("/people/")
    page.get_by_role("searchbox").last.fill("People analytics")
    page.get_by_role("searchbox").last.press("Enter")
    expect(page.locator("main")).to_contain_text("People analytics lead")


def totp(secret: str, at: float | None = None) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((at or time.time()) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def test_two_factor_set_up(open_page):
    page = open_page("mod")
    page.goto("/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:  # a sensitive change asks for the password again
        page.locator("input[name=password]").fill("demo")
        page.locator("main form button[type=submit]").first.click()
        expect(page).to_have_url(re.compile("/totp/activate/"))
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(totp(secret))
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text(re.compile("recovery codes|activated", re.I))


def test_keyboard_only_posting_and_reacting(open_page):
    page = open_page("ceo", phone=True)
    page.goto("/")

    def tab_to(selector: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#composer textarea[name=body]")
    page.keyboard.type("Posted without a mouse #a11y")
    tab_to("#composer-submit")
    page.keyboard.press("Enter")
    card = page.locator("#timeline article.status", has_text="Posted without a mouse").first
    expect(card).to_be_visible()
    status_id = card.get_attribute("id").removeprefix("status-")
    tab_to(f"#react-{status_id}-celebrate", limit=120)
    page.keyboard.press("Enter")
    button = page.locator(f"#react-{status_id}-celebrate")
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("document.activeElement.id") == f"react-{status_id}-celebrate"


def test_a_failed_reaction_says_so_in_place(open_page):
    open_page.watch.allowed_statuses = {503}
    page = open_page("bob")
    page.goto("/")
    page.route(
        "**/statuses/*/react/",
        lambda route: route.fulfill(status=503, body="Service Unavailable"),
    )
    card = page.locator("#timeline article.status").first
    card.locator("button.reaction--curious").click()
    note = card.locator(".request-error")
    expect(note).to_have_attribute("role", "alert")
    expect(note).to_contain_text("did not work")
    page.unroute("**/statuses/*/react/")
    card.locator("button.reaction--curious").click()
    expect(card.locator(".request-error")).to_have_count(0)


def test_a_private_community_delivers_live_to_its_members_and_stops_at_removal(open_page):
    alice = open_page("alice")
    alice.goto("/communities/new/")
    name = f"Quarterly offsite {int(time.time())}"
    alice.get_by_label("Name").fill(name)
    alice.get_by_label("What it is for").fill("Planning the offsite, invitation only.")
    alice.get_by_role("radio", name=re.compile("Private: ")).check()
    alice.get_by_role("radio", name=re.compile("By invitation")).check()
    alice.get_by_role("button", name="Create the community").click()
    expect(alice).to_have_url(re.compile(r"/c/quarterly-offsite-\d+/$"))
    slug = alice.url.rstrip("/").rsplit("/", 1)[1]
    expect(alice.get_by_role("heading", level=1, name=name)).to_be_visible()

    alice.goto(f"/c/{slug}/members/")
    alice.get_by_label("Invite someone by username").fill("bob")
    alice.get_by_role("button", name="Invite", exact=True).click()
    expect(alice.get_by_role("heading", name="Invited (1)")).to_be_visible()

    bob = open_page("bob")
    bob.goto(f"/c/{slug}/")
    expect(bob.get_by_text(f"Only members read {name}.")).to_be_visible()
    bob.get_by_role("button", name="Accept the invitation").click()
    expect(bob.locator(f"#timeline[data-community='{slug}']")).to_be_attached()
    time.sleep(0.5)  # bob's socket is open before alice posts

    def post_in_community(body: str) -> None:
        alice.goto(f"/c/{slug}/")
        alice.locator("#composer textarea[name=body]").fill(body)
        alice.get_by_role("button", name="Post", exact=True).click()
        expect(alice.locator("#timeline article.status", has_text=body)).to_be_visible()

    # Bob's socket carries his whole feed; his community page shows only the community's posts.
    post_status(open_page("bob"), "Back from the customer summit, notes to follow.")
    banner = bob.locator("#new-posts")
    time.sleep(1.5)
    expect(banner).to_be_hidden()

    post_in_community("Agenda draft is up: day one strategy, day two budget.")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("1 new post")
    banner.get_by_role("button").click()
    expect(bob.locator("#timeline article.status", has_text="Agenda draft is up")).to_be_visible()
    expect(banner).to_be_hidden()

    alice.goto(f"/c/{slug}/members/")
    member = alice.locator("#members li.member", has_text="Bob")
    member.locator("summary", has_text="Manage").click()
    member.get_by_role("button", name="Remove from the community").click()
    expect(alice.locator("#members li.member", has_text="Bob")).to_have_count(0)

    post_in_community("Venue is booked; details to members only.")
    time.sleep(2.5)  # time enough for a live post to arrive, had it been sent
    expect(banner).to_be_hidden()
    expect(bob.locator("#timeline article.status", has_text="Venue is booked")).to_have_count(0)


def _frames(page, direction: str) -> list[dict]:
    """Collects the JSON frames the page's sockets send ("framesent") or receive."""
    frames: list[dict] = []

    def on_socket(ws) -> None:
        ws.on(direction, lambda payload: frames.append(json.loads(payload)))

    page.on("websocket", on_socket)
    return frames


def _watched(frames: list[dict]) -> list[list[int]]:
    return [f["status_ids"] for f in frames if f.get("type") == "watch"]


def test_counts_reach_whoever_has_the_status_on_screen_and_nobody_else(server, open_page):
    """Issue 21: bob is neither the author nor in the thread; his page shows the status, so it
    watches it and its counts arrive live. hr's page shows something else: nothing arrives."""
    author = open_page("alice")
    card = post_status(author, "Counts for those who look: the new canteen menu is out")
    status_id = int(card.get_attribute("id").removeprefix("status-"))

    bob = open_page("bob")
    sent = _frames(bob, "framesent")
    bob.goto(f"/statuses/{status_id}/")
    expect(bob.locator(f"#status-{status_id}")).to_be_visible()
    deadline = time.monotonic() + 5
    while status_id not in sum(_watched(sent), []) and time.monotonic() < deadline:
        bob.wait_for_timeout(100)
    assert status_id in sum(_watched(sent), []), sent

    elsewhere = open_page("hr")
    heard = _frames(elsewhere, "framereceived")
    elsewhere.goto("/notifications/")
    elsewhere.wait_for_timeout(1000)  # its socket is open and has said what it shows

    reactor = open_page("mod")
    reactor.goto(f"/statuses/{status_id}/")
    like = reactor.locator(f"#status-{status_id} button.reaction--like")
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(bob.locator(f"#status-{status_id} button.reaction--like .reaction__count")).to_have_text(
        "1"
    )
    reactor.locator("#comment-form textarea").fill("Finally, soup on Fridays.")
    reactor.get_by_role("button", name="Comment", exact=True).click()
    expect(bob.locator("#comment-list")).to_contain_text("Finally, soup on Fridays.")
    elsewhere.wait_for_timeout(1000)
    assert not [f for f in heard if f.get("status_id") == status_id], heard


def test_the_feed_watches_the_cards_on_screen_as_the_reader_scrolls(open_page):
    page = open_page("alice")
    sent = _frames(page, "framesent")
    page.goto("/")
    cards = page.locator("#timeline article.status")
    expect(cards.first).to_be_visible()
    first_id = int(cards.first.get_attribute("id").removeprefix("status-"))
    deadline = time.monotonic() + 5
    while not _watched(sent) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    [initial] = _watched(sent)[:1]
    assert first_id in initial and 0 < len(initial) <= 200
    page.mouse.wheel(0, 6000)  # far down: the first cards leave the screen
    deadline = time.monotonic() + 5
    while len(_watched(sent)) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    latest = _watched(sent)[-1]
    assert latest != initial and first_id not in latest and len(latest) <= 200
    page.mouse.wheel(0, -20000)  # back to the top: watched again
    deadline = time.monotonic() + 5
    while first_id not in _watched(sent)[-1] and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert first_id in _watched(sent)[-1]
    # At most one frame a second however the reader scrolls (the server allows 20 in 10 s).
    assert len(_watched(sent)) <= 8
