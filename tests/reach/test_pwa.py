"""The installable app: manifest, service worker at the root scope, offline page; all without a
login and without anyone's data."""

import json

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_the_manifest_is_installable_and_public(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["start_url"] == "/" and data["scope"] == "/" and data["display"] == "standalone"
    assert {i["sizes"] for i in data["icons"]} >= {"192x192", "512x512"}
    assert any(i.get("purpose") == "maskable" for i in data["icons"])
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/"))


def test_the_service_worker_is_served_at_the_root_uncached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert "__ASSETS__" not in body and "/static/css/app.css" in body
    assert "showNotification" in body and "notificationclick" in body


def test_the_offline_page_holds_nobodys_data(client, alice_client):
    anonymous = client.get("/offline/")
    assert anonymous.status_code == 200
    signed_in = alice_client.get("/offline/")
    assert signed_in.content == anonymous.content
    assert b"Alice" not in signed_in.content


def test_pages_link_the_manifest_and_register_the_worker_from_a_file(alice_client):
    page = alice_client.get("/notifications/settings/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert "js/pwa.js" in page and "navigator.serviceWorker" not in page
