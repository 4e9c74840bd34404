"""App accounts: a token that only posts statuses, where its admin allowed, like anyone else."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from rest_framework.test import APIClient

from app_accounts import services
from app_accounts.models import AppToken
from communities import services as communities
from feeds import services as feeds
from feeds.models import Status

pytestmark = pytest.mark.django_db

STATUSES = "/api/v1/statuses/"


@pytest.fixture
def places(bob):
    return {
        "builds": communities.community_create(actor=bob, name="Builds", visibility="open"),
        "other": communities.community_create(actor=bob, name="Other", visibility="open"),
        "leads": communities.community_create(actor=bob, name="Leads", visibility="private"),
        "ops": communities.community_create(actor=bob, name="Ops", visibility="secret"),
        "merger": communities.community_create(actor=bob, name="Merger", visibility="secret"),
    }


@pytest.fixture
def app(admin_user, places):
    return services.app_account_create(
        actor=admin_user, name="Build Bot", communities=[places["builds"], places["ops"]]
    )


@pytest.fixture
def token(admin_user, app):
    return services.app_token_create(actor=admin_user, app=app)[1]


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_an_app_is_an_account_that_never_signs_in(app, token):
    user = app.user
    assert user.is_active and not user.has_usable_password() and user.email == ""
    assert user.username == "app-build-bot" and user.profile.is_app
    assert user.profile.display_name == "Build Bot"
    assert token.startswith("esapp_")
    row = AppToken.objects.get()
    assert token not in (row.digest, row.prefix) and row.digest == services.token_digest(token)
    assert not Client().login(username=user.username, password="")


def test_only_admins_make_apps_and_tokens(alice, app):
    with pytest.raises(PermissionDenied):
        services.app_account_create(actor=alice, name="Sneaky")
    with pytest.raises(PermissionDenied):
        services.app_token_create(actor=alice, app=app)


def test_it_posts_in_its_communities_shown_as_an_app(token, places, alice):
    response = bearer(token).post(
        STATUSES, {"body": "Build 512 passed", "community": "builds"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["author"]["is_app"] is True
    assert response.json()["author"]["display_name"] == "Build Bot"
    secret = bearer(token).post(
        STATUSES, {"body": "Deploy done", "community": "ops"}, format="json"
    )
    assert secret.status_code == 201, secret.content  # allowed there, though not a member
    status = Status.objects.get(body="Build 512 passed")
    page = Client()
    page.force_login(alice)
    html = page.get(f"/statuses/{status.pk}/").content.decode()
    assert "Build Bot" in html and ">App</span>" in html


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"body": "Everyone!"}, 403),  # company-wide is not allowed for this app
        ({"body": "Here?", "community": "other"}, 403),
        ({"body": "Here?", "community": "leads"}, 403),
        ({"body": "Here?", "community": "merger"}, 400),  # secret: "no such community"
        ({"body": "Here?", "community": "missing"}, 400),
        ({"body": "Team only", "visibility": "department"}, 403),
    ],
)
def test_it_may_not_post_anywhere_else(token, places, body, code):
    response = bearer(token).post(STATUSES, body, format="json")
    assert response.status_code == code, response.content
    assert not Status.objects.exists()


def test_company_wide_when_allowed(admin_user, app, token):
    app.may_post_company = True
    app.save()
    assert bearer(token).post(STATUSES, {"body": "Hi all"}, format="json").status_code == 201


def test_the_token_only_posts_statuses(token, alice):
    status = feeds.status_create(author=alice, body="Hello")
    client = bearer(token)
    assert client.get("/api/v1/feed/").status_code == 403
    assert client.get(STATUSES).status_code == 403
    assert client.get("/api/v1/me/").status_code == 403
    assert client.put(f"/api/v1/statuses/{status.pk}/reactions/like/").status_code == 403
    assert client.post(f"/api/v1/statuses/{status.pk}/comments/", {"body": "x"}).status_code == 403
    assert client.get("/api/v1/webhooks/").status_code == 403


def test_wrong_and_revoked_tokens_are_401(admin_user, token):
    assert bearer("esapp_" + "x" * 43).post(STATUSES, {"body": "x"}).status_code == 401
    assert bearer("not-ours").post(STATUSES, {"body": "x"}).status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer")
    assert client.post(STATUSES, {"body": "x"}).status_code == 401
    services.app_tokens_revoke(actor=admin_user, tokens=AppToken.objects.all())
    response = bearer(token).post(STATUSES, {"body": "x", "community": "builds"}, format="json")
    assert response.status_code == 401
    assert not Status.objects.exists()


def test_a_deactivated_app_is_401(app, token):
    app.user.is_active = False
    app.user.save()
    response = bearer(token).post(STATUSES, {"body": "x", "community": "builds"}, format="json")
    assert response.status_code == 401


def test_the_status_rate_limit_applies(token, settings):
    settings.RATE_LIMITS = {"status": (2, 60)}
    client = bearer(token)
    codes = [
        client.post(STATUSES, {"body": f"Build {i}", "community": "builds"}, format="json")
        for i in range(3)
    ]
    assert [r.status_code for r in codes] == [201, 201, 429]
    assert codes[2].has_header("Retry-After")


def test_its_posts_are_moderated_like_anyone_elses(token, moderator, alice):
    response = bearer(token).post(
        STATUSES, {"body": "Buy cheap watches", "community": "builds"}, format="json"
    )
    status = Status.objects.get(pk=response.json()["id"])
    mod = APIClient()
    mod.force_authenticate(moderator)
    hidden = mod.post(
        f"/api/v1/statuses/{status.pk}/moderation/",
        {"action": "hide", "reason": "Spam"},
        format="json",
    )
    assert hidden.status_code == 201, hidden.content
    status.refresh_from_db()
    assert status.is_removed and status.removal_reason == "Spam"
    reader = APIClient()
    reader.force_authenticate(alice)
    assert reader.get(f"/api/v1/statuses/{status.pk}/").json()["body"] == ""


def test_the_admin_makes_an_app_and_shows_its_token_once(client, admin_user, places):
    client.force_login(admin_user)
    response = client.post(
        "/admin/app_accounts/appaccount/add/",
        {"name": "Deploy Bot", "communities": [places["builds"].pk], "may_post_company": ""},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    row = AppToken.objects.get(app__user__username="app-deploy-bot")
    token = next(word for word in html.split() if word.startswith("esapp_"))
    assert services.token_digest(token) == row.digest
    again = client.post("/admin/app_accounts/appaccount/add/", {"name": "Deploy Bot"}, follow=True)
    assert "taken" in again.content.decode()
