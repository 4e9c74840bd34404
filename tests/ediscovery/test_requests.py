"""Asking for exports, following them and downloading them: who may, what is refused (and
changes nothing), what is audited, how links and files expire, how the job behaves."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.signing import TimestampSigner
from django.test import TestCase
from django.utils import timezone
from django_q.models import OrmQ
from django_q.signing import SignedPackage
from rest_framework.test import APIClient

from audit.actions import EXPORT_EDISCOVERY_DOWNLOADED, EXPORT_EDISCOVERY_REQUESTED
from audit.models import AuditEntry
from communities import services as communities
from core.jobs import periodic_jobs
from ediscovery import links, services
from ediscovery.models import ExportRequest
from feeds import services as feeds
from profiles.permissions import COMPLIANCE, EXECUTIVES
from tests.factories import UserFactory
from tests.reach.conftest import run_jobs

from .conftest import api_for, body_of, page_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/compliance/exports/"
PAGE = "/compliance/exports/"
GOOD = {"custodians": ["alice"], "start": "2026-01-01", "end": "2026-01-31", "q": "budget"}


@pytest.fixture
def everyone(alice, hr_user, admin_user, ceo, officer):
    return {
        "employee": alice,
        "hr": hr_user,
        "admin": admin_user,
        "executive": ceo,
        "compliance": officer,
    }


@pytest.fixture
def ready(officer, alice):
    """A built export and its download link."""
    feeds.status_create(author=alice, body="Budget words")
    with TestCase.captureOnCommitCallbacks(execute=True):
        export = services.export_request_create(
            actor=officer, custodians=["alice"], start="2000-01-01", end="2100-01-01"
        )
    run_jobs()
    export.refresh_from_db()
    assert export.state == "ready"
    return export, links.download_url(export)


def snapshot():
    return (
        ExportRequest.objects.count(),
        AuditEntry.objects.exclude(action__startswith="login.").count(),
        OrmQ.objects.count(),
    )


# --- Who may ------------------------------------------------------------------------------


def test_anonymous_gets_401_from_the_api_and_the_login_page_elsewhere(client, ready):
    export, link = ready
    api = APIClient()
    assert api.get(URL).status_code == 401
    assert api.post(URL, GOOD, format="json").status_code == 401
    assert api.get(f"{URL}{export.pk}/").status_code == 401
    for url in (PAGE, link):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post(PAGE, GOOD).status_code == 302
    assert not AuditEntry.objects.filter(action=EXPORT_EDISCOVERY_DOWNLOADED).exists()


@pytest.mark.parametrize("role", ["employee", "hr", "admin", "executive"])
def test_everyone_but_compliance_is_refused_everywhere(everyone, ready, role):
    export, link = ready
    user = everyone[role]
    before = snapshot()
    api = api_for(user)
    assert api.get(URL).status_code == 403
    assert api.post(URL, GOOD, format="json").status_code == 403
    assert api.get(f"{URL}{export.pk}/").status_code == 403
    # The same 403 for a missing export: nothing is revealed.
    assert api.get(f"{URL}999999/").status_code == 403
    page = page_for(user)
    assert page.get(PAGE).status_code == 403
    assert page.post(PAGE, {**GOOD, "custodians": "alice"}).status_code == 403
    response = page.get(link)
    assert response.status_code == 403 and not response.streaming
    assert snapshot() == before


def test_compliance_asks_follows_and_downloads(
    officer, alice, ready, django_assert_max_num_queries
):
    export, link = ready
    api = api_for(officer)
    with TestCase.captureOnCommitCallbacks(execute=True):
        created = api.post(URL, GOOD, format="json")
    assert created.status_code == 202, created.content
    body = created.json()
    assert body["state"] == "queued" and body["download_url"] is None
    assert body["custodians"] == ["alice"] and body["q"] == "budget"
    detail = api.get(f"{URL}{export.pk}/").json()
    assert detail["state"] == "ready"
    assert detail["download_url"].startswith("http://testserver" + link.split("token=")[0])
    with django_assert_max_num_queries(6):
        listed = api.get(URL).json()
    assert [e["id"] for e in listed["results"]] == [body["id"], export.pk]
    assert api.get(f"{URL}999999/").status_code == 404
    response = page_for(officer).get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert zipfile.ZipFile(io.BytesIO(body_of(response))).testzip() is None


def test_another_compliance_officer_sees_and_downloads_the_team_s_exports(ready):
    export, link = ready
    colleague = UserFactory(username="compliance2", roles=[COMPLIANCE])
    assert api_for(colleague).get(f"{URL}{export.pk}/").status_code == 200
    assert page_for(colleague).get(link).status_code == 200
    entry = AuditEntry.objects.get(action=EXPORT_EDISCOVERY_DOWNLOADED)
    assert entry.actor == colleague


def test_the_page_lists_exports_and_asks_for_one(officer, alice, ready):
    export, link = ready
    page = page_for(officer)
    response = page.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Export {export.pk}" in html
    [href] = re.findall(r'href="(/compliance/exports/\d+/download/\?token=[^"]+)"', html)
    assert href.split("?")[0] == link.split("?")[0]
    assert page.get(href).status_code == 200
    assert "@alice" in html and "1 status" in html
    with TestCase.captureOnCommitCallbacks(execute=True):
        sent = page.post(
            PAGE,
            {
                "custodians": "@alice, bob",
                "communities": "",
                "start": "2026-01-01",
                "end": "2026-01-02",
            },
        )
    assert sent.status_code == 400  # bob does not exist here
    assert "No such people: bob." in sent.content.decode()
    assert ExportRequest.objects.count() == 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        sent = page.post(
            PAGE, {"custodians": "@alice", "start": "2026-01-01", "end": "2026-01-02", "q": ""}
        )
    assert sent.status_code == 302 and sent["Location"] == PAGE
    newest = ExportRequest.objects.first()
    assert newest.custodian_names == ["alice"] and newest.requested_by == officer
    assert OrmQ.objects.count() == 1


# --- Audit ----------------------------------------------------------------------------------


def test_a_request_and_each_download_are_one_audit_entry_each(officer, ready):
    export, link = ready
    [asked] = AuditEntry.objects.filter(action=EXPORT_EDISCOVERY_REQUESTED)
    assert asked.actor == officer and asked.target_id == str(export.pk)
    assert asked.target_type == "ediscovery.exportrequest"
    assert asked.detail["custodians"] == ["alice"]
    page = page_for(officer)
    page.get(link, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Counsel/1.0")
    page.get(link, HTTP_RANGE="bytes=0-99")
    first, second = AuditEntry.objects.filter(action=EXPORT_EDISCOVERY_DOWNLOADED).order_by("id")
    assert first.actor == officer and first.target_id == str(export.pk)
    assert first.ip == "203.0.113.7" and first.user_agent == "Counsel/1.0"
    assert first.detail["sha256"] == export.sha256
    assert second.detail["range"] == "bytes=0-99"


def test_a_ranged_download_resumes_the_zip(officer, ready):
    export, link = ready
    response = page_for(officer).get(link, HTTP_RANGE="bytes=10-")
    assert response.status_code == 206
    with default_storage.open(export.file, "rb") as stored:
        assert body_of(response) == stored.read()[10:]


# --- Links and expiry -----------------------------------------------------------------------


def test_a_link_past_its_days_is_410_and_audits_nothing(officer, ready, monkeypatch, settings):
    export, link = ready
    later = timezone.now().timestamp() + settings.EDISCOVERY_LINK_DAYS * 86400 + 5
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = page_for(officer).get(link)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not AuditEntry.objects.filter(action=EXPORT_EDISCOVERY_DOWNLOADED).exists()


def test_a_forged_or_foreign_link_is_404(officer, ready):
    export, link = ready
    page = page_for(officer)
    assert page.get(link[:-3] + "abc").status_code == 404
    assert page.get(link.split("?")[0]).status_code == 404
    other = TimestampSigner(salt=links.SALT).sign(f"{export.pk}:{'0' * 64}")
    assert page.get(link.split("?")[0], {"token": other}).status_code == 404


def test_the_daily_cleanup_deletes_expired_files_and_their_links_answer_410(officer, ready):
    export, link = ready
    assert default_storage.exists(export.file)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.exports_expire() == 0  # not yet
        ExportRequest.objects.filter(pk=export.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        # Past its time, before the cleanup: already 410.
        assert page_for(officer).get(link).status_code == 410
        assert services.exports_expire() == 1
    assert not default_storage.exists(export.file)
    export.refresh_from_db()
    assert export.state == "expired" and export.file == ""
    assert page_for(officer).get(link).status_code == 410
    assert api_for(officer).get(f"{URL}{export.pk}/").json()["download_url"] is None
    assert "was deleted when its link expired" in page_for(officer).get(PAGE).content.decode()


def test_the_jobs_are_registered():
    names = {job.func: job for job in periodic_jobs()}
    assert names["ediscovery.jobs.exports_expire"].daily_at is not None
    assert names["ediscovery.jobs.exports_resume"].every_minutes == 10


# --- Bad input ----------------------------------------------------------------------------

BAD = [
    ({"start": "2026-01-01", "end": "2026-01-31"}, "custodians", "at least one custodian"),
    ({**GOOD, "custodians": ["alice", "nobody", "ghost"]}, "custodians", "nobody, ghost"),
    ({**GOOD, "communities": ["no-such-club"]}, "communities", "no-such-club"),
    ({**GOOD, "start": "2026-02-01", "end": "2026-01-01"}, "end", "on or after the start"),
    ({**GOOD, "start": "2026-13-01"}, "start", "format"),
    ({**GOOD, "end": "yesterday"}, "end", "format"),
    ({**GOOD, "start": None}, "start", "null"),
    ({"custodians": ["alice"]}, "start", "required"),
    ({**GOOD, "q": "x" * 201}, "q", "200"),
    ({**GOOD, "custodians": "alice"}, "custodians", "list"),
    ({**GOOD, "custodians": [f"user{i}" for i in range(101)]}, "custodians", "100"),
    ({**GOOD, "state": "ready", "requested_by": 1}, "state", "cannot be set"),
]


@pytest.mark.parametrize(
    ("body", "field", "words"), BAD, ids=[b[1] + str(i) for i, b in enumerate(BAD)]
)
def test_bad_input_is_a_400_naming_the_problem_and_changes_nothing(
    officer, alice, body, field, words
):
    before = snapshot()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = api_for(officer).post(URL, body, format="json")
    assert response.status_code == 400, response.content
    problems = response.json()
    assert field in problems, problems
    assert words.lower() in str(problems[field]).lower(), problems
    assert snapshot() == before


def test_unstorable_text_is_a_400_and_changes_nothing(officer, alice):
    before = snapshot()
    api = api_for(officer)
    for body in ({**GOOD, "q": "a\x00b"}, {**GOOD, "custodians": ["al\x00ice"]}):
        assert api.post(URL, body, format="json").status_code == 400
    page = page_for(officer)
    form = {"custodians": "alice", "start": "2026-01-01", "end": "2026-01-02", "q": "a\x00b"}
    assert page.post(PAGE, form).status_code == 400
    assert snapshot() == before


def test_a_non_json_body_and_wrong_methods_are_refused(officer):
    api = api_for(officer)
    assert api.post(URL, "not json", content_type="application/json").status_code == 400
    assert api.put(URL, GOOD, format="json").status_code == 405
    assert api.delete(f"{URL}1/").status_code == 405
    assert not ExportRequest.objects.exists()


# --- The job ------------------------------------------------------------------------------


def test_the_job_runs_with_its_own_timeout(officer, alice, settings):
    settings.EDISCOVERY_JOB_TIMEOUT = 1234
    with TestCase.captureOnCommitCallbacks(execute=True):
        api_for(officer).post(URL, GOOD, format="json")
    task = SignedPackage.loads(OrmQ.objects.get().payload)
    assert task["func"] == "ediscovery.jobs.export_build" and task["timeout"] == 1234


def test_a_second_delivery_of_the_job_leaves_the_export_alone(officer, ready):
    export, _ = ready
    assert services.export_build(export_id=export.pk) is None
    again = ExportRequest.objects.get(pk=export.pk)
    assert (again.state, again.file, again.attempts) == ("ready", export.file, 1)


def test_a_build_already_running_is_not_taken_twice(officer, alice):
    export = services.export_request_create(
        actor=officer, custodians=["alice"], start="2026-01-01", end="2026-01-02"
    )
    ExportRequest.objects.filter(pk=export.pk).update(
        state="running", lease_until=timezone.now() + timedelta(minutes=5), attempts=1
    )
    assert services.export_build(export_id=export.pk) is None
    # Its worker was lost: once the lease runs out the sweep queues it again, then gives up.
    ExportRequest.objects.filter(pk=export.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.exports_resume() == 1
    run_jobs()
    export.refresh_from_db()
    assert export.state == "ready" and export.attempts == 2
    ExportRequest.objects.filter(pk=export.pk).update(
        state="running", lease_until=timezone.now() - timedelta(seconds=1), attempts=3
    )
    services.exports_resume()
    export.refresh_from_db()
    assert export.state == "failed" and "3 attempts" in export.error


def test_a_requester_who_left_compliance_gets_no_export(officer, alice):
    with TestCase.captureOnCommitCallbacks(execute=True):
        export = services.export_request_create(
            actor=officer, custodians=["alice"], start="2026-01-01", end="2026-01-02"
        )
    officer.groups.clear()
    run_jobs()
    export.refresh_from_db()
    assert export.state == "failed" and "no longer in Compliance" in export.error
    assert export.file == ""


def test_a_build_that_fails_says_so(officer, alice, monkeypatch):
    with TestCase.captureOnCommitCallbacks(execute=True):
        export = services.export_request_create(
            actor=officer, custodians=["alice"], start="2026-01-01", end="2026-01-02"
        )

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services, "_write", broken)
    run_jobs()
    export.refresh_from_db()
    assert export.state == "failed" and "could not be built" in export.error
    assert api_for(officer).get(f"{URL}{export.pk}/").json()["download_url"] is None


def test_secret_communities_and_people_who_left_can_be_exported(officer, alice, carol):
    club = communities.community_create(
        actor=carol, name="Quiet club", slug="quiet", visibility="secret", join_policy="invite"
    )
    feeds.status_create(author=carol, body="Secret words", community=club)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        export = services.export_request_create(
            actor=officer,
            custodians=["alice"],
            communities=["quiet"],
            start="2000-01-01",
            end="2100-01-01",
        )
    run_jobs()
    export.refresh_from_db()
    assert export.state == "ready" and export.counts["statuses.jsonl"] == 1


def test_an_executive_is_no_compliance_officer(alice):
    ceo = UserFactory(username="chief", roles=[EXECUTIVES])
    with pytest.raises(PermissionDenied, match="Only Compliance"):
        services.export_request_create(
            actor=ceo, custodians=["alice"], start="2026-01-01", end="2026-01-02"
        )
    assert not ExportRequest.objects.exists()


def test_behind_nginx_the_download_is_handed_over_and_still_audited(officer, ready, settings):
    export, link = ready
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    response = page_for(officer).get(link)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected-media/" + export.file
    assert "attachment" in response["Content-Disposition"] and response.content == b""
    assert AuditEntry.objects.filter(action=EXPORT_EDISCOVERY_DOWNLOADED).count() == 1
