"""Who reads the audit log (Compliance and admins), its filters, pages, CSV, and its own
retention."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from audit import actions
from audit.jobs import audit_log_purge
from audit.models import AuditEntry
from core.jobs import periodic_jobs
from profiles.permissions import COMPLIANCE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/compliance/audit/"
CSV = "/compliance/audit/export.csv"
API = "/api/v1/audit-log/"


@pytest.fixture
def officer(db):
    return UserFactory(username="officer", roles=[COMPLIANCE])


@pytest.fixture
def people(alice, hr_user, officer, admin_user):
    return {"employee": alice, "hr": hr_user, "compliance": officer, "admin": admin_user}


def entry(action, *, actor="", at=None, label="", ip=None, **detail) -> AuditEntry:
    return AuditEntry.objects.create(
        action=action,
        actor_name=actor,
        at=at or timezone.now(),
        target_type="profiles.user",
        target_id="7",
        target_label=label,
        ip=ip,
        detail=detail,
    )


@pytest.fixture
def log(db):
    """Five entries over three days (June 2026, UTC)."""
    day = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    return [
        entry(actions.ROLE_GRANTED, actor="admin", at=day, role="HR"),
        entry(actions.MODERATION_HIDE, actor="mod", at=day + timedelta(hours=1)),
        entry(actions.MODERATION_RESTORE, actor="mod", at=day + timedelta(days=1)),
        entry(actions.LOGIN_FAILED, at=day + timedelta(days=2), label="alice", ip="198.51.100.4"),
        entry(actions.SCIM_USER_CREATED, actor="scim:Okta", at=day + timedelta(days=2, hours=1)),
    ]


def web(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def without_logins(entries) -> list[int]:
    """The page's entries but the test client's own login (force_login is a login)."""
    return [e.pk for e in entries if e.action != actions.LOGIN_SUCCEEDED]


# --- Who may read it ---------------------------------------------------------------------------


READERS = {"compliance", "admin"}


@pytest.mark.parametrize("role", ["anonymous", "employee", "hr", "compliance", "admin"])
def test_only_compliance_and_admins_open_the_page_and_its_csv(people, log, role):
    client = web(people.get(role))
    before = AuditEntry.objects.exclude(action=actions.LOGIN_SUCCEEDED).count()
    page, download = client.get(PAGE), client.get(CSV)
    if role == "anonymous":
        assert page.status_code == download.status_code == 302
        assert page["Location"].startswith("/accounts/login/")
    elif role in READERS:
        assert page.status_code == download.status_code == 200
        assert "Audit log" in page.content.decode()
    else:
        assert page.status_code == download.status_code == 403
    # A refused download records no export.
    exported = AuditEntry.objects.filter(action=actions.EXPORT_AUDIT_LOG).count()
    assert exported == (1 if role in READERS else 0)
    if role not in READERS:
        assert AuditEntry.objects.exclude(action=actions.LOGIN_SUCCEEDED).count() == before


@pytest.mark.parametrize("role", ["anonymous", "employee", "hr", "compliance", "admin"])
def test_only_compliance_and_admins_read_the_api(people, log, role):
    response = api(people.get(role)).get(API)
    if role == "anonymous":
        assert response.status_code == 401
    elif role in READERS:
        assert response.status_code == 200
        assert len(response.json()["results"]) == len(log)
    else:
        assert response.status_code == 403
        assert "Compliance" in response.json()["detail"]


def test_the_menu_links_the_page_for_its_readers_only(people):
    assert 'href="/compliance/audit/"' in web(people["compliance"]).get("/").content.decode()
    assert 'href="/compliance/audit/"' in web(people["admin"]).get("/").content.decode()
    assert 'href="/compliance/audit/"' not in web(people["hr"]).get("/").content.decode()
    assert 'href="/compliance/audit/"' not in web(people["employee"]).get("/").content.decode()


# --- What an entry says ------------------------------------------------------------------------


def test_an_entry_in_the_api_has_who_what_whom_when_and_where(officer, log):
    payload = api(officer).get(API, {"action": "login.failed"}).json()
    assert payload["results"] == [
        {
            "id": log[3].pk,
            "at": "2026-06-12T12:00:00Z",
            "actor": None,
            "on_behalf_of": None,
            "action": "login.failed",
            "action_label": "Failed login",
            "target": {"type": "profiles.user", "id": "7", "label": "alice"},
            "detail": {},
            "address": "198.51.100.4",
            "user_agent": "",
        }
    ]
    assert payload["next"] is None


def test_the_page_shows_the_entries_newest_first(officer, log):
    html = web(officer).get(PAGE).content.decode()
    html = html[html.index("<tbody>") :]
    assert html.index("scim:Okta") < html.index("198.51.100.4") < html.index("Role granted")
    assert "Directory created a user" in html


# --- Filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, [4, 3, 2, 1, 0]),
        ({"actor": "mod"}, [2, 1]),
        ({"actor": "scim:Okta"}, [4]),
        ({"actor": "nobody-recorded"}, []),
        ({"action": "moderation.hide"}, [1]),
        ({"action": "moderation"}, [2, 1]),
        ({"start": "2026-06-11"}, [4, 3, 2]),
        ({"end": "2026-06-10"}, [1, 0]),
        ({"start": "2026-06-11", "end": "2026-06-11"}, [2]),
        ({"start": "2026-06-10T12:30:00Z", "end": "2026-06-12T12:00:00Z"}, [2, 1]),
        ({"actor": "mod", "action": "moderation.restore", "start": "2026-06-10"}, [2]),
    ],
)
def test_filters_combine_on_the_api_the_page_and_the_csv(officer, log, query, expected):
    want = [log[i].pk for i in expected]
    payload = api(officer).get(API, query).json()
    assert [e["id"] for e in payload["results"]] == want
    page = web(officer).get(PAGE, query)
    assert without_logins(page.context["entries"]) == want
    rows = list(csv.reader(io.StringIO(b"".join(web(officer).get(CSV, query)).decode())))
    export = AuditEntry.objects.filter(action=actions.EXPORT_AUDIT_LOG).latest("id")
    # The export's own entry is part of the log too: listed when no filter leaves it out.
    listed = [
        r for r in rows[1:] if r[3] not in (actions.EXPORT_AUDIT_LOG, actions.LOGIN_SUCCEEDED)
    ]
    assert [r[3] for r in listed] == [log[i].action for i in expected]
    assert export.detail == {"filters": query}


def test_pages_are_keyset_pages_that_keep_the_filters(officer, log):
    for i in range(3):
        entry(actions.MODERATION_LOCK, actor="mod", at=log[0].at + timedelta(minutes=i))
    client = api(officer)
    first = client.get(API, {"actor": "mod", "page_size": 3}).json()
    assert len(first["results"]) == 3 and "actor=mod" in first["next"]
    second = client.get(first["next"]).json()
    seen = [e["id"] for e in first["results"] + second["results"]]
    assert len(seen) == len(set(seen)) == 5 and second["next"] is None
    page = web(officer).get(PAGE, {"actor": "mod"})
    assert page.context["next_cursor"] is None and len(without_logins(page.context["entries"])) == 5


def test_the_page_walks_older_entries_with_the_filters(officer, settings, log, monkeypatch):
    monkeypatch.setattr("governance.audit_views.PAGE_SIZE", 1)
    client = web(officer)
    first = client.get(PAGE, {"action": "moderation"})
    link = f"?action=moderation&amp;cursor={first.context['next_cursor']}"
    assert link in first.content.decode()
    second = client.get(PAGE, {"action": "moderation", "cursor": first.context["next_cursor"]})
    assert [e.pk for e in second.context["entries"]] == [log[1].pk]


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "yesterday"}, "start"),
        ({"end": "2026-13-45"}, "end"),
        ({"end": "9999-12-31"}, "end"),
        ({"start": "0001-01-01T00:00:00+05:00"}, "start"),
        ({"start": "2026-06-10T25:00:00"}, "start"),
        ({"start": "2026-06-12", "end": "2026-06-11"}, "end"),
        ({"action": "nuke.everything"}, "action"),
        ({"actor": "x" * 151}, "actor"),
        ({"actor": "mod\x07"}, "actor"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WyJ4Il0"}, "cursor"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field_and_change_nothing(officer, log, query, field):
    client, browser = api(officer), web(officer)
    before = list(AuditEntry.objects.values_list("id", "action"))
    before = [row for row in before if row[1] != actions.LOGIN_SUCCEEDED]
    response = client.get(API, query)
    assert response.status_code == 400
    assert field in response.json()
    page = browser.get(PAGE, query)
    assert page.status_code == 400
    assert page.context["errors"].get(field)
    if field != "cursor":
        download = browser.get(CSV, query)
        assert download.status_code == 400
        assert download.content.decode().startswith(f"{field}:")
    after = AuditEntry.objects.exclude(action=actions.LOGIN_SUCCEEDED)
    assert list(after.values_list("id", "action")) == before


def test_the_api_refuses_writes(officer, log):
    client = api(officer)
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(API, {"action": "x"}, format="json").status_code == 405
    assert AuditEntry.objects.count() == len(log)


# --- CSV ---------------------------------------------------------------------------------------


def test_the_csv_is_every_filtered_entry_and_safe_in_a_spreadsheet(officer, log):
    entry(actions.LOGIN_FAILED, label='=HYPERLINK("http://evil")', at=log[0].at)
    response = web(officer).get(CSV, {"action": "login.failed"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["time", "actor", "on_behalf_of", "action"]
    assert [r[7] for r in rows[1:]] == ["alice", '\'=HYPERLINK("http://evil")']
    assert rows[1][8] == "198.51.100.4"


# --- The audit log's own retention -------------------------------------------------------------


def test_the_daily_purge_drops_entries_past_retention_and_says_how_many(settings, log):
    settings.AUDIT_RETENTION_DAYS = 400
    now = timezone.now()
    old = [entry(actions.LOGIN_FAILED, at=now - timedelta(days=d)) for d in (401, 900)]
    young = entry(actions.LOGIN_FAILED, at=now - timedelta(days=399))
    audit_log_purge()
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEntry.objects.filter(pk=young.pk).exists()
    purged = AuditEntry.objects.get(action=actions.AUDIT_PURGED)
    assert purged.detail["count"] == 2 and purged.detail["retention_days"] == 400
    assert purged.actor is None and purged.actor_name == ""
    # Run again (a job may run twice): nothing more to drop, and it says so.
    audit_log_purge()
    counts = list(
        AuditEntry.objects.filter(action=actions.AUDIT_PURGED)
        .order_by("id")
        .values_list("detail__count", flat=True)
    )
    assert counts == [2, 0]


def test_the_purge_is_a_daily_job():
    jobs = {job.func: job for job in periodic_jobs()}
    assert jobs["audit.jobs.audit_log_purge"].daily_at is not None
