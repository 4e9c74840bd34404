"""The installable app and notification settings in Chromium: the manifest and the service
worker load, Chromium reports the site installable, the settings page saves and survives a
reload. `E2E_SCREENSHOTS=1` also writes docs/screenshots/notification-settings-*.png."""

import json
import os

import pytest
from playwright.sync_api import expect

from bench.servers import ROOT

from .conftest import CHROMIUM, CHROMIUM_ARGS, session_cookie

pytestmark = pytest.mark.e2e

SHOTS = ROOT / "docs" / "screenshots"


def test_manifest_and_service_worker_load_and_the_site_is_installable(server, tmp_path, chromium):
    # Chromium never offers to install from an incognito profile (every new_context is one):
    # a persistent profile, as a person's browser has, from the same Playwright.
    context = chromium.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        base_url=server.base,
    )
    try:
        context.add_cookies(
            [{"name": "sessionid", "value": session_cookie(server, "alice"), "url": server.base}]
        )
        installable(server, context.new_page())
    finally:
        context.close()


def installable(server, page):
    page.goto("/")
    manifest = page.request.get("/manifest.webmanifest")
    assert manifest.ok and json.loads(manifest.body())["display"] == "standalone"
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == server.url("/")
    # Installability is judged once the worker controls the page.
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    cdp = page.context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == [], errors
    manifest_info = cdp.send("Page.getAppManifest")
    assert not manifest_info.get("errors"), manifest_info["errors"]
    # The offline page comes from the worker's cache when the network is gone.
    page.context.set_offline(True)
    page.goto("/people/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    page.context.set_offline(False)


def test_notification_settings_save_and_survive_a_reload_on_a_phone(open_page):
    page = open_page("alice", phone=True)
    page.goto("/notifications/settings/")
    expect(page.get_by_role("heading", name="Notification settings")).to_be_visible()
    if os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=SHOTS / "notification-settings-phone.png", full_page=True)
    page.get_by_label("Comments on your posts", exact=True).select_option("immediate")
    page.get_by_role("checkbox", name="Push for reactions to your posts").check()
    page.get_by_label("How often").select_option("weekly")
    page.get_by_label("At", exact=True).select_option("18")
    page.get_by_label("Your time zone").select_option("Europe/Paris")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("saved")
    page.reload()
    expect(page.get_by_label("Comments on your posts", exact=True)).to_have_value("immediate")
    expect(page.get_by_role("checkbox", name="Push for reactions to your posts")).to_be_checked()
    expect(page.get_by_label("How often")).to_have_value("weekly")
    expect(page.get_by_label("At", exact=True)).to_have_value("18")
    expect(page.get_by_label("Your time zone")).to_have_value("Europe/Paris")
    if os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=SHOTS / "notification-settings-phone-saved.png")
    api = page.request.get("/api/v1/me/notification-settings/").json()
    assert api["email"]["comment"] == "immediate" and api["push"]["reaction"] is True
