"""Legal holds: Compliance only, with a reason, audited; a held status keeps its record and
files when its author deletes it, and lets them go when the hold is released."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage

from attachments.models import Attachment
from audit import actions
from audit.models import AuditEntry
from communities import services as communities
from feeds import services as feeds
from governance.models import LegalHold
from governance.services import hold_place, hold_release
from tests.attachments import media
from tests.attachments.helpers import make_upload
from tests.governance.conftest import api_for
from tests.reach.conftest import run_jobs

pytestmark = pytest.mark.django_db

API = "/api/v1/compliance/holds/"
PAGE = "/compliance/holds/"


def state() -> tuple:
    return (
        list(LegalHold.objects.values_list("id", "reason", "released_at")),
        list(LegalHold.custodians.through.objects.values_list("legalhold_id", "user_id")),
        list(LegalHold.communities.through.objects.values_list("legalhold_id", "community_id")),
        AuditEntry.objects.exclude(action__startswith="login.").count(),
    )


@pytest.fixture
def club(alice):
    return communities.community_create(actor=alice, name="Deal room", slug="deal-room")


# --- API: who ------------------------------------------------------------------------------


def test_anonymous_gets_401_from_the_api_and_a_login_redirect_from_the_page(client, api):
    assert api.get(API).status_code == 401
    assert api.post(API, {"reason": "x", "custodians": ["alice"]}, format="json").status_code == 401
    assert api.post(f"{API}1/release/").status_code == 401
    assert client.get(PAGE).status_code == 302
    assert "/accounts/login/" in client.get(PAGE)["Location"]


@pytest.mark.parametrize("who", ["alice", "moderator", "hr_user", "ceo", "admin_user"])
def test_everyone_but_compliance_is_refused_and_nothing_changes(request, client, who, compliance):
    user = request.getfixturevalue(who)
    hold = hold_place(actor=compliance, reason="Matter 1", custodians=["compliance"])
    before = state()
    api = api_for(user)
    assert api.get(API).status_code == 403
    assert api.get(f"{API}{hold.pk}/").status_code == 403
    response = api.post(API, {"reason": "Mine", "custodians": ["alice"]}, format="json")
    assert response.status_code == 403
    assert "Compliance" in response.json()["detail"]
    assert api.post(f"{API}{hold.pk}/release/").status_code == 403
    client.force_login(user)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"reason": "Mine", "custodians": "alice"}).status_code == 403
    assert client.post(f"{PAGE}{hold.pk}/release/").status_code == 403
    assert state() == before


def test_compliance_places_lists_reads_and_releases_a_hold(compliance, alice, bob, club):
    api = api_for(compliance)
    body = {"custodians": ["alice", "bob"], "communities": ["deal-room"], "reason": "Matter 42"}
    response = api.post(API, body, format="json")
    assert response.status_code == 201, response.json()
    hold = response.json()
    assert hold["custodians"] == ["alice", "bob"] and hold["communities"] == ["deal-room"]
    assert hold["reason"] == "Matter 42" and hold["placed_by"] == "compliance"
    assert hold["is_active"] is True and hold["released_at"] is None
    listed = api.get(API).json()
    assert [h["id"] for h in listed["results"]] == [hold["id"]] and listed["next"] is None
    assert api.get(f"{API}{hold['id']}/").json() == hold
    released = api.post(f"{API}{hold['id']}/release/")
    assert released.status_code == 200
    assert released.json()["is_active"] is False and released.json()["released_by"] == "compliance"
    # Released twice: a clear 400, nothing changes.
    before = state()
    again = api.post(f"{API}{hold['id']}/release/")
    assert again.status_code == 400 and "already released" in str(again.json())
    assert state() == before
    assert api.post(f"{API}99999/release/").status_code == 404
    assert api.get(f"{API}99999/").status_code == 404


def test_placing_and_releasing_are_audited_once_each(compliance, alice, club):
    hold = hold_place(
        actor=compliance, reason="Matter 42", custodians=["alice"], communities=["deal-room"]
    )
    (placed,) = AuditEntry.objects.filter(action=actions.HOLD_PLACED)
    assert placed.actor == compliance and placed.target_id == str(hold.pk)
    assert placed.detail == {
        "custodians": ["alice"],
        "communities": ["deal-room"],
        "reason": "Matter 42",
    }
    hold_release(actor=compliance, hold=hold)
    (released,) = AuditEntry.objects.filter(action=actions.HOLD_RELEASED)
    assert released.actor == compliance and released.target_id == str(hold.pk)
    assert AuditEntry.objects.exclude(action__startswith="login.").count() == 2


# --- API: bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"custodians": ["alice"]}, "reason", "required"),
        ({"custodians": ["alice"], "reason": "   "}, "reason", "blank"),
        ({"custodians": ["alice"], "reason": "x" * 501}, "reason", "500"),
        ({"custodians": ["alice"], "reason": ["Matter"]}, "reason", ""),
        ({"reason": "Matter"}, "custodians", "at least one"),
        ({"custodians": [], "communities": [], "reason": "Matter"}, "custodians", "at least one"),
        ({"custodians": ["alice", "nobody"], "reason": "Matter"}, "custodians", "nobody"),
        ({"communities": ["no-such-club"], "reason": "Matter"}, "communities", "no-such-club"),
        ({"custodians": "alice", "reason": "Matter"}, "custodians", ""),
        ({"custodians": [{"a": 1}], "reason": "Matter"}, "custodians", ""),
        ({"custodians": ["alice"], "reason": "Matter", "placed_by": 1}, "placed_by", "cannot"),
    ],
)
def test_bad_holds_are_400_naming_the_field_and_change_nothing(
    compliance, alice, club, body, field, words
):
    before = state()
    response = api_for(compliance).post(API, body, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert words.lower() in str(errors[field]).lower()
    assert state() == before


def test_a_hold_body_that_is_not_an_object_is_400(compliance):
    response = api_for(compliance).post(API, ["alice"], format="json")
    assert response.status_code == 400
    assert not LegalHold.objects.exists()


# --- Pages ---------------------------------------------------------------------------------


def test_compliance_places_and_releases_a_hold_from_the_page(client, compliance, alice, club):
    client.force_login(compliance)
    page = client.get(PAGE)
    assert page.status_code == 200 and b"No holds yet" in page.content
    response = client.post(
        PAGE, {"custodians": "alice, compliance", "communities": "deal-room", "reason": "M 1"}
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert {u.username for u in hold.custodians.all()} == {"alice", "compliance"}
    page = client.get(PAGE).content.decode()
    assert "M 1" in page and "In force" in page and "deal-room" in page
    assert client.post(f"{PAGE}{hold.pk}/release/").status_code == 302
    hold.refresh_from_db()
    assert hold.released_at is not None
    assert "Released" in client.get(PAGE).content.decode()
    # Released again from a stale page: said, not an error page.
    response = client.post(f"{PAGE}{hold.pk}/release/", follow=True)
    assert "already released" in response.content.decode()
    assert client.post(f"{PAGE}99999/release/").status_code == 404
    assert client.get(f"{PAGE}{hold.pk}/release/").status_code == 405


def test_the_page_refuses_bad_holds_with_the_reason_and_changes_nothing(client, compliance, alice):
    client.force_login(compliance)
    before = state()
    response = client.post(PAGE, {"custodians": "alice", "reason": ""})
    assert response.status_code == 400
    assert "Give the reason for the hold" in response.content.decode()
    response = client.post(PAGE, {"custodians": "alice ghost", "reason": "Matter"})
    assert response.status_code == 400 and "ghost" in response.content.decode()
    response = client.post(PAGE, {"reason": "Matter"})
    assert response.status_code == 400 and "at least one" in response.content.decode()
    assert state() == before


# --- Held content and its author's delete --------------------------------------------------


def picture_status(author, **kwargs):
    upload = make_upload(author, media.picture())
    return feeds.status_create(author=author, body="Plans", attachments=[upload.token], **kwargs)


def files_of(status) -> list[str]:
    rows = Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(status), owner_id=status.pk
    )
    return [f.name for a in rows for f in (a.file, a.thumbnail) if f]


def test_without_a_hold_the_authors_delete_lets_the_files_go(
    alice, bob, django_capture_on_commit_callbacks
):
    status = picture_status(alice)
    files = files_of(status)
    with django_capture_on_commit_callbacks(execute=True):
        assert api_for(alice).delete(f"/api/v1/statuses/{status.pk}/").status_code in (200, 204)
    run_jobs()
    assert not Attachment.objects.exists()
    assert not any(default_storage.exists(name) for name in files)


@pytest.mark.parametrize("held_by", ["custodian", "community"])
def test_a_held_status_deleted_by_its_author_is_a_tombstone_but_kept_with_its_files(
    alice, bob, compliance, club, held_by, django_capture_on_commit_callbacks
):
    status = picture_status(alice, community=club)
    files = files_of(status)
    if held_by == "custodian":
        hold = hold_place(actor=compliance, reason="Matter", custodians=["alice"])
    else:
        hold = hold_place(actor=compliance, reason="Matter", communities=["deal-room"])
    with django_capture_on_commit_callbacks(execute=True):
        assert api_for(alice).delete(f"/api/v1/statuses/{status.pk}/").status_code in (200, 204)
    run_jobs()
    status.refresh_from_db()
    # Others see the author's tombstone; the record and its files are kept for the hold.
    assert status.removal == "author" and status.body == "Plans"
    data = api_for(bob).get(f"/api/v1/statuses/{status.pk}/").json()
    assert data["removal"] == "author" and data["body"] == "" and data["attachments"] == []
    assert Attachment.objects.filter(owner_id=status.pk).count() == 1
    assert all(default_storage.exists(name) for name in files)

    # Released: the files it kept go (the status stays a tombstone, as its author asked).
    with django_capture_on_commit_callbacks(execute=True):
        hold_release(actor=compliance, hold=hold)
    run_jobs()
    assert not Attachment.objects.exists()
    assert not any(default_storage.exists(name) for name in files)


def test_released_files_stay_while_another_hold_still_covers_them(
    alice, compliance, club, django_capture_on_commit_callbacks
):
    status = picture_status(alice, community=club)
    files = files_of(status)
    first = hold_place(actor=compliance, reason="Matter A", custodians=["alice"])
    hold_place(actor=compliance, reason="Matter B", communities=["deal-room"])
    with django_capture_on_commit_callbacks(execute=True):
        feeds.status_delete(actor=alice, status=status)
        hold_release(actor=compliance, hold=first)
    run_jobs()
    assert all(default_storage.exists(name) for name in files)
