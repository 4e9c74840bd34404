"""Every main page on a phone (375 × 812), light and dark: no horizontal
scroll, tap targets of at least 44 px, navigation reachable, a title of its own, and no serious or
critical axe-core violation. `E2E_SCREENSHOTS=1` also writes docs/screenshots/."""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe

from bench.servers import ROOT

pytestmark = pytest.mark.e2e

SHOTS = ROOT / "docs" / "screenshots"
AXE = Axe()


def pages(server) -> list[tuple[str, str, str]]:
    """(screenshot name, user, path) for every main page (a 404 shows Django's debug page here)."""
    status_id = server.one(
        "SELECT s.id FROM feeds_status s WHERE s.edited_at IS NOT NULL AND s.removal = '' "
        "ORDER BY s.id LIMIT 1"
    )
    commented = server.one(
        "SELECT status_id FROM feeds_comment GROUP BY status_id ORDER BY count(*) DESC LIMIT 1"
    )
    tag = server.one(
        "SELECT h.name FROM feeds_hashtag h JOIN feeds_status_hashtags sh ON sh.hashtag_id = h.id "
        "GROUP BY h.id ORDER BY count(*) DESC LIMIT 1"
    )
    slug = server.one(
        "SELECT slug FROM exec_blog_blogpost WHERE status = 'published' "
        "AND publish_at <= datetime('now') ORDER BY publish_at DESC LIMIT 1"
    )
    question = server.one("SELECT id FROM exec_blog_question ORDER BY id LIMIT 1")
    idea = server.one("SELECT id FROM ideas_idea ORDER BY id LIMIT 1")
    department = server.one("SELECT slug FROM profiles_department ORDER BY id LIMIT 1")
    return [
        ("login", "", "/accounts/login/"),
        ("feed", "alice", "/"),
        ("status", "alice", f"/statuses/{commented}/"),
        ("history", "alice", f"/statuses/{status_id}/history/"),
        ("tag", "alice", f"/tags/{tag}/"),
        ("department", "alice", f"/departments/{department}/"),
        ("search", "alice", "/search/?q=launch"),
        ("notifications", "alice", "/notifications/"),
        ("communities", "alice", "/communities/"),
        ("community", "alice", "/c/orion-migration/"),
        ("community-members", "alice", "/c/orion-migration/members/"),
        ("moderation-log", "alice", "/moderation/log/"),
        ("directory", "alice", "/people/"),
        ("profile", "alice", "/people/alice/"),
        ("edit-profile", "alice", "/people/me/edit/"),
        ("blog-list", "alice", "/blog/"),
        ("blog", "alice", f"/blog/{slug}/"),
        ("blog-new", "ceo", "/blog/new/"),
        ("ask", "alice", "/ask/"),
        ("question", "alice", f"/ask/{question}/"),
        ("ideas", "alice", "/ideas/"),
        ("idea", "alice", f"/ideas/{idea}/"),
        ("about-reports", "alice", "/reports/about/"),
        ("engagement", "hr", "/reports/engagement/"),
        ("two-factor", "alice", "/accounts/2fa/"),
        ("password", "alice", "/accounts/password/change/"),
    ]


ONLY_VIOLATIONS = {"resultTypes": ["violations"]}
CONTRAST = {"runOnly": ["color-contrast"], "resultTypes": ["violations"]}


# The screenshots kept in docs/screenshots/ (and shown in the README).
WANTED = {
    "login-phone", "login-desktop",
    "feed-desktop", "feed-desktop-dark", "feed-phone", "feed-phone-dark",
    "status-desktop", "status-phone",
    "notifications-desktop", "moderation-log-desktop",
    "communities-desktop", "communities-phone", "community-desktop", "community-phone",
    "directory-desktop-dark", "directory-phone",
    "profile-desktop", "profile-phone-dark", "edit-profile-desktop",
    "blog-desktop", "blog-phone-dark",
    "ask-desktop", "ask-phone",
    "ideas-desktop", "ideas-phone",
    "engagement-desktop", "engagement-phone-dark",
}  # fmt: skip


def screenshots(open_page, name: str, user: str, path: str) -> None:
    for phone, suffix in ((True, "phone"), (False, "desktop")):
        for dark in (False, True):
            shot = f"{name}-{suffix}{'-dark' if dark else ''}"
            if shot not in WANTED:
                continue
            page = open_page(user or None, phone=phone, dark=dark)
            page.goto(path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=SHOTS / f"{shot}.png")
            page.context.close()


def serious(page, options=None) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.axe_script)
    results = page.evaluate("(options) => axe.run(document, options)", options or ONLY_VIOLATIONS)
    found = []
    for violation in results["violations"]:
        if violation["impact"] in {"serious", "critical"}:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


SMALL_TARGETS = """
(selectors) => {
  const small = [];
  for (const el of document.querySelectorAll(selectors)) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (getComputedStyle(el).visibility === "hidden") continue;
    if (box.width < 44 || box.height < 44) {
      const text = el.textContent.trim().slice(0, 30);
      const size = `${Math.round(box.width)}×${Math.round(box.height)}`;
      small.push(`${el.tagName.toLowerCase()}.${el.className} "${text}" ${size}`);
    }
  }
  return small;
}
"""
TAP_TARGETS = (
    ".site-nav a, .site-nav summary, .site-nav button, .brand, "
    "main .btn--primary, main button[type=submit]"
)


def test_every_page_on_a_phone_and_in_the_dark(server, open_page):
    problems = []
    titles = {}
    shoot = os.environ.get("E2E_SCREENSHOTS") == "1"
    phones = {}
    for name, user, path in pages(server):
        if user not in phones:
            phones[user] = open_page(user or None, phone=True)
        phone = phones[user]
        phone.emulate_media(color_scheme="light")
        answer = phone.goto(path)
        assert answer.status == 200, f"{path}: {answer.status}"
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            problems.append(f"{path}: scrolls sideways on a phone ({width}px)")
        for small in phone.evaluate(SMALL_TARGETS, TAP_TARGETS):
            problems.append(f"{path}: tap target under 44px: {small}")
        if user:
            nav = phone.get_by_role("navigation", name="Main")
            for label in ("Home", "People", "Communities", "Ask", "Ideas", "Blog"):
                box = nav.get_by_role("link", name=label).bounding_box()
                # On screen, not scrolled out of sight in the header.
                if not box or box["x"] < 0 or box["x"] + box["width"] > 375:
                    problems.append(f"{path}: '{label}' not reachable on a phone")
        problems += [f"{path} (phone): {v}" for v in serious(phone)]
        titles[path] = phone.title()
        # The whole rule set ran in the light theme; the dark one changes colours only.
        phone.emulate_media(color_scheme="dark")
        problems += [f"{path} (phone, dark): {v}" for v in serious(phone, CONTRAST)]
        if shoot:
            screenshots(open_page, name, user, path)
    for path, title in titles.items():
        if not title.endswith("· Enterprise Social") or title.startswith("Enterprise Social ·"):
            problems.append(f"{path}: no title of its own ({title!r})")
    assert not problems, "\n".join(problems)
