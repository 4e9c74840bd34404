"""Communities end to end through the API: the shape of the contract, quickly."""

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    c = APIClient()
    c.force_login(user)
    return c


def test_private_community_round_trip(alice, bob, carol):
    a, b, c = client_for(alice), client_for(bob), client_for(carol)
    r = a.post(
        "/api/v1/communities/",
        {"name": "Offsite 2027", "visibility": "private", "join_policy": "invite"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["slug"] == "offsite-2027"
    assert r.json()["my_role"] == "owner"
    r = a.put("/api/v1/communities/offsite-2027/members/bob/", {"state": "invited"}, format="json")
    assert r.status_code == 200, r.json()
    assert b.get("/api/v1/communities/offsite-2027/feed/").status_code == 404
    assert b.put("/api/v1/communities/offsite-2027/membership/").json()["state"] == "active"
    r = a.post(
        "/api/v1/statuses/", {"body": "Hotel booked", "community": "offsite-2027"}, format="json"
    )
    assert r.status_code == 201, r.json()
    assert r.json()["community"] == {"slug": "offsite-2027", "name": "Offsite 2027"}
    sid = r.json()["id"]
    assert [s["id"] for s in b.get("/api/v1/communities/offsite-2027/feed/").json()["results"]] == [
        sid
    ]
    assert sid in [s["id"] for s in b.get("/api/v1/feed/").json()["results"]]
    assert c.get(f"/api/v1/statuses/{sid}/").status_code == 404
    assert sid not in [s["id"] for s in c.get("/api/v1/statuses/").json()["results"]]
    assert c.get("/api/v1/communities/offsite-2027/").status_code == 200
    assert c.get("/api/v1/communities/offsite-2027/feed/").status_code == 404
    # Secret: invisible to carol.
    a.patch("/api/v1/communities/offsite-2027/", {"visibility": "secret"}, format="json")
    assert c.get("/api/v1/communities/offsite-2027/").status_code == 404
    # Open: everyone reads.
    a.patch("/api/v1/communities/offsite-2027/", {"visibility": "open"}, format="json")
    assert c.get(f"/api/v1/statuses/{sid}/").status_code == 200
    # Removing bob: he no longer reads it once private again.
    a.patch("/api/v1/communities/offsite-2027/", {"visibility": "private"}, format="json")
    assert a.delete("/api/v1/communities/offsite-2027/members/bob/").status_code == 204
    assert b.get(f"/api/v1/statuses/{sid}/").status_code == 404
    # The last owner cannot leave.
    r = a.delete("/api/v1/communities/offsite-2027/membership/")
    assert r.status_code == 400


def test_pages_render(alice, bob):
    a = client_for(alice)
    a.post("/api/v1/communities/", {"name": "Cyclists", "join_policy": "request"}, format="json")
    b = client_for(bob)
    for url in ["/communities/", "/c/cyclists/", "/c/cyclists/members/", "/communities/new/"]:
        assert b.get(url).status_code == 200, url
    assert a.get("/c/cyclists/settings/").status_code == 200
    assert b.get("/c/cyclists/settings/").status_code == 403
    r = b.post("/c/cyclists/membership/", {"action": "join"})
    assert r.status_code == 302
    r = a.get("/c/cyclists/members/")
    assert b"Asking to join" in r.content
    UserFactory(username="zed")
