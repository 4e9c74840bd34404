"""Web push to a push service on loopback: an encrypted payload the test decrypts with the
subscription's keys; which answers drop a subscription; which endpoints are refused."""

import json

import http_ece
import pytest

from feeds.services import status_create
from reach import push
from reach.models import PushRetry, PushSubscription

from .conftest import run_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(push_service, alice, alice_api, browser_keys):
    response = alice_api.post(
        "/api/v1/push/subscriptions/",
        browser_keys.subscription(f"{push_service.base}/push/alice-1"),
        format="json",
    )
    assert response.status_code == 201, response.json()
    return PushSubscription.objects.get(user=alice)


def mention(author, django_capture_on_commit_callbacks, text="@alice lunch at noon?"):
    with django_capture_on_commit_callbacks(execute=True):
        status_create(author=author, body=text)
    run_jobs()


def test_a_mention_is_pushed_encrypted_and_the_subscription_keys_decrypt_it(
    push_service, subscribed, browser_keys, carol, django_capture_on_commit_callbacks
):
    mention(carol, django_capture_on_commit_callbacks)
    [request] = push_service.requests
    assert request["path"] == "/push/alice-1"
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["content-encoding"] == "aes128gcm"
    assert int(headers["ttl"]) == push.TTL
    assert headers["authorization"].startswith("vapid t=")
    assert b"lunch" not in request["body"]
    plain = http_ece.decrypt(
        request["body"],
        private_key=browser_keys.private_key,
        auth_secret=browser_keys.auth,
        version="aes128gcm",
    )
    payload = json.loads(plain)
    assert payload["title"] == "Enterprise Social"
    assert payload["body"].startswith("Carol Chen mentioned you")
    assert "lunch at noon" in payload["body"]
    assert payload["url"].endswith("/statuses/" + payload["url"].rsplit("/", 2)[-2] + "/")
    assert payload["tag"].startswith("n")
    assert len(plain) < 400


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_dropped(
    push_service, subscribed, carol, status, django_capture_on_commit_callbacks
):
    push_service.status = status
    mention(carol, django_capture_on_commit_callbacks)
    assert len(push_service.requests) == 1
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize("status", [429, 503])
def test_a_busy_push_service_keeps_the_subscription_and_retries(
    push_service, subscribed, carol, status, django_capture_on_commit_callbacks
):
    push_service.status = status
    mention(carol, django_capture_on_commit_callbacks)
    assert PushSubscription.objects.filter(pk=subscribed.pk).exists()
    retry = PushRetry.objects.get()
    push_service.status = 201
    assert push.retries_send_due(now=retry.next_attempt_at).sent == 1
    assert len(push_service.requests) == 2
    assert not PushRetry.objects.exists()


def test_a_timeout_keeps_the_subscription(
    push_service, subscribed, carol, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(push, "TIMEOUT", 0.3)
    push_service.delay = 1.0
    mention(carol, django_capture_on_commit_callbacks)
    assert PushSubscription.objects.filter(pk=subscribed.pk).exists()
    assert PushRetry.objects.count() == 1


def test_push_follows_the_settings_and_without_content(
    push_service,
    subscribed,
    browser_keys,
    settings,
    alice_api,
    carol,
    django_capture_on_commit_callbacks,
):
    alice_api.put("/api/v1/me/notification-settings/", {"push": {"mention": False}}, format="json")
    mention(carol, django_capture_on_commit_callbacks)
    assert push_service.requests == []
    alice_api.put("/api/v1/me/notification-settings/", {"push": {"mention": True}}, format="json")
    settings.NOTIFY_WITHOUT_CONTENT = True
    mention(carol, django_capture_on_commit_callbacks, "@alice the merger closes Friday")
    [request] = push_service.requests
    plain = http_ece.decrypt(
        request["body"],
        private_key=browser_keys.private_key,
        auth_secret=browser_keys.auth,
        version="aes128gcm",
    )
    assert json.loads(plain)["body"] == "Carol Chen mentioned you — open to read"
    assert b"merger" not in plain


ENDPOINTS_REFUSED = [
    "http://127.0.0.1:6379/",
    "https://10.0.0.1/push",
    "https://localhost/push",
    "https://127.0.0.1/push",
    "https://[::1]/push",
    "https://[::ffff:192.168.1.1]/push",
    "https://169.254.169.254/latest/meta-data/",
    "https://user:pw@push.example.com/x",
    "ftp://push.example.com/x",
]


@pytest.mark.parametrize("endpoint", ENDPOINTS_REFUSED)
def test_private_and_plain_endpoints_are_refused_in_production_settings(
    settings, alice_api, browser_keys, endpoint
):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = "x", "y"
    settings.WEBHOOK_ALLOW_HOSTS = []
    response = alice_api.post(
        "/api/v1/push/subscriptions/", browser_keys.subscription(endpoint), format="json"
    )
    assert response.status_code == 400
    assert "endpoint" in response.json()
    assert not PushSubscription.objects.exists()


def test_bad_keys_are_refused_naming_them(push_service, alice_api, browser_keys):
    body = browser_keys.subscription(f"{push_service.base}/p")
    body["keys"] = {"p256dh": "AAAA", "auth": "not base64 !!"}
    response = alice_api.post("/api/v1/push/subscriptions/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"keys.p256dh", "keys.auth"}


def test_push_endpoints_need_a_login_and_say_when_push_is_off(api, alice_api, settings):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    assert api.get("/api/v1/push/vapid-public-key/").status_code == 401
    assert api.post("/api/v1/push/subscriptions/", {}, format="json").status_code == 401
    assert alice_api.get("/api/v1/push/vapid-public-key/").json() == {
        "enabled": False,
        "public_key": None,
    }


def test_unsubscribing_removes_only_ones_own_subscription(
    push_service, subscribed, bob, api, alice_api
):
    api.force_authenticate(bob)
    api.delete("/api/v1/push/subscriptions/", {"endpoint": subscribed.endpoint}, format="json")
    assert PushSubscription.objects.exists()
    response = alice_api.delete(
        "/api/v1/push/subscriptions/", {"endpoint": subscribed.endpoint}, format="json"
    )
    assert response.status_code == 204
    assert not PushSubscription.objects.exists()
