import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from rest_framework.test import APIClient

from profiles.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, login: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": login, "password": password})


def test_login_by_username(client, alice):
    response = login(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_login_by_email_case_insensitive(client, alice):
    response = login(client, "Alice@Example.com")
    assert response.status_code == 302
    assert client.get("/api/v1/me/").json()["username"] == "alice"


def test_wrong_password_shows_an_error_and_does_not_log_in(client, alice):
    response = login(client, "alice", "nope")
    assert response.status_code == 200
    assert b"not correct" in response.content or b"incorrect" in response.content.lower()
    assert client.get("/api/v1/me/").status_code == 401
    assert client.get("/").status_code == 302


def test_repeated_failed_logins_are_rate_limited(client, alice):
    for i in range(5):
        login(client, "alice", f"wrong-{i}")
    # Even the right password is refused while the limit holds.
    response = login(client, "alice")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert client.get("/").status_code == 302


def test_logout_needs_post_and_ends_the_session(alice_client):
    assert alice_client.post("/accounts/logout/").status_code == 302
    assert alice_client.get("/").status_code == 302


def test_deactivating_a_user_ends_their_access_at_once(alice_client, alice):
    assert alice_client.get("/").status_code == 200
    User.objects.filter(pk=alice.pk).update(is_active=False)
    response = alice_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert alice_client.get("/api/v1/me/").status_code in (401, 403)


# --- sign-up ----------------------------------------------------------------------------------


def signup(client, email: str, username: str = "newbie"):
    return client.post(
        "/accounts/signup/",
        {
            "email": email,
            "username": username,
            "password1": "a long unusual passphrase 42",
            "password2": "a long unusual passphrase 42",
        },
    )


def test_signup_is_closed_when_no_domain_is_allowed(client, settings):
    settings.ALLOWED_SIGNUP_DOMAINS = []
    response = signup(client, "newbie@example.com")
    assert response.status_code == 200
    assert b"closed" in response.content.lower()
    assert not User.objects.filter(username="newbie").exists()


def test_signup_from_an_allowed_domain_requires_email_verification(client, settings):
    settings.ALLOWED_SIGNUP_DOMAINS = ["example.com"]
    response = signup(client, "newbie@Example.com")
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert hasattr(user, "profile")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    # Until the address is verified, the person cannot use the network.
    assert client.get("/").status_code == 302


def test_signup_from_another_domain_is_refused_with_a_message(client, settings):
    settings.ALLOWED_SIGNUP_DOMAINS = ["example.com"]
    response = signup(client, "someone@gmail.com")
    assert response.status_code == 200
    assert b"company email" in response.content
    assert not User.objects.filter(username="newbie").exists()


def test_signup_with_a_duplicate_email_is_refused(client, settings, alice):
    settings.ALLOWED_SIGNUP_DOMAINS = ["example.com"]
    signup(client, "alice@example.com")
    assert not User.objects.filter(username="newbie").exists()
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1


# --- passwords and two-factor -----------------------------------------------------------------


def test_password_reset_sends_a_link_without_revealing_accounts(client, alice):
    known = client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_password_change_requires_the_old_password(alice_client, alice):
    response = alice_client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "wrong",
            "password1": "new pass phrase 99",
            "password2": "new pass phrase 99",
        },
    )
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_two_factor_setup_is_available_to_every_employee_after_confirming_the_password(
    alice_client,
):
    first = alice_client.get("/accounts/2fa/totp/activate/")
    assert first.status_code == 302
    assert first["Location"].startswith("/accounts/reauthenticate/")
    alice_client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    response = alice_client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    assert b"secret" in response.content.lower() or b"svg" in response.content.lower()


def test_totp_activation_then_login_asks_for_the_code(client, alice):
    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        generate_totp_secret,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    secret = generate_totp_secret()
    TOTP.activate(alice, secret)
    response = login(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/").status_code == 302
    counter = next(iter(yield_hotp_counters_from_time()))
    code = format_hotp_value(hotp_value(secret, counter))
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


# --- app clients (allauth headless tokens) ----------------------------------------------------


def test_app_client_logs_in_and_uses_the_api_with_a_session_token(alice):
    client = APIClient()
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"username": "alice", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content
    token = response.json()["meta"]["session_token"]
    client.credentials(HTTP_X_SESSION_TOKEN=token)
    assert client.get("/api/v1/me/").json()["username"] == "alice"
    # Token clients are not subject to CSRF (no cookies involved).
    assert client.post("/api/v1/profiles/alice/follow/").status_code == 400


def test_app_client_with_a_bad_token_gets_401(alice):
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN="not-a-token")
    assert client.get("/api/v1/me/").status_code == 401


def test_app_token_of_a_deactivated_user_stops_working(alice):
    client = APIClient()
    token = client.post(
        "/_allauth/app/v1/auth/login", {"username": "alice", "password": PASSWORD}, format="json"
    ).json()["meta"]["session_token"]
    client.credentials(HTTP_X_SESSION_TOKEN=token)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert client.get("/api/v1/me/").status_code == 401


def test_login_page_offers_sign_up_only_when_it_is_open(client, settings):
    settings.ALLOWED_SIGNUP_DOMAINS = []
    assert b"/accounts/signup/" not in client.get("/accounts/login/").content
    settings.ALLOWED_SIGNUP_DOMAINS = ["example.com"]
    assert b"/accounts/signup/" in client.get("/accounts/login/").content
