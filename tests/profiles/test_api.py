import io

import pytest
from PIL import Image

from profiles.models import Follow, Profile
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def png_bytes(size=(300, 200), colour="red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


# --- /api/v1/me/ ------------------------------------------------------------------------------


def test_me_requires_login_with_json_401(api):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["detail"]
    assert "WWW-Authenticate" in response


def test_me_returns_own_profile_with_contract_fields(alice_api, alice):
    response = alice_api.get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    for field in (
        "username",
        "display_name",
        "title",
        "department",
        "manager",
        "location",
        "bio",
        "avatar_url",
        "skills",
        "followers_count",
        "following_count",
        "is_following",
        "reports",
    ):
        assert field in body, field
    assert body["username"] == "alice"
    assert body["department"] == {
        "id": alice.profile.department_id,
        "name": "Engineering",
        "slug": "engineering",
    }


def test_me_patch_updates_own_profile_and_sanitises_bio(alice_api, alice):
    response = alice_api.patch(
        "/api/v1/me/",
        {
            "title": "Staff Engineer",
            "bio": "I like **Rust** <script>alert(1)</script>",
            "skills": ["Rust", "rust", "Public speaking"],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    profile = Profile.objects.get(user=alice)
    assert profile.title == "Staff Engineer"
    assert "<strong>Rust</strong>" in profile.bio_html
    assert "<script>" not in profile.bio_html
    assert sorted(response.json()["skills"]) == ["Public speaking", "Rust"]


@pytest.mark.parametrize(
    "field,value",
    [
        ("department", 1),
        ("manager", "bob"),
        ("is_staff", True),
        ("username", "mallory"),
        ("user", 2),
        ("followers_count", 1000),
    ],
)
def test_me_patch_refuses_fields_a_person_cannot_set_and_changes_nothing(
    alice_api, alice, bob, field, value
):
    before = Profile.objects.get(user=alice)
    response = alice_api.patch("/api/v1/me/", {field: value, "title": "Changed"}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    alice.refresh_from_db()
    after = Profile.objects.get(user=alice)
    assert (after.title, after.department_id, after.manager_id) == (
        before.title,
        before.department_id,
        before.manager_id,
    )
    assert not alice.is_staff and alice.username == "alice"


def test_me_patch_rejects_empty_name_and_overlong_bio(alice_api, alice):
    assert alice_api.patch("/api/v1/me/", {"display_name": ""}, format="json").status_code == 400
    too_long = alice_api.patch("/api/v1/me/", {"bio": "x" * 2001}, format="json")
    assert too_long.status_code == 400
    assert Profile.objects.get(user=alice).display_name == "Alice Archer"


def test_me_patch_with_malformed_json_is_400(alice_api):
    response = alice_api.generic(
        "PATCH", "/api/v1/me/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_me_avatar_upload_is_resized_and_served_to_colleagues_only(alice_api, alice, api, bob):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("me.png", png_bytes((800, 600)), content_type="image/png")
    response = alice_api.patch("/api/v1/me/", {"avatar": upload}, format="multipart")
    assert response.status_code == 200, response.content
    url = response.json()["avatar_url"]
    assert url.startswith("/people/alice/avatar/")

    anonymous = api.get(url)
    assert anonymous.status_code == 302
    bob_client = type(api)()
    bob_client.force_login(bob)
    served = bob_client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/webp"
    image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert image.size == (256, 256)


def test_me_avatar_that_is_not_an_image_is_refused(alice_api, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("evil.png", b"<?php system($_GET['c']); ?>", "image/png")
    response = alice_api.patch("/api/v1/me/", {"avatar": fake}, format="multipart")
    assert response.status_code == 400
    assert "avatar" in response.json()
    assert not Profile.objects.get(user=alice).avatar


def test_me_avatar_over_two_megabytes_is_refused(alice_api, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    out = io.BytesIO()
    Image.frombytes("RGB", (1400, 1400), bytes(range(256)) * (1400 * 1400 * 3 // 256 + 1)).save(
        out, format="BMP"
    )
    big = out.getvalue()
    assert len(big) > 2 * 1024 * 1024
    response = alice_api.patch(
        "/api/v1/me/", {"avatar": SimpleUploadedFile("big.bmp", big, "image/bmp")}, "multipart"
    )
    assert response.status_code == 400
    assert not Profile.objects.get(user=alice).avatar


# --- /api/v1/profiles/ ------------------------------------------------------------------------


def test_directory_searches_name_title_and_skill(alice_api, alice, bob, carol):
    from profiles.services import profile_update

    profile_update(actor=carol, profile=carol.profile, skills=["Kubernetes"])
    by_name = alice_api.get("/api/v1/profiles/", {"q": "bak"}).json()["results"]
    assert [p["username"] for p in by_name] == ["bob"]
    by_title = alice_api.get("/api/v1/profiles/", {"q": "account exec"}).json()["results"]
    assert [p["username"] for p in by_title] == ["bob"]
    by_skill = alice_api.get("/api/v1/profiles/", {"q": "kubernetes"}).json()["results"]
    assert [p["username"] for p in by_skill] == ["carol"]


def test_directory_filters_by_department(alice_api, alice, bob, carol):
    results = alice_api.get("/api/v1/profiles/", {"department": "engineering"}).json()["results"]
    assert {p["username"] for p in results} == {"alice", "carol"}


def test_directory_hides_deactivated_people(alice_api, alice, bob):
    bob.is_active = False
    bob.save()
    results = alice_api.get("/api/v1/profiles/").json()["results"]
    assert {p["username"] for p in results} == {"alice"}
    # Their profile stays, marked as former (tests/profiles/test_personal_data.py).
    assert alice_api.get("/api/v1/profiles/bob/").json()["is_former"] is True


def test_directory_is_cursor_paginated_without_gaps_or_repeats(alice_api, alice):
    dept = DepartmentFactory()
    for _ in range(45):
        UserFactory(finish__department=dept)
    seen: list[str] = []
    url = "/api/v1/profiles/?page_size=20"
    pages = 0
    while url:
        body = alice_api.get(url).json()
        assert set(body) >= {"results", "next"}
        seen += [p["username"] for p in body["results"]]
        url = body["next"]
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)) == 46


def test_directory_query_count_does_not_grow_with_page_size(
    alice_api, alice, django_assert_max_num_queries
):
    dept = DepartmentFactory()
    for _ in range(30):
        UserFactory(finish__department=dept)
    alice_api.get("/api/v1/profiles/?page_size=5")
    with django_assert_max_num_queries(8):
        response = alice_api.get("/api/v1/profiles/?page_size=30")
    assert len(response.json()["results"]) == 30


def test_profile_detail_has_counts_manager_and_reports(alice_api, alice, bob, carol):
    from profiles.services import follow_create

    alice_profile = alice.profile
    carol.profile.manager = alice_profile
    carol.profile.save()
    follow_create(follower=bob, followee=alice)
    follow_create(follower=carol, followee=alice)
    follow_create(follower=alice, followee=bob)
    body = alice_api.get("/api/v1/profiles/carol/").json()
    assert body["manager"]["username"] == "alice"
    assert body["is_following"] is False
    body = alice_api.get("/api/v1/profiles/alice/").json()
    assert body["followers_count"] == 2
    assert body["following_count"] == 1
    assert [r["username"] for r in body["reports"]] == ["carol"]
    assert alice_api.get("/api/v1/profiles/bob/").json()["is_following"] is True


def test_unknown_profile_is_json_404(alice_api):
    response = alice_api.get("/api/v1/profiles/nobody/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


# --- follow -----------------------------------------------------------------------------------


def test_follow_and_unfollow_are_idempotent(alice_api, alice, bob):
    first = alice_api.post("/api/v1/profiles/bob/follow/")
    again = alice_api.post("/api/v1/profiles/bob/follow/")
    assert (first.status_code, again.status_code) == (201, 200)
    assert Follow.objects.filter(follower=alice, followee=bob).count() == 1
    assert alice_api.delete("/api/v1/profiles/bob/follow/").status_code == 200
    assert alice_api.delete("/api/v1/profiles/bob/follow/").status_code == 200
    assert not Follow.objects.filter(follower=alice, followee=bob).exists()


def test_follow_yourself_is_400(alice_api, alice):
    response = alice_api.post("/api/v1/profiles/alice/follow/")
    assert response.status_code == 400
    assert not Follow.objects.exists()


def test_follow_someone_who_does_not_exist_is_404(alice_api, alice):
    assert alice_api.post("/api/v1/profiles/ghost/follow/").status_code == 404
    assert not Follow.objects.exists()


def test_follow_needs_login_and_csrf_for_session_clients(alice, bob):
    from rest_framework.test import APIClient

    anonymous = APIClient()
    assert anonymous.post("/api/v1/profiles/bob/follow/").status_code == 401
    strict = APIClient(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post("/api/v1/profiles/bob/follow/").status_code == 403
    assert not Follow.objects.exists()


def test_followers_and_following_lists(alice_api, alice, bob, carol):
    from profiles.services import follow_create

    follow_create(follower=bob, followee=carol)
    follow_create(follower=alice, followee=carol)
    followers = alice_api.get("/api/v1/profiles/carol/followers/").json()["results"]
    assert {p["username"] for p in followers} == {"alice", "bob"}
    following = alice_api.get("/api/v1/profiles/bob/following/").json()["results"]
    assert [p["username"] for p in following] == ["carol"]


# --- departments ------------------------------------------------------------------------------


def test_departments_list_member_counts(alice_api, alice, bob, carol):
    body = alice_api.get("/api/v1/departments/").json()
    counts = {d["slug"]: d["member_count"] for d in body["results"]}
    assert counts == {"engineering": 2, "sales": 1}
    assert body["next"] is None


# --- schema -----------------------------------------------------------------------------------


def test_schema_and_docs_need_login(api, alice_api):
    assert api.get("/api/schema/").status_code == 401
    schema = alice_api.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/" in schema.content
    assert alice_api.get("/api/docs/").status_code == 200


def test_an_unsupported_content_type_is_a_documented_415_that_changes_nothing(alice_api, alice):
    before = alice.profile.bio
    response = alice_api.generic("PATCH", "/api/v1/me/", "bio=changed", content_type="text/plain")
    assert response.status_code == 415
    alice.profile.refresh_from_db()
    assert alice.profile.bio == before
    # The schema says so for every operation with a body, and only for those (found by the
    # fuzzer: clients and schemathesis must know every status they may see).
    paths = alice_api.get("/api/schema/?format=json").json()["paths"]
    assert "415" in paths["/api/v1/me/"]["patch"]["responses"]
    assert "415" not in paths["/api/v1/me/"]["get"]["responses"]
