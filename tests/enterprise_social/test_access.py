"""Every URL the project resolves is classified: open to anonymous visitors, or refused.

A new URL pattern fails this test until it is added to one of the lists below, so nothing
becomes public by accident.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Pages anyone may open: signing in, signing up, resetting a password, the health check.
ANONYMOUS_PAGES = {
    "healthz",
    "accounts/login/",
    "accounts/signup/",
    "accounts/inactive/",
    "accounts/confirm-email/",
    "accounts/confirm-email/<key>/",
    "accounts/password/reset/",
    "accounts/password/reset/done/",
    "accounts/password/reset/key/<uidb36>-<key>/",
    "accounts/password/reset/key/done/",
    "accounts/2fa/authenticate/",
    "accounts/3rdparty/login/cancelled/",
    "accounts/3rdparty/login/error/",
    "accounts/3rdparty/signup/",
    "accounts/oidc/<provider_id>/login/",
    "accounts/oidc/<provider_id>/login/callback/",
    # The installable app (reach): no data in any of them.
    "manifest.webmanifest",
    "sw.js",
    "offline/",
    # Unsubscribe links from emails: the signed token is the credential (docs/security.md).
    "u/<token>/",
}
# The app clients' authentication endpoints (allauth headless): logging in is their purpose.
ANONYMOUS_HEADLESS = re.compile(r"^_allauth/app/v1/(config|auth/.*)$")


def _clean(route: str) -> str:
    route = route.replace("^", "").replace("$", "").replace("\\", "")
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)
    return re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", route)


def all_routes(patterns=None, prefix: str = ""):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from all_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield _clean(prefix + str(pattern.pattern))


SAMPLE_VALUES = {
    "username": "alice",
    "key": "abc",
    "uidb36": "1",
    "provider_id": "sso",
    "object_id": "1",
    "app_label": "profiles",
    "content_type_id": "1",
    "id": "1",
    "pk": "1",
    "slug": "x",
    "url": "x",
    "path": "x",
}


def sample_url(route: str) -> str:
    url = re.sub(r"<(\w+)>", lambda m: SAMPLE_VALUES.get(m.group(1), "1"), route)
    return "/" + url


ROUTES = sorted(set(all_routes()))


def test_the_sweep_sees_every_part_of_the_project():
    assert "api/v1/me/" in ROUTES
    assert "people/<username>/" in ROUTES
    assert "admin/" in ROUTES
    assert "ideas/<idea_id>/decision/" in ROUTES  # pages and API of ideas: refused below
    assert "api/v1/ideas/<idea_id>/decision/" in ROUTES
    assert "statuses/<status_id>/poll/vote/" in ROUTES  # voting in polls: refused below
    assert "api/v1/statuses/<status_id>/poll/vote/" in ROUTES
    assert any(r.startswith("_allauth/app/v1/") for r in ROUTES)
    assert "scim/v2/Users/<scim_id>/?" in ROUTES  # provisioning: a bearer token or 401


@pytest.mark.parametrize("route", ROUTES)
def test_anonymous_is_refused_everywhere_except_the_allow_list(client, alice, route):
    url = sample_url(route)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if route in ANONYMOUS_PAGES or ANONYMOUS_HEADLESS.match(route):
            assert response.status_code < 500, (method, url, response.status_code)
            continue
        if route.startswith("api/"):
            assert response.status_code == 401, (method, url, response.status_code)
            assert b"/api/v1/" not in response.content  # neither data nor the schema
        elif route.startswith("scim/"):
            # Provisioning answers only to a bearer token (no session, no login page).
            assert response.status_code == 401, (method, url, response.status_code)
            assert response["WWW-Authenticate"].startswith("Bearer")
            assert response["Content-Type"].startswith("application/scim+json")
        elif route.startswith("_allauth/"):
            # allauth answers 409 where a step of a login flow is not pending: still a refusal.
            assert response.status_code in (401, 409), (method, url, response.status_code)
            assert response["Content-Type"].startswith("application/json")
        else:
            assert response.status_code == 302, (method, url, response.status_code)
            # The admin sends visitors to its login page, which is the allauth login itself.
            login_pages = (
                ("/accounts/login/", "/admin/login/")
                if route.startswith("admin/")
                else ("/accounts/login/",)
            )
            assert response["Location"].startswith(login_pages), (method, url)


# --- sockets ---------------------------------------------------------------------------------

# Every socket route needs a logged-in, active user; none is open to anonymous visitors.
SOCKET_ROUTES = {"ws/stream/"}


def socket_routes():
    from enterprise_social.routing import websocket_urlpatterns

    return sorted(set(all_routes(websocket_urlpatterns)))


def test_every_socket_route_is_classified():
    assert socket_routes() == sorted(SOCKET_ROUTES), "classify the new socket route here"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", socket_routes())
@pytest.mark.parametrize(
    "headers",
    [
        [(b"origin", b"http://testserver")],  # anonymous, from the site itself
        [(b"origin", b"https://evil.example")],  # anonymous, from elsewhere
        [],  # no origin at all
    ],
    ids=["anonymous", "foreign-origin", "no-origin"],
)
async def test_anonymous_sockets_are_refused_on_every_socket_route(route, headers):
    from channels.testing import WebsocketCommunicator

    from enterprise_social.asgi import application

    communicator = WebsocketCommunicator(application, sample_url(route), headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert not connected
    await communicator.disconnect()


def test_the_admin_login_is_the_allauth_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_pages_do_not_show_company_content(client, alice):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Alice Archer" not in response.content


def test_static_files_are_public(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200


def test_uploaded_files_have_no_public_path(client, alice_client):
    assert client.get("/media/avatars/1.webp").status_code in (302, 404)
    assert alice_client.get("/media/avatars/1.webp").status_code == 404
