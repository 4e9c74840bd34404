"""Issue 22: a person's sign-in email is the company's when the company made the account, and
nobody can remove the address they sign in with. Pages and the app API (allauth headless)."""

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.socialaccount.models import SocialAccount
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from enterprise_social.allauth_urls import HEADLESS_OFF, PAGES_OFF
from profiles.login_identity import (
    LAST_ADDRESS,
    LAST_VERIFIED,
    MANAGED,
    PRIMARY,
    UNVERIFIED_PRIMARY,
    login_email_is_managed,
)
from profiles.models import User
from tests.conftest import PASSWORD
from tests.enterprise_social.test_access import ROUTES

pytestmark = pytest.mark.django_db

EMAIL_API = "/_allauth/app/v1/account/email"


def app_client(user) -> APIClient:
    client = APIClient()
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"username": user.username, "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_X_SESSION_TOKEN=response.json()["meta"]["session_token"])
    return client


def errors(response) -> list[str]:
    return [e["message"] for e in response.json().get("errors", [])]


@pytest.fixture
def open_signup(settings):
    settings.ALLOWED_SIGNUP_DOMAINS = ["example.com"]
    return settings


@pytest.fixture
def self_service(open_signup, alice):
    User.objects.filter(pk=alice.pk).update(signed_up_by_self=True)
    alice.refresh_from_db()
    return alice


def addresses(user) -> dict[str, tuple[bool, bool]]:
    return {a.email: (a.primary, a.verified) for a in EmailAddress.objects.filter(user=user).all()}


# --- who is managed ---------------------------------------------------------------------------


def test_every_account_is_managed_while_sign_up_is_closed(settings, alice):
    settings.ALLOWED_SIGNUP_DOMAINS = []
    alice.signed_up_by_self = True
    assert login_email_is_managed(alice)


def test_accounts_made_by_an_admin_or_sso_are_managed_even_with_sign_up_open(open_signup, alice):
    assert login_email_is_managed(alice)  # made by an admin (the factory)
    alice.signed_up_by_self = True
    assert not login_email_is_managed(alice)
    SocialAccount.objects.create(user=alice, provider="sso", uid="alice-1")
    assert login_email_is_managed(alice)


def test_self_sign_up_marks_the_account_as_its_own(client, open_signup):
    client.post(
        "/accounts/signup/",
        {
            "email": "newbie@example.com",
            "username": "newbie",
            "password1": "a long unusual passphrase 42",
            "password2": "a long unusual passphrase 42",
        },
    )
    assert User.objects.get(username="newbie").signed_up_by_self


def test_app_sign_up_marks_the_account_as_its_own(open_signup):
    response = APIClient().post(
        "/_allauth/app/v1/auth/signup",
        {"email": "appnew@example.com", "username": "appnew", "password": "a long passphrase 42"},
        format="json",
    )
    assert response.status_code == 401, response.content  # verification pending
    assert User.objects.get(username="appnew").signed_up_by_self


# --- the app API (the report of issue 22) -----------------------------------------------------


def test_removing_a_managed_accounts_address_through_the_app_api_is_refused(alice):
    client = app_client(alice)
    response = client.delete(EMAIL_API, {"email": "alice@example.com"}, format="json")
    assert response.status_code == 400
    assert errors(response) == [MANAGED]
    assert addresses(alice) == {"alice@example.com": (True, True)}
    # ...and the person still signs in.
    app_client(alice)
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_adding_or_choosing_an_address_for_a_managed_account_is_refused(alice):
    EmailAddress.objects.create(user=alice, email="a2@example.com", verified=True, primary=False)
    client = app_client(alice)
    added = client.post(EMAIL_API, {"email": "new@example.com"}, format="json")
    primary = client.patch(EMAIL_API, {"email": "a2@example.com", "primary": True}, format="json")
    removed = client.delete(EMAIL_API, {"email": "a2@example.com"}, format="json")
    for response in (added, primary, removed):
        assert response.status_code == 400
        assert errors(response) == [MANAGED]
    assert addresses(alice) == {
        "alice@example.com": (True, True),
        "a2@example.com": (False, True),
    }
    assert client.get(EMAIL_API).status_code == 200  # reading stays


def test_a_stolen_token_cannot_strip_anyone(alice, bob):
    # The token is alice's; bob's address is not even found.
    response = app_client(alice).delete(EMAIL_API, {"email": "bob@example.com"}, format="json")
    assert response.status_code == 400
    assert EmailAddress.objects.filter(user=bob).count() == 1


def test_self_service_person_manages_addresses_but_keeps_a_verified_one(self_service):
    alice = self_service
    client = app_client(alice)
    assert client.post(EMAIL_API, {"email": "a2@example.com"}, format="json").status_code == 200
    # the new address is unverified: it cannot become primary, the verified one cannot go
    primary = client.patch(EMAIL_API, {"email": "a2@example.com", "primary": True}, format="json")
    assert (primary.status_code, errors(primary)) == (400, [UNVERIFIED_PRIMARY])
    removed = client.delete(EMAIL_API, {"email": "alice@example.com"}, format="json")
    assert (removed.status_code, errors(removed)) == (400, [LAST_VERIFIED])
    # once verified it can become primary, and then the old one can go
    EmailAddress.objects.filter(email="a2@example.com").update(verified=True)
    removed = client.delete(EMAIL_API, {"email": "alice@example.com"}, format="json")
    assert (removed.status_code, errors(removed)) == (400, [PRIMARY])
    primary = client.patch(EMAIL_API, {"email": "a2@example.com", "primary": True}, format="json")
    assert primary.status_code == 200
    assert (
        client.delete(EMAIL_API, {"email": "alice@example.com"}, format="json").status_code == 200
    )
    last = client.delete(EMAIL_API, {"email": "a2@example.com"}, format="json")
    assert (last.status_code, errors(last)) == (400, [LAST_ADDRESS])
    alice.refresh_from_db()
    assert alice.email == "a2@example.com"
    app_client(alice)


def test_an_unverified_extra_address_can_be_removed(self_service):
    EmailAddress.objects.create(user=self_service, email="typo@example.com", verified=False)
    response = app_client(self_service).delete(
        EMAIL_API, {"email": "typo@example.com"}, format="json"
    )
    assert response.status_code == 200
    assert list(addresses(self_service)) == ["alice@example.com"]


# --- the pages --------------------------------------------------------------------------------


def test_the_email_page_shows_a_managed_account_its_address_without_the_add_form(alice_client):
    response = alice_client.get("/accounts/email/")
    assert response.status_code == 200
    assert b"alice@example.com" in response.content
    assert b"action_add" not in response.content
    # Only the list and why: no button the server would refuse.
    assert b"managed by the company" in response.content
    for action in (b"action_remove", b"action_primary", b"action_send"):
        assert action not in response.content


def test_the_email_page_offers_a_self_service_person_their_buttons(client, self_service):
    client.force_login(self_service)
    response = client.get("/accounts/email/")
    assert response.status_code == 200
    assert b"managed by the company" not in response.content
    for action in (b"action_add", b"action_remove", b"action_primary"):
        assert action in response.content


@pytest.mark.parametrize("action", ["action_remove", "action_primary", "action_add"])
def test_every_change_of_a_managed_accounts_email_page_is_a_403(alice_client, alice, action):
    email = "new@example.com" if action == "action_add" else "alice@example.com"
    response = alice_client.post("/accounts/email/", {"email": email, action: ""})
    assert response.status_code == 403
    assert MANAGED.encode() in response.content.replace(b"&#x27;", b"'")
    assert addresses(alice) == {"alice@example.com": (True, True)}


def test_the_page_refuses_to_remove_the_last_verified_address_with_a_400(client, self_service):
    EmailAddress.objects.create(user=self_service, email="a2@example.com", verified=False)
    client.force_login(self_service)
    response = client.post("/accounts/email/", {"email": "alice@example.com", "action_remove": ""})
    assert response.status_code == 400
    assert b"last verified" in response.content
    unverified = client.post("/accounts/email/", {"email": "a2@example.com", "action_primary": ""})
    assert unverified.status_code == 400
    assert EmailAddress.objects.get(email="alice@example.com").primary


def test_the_page_lets_a_self_service_person_add_an_address(client, self_service):
    client.force_login(self_service)
    response = client.post("/accounts/email/", {"email": "a2@example.com", "action_add": ""})
    assert response.status_code == 302
    assert "a2@example.com" in addresses(self_service)


# --- single sign-on links ---------------------------------------------------------------------


def test_the_single_sign_on_link_cannot_be_disconnected(alice):
    SocialAccount.objects.create(user=alice, provider="sso", uid="alice-1")
    response = app_client(alice).delete(
        "/_allauth/app/v1/account/providers",
        {"provider": "sso", "account": "alice-1"},
        format="json",
    )
    assert response.status_code == 400
    assert errors(response) == [MANAGED]
    assert SocialAccount.objects.filter(user=alice).exists()


# --- the admin path back ----------------------------------------------------------------------


def test_an_admin_restores_a_person_who_lost_their_authenticator(client, admin_user, alice):
    TOTP.activate(alice, generate_totp_secret())
    totp = Authenticator.objects.get(user=alice, type=Authenticator.Type.TOTP)
    admin = APIClient()
    admin.force_login(admin_user)
    # docs/operations.md, "Locked out": delete their authenticators in the admin.
    response = admin.post(
        f"/admin/mfa/authenticator/{totp.pk}/delete/", {"post": "yes"}, HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 302
    login = client.post("/accounts/login/", {"login": "alice", "password": PASSWORD})
    assert login["Location"] == "/"


def test_an_admin_gives_back_an_address_with_the_email_admin(admin_user, alice):
    EmailAddress.objects.filter(user=alice).delete()  # e.g. lost before this fix
    admin = APIClient()
    admin.force_login(admin_user)
    response = admin.post(
        "/admin/account/emailaddress/add/",
        {"user": alice.pk, "email": "alice@example.com", "verified": "on", "primary": "on"},
    )
    assert response.status_code == 302
    app_client(alice)


# --- what stays reachable ---------------------------------------------------------------------

# Every allauth route this product serves, as docs/security.md ("Accounts") lists it.
REACHABLE = {
    "accounts/login/",
    "accounts/logout/",
    "accounts/inactive/",
    "accounts/signup/",
    "accounts/reauthenticate/",
    "accounts/reauthenticate/code/",
    "accounts/reauthenticate/code/confirm/",
    "accounts/email/",
    "accounts/confirm-email/",
    "accounts/confirm-email/<key>/",
    "accounts/password/change/",
    "accounts/password/set/",
    "accounts/password/reset/",
    "accounts/password/reset/done/",
    "accounts/password/reset/key/<uidb36>-<key>/",
    "accounts/password/reset/key/done/",
    "accounts/2fa/",
    "accounts/2fa/authenticate/",
    "accounts/2fa/reauthenticate/",
    "accounts/2fa/totp/activate/",
    "accounts/2fa/totp/deactivate/",
    "accounts/2fa/recovery-codes/",
    "accounts/2fa/recovery-codes/generate/",
    "accounts/2fa/recovery-codes/download/",
    "accounts/3rdparty/",
    "accounts/3rdparty/login/cancelled/",
    "accounts/3rdparty/login/error/",
    "accounts/3rdparty/signup/",
    "accounts/oidc/<provider_id>/login/",
    "accounts/oidc/<provider_id>/login/callback/",
    "_allauth/app/v1/config",
    "_allauth/app/v1/auth/session",
    "_allauth/app/v1/auth/login",
    "_allauth/app/v1/auth/signup",
    "_allauth/app/v1/auth/email/verify",
    "_allauth/app/v1/auth/reauthenticate",
    "_allauth/app/v1/auth/reauthenticate/code/request",
    "_allauth/app/v1/auth/reauthenticate/code/confirm",
    "_allauth/app/v1/auth/reauthenticate/code/resend",
    "_allauth/app/v1/auth/password/request",
    "_allauth/app/v1/auth/password/reset",
    "_allauth/app/v1/auth/2fa/authenticate",
    "_allauth/app/v1/auth/2fa/reauthenticate",
    "_allauth/app/v1/auth/provider/redirect",
    "_allauth/app/v1/auth/provider/token",
    "_allauth/app/v1/auth/provider/signup",
    "_allauth/app/v1/account/email",
    "_allauth/app/v1/account/password/change",
    "_allauth/app/v1/account/providers",
    "_allauth/app/v1/account/authenticators",
    "_allauth/app/v1/account/authenticators/totp",
    "_allauth/app/v1/account/authenticators/recovery-codes",
}


def test_only_the_listed_allauth_endpoints_are_reachable():
    served = {r for r in ROUTES if r.startswith(("accounts/", "_allauth/"))}
    assert served == REACHABLE


def test_every_reachable_allauth_endpoint_is_documented():
    doc = (Path(django_settings.BASE_DIR) / "docs" / "security.md").read_text()
    documented = set(re.findall(r"`/((?:accounts|_allauth)/[^`\s]*)`", doc))
    assert REACHABLE <= documented, sorted(REACHABLE - documented)


@pytest.mark.parametrize(
    "url",
    [f"/accounts/{r}" for r in sorted(PAGES_OFF)]
    + [f"/_allauth/{r}" for r in sorted(HEADLESS_OFF)],
)
def test_switched_off_allauth_endpoints_answer_404(client, alice, url):
    assert client.get(url).status_code == 404
    assert app_client(alice).post(url, {}, format="json").status_code == 404


def test_a_body_that_is_not_a_json_object_gets_a_json_400(alice):
    response = app_client(alice).post(EMAIL_API, "[1]", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid"


def test_the_allauth_specification_is_not_served(client):
    assert client.get("/_allauth/openapi.json").status_code == 404


@pytest.mark.parametrize("key", ["-abc", "-", "!!-x", "zzzzzzzzzzzzzzzzzz-1"])
def test_a_reset_key_that_names_nobody_is_allauths_400_not_a_500(client, key):
    # allauth turned "-abc" into a TypeError in url_str_to_user_pk (found by make fuzz).
    response = client.post(
        "/_allauth/app/v1/auth/password/reset",
        {"key": key, "password": "a new long passphrase"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_password_reset"
    checked = client.get("/_allauth/app/v1/auth/password/reset", HTTP_X_PASSWORD_RESET_KEY=key)
    assert checked.status_code == 400
