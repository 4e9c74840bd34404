"""Item 5: rate limits answer 429 with Retry-After; accounts are not revealed; CSRF on every
unsafe browser request; sockets only from our own origin."""

import re
import time as real_time
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from core import ratelimit
from feeds import services as feed_services
from feeds.models import Comment, Status
from profiles.models import Profile, User
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def login(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"login": username, "password": password}, REMOTE_ADDR=ip
    )


# --- Failed logins -----------------------------------------------------------------------------


def test_failed_logins_per_account_answer_429_with_retry_after(client, alice):
    for i in range(5):
        # 200 (the form again); allauth may answer 429 early when its cache lock is busy.
        assert login(client, "alice", f"wrong-{i}").status_code in (200, 429)
    # Even the right password, from elsewhere, is refused while the account's limit holds.
    response = login(client, "alice", PASSWORD, ip="10.9.9.9")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 300
    assert "_auth_user_id" not in client.session


def test_a_sprayer_is_refused_at_unfamiliar_accounts_but_not_at_familiar_ones(client, db, settings):
    settings.RATE_LIMITS = {"login_failed_address": (10, 300)}
    regular = UserFactory(username="regular")
    assert login(Client(), "regular", PASSWORD).status_code == 302  # signs in here every day
    people = [UserFactory(username=f"target{i}") for i in range(11)]
    statuses = [login(client, p.username, "wrong").status_code for p in people]
    # One guess at each of many accounts: ten failures pass, then the address is refused...
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    response = login(Client(), people[0].username, PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 60
    # ...at accounts that never signed in from it; a colleague at home there still gets in.
    response = login(Client(), regular.username, PASSWORD)
    assert response.status_code == 302 and "_auth_user_id" in response.client.session
    # And from another address the sprayed accounts are untouched.
    assert login(Client(), people[1].username, PASSWORD, ip="10.7.7.7").status_code == 302


class FrozenTime:
    """time.time() stands still: every sign-in below happens within the same minute."""

    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return real_time.monotonic()

    def sleep(self, seconds: float) -> None:
        real_time.sleep(seconds)


def test_an_office_of_1000_signs_in_from_one_address_within_a_minute(db, monkeypatch):
    frozen = FrozenTime(real_time.time())
    monkeypatch.setattr(allauth_ratelimit, "time", frozen)
    monkeypatch.setattr(ratelimit, "time", frozen)
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(username=f"office{i}", email=f"office{i}@example.com", password=password)
        for i in range(1000)
    )
    users = list(User.objects.filter(username__startswith="office").order_by("pk"))
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
    )
    Profile.objects.bulk_create(Profile(user=u, display_name=u.username) for u in users)
    office = "198.51.100.7"
    # One colleague mistypes 20 times: their account is limited, nobody else is.
    statuses = [login(Client(), "office0", f"typo-{i}", ip=office).status_code for i in range(20)]
    assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}
    assert login(Client(), "office0", PASSWORD, ip=office).status_code == 429
    # Everyone else, one after the other, from the same address: no 429.
    refused = []
    for user in users[1:]:
        response = login(Client(), user.username, PASSWORD, ip=office)
        if response.status_code != 302:
            refused.append((user.username, response.status_code))
    assert not refused, refused[:5]
    assert login(Client(), "office1", PASSWORD, ip=office).status_code == 302


def test_the_client_address_behind_trusted_proxies(rf, settings):
    request = rf.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9, 10.0.0.1"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert ratelimit.client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 2  # a load balancer, then nginx: the client is 2nd from right
    assert ratelimit.client_ip(request) == "203.0.113.9"
    for header in ("1.2.3.4", "not-an-address, 10.0.0.1", "a\x00b, 10.0.0.1"):
        request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=header)
        assert ratelimit.client_ip(request) == "10.0.0.2"  # round the proxies: never trusted
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="2001:db8::1:2, 10.0.0.1")
    assert ratelimit.address_key(request) == "2001:db8::"


def test_allauth_counts_the_address_the_project_counts(client, alice, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/m/ip"}
    settings.ALLOWED_SIGNUP_DOMAINS = ["example.com"]
    form = {"email": "x@example.com", "username": "x", "password1": "a", "password2": "a"}
    first = client.post("/accounts/signup/", form, HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert first.status_code != 429
    other = client.post("/accounts/signup/", form, HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert other.status_code != 429  # another client behind the same proxy
    again = client.post("/accounts/signup/", form, HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert again.status_code == 429


def test_app_login_is_limited_too(alice):
    client = Client()
    url = "/_allauth/app/v1/auth/login"
    for i in range(5):
        client.post(url, {"username": "alice", "password": f"no-{i}"}, "application/json")
    response = client.post(url, {"username": "alice", "password": PASSWORD}, "application/json")
    assert response.status_code == 429
    assert "Retry-After" in response


def test_the_admin_login_is_the_allauth_login(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- Password reset and sign-up reveal nothing -------------------------------------------------


def test_password_resets_are_limited_per_address_with_retry_after(client, alice):
    for _ in range(5):
        response = client.post("/accounts/password/reset/", {"email": "alice@example.com"})
        assert response.status_code == 302
    response = client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_password_reset_answers_alike_for_known_and_unknown_addresses(client, alice):
    known = client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    done_known = client.get(known["Location"]).content.replace(b"alice", b"X")
    done_unknown = client.get(unknown["Location"]).content.replace(b"nobody", b"X")
    assert _without_tokens(done_known) == _without_tokens(done_unknown)
    assert len(mail.outbox) == 1  # only to the account that exists, and nothing else


def _without_tokens(html: bytes) -> bytes:
    return re.sub(rb"[A-Za-z0-9]{32,}", b"T", html)


def test_sign_up_answers_alike_for_a_taken_and_a_free_address(settings, alice):
    settings.ALLOWED_SIGNUP_DOMAINS = ["example.com"]

    def sign_up(email, username):
        return Client().post(
            "/accounts/signup/",
            {
                "email": email,
                "username": username,
                "password1": "a long unusual passphrase 42",
                "password2": "a long unusual passphrase 42",
            },
        )

    taken = sign_up("alice@example.com", "newbie1")
    free = sign_up("fresh@example.com", "newbie2")
    assert taken.status_code == free.status_code == 302
    assert taken["Location"] == free["Location"]
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1


# --- Posting -----------------------------------------------------------------------------------


@pytest.fixture
def limits(settings, monkeypatch):
    settings.RATE_LIMITS = {"status": (3, 60), "comment": (3, 60)}
    # Fixed windows: four posts that straddle a minute's end would count in two windows. The
    # limiter's clock stands 20 s into a minute, so the test does not depend on when it runs.
    start = (real_time.time() // 60) * 60 + 20
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: start))


def test_statuses_per_person_per_minute_answer_429_on_the_api(limits, alice_api, bob):
    for i in range(3):
        response = alice_api.post("/api/v1/statuses/", {"body": f"s{i}"}, format="json")
        assert response.status_code == 201
    response = alice_api.post("/api/v1/statuses/", {"body": "one too many"}, format="json")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    assert "Too many" in response.json()["detail"]
    assert Status.objects.count() == 3
    # The limit is per person: bob may still post.
    bob_api = APIClient()
    bob_api.force_login(bob)
    assert bob_api.post("/api/v1/statuses/", {"body": "hi"}, format="json").status_code == 201


def test_comments_per_person_per_minute_answer_429_on_the_api(limits, alice_api, bob):
    status = feed_services.status_create(author=bob, body="Post")
    url = f"/api/v1/statuses/{status.pk}/comments/"
    for i in range(3):
        assert alice_api.post(url, {"body": f"c{i}"}, format="json").status_code == 201
    response = alice_api.post(url, {"body": "again"}, format="json")
    assert response.status_code == 429
    assert "Retry-After" in response
    assert Comment.objects.count() == 3


def test_posting_too_fast_from_a_page_shows_a_429_page(limits, alice_client, bob):
    for i in range(3):
        alice_client.post("/statuses/", {"body": f"s{i}", "visibility": "company"})
    response = alice_client.post("/statuses/", {"body": "again", "visibility": "company"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert b"Too many in a short time" in response.content
    status = feed_services.status_create(author=bob, body="Post")
    for i in range(3):
        alice_client.post(f"/statuses/{status.pk}/comments/", {"body": f"c{i}"})
    response = alice_client.post(f"/statuses/{status.pk}/comments/", {"body": "again"})
    assert response.status_code == 429


def test_blog_comments_share_the_comment_limit(limits, alice_api, ceo):
    from exec_blog import services as blog

    post = blog.post_create(author=ceo, title="Our year", body="Text", status="published")
    url = f"/api/v1/blog/posts/{post.slug}/comments/"
    for i in range(3):
        assert alice_api.post(url, {"body": f"c{i}"}, format="json").status_code == 201
    response = alice_api.post(url, {"body": "again"}, format="json")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61


def test_questions_past_the_hourly_limit_answer_429(alice_api):
    for i in range(5):
        response = alice_api.post(
            "/api/v1/questions/", {"body": f"Question number {i} for leadership?"}, format="json"
        )
        assert response.status_code == 201
    response = alice_api.post(
        "/api/v1/questions/", {"body": "And a sixth question for leadership?"}, format="json"
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 3000


# --- Ideas --------------------------------------------------------------------------------------


def idea(i: int) -> dict:
    return {"title": f"Idea number {i} for the office", "description": "Because it helps."}


def test_ideas_past_the_hourly_limit_answer_429_on_the_api(alice_api, bob):
    from ideas.models import Idea

    for i in range(5):
        assert alice_api.post("/api/v1/ideas/", idea(i), format="json").status_code == 201
    response = alice_api.post("/api/v1/ideas/", idea(5), format="json")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3601
    assert "at most 5 ideas an hour" in response.json()["detail"]
    assert Idea.objects.count() == 5
    # Per person: bob may still propose.
    bob_api = APIClient()
    bob_api.force_login(bob)
    assert bob_api.post("/api/v1/ideas/", idea(6), format="json").status_code == 201


def test_the_idea_limit_is_shown_on_the_form_with_what_was_typed(alice_client):
    from ideas.models import Idea

    for i in range(5):
        assert alice_client.post("/ideas/new/", idea(i)).status_code == 302
    response = alice_client.post("/ideas/new/", idea(5))
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3601
    assert b"at most 5 ideas an hour" in response.content
    assert b"Idea number 5 for the office" in response.content  # kept in the form
    assert Idea.objects.count() == 5


def test_limits_stop_counting_rather_than_refusing_when_the_cache_fails(limits, monkeypatch):
    def broken(*args, **kwargs):
        import redis

        raise redis.ConnectionError("down")

    monkeypatch.setattr(ratelimit.cache, "incr", broken)
    # On Redis a counter is one script call (core.ratelimit._call), not the cache's incr.
    monkeypatch.setattr(ratelimit, "_call", broken)
    for _ in range(10):
        ratelimit.hit("status", 1)  # no exception: degraded, not closed


# --- CSRF --------------------------------------------------------------------------------------

SAMPLE_ARGS = {"int": "1", "str": "alice", "slug": "some-post", "path": "x"}


def _unsafe_page_urls(patterns=None, prefix=""):
    """Every resolvable browser URL, with sample arguments (each answers POST with 403 before
    looking anything up when the CSRF token is missing)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _unsafe_page_urls(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            if route.startswith(("_allauth/app/", "static/", "media/", "scim/")) or "^" in route:
                # App and SCIM tokens carry no cookie; regex routes are admin's internals.
                continue
            if route.startswith("u/"):
                # One-click unsubscribe (RFC 8058): a mail client POSTs the signed link without
                # a session or a token; the signature is the proof (tests/reach/test_email.py).
                continue
            url = re.sub(
                r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_ARGS.get(m.group(1) or "str", "x"), route
            )
            yield "/" + url


def test_every_unsafe_browser_request_needs_the_csrf_token(alice, admin_user):
    urls = sorted(set(_unsafe_page_urls()))
    assert len(urls) > 60
    for user in (alice, admin_user, None):
        client = Client(enforce_csrf_checks=True)
        if user is not None:
            client.force_login(user)
        for url in urls:
            for method in ("post", "put", "patch", "delete"):
                response = client.generic(
                    method.upper(), url, b"body=x", "application/x-www-form-urlencoded"
                )
                # Refused for want of the token, before the view runs (so even a method the
                # view does not take is 403); the anonymous may be sent to log in first.
                allowed = {403} if user else {403, 401, 302}
                assert response.status_code in allowed, (user, method, url, response)
                if response.status_code == 302:
                    assert "/accounts/login/" in response["Location"], (url, response)
    # And the same request with the token goes through to the view.
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get("/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/statuses/", {"body": "with a token", "visibility": "company"}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code in (200, 302)
    assert Status.objects.filter(body="with a token").exists()


# --- Sockets -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize(
    "origin",
    [
        (b"origin", b"http://evil.example"),
        (b"origin", b"http://testserver.evil.example"),
        (b"origin", b"null"),
        None,
    ],
    ids=["foreign", "lookalike", "null", "missing"],
)
async def test_sockets_from_a_foreign_or_missing_origin_are_refused(alice, origin):
    from tests.feeds.test_stream import connect

    communicator, connected, _ = await connect(alice, origin=origin)
    assert not connected
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_sockets_from_our_own_origin_are_accepted(alice):
    from tests.feeds.test_stream import connect

    communicator, connected, _ = await connect(alice)
    assert connected
    await communicator.disconnect()
