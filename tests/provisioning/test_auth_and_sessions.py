from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from profiles.models import User
from provisioning.models import ProvisioningEvent, ScimToken
from provisioning.services import token_revoke
from tests.conftest import PASSWORD

from .conftest import ScimClient, assert_scim_error, user_body

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "ServiceProviderConfig"),
    ("get", "ResourceTypes"),
    ("get", "Schemas"),
    ("get", "Users"),
    ("post", "Users"),
    ("get", "Users/00000000-0000-0000-0000-000000000000"),
    ("put", "Users/00000000-0000-0000-0000-000000000000"),
    ("patch", "Users/00000000-0000-0000-0000-000000000000"),
    ("delete", "Users/00000000-0000-0000-0000-000000000000"),
    ("get", "Groups"),
    ("post", "Groups"),
    ("patch", "Groups/00000000-0000-0000-0000-000000000000"),
    ("delete", "Groups/00000000-0000-0000-0000-000000000000"),
    ("get", "Bulk"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("secret", [None, "scim_wrong", "revoked"])
def test_missing_wrong_or_revoked_token_is_401(scim_secret, method, path, secret):
    if secret == "revoked":
        token_revoke(token=ScimToken.objects.get())
        secret = scim_secret
    client = ScimClient(secret or "")
    if secret is None:
        client.headers = {}
    response = client.call(method, path, user_body())
    assert_scim_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not User.objects.exists()


def test_a_logged_in_employee_without_a_token_is_401(alice_client):
    response = alice_client.get("/scim/v2/Users")
    assert_scim_error(response, 401)


def test_session_cookie_and_csrf_play_no_part(scim_secret):
    client = ScimClient(scim_secret)
    client.client = Client(enforce_csrf_checks=True)
    assert client.post("Users", user_body()).status_code == 201


def test_discovery(scim):
    config = scim.get("ServiceProviderConfig").json()
    assert config["patch"]["supported"] and config["etag"]["supported"]
    assert not config["bulk"]["supported"]
    types = scim.get("ResourceTypes").json()
    assert {r["id"] for r in types["Resources"]} == {"User", "Group"}
    assert (
        scim.get("ResourceTypes/User")
        .json()["schemaExtensions"][0]["schema"]
        .endswith("enterprise:2.0:User")
    )
    schemas = scim.get("Schemas").json()
    assert schemas["totalResults"] == 3
    user_schema = scim.get("Schemas/urn:ietf:params:scim:schemas:core:2.0:User").json()
    assert "userName" in {a["name"] for a in user_schema["attributes"]}
    assert_scim_error(scim.get("Schemas/urn:nope"), 404)
    assert_scim_error(scim.get("Me"), 404)


def test_token_command_creates_prints_once_lists_and_revokes(db):
    out = StringIO()
    call_command("scim_token", "create", "Okta", stdout=out, stderr=StringIO())
    secret = out.getvalue().strip()
    assert secret.startswith("scim_") and len(secret) > 40
    token = ScimToken.objects.get(name="Okta")
    assert secret not in (token.token_hash, token.prefix)
    assert ScimClient(secret).get("Users").status_code == 200
    listing = StringIO()
    call_command("scim_token", "list", stdout=listing)
    assert "Okta" in listing.getvalue() and secret not in listing.getvalue()
    call_command("scim_token", "revoke", "Okta", stdout=StringIO())
    assert ScimClient(secret).get("Users").status_code == 401
    with pytest.raises(Exception, match="exists"):
        call_command("scim_token", "create", "okta", stdout=StringIO(), stderr=StringIO())


def test_admin_creates_a_token_shown_once_and_revokes_it(admin_client):
    response = admin_client.post(
        "/admin/provisioning/scimtoken/add/", {"name": "Entra"}, follow=True
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    secret = next(word for m in shown for word in m.split() if word.startswith("scim_"))
    assert ScimClient(secret).get("Users").status_code == 200
    token = ScimToken.objects.get(name="Entra")
    page = admin_client.get(f"/admin/provisioning/scimtoken/{token.pk}/change/")
    assert secret.encode() not in page.content
    admin_client.post(
        "/admin/provisioning/scimtoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert ScimClient(secret).get("Users").status_code == 401


def test_every_change_names_the_token(scim):
    ada = scim.post("Users", user_body()).json()
    scim.operations(f"Users/{ada['id']}", {"op": "replace", "path": "title", "value": "CTO"})
    scim.delete(f"Users/{ada['id']}")
    events = list(ProvisioningEvent.objects.order_by("id").values_list("token_name", "action"))
    assert events == [("Entra ID", "create"), ("Entra ID", "patch"), ("Entra ID", "delete")]


def test_deactivation_ends_sessions_and_app_tokens(scim):
    ada = scim.post("Users", user_body()).json()
    user = User.objects.get(username="ada")
    user.set_password(PASSWORD)
    user.save()
    browser = Client()
    browser.force_login(user)
    app = APIClient()
    token = app.post(
        "/_allauth/app/v1/auth/login", {"username": "ada", "password": PASSWORD}, format="json"
    ).json()["meta"]["session_token"]
    app.credentials(HTTP_X_SESSION_TOKEN=token)
    assert browser.get("/api/v1/me/").status_code == 200
    assert app.get("/api/v1/me/").status_code == 200
    assert Session.objects.count() == 2

    response = scim.operations(
        f"Users/{ada['id']}", {"op": "replace", "value": {"active": "False"}}
    )
    assert response.status_code == 200
    assert Session.objects.count() == 0
    assert browser.get("/api/v1/me/").status_code in (401, 403)
    assert app.get("/api/v1/me/").status_code == 401
    assert browser.get("/").status_code == 302  # back to the login page
    # The profile stays, shown as a former employee.
    assert User.objects.get(pk=user.pk).profile.display_name == "Ada Lovelace"

    scim.operations(f"Users/{ada['id']}", {"op": "replace", "path": "active", "value": True})
    assert User.objects.get(pk=user.pk).is_active


def test_an_admin_unticking_active_ends_the_sessions_too(admin_client, alice):
    browser = Client()
    browser.force_login(alice)
    assert Session.objects.filter(session_key=browser.session.session_key).exists()
    page = admin_client.get(f"/admin/profiles/user/{alice.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "username": alice.username,
            "email": alice.email,
            "date_joined_0": "2024-01-01",
            "date_joined_1": "00:00:00",
            "is_active": "",
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "1",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "profile-0-id": alice.profile.pk,
            "profile-0-user": alice.pk,
            "profile-0-display_name": alice.profile.display_name,
        }
    )
    data.pop("password", None)
    data.pop("last_login", None)
    response = admin_client.post(f"/admin/profiles/user/{alice.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not User.objects.get(pk=alice.pk).is_active
    assert not Session.objects.filter(session_key=browser.session.session_key).exists()
