"""Personal data (issue 8): a person downloads what they wrote; a leaver's profile stays, marked
as former, with their content."""

import json

import pytest
from rest_framework.test import APIClient

from communities import services as community_services
from exec_blog import services as blog_services
from feeds import services as feed_services
from profiles import export
from profiles.models import User
from profiles.services import follow_create

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/me/export/"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_export_needs_login(api):
    response = api.get(EXPORT)
    assert response.status_code == 401


def test_export_holds_what_the_person_wrote_and_nothing_of_others(alice, bob, alice_api):
    mine = feed_services.status_create(author=alice, body="first draft")
    feed_services.status_update(actor=alice, status=mine, body="second draft")
    theirs = feed_services.status_create(author=bob, body="bob's own words")
    feed_services.comment_create(author=alice, status=theirs, body="nice one")
    feed_services.comment_create(author=bob, status=mine, body="bob's comment")
    feed_services.reaction_add(user=alice, status=theirs, kind="like")
    blog_services.question_create(asker=alice, body="Asked without my name?", anonymous=True)
    follow_create(follower=alice, followee=bob)

    response = alice_api.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="enterprise-social-')
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["account"]["username"] == "alice"
    assert data["profile"]["display_name"] == alice.profile.display_name
    [status] = data["statuses"]
    assert status["body"] == "second draft"
    assert [v["body"] for v in status["earlier_versions"]] == ["first draft"]
    assert [c["body"] for c in data["comments"]] == ["nice one"]
    assert data["reactions"] == [
        {"status_id": theirs.pk, "kind": "like", "created_at": data["reactions"][0]["created_at"]}
    ]
    # Their own anonymous question: they asked it, so it is theirs to download.
    assert [(q["body"], q["anonymous"]) for q in data["questions"]] == [
        ("Asked without my name?", True)
    ]
    assert [f["followee__username"] for f in data["following"]] == ["bob"]
    text = json.dumps(data)
    assert "bob's own words" not in text and "bob's comment" not in text


def test_export_lists_the_persons_communities_with_role_and_state(alice, bob, alice_api):
    cyclists = community_services.community_create(actor=alice, name="Cyclists")
    offsite = community_services.community_create(
        actor=bob, name="Offsite", visibility="secret", join_policy="invite"
    )
    community_services.member_put(actor=bob, community=offsite, username="alice", state="invited")
    asked = community_services.community_create(
        actor=bob, name="Runners", visibility="private", join_policy="request"
    )
    community_services.membership_join(actor=alice, community=asked)
    community_services.community_create(actor=bob, name="Not hers")

    rows = alice_api.get(EXPORT).json()["communities"]

    assert [(r["community"], r["name"], r["role"], r["state"]) for r in rows] == [
        (cyclists.slug, "Cyclists", "owner", "active"),
        (offsite.slug, "Offsite", "member", "invited"),
        (asked.slug, "Runners", "member", "requested"),
    ]
    assert all(r["since"] for r in rows)
    # Bob's own: none of alice's (the people in his communities are not his data).
    theirs = api_for(bob).get(EXPORT).json()["communities"]
    assert [(r["name"], r["role"], r["state"]) for r in theirs] == [
        ("Offsite", "owner", "active"),
        ("Runners", "owner", "active"),
        ("Not hers", "owner", "active"),
    ]


def test_each_person_gets_only_their_own_export(alice, bob):
    feed_services.status_create(author=alice, body="alice writes")
    data = api_for(bob).get(EXPORT).json()
    assert data["account"]["username"] == "bob"
    assert data["statuses"] == []


def test_exports_are_rate_limited_with_retry_after(alice_api, settings):
    settings.RATE_LIMITS = {"export": (2, 3600)}
    assert alice_api.get(EXPORT).status_code == 200
    assert alice_api.get(EXPORT).status_code == 200
    refused = alice_api.get(EXPORT)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


def leave(user) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)


def test_a_leavers_profile_stays_marked_former_with_their_posts(alice_client, alice_api, bob):
    feed_services.status_create(author=bob, body="Written before leaving")
    leave(bob)

    page = alice_client.get("/people/bob/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Former employee" in html
    assert "Written before leaving" in html
    assert "/people/bob/follow/" not in html  # no follow button for someone who left

    payload = alice_api.get("/api/v1/profiles/bob/").json()
    assert payload["is_former"] is True
    # Their picture stays beside what they wrote.
    assert alice_client.get("/people/bob/avatar/").status_code == 200


def test_a_leaver_cannot_be_followed_and_is_not_in_the_directory(alice_api, bob):
    leave(bob)
    assert alice_api.post("/api/v1/profiles/bob/follow/").status_code == 404
    names = [p["username"] for p in alice_api.get("/api/v1/profiles/").json()["results"]]
    assert names == ["alice"]


def test_a_current_employee_is_not_former(alice_api, bob):
    assert alice_api.get("/api/v1/profiles/bob/").json()["is_former"] is False


def test_the_export_is_assembled_from_every_apps_sections(alice_api):
    # profiles knows none of the apps above it: each registers its own sections in ready().
    assert export.sections() == (
        "account",
        "profile",
        "following",
        "activity",
        "uploads",
        "communities",
        "statuses",
        "comments",
        "reactions",
        "poll_votes",
        "reports_filed",
        "questions",
        "question_votes",
        "answers",
        "blog_posts",
        "posted_as_delegate",
        "delegations",
        "ideas",
        "idea_votes",
    )
    assert set(export.sections()) <= set(alice_api.get(EXPORT).json())


def test_a_section_name_belongs_to_one_app():
    with pytest.raises(ValueError, match="registered twice"):
        export.register_section("statuses", lambda user: [])
