"""`GET`/`POST /api/v1/webhooks/`: admins only; the secret once; SSRF refused at subscription."""

import socket

import pytest
from rest_framework.test import APIClient

from communities import services as communities
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/"
PUBLIC = "https://93.184.216.34/hooks/es"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_anonymous_is_401_and_employees_403(alice, moderator):
    anonymous = APIClient()
    assert anonymous.get(URL).status_code == 401
    assert anonymous.post(URL, {"url": PUBLIC, "events": ["status.created"]}).status_code == 401
    for user in (alice, moderator):
        client = client_for(user)
        assert client.get(URL).status_code == 403
        body = {"url": PUBLIC, "events": ["status.created"]}
        assert client.post(URL, body, format="json").status_code == 403
    assert not WebhookEndpoint.objects.exists()


def test_an_admin_subscribes_and_sees_the_secret_once(admin_user):
    client = client_for(admin_user)
    response = client.post(
        URL,
        {"url": PUBLIC, "events": ["blog.published", "status.created"], "community": None},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) >= 6 + 32
    assert body["events"] == ["status.created", "blog.published"]
    assert body["community"] is None and body["active"] is True
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == body["secret"] and endpoint.created_by == admin_user
    listed = client.get(URL)
    assert listed.status_code == 200
    [item] = listed.json()["results"]
    assert item["id"] == endpoint.pk and item["url"] == PUBLIC
    assert "secret" not in item and body["secret"] not in listed.content.decode()


def test_a_community_subscription(admin_user, bob):
    leads = communities.community_create(actor=bob, name="Leads", visibility="private")
    client = client_for(admin_user)
    ok = client.post(
        URL, {"url": PUBLIC, "events": ["status.created"], "community": "leads"}, format="json"
    )
    assert ok.status_code == 201 and ok.json()["community"] == leads.slug
    wrong_event = client.post(
        URL, {"url": PUBLIC, "events": ["blog.published"], "community": "leads"}, format="json"
    )
    assert wrong_event.status_code == 400 and "events" in wrong_event.json()
    communities.community_create(actor=bob, name="Merger", visibility="secret")
    secret = client.post(
        URL, {"url": PUBLIC, "events": ["status.created"], "community": "merger"}, format="json"
    )
    assert secret.status_code == 400 and "community" in secret.json()
    missing = client.post(
        URL, {"url": PUBLIC, "events": ["status.created"], "community": "nope"}, format="json"
    )
    assert missing.status_code == 400 and "community" in missing.json()
    assert WebhookEndpoint.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"url": PUBLIC, "events": []},
        {"url": PUBLIC, "events": ["status.deleted"]},
        {"url": PUBLIC, "events": "status.created"},
        {"url": PUBLIC},
        {"events": ["status.created"]},
        {"url": PUBLIC, "events": ["status.created"], "secret": "whsec_bWluZQ=="},
        {"url": PUBLIC, "events": ["status.created"], "active": False, "created_by": 1},
        {"url": 5, "events": [None]},
    ],
)
def test_bad_bodies_are_400_and_change_nothing(admin_user, body):
    response = client_for(admin_user).post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34/hook",
        "https://127.0.0.1/",
        "https://10.1.2.3/",
        "https://[::ffff:127.0.0.1]/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]:8443/",
        "https://intranet.example.test/hook",
    ],
)
def test_urls_into_the_company_network_are_400(admin_user, monkeypatch, url):
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host == "intranet.example.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.168.10.20", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    response = client_for(admin_user).post(
        URL, {"url": url, "events": ["status.created"]}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "url" in response.json()
    assert not WebhookEndpoint.objects.exists()


def test_an_allowed_test_host_may_be_local(admin_user, settings):
    settings.WEBHOOK_ALLOW_HOSTS = ["127.0.0.1"]
    response = client_for(admin_user).post(
        URL, {"url": "http://127.0.0.1:8999/hook", "events": ["status.created"]}, format="json"
    )
    assert response.status_code == 201


def test_the_admin_shows_the_secret_once_and_refuses_private_urls(client, admin_user):
    client.force_login(admin_user)
    add = "/admin/webhooks/webhookendpoint/add/"
    refused = client.post(add, {"url": "https://10.0.0.1/", "events": ["status.created"]})
    assert refused.status_code == 200 and not WebhookEndpoint.objects.exists()
    assert "non-public" in refused.content.decode()
    made = client.post(add, {"url": PUBLIC, "events": ["status.created"]}, follow=True)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in made.content.decode()
    change = client.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/")
    assert change.status_code == 200 and endpoint.secret not in change.content.decode()
    log = client.get("/admin/webhooks/webhookdelivery/?state__exact=pending")
    assert log.status_code == 200
