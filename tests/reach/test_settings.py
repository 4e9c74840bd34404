"""Notification settings: the API's contract shape, validation that names what is wrong, the
page (without JavaScript), and who may reach them."""

import pytest

from communities.services import community_create
from feeds.models import Visibility
from feeds.services import status_create
from reach.kinds import KINDS
from reach.models import NotificationSettings

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/notification-settings/"


def test_anonymous_gets_401_and_the_page_redirects(api, client):
    assert api.get(URL).status_code == 401
    assert api.put(URL, {}, format="json").status_code == 401
    response = client.get("/notifications/settings/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_defaults_have_the_contract_shape(alice_api):
    data = alice_api.get(URL).json()
    assert set(data) >= {
        "email",
        "push",
        "digest",
        "digest_hour",
        "time_zone",
        "muted_communities",
    }
    assert set(data["email"]) == set(KINDS) == set(data["push"])
    assert data["email"]["mention"] == data["email"]["answer"] == "immediate"
    assert data["email"]["reaction"] == "off" and data["push"]["reaction"] is False
    assert data["push"]["mention"] is True
    assert data["digest"] in ("daily", "weekly", "off") and 0 <= data["digest_hour"] <= 23
    assert data["muted_communities"] == []


def test_a_change_is_saved_and_read_back(alice_api, bob):
    community_create(actor=bob, name="Cyclists", visibility="open")
    response = alice_api.put(
        URL,
        {
            "email": {"comment": "immediate", "mention": "digest"},
            "push": {"reaction": True},
            "digest": "weekly",
            "digest_hour": 18,
            "time_zone": "Europe/Paris",
            "muted_communities": ["cyclists"],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = alice_api.get(URL).json()
    assert data["email"]["comment"] == "immediate" and data["email"]["mention"] == "digest"
    assert data["email"]["answer"] == "immediate"  # untouched kinds keep theirs
    assert data["push"]["reaction"] is True
    assert (data["digest"], data["digest_hour"], data["time_zone"]) == (
        "weekly",
        18,
        "Europe/Paris",
    )
    assert data["muted_communities"] == ["cyclists"]
    row = NotificationSettings.objects.get(user__username="alice")
    local = row.next_digest_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    assert (local.weekday(), local.hour, local.minute) == (0, 18, 0)


@pytest.mark.parametrize(
    ("body", "field", "named"),
    [
        ({"email": {"gossip": "immediate"}}, "email", "gossip"),
        ({"email": {"mention": "sometimes"}}, "email", "sometimes"),
        ({"push": {"mention": "yes"}}, "push", "yes"),
        ({"push": {"carrier_pigeon": True}}, "push", "carrier_pigeon"),
        ({"digest": "hourly"}, "digest", "hourly"),
        ({"digest_hour": 24}, "digest_hour", "24"),
        ({"digest_hour": "8"}, "digest_hour", "8"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Mars/Olympus"),
        ({"muted_communities": ["nowhere"]}, "muted_communities", "nowhere"),
        ({"muted_statuses": [999999]}, "muted_statuses", "999999"),
        ({"colour": "blue"}, "colour", "Unknown field"),
    ],
)
def test_bad_input_is_a_400_naming_it(alice_api, body, field, named):
    response = alice_api.put(URL, body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert field in errors, errors
    assert named in " ".join(errors[field])


def test_secret_communities_and_unreadable_statuses_cannot_be_named(alice_api, bob, sales):
    community_create(actor=bob, name="Hush", visibility="secret")
    hidden = status_create(author=bob, body="Sales only", visibility=Visibility.DEPARTMENT)
    response = alice_api.put(
        URL, {"muted_communities": ["hush"], "muted_statuses": [hidden.pk]}, format="json"
    )
    assert response.status_code == 400
    assert "hush" in response.json()["muted_communities"][0]
    assert str(hidden.pk) in response.json()["muted_statuses"][0]


def test_the_page_saves_without_javascript_and_shows_errors(alice_client):
    page = alice_client.get("/notifications/settings/")
    assert page.status_code == 200
    assert b'name="email_mention"' in page.content and b"<script>" not in page.content
    form = {f"email_{k}": "digest" for k in KINDS}
    form.update(
        {"push_answer": "on", "digest": "daily", "digest_hour": "7", "time_zone": "Asia/Tokyo"}
    )
    response = alice_client.post("/notifications/settings/", form)
    assert response.status_code == 302
    data = alice_client.get(URL).json()
    assert data["email"]["mention"] == "digest" and data["push"] == {
        k: k == "answer" for k in KINDS
    }
    assert data["time_zone"] == "Asia/Tokyo" and data["digest_hour"] == 7
    form["time_zone"] = "Nowhere/Else"
    response = alice_client.post("/notifications/settings/", form)
    assert response.status_code == 400
    assert b"Nowhere/Else" in response.content


def test_muting_a_thread_from_its_page(alice_client, bob):
    status = status_create(author=bob, body="Long thread")
    page = alice_client.get(f"/statuses/{status.pk}/").content.decode()
    assert f'action="/statuses/{status.pk}/mute/"' in page
    response = alice_client.post(
        f"/statuses/{status.pk}/mute/", {"muted": "1", "next": f"/statuses/{status.pk}/"}
    )
    assert response.status_code == 302 and response["Location"] == f"/statuses/{status.pk}/"
    assert "Notification settings" in alice_client.get(response["Location"]).content.decode()
    assert (
        NotificationSettings.objects.get(user__username="alice")
        .muted_statuses.filter(pk=status.pk)
        .exists()
    )
    hidden = status_create(author=bob, body="Sales", visibility=Visibility.DEPARTMENT)
    assert alice_client.post(f"/statuses/{hidden.pk}/mute/").status_code == 404
