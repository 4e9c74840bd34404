"""Each audited action, done the way people do it (a page, the API, the admin, SCIM, a login
form), leaves exactly one entry of its kind with the right actor, target, time, address and user
agent, and nothing else but what the table names (an admin edit that changes a role is also a
role change)."""

import json
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from app_accounts import services as app_services
from app_accounts.models import AppToken
from audit import actions
from audit.models import AuditEntry
from communities import services as communities
from communities.models import Membership
from exec_blog import services as blog
from feeds import services as feeds
from feeds.models import Report
from profiles.models import Department
from profiles.permissions import COMPLIANCE, HR
from provisioning.models import ProvisionedGroup, ProvisionedUser
from provisioning.services import token_create
from tests.attachments import media
from tests.attachments.helpers import make_upload
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.provisioning.conftest import GROUP_SCHEMA, PATCH_SCHEMA, SCIM, user_body

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"
AGENT = "AuditTable/1.0 (X11; Linux)"


def web(user=None) -> Client:
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)
    if user is not None:
        client.force_login(user)
    return client


def api(user=None) -> APIClient:
    client = APIClient(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)
    if user is not None:
        client.force_login(user)
    return client


@dataclass
class Expect:
    action: str
    actor: str  # the actor's name as recorded ("" for nobody)
    target_type: str
    target_id: object
    # Other actions the same step records (each exactly once).
    also: tuple[str, ...] = ()
    detail: dict = field(default_factory=dict)


class World:
    def __init__(self, *, alice, bob, carol, moderator, admin_user, ceo, engineering):
        self.alice, self.bob, self.carol = alice, bob, carol
        self.mod, self.admin, self.ceo = moderator, admin_user, ceo
        self.engineering = engineering
        self.community = communities.community_create(
            actor=alice, name="Book club", join_policy="request"
        )
        communities.membership_join(actor=carol, community=self.community)
        communities.member_put(
            actor=alice, community=self.community, username="carol", state="active"
        )
        self.status = feeds.status_create(author=bob, body="Quarterly numbers are in")
        self.comment = feeds.comment_create(author=carol, status=self.status, body="Nice")


@pytest.fixture
def world(alice, bob, carol, moderator, admin_user, ceo, engineering):
    return World(
        alice=alice,
        bob=bob,
        carol=carol,
        moderator=moderator,
        admin_user=admin_user,
        ceo=ceo,
        engineering=engineering,
    )


def _user_change_data(client, user, *, groups):
    response = client.get(f"/admin/profiles/user/{user.pk}/change/")
    form = response.context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k not in ("password", "last_login", "user_permissions")
    }
    data.update(
        {
            "username": user.username,
            "email": user.email,
            "is_active": "on",
            "groups": [g.pk for g in groups],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "1",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "profile-0-id": user.profile.pk,
            "profile-0-user": user.pk,
            "profile-0-display_name": user.profile.display_name,
            "profile-0-department": user.profile.department_id or "",
        }
    )
    return data


# --- The cases: each prepares, calls `start()`, acts, and says what it expects ----------------


def role_granted(w, start):
    client = web(w.admin)
    hr = Group.objects.get(name=HR)
    data = _user_change_data(client, w.alice, groups=[hr])
    start()
    response = client.post(f"/admin/profiles/user/{w.alice.pk}/change/", data)
    assert response.status_code == 302
    return Expect(
        actions.ROLE_GRANTED,
        "admin",
        "profiles.user",
        w.alice.pk,
        also=(actions.ADMIN_CHANGE,),
        detail={"role": "HR"},
    )


def role_revoked(w, start):
    w.alice.groups.add(Group.objects.get(name=HR))
    client = web(w.admin)
    data = _user_change_data(client, w.alice, groups=[])
    start()
    response = client.post(f"/admin/profiles/user/{w.alice.pk}/change/", data)
    assert response.status_code == 302
    return Expect(
        actions.ROLE_REVOKED,
        "admin",
        "profiles.user",
        w.alice.pk,
        also=(actions.ADMIN_CHANGE,),
        detail={"role": "HR"},
    )


def staff_granted(w, start):
    client = web(w.admin)
    data = _user_change_data(client, w.alice, groups=[])
    data["is_staff"] = "on"
    start()
    response = client.post(f"/admin/profiles/user/{w.alice.pk}/change/", data)
    assert response.status_code == 302
    return Expect(
        actions.ROLE_GRANTED,
        "admin",
        "profiles.user",
        w.alice.pk,
        also=(actions.ADMIN_CHANGE,),
        detail={"role": "staff"},
    )


def admin_addition(w, start):
    client = web(w.admin)
    start()
    response = client.post(
        "/admin/profiles/department/add/", {"name": "Legal", "slug": "legal", "description": ""}
    )
    assert response.status_code == 302
    return Expect(
        actions.ADMIN_ADDITION,
        "admin",
        "profiles.department",
        Department.objects.get(slug="legal").pk,
    )


def admin_change(w, start):
    client = web(w.admin)
    start()
    response = client.post(
        f"/admin/profiles/department/{w.engineering.pk}/change/",
        {"name": "Engineering", "slug": "engineering", "description": "Builds things"},
    )
    assert response.status_code == 302
    return Expect(actions.ADMIN_CHANGE, "admin", "profiles.department", w.engineering.pk)


def admin_deletion(w, start):
    legal = Department.objects.create(name="Legal", slug="legal")
    client = web(w.admin)
    start()
    response = client.post(f"/admin/profiles/department/{legal.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Department.objects.filter(pk=legal.pk).exists()
    return Expect(actions.ADMIN_DELETION, "admin", "profiles.department", legal.pk)


def _moderate(w, start, action, *, prepare=None):
    if prepare is not None:
        prepare()
    client = api(w.mod)
    start()
    response = client.post(
        f"/api/v1/statuses/{w.status.pk}/moderation/",
        {"action": action, "reason": "Checked"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return Expect(
        f"moderation.{action}", "mod", "feeds.status", w.status.pk, detail={"reason": "Checked"}
    )


def moderation_hide(w, start):
    return _moderate(w, start, "hide")


def moderation_restore(w, start):
    return _moderate(
        w,
        start,
        "restore",
        prepare=lambda: feeds.moderation_apply(
            moderator=w.mod, action="hide", reason="Spam", status=w.status
        ),
    )


def moderation_lock(w, start):
    return _moderate(w, start, "lock")


def moderation_unlock(w, start):
    return _moderate(
        w,
        start,
        "unlock",
        prepare=lambda: feeds.moderation_apply(
            moderator=w.mod, action="lock", reason="Heated", status=w.status
        ),
    )


def moderation_comment_hide(w, start):
    client = api(w.mod)
    start()
    response = client.post(
        f"/api/v1/comments/{w.comment.pk}/moderation/",
        {"action": "hide", "reason": "Off topic"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return Expect(actions.MODERATION_HIDE, "mod", "feeds.comment", w.comment.pk)


def moderation_attachment(w, start):
    upload = make_upload(w.bob, media.picture())
    status = feeds.status_create(author=w.bob, body="A picture", attachments=[upload.token])
    client = api(w.mod)
    start()
    response = client.post(
        f"/api/v1/statuses/{status.pk}/moderation/",
        {"action": "remove_attachment", "reason": "Private data", "attachment": upload.token},
        format="json",
    )
    assert response.status_code == 201, response.content
    return Expect(
        actions.MODERATION_ATTACHMENT_REMOVED,
        "mod",
        "attachments.attachment",
        upload.pk,
        detail={"reason": "Private data", "owner": f"feeds.status:{status.pk}"},
    )


def report_dismissed(w, start):
    report = feeds.report_create(reporter=w.carol, reason="Looks wrong", status=w.status)
    client = web(w.mod)
    start()
    response = client.post(f"/moderation/reports/{report.pk}/dismiss/")
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).resolved_at is not None
    return Expect(actions.MODERATION_REPORT_DISMISSED, "mod", "feeds.report", report.pk)


def question_hide(w, start):
    question = blog.question_create(asker=w.alice, body="When is the offsite?")
    client = api(w.mod)
    start()
    response = client.post(
        f"/api/v1/questions/{question.pk}/moderation/",
        {"action": "hide", "reason": "Duplicate"},
        format="json",
    )
    assert response.status_code in (200, 201), response.content
    return Expect(actions.MODERATION_HIDE, "mod", "exec_blog.question", question.pk)


def question_merge(w, start):
    first = blog.question_create(asker=w.alice, body="When is the offsite this year?")
    second = blog.question_create(asker=w.bob, body="Offsite date, please?")
    client = api(w.mod)
    start()
    response = client.post(
        f"/api/v1/questions/{second.pk}/moderation/",
        {"action": "merge", "reason": "Same question", "into": first.pk},
        format="json",
    )
    assert response.status_code in (200, 201), response.content
    return Expect(
        actions.MODERATION_MERGE, "mod", "exec_blog.question", second.pk, detail={"into": first.pk}
    )


def question_restore(w, start):
    question = blog.question_create(asker=w.alice, body="When is the offsite?")
    blog.question_moderate(moderator=w.mod, question=question, action="hide", reason="Oops")
    client = api(w.mod)
    start()
    response = client.post(
        f"/api/v1/questions/{question.pk}/moderation/",
        {"action": "restore", "reason": "Mistake"},
        format="json",
    )
    assert response.status_code in (200, 201), response.content
    return Expect(actions.MODERATION_RESTORE, "mod", "exec_blog.question", question.pk)


def _member(w, start, method, username, body=None, *, prepare=None):
    if prepare is not None:
        prepare()
    client = api(w.alice)
    start()
    url = f"/api/v1/communities/{w.community.slug}/members/{username}/"
    response = getattr(client, method)(url, body, format="json")
    assert response.status_code in (200, 201, 204), response.content
    return w.community.pk


def community_invite(w, start):
    pk = _member(w, start, "put", "bob", {"state": "invited"})
    return Expect(
        actions.COMMUNITY_MEMBER_INVITED,
        "alice",
        "communities.community",
        pk,
        detail={"member": "bob"},
    )


def community_approve(w, start):
    def ask():
        communities.membership_join(actor=w.bob, community=w.community)

    pk = _member(w, start, "put", "bob", {"state": "active"}, prepare=ask)
    return Expect(
        actions.COMMUNITY_REQUEST_APPROVED,
        "alice",
        "communities.community",
        pk,
        detail={"member": "bob"},
    )


def community_decline(w, start):
    def ask():
        communities.membership_join(actor=w.bob, community=w.community)

    pk = _member(w, start, "delete", "bob", prepare=ask)
    return Expect(
        actions.COMMUNITY_REQUEST_DECLINED,
        "alice",
        "communities.community",
        pk,
        detail={"member": "bob"},
    )


def community_withdraw(w, start):
    def invite():
        communities.member_put(
            actor=w.alice, community=w.community, username="bob", state="invited"
        )

    pk = _member(w, start, "delete", "bob", prepare=invite)
    return Expect(
        actions.COMMUNITY_INVITATION_WITHDRAWN,
        "alice",
        "communities.community",
        pk,
        detail={"member": "bob"},
    )


def community_remove(w, start):
    pk = _member(w, start, "delete", "carol")
    assert not Membership.objects.filter(community=w.community, user=w.carol).exists()
    return Expect(
        actions.COMMUNITY_MEMBER_REMOVED,
        "alice",
        "communities.community",
        pk,
        detail={"member": "carol", "role": "member"},
    )


def community_promote(w, start):
    pk = _member(w, start, "put", "carol", {"role": "admin"})
    return Expect(
        actions.COMMUNITY_MEMBER_PROMOTED,
        "alice",
        "communities.community",
        pk,
        detail={"member": "carol", "role_before": "member", "role": "admin"},
    )


def community_transfer(w, start):
    # Handing over ownership is making someone else owner (the first owner may then leave).
    pk = _member(w, start, "put", "carol", {"role": "owner"})
    return Expect(
        actions.COMMUNITY_MEMBER_PROMOTED,
        "alice",
        "communities.community",
        pk,
        detail={"member": "carol", "role": "owner"},
    )


def community_demote(w, start):
    def promote():
        communities.member_put(actor=w.alice, community=w.community, username="carol", role="admin")

    pk = _member(w, start, "put", "carol", {"role": "member"}, prepare=promote)
    return Expect(
        actions.COMMUNITY_MEMBER_DEMOTED,
        "alice",
        "communities.community",
        pk,
        detail={"member": "carol", "role_before": "admin", "role": "member"},
    )


def community_settings(w, start):
    client = api(w.alice)
    start()
    response = client.patch(
        f"/api/v1/communities/{w.community.slug}/",
        {"description": "We read slowly", "join_policy": "open"},
        format="json",
    )
    assert response.status_code == 200, response.content
    return Expect(
        actions.COMMUNITY_SETTINGS_UPDATED,
        "alice",
        "communities.community",
        w.community.pk,
        detail={"changed": {"description": "We read slowly", "join_policy": "open"}},
    )


def community_department(w, start):
    client = api(w.alice)
    start()
    response = client.post(
        f"/api/v1/communities/{w.community.slug}/departments/",
        {"department": "engineering"},
        format="json",
    )
    assert response.status_code in (200, 201, 202), response.content
    return Expect(
        actions.COMMUNITY_DEPARTMENT_ADDED,
        "alice",
        "communities.community",
        w.community.pk,
        detail={"department": "engineering"},
    )


def community_picture(w, start):
    client = web(w.alice)
    start()
    response = client.post(
        f"/c/{w.community.slug}/settings/",
        {"form": "picture", "picture": SimpleUploadedFile("p.png", media.picture("PNG"))},
    )
    assert response.status_code == 302, response.content
    return Expect(
        actions.COMMUNITY_PICTURE_CHANGED, "alice", "communities.community", w.community.pk
    )


# --- SCIM: the token is the actor -----------------------------------------------------------


def scim_client() -> Client:
    _, secret = token_create(name="Okta")
    return Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT, HTTP_AUTHORIZATION=f"Bearer {secret}")


def _scim(client, method, path, body=None):
    kwargs = {"content_type": SCIM} if body is not None else {}
    data = json.dumps(body) if body is not None else None
    response = getattr(client, method)(f"/scim/v2/{path}", data, **kwargs)
    assert response.status_code in (200, 201, 204), response.content
    return response


def _scim_user(client) -> ProvisionedUser:
    scim_id = _scim(client, "post", "Users", user_body()).json()["id"]
    return ProvisionedUser.objects.get(scim_id=scim_id)


def scim_user_created(w, start):
    client = scim_client()
    start()
    record = _scim_user(client)
    return Expect(actions.SCIM_USER_CREATED, "scim:Okta", "profiles.user", record.user_id)


def scim_user_replaced(w, start):
    client = scim_client()
    record = _scim_user(client)
    start()
    _scim(client, "put", f"Users/{record.scim_id}", user_body(title="Principal Engineer"))
    return Expect(actions.SCIM_USER_REPLACED, "scim:Okta", "profiles.user", record.user_id)


def scim_user_patched(w, start):
    client = scim_client()
    record = _scim_user(client)
    start()
    _scim(
        client,
        "patch",
        f"Users/{record.scim_id}",
        {
            "schemas": [PATCH_SCHEMA],
            "Operations": [{"op": "replace", "path": "title", "value": "Lead"}],
        },
    )
    return Expect(actions.SCIM_USER_PATCHED, "scim:Okta", "profiles.user", record.user_id)


def scim_user_deactivated(w, start):
    client = scim_client()
    record = _scim_user(client)
    start()
    _scim(
        client,
        "patch",
        f"Users/{record.scim_id}",
        {
            "schemas": [PATCH_SCHEMA],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        },
    )
    return Expect(actions.SCIM_USER_DEACTIVATED, "scim:Okta", "profiles.user", record.user_id)


def scim_user_deleted(w, start):
    client = scim_client()
    record = _scim_user(client)
    start()
    _scim(client, "delete", f"Users/{record.scim_id}")
    return Expect(actions.SCIM_USER_DELETED, "scim:Okta", "profiles.user", record.user_id)


def _scim_group(client, name="Platform guild", members=()) -> ProvisionedGroup:
    body = {"schemas": [GROUP_SCHEMA], "displayName": name, "members": list(members)}
    scim_id = _scim(client, "post", "Groups", body).json()["id"]
    return ProvisionedGroup.objects.get(scim_id=scim_id)


def scim_group_created(w, start):
    client = scim_client()
    start()
    group = _scim_group(client)
    return Expect(
        actions.SCIM_GROUP_CREATED, "scim:Okta", "provisioning.provisionedgroup", group.pk
    )


def scim_group_replaced(w, start):
    client = scim_client()
    group = _scim_group(client)
    start()
    _scim(
        client,
        "put",
        f"Groups/{group.scim_id}",
        {"schemas": [GROUP_SCHEMA], "displayName": "Platform guild", "externalId": "g-1"},
    )
    return Expect(
        actions.SCIM_GROUP_REPLACED, "scim:Okta", "provisioning.provisionedgroup", group.pk
    )


def scim_role_group_patched(w, start):
    # A role group's new member is a role change as well (its actor: the directory, nobody here).
    client = scim_client()
    record = _scim_user(client)
    group = _scim_group(client, name="HR")
    start()
    _scim(
        client,
        "patch",
        f"Groups/{group.scim_id}",
        {
            "schemas": [PATCH_SCHEMA],
            "Operations": [
                {"op": "add", "path": "members", "value": [{"value": str(record.scim_id)}]}
            ],
        },
    )
    granted = AuditEntry.objects.filter(action=actions.ROLE_GRANTED).latest("id")
    assert (granted.actor_name, granted.target_id, granted.detail) == (
        "scim:Okta",
        str(record.user_id),
        {"role": "HR"},
    )
    return Expect(
        actions.SCIM_GROUP_PATCHED,
        "scim:Okta",
        "provisioning.provisionedgroup",
        group.pk,
        also=(actions.ROLE_GRANTED,),
    )


def scim_group_deleted(w, start):
    client = scim_client()
    group = _scim_group(client)
    start()
    _scim(client, "delete", f"Groups/{group.scim_id}")
    return Expect(
        actions.SCIM_GROUP_DELETED, "scim:Okta", "provisioning.provisionedgroup", group.pk
    )


# --- App tokens --------------------------------------------------------------------------------


def _app(w):
    return app_services.app_account_create(actor=w.admin, name="Build Bot", may_post_company=True)


def app_token_created(w, start):
    app = _app(w)
    client = web(w.admin)
    start()
    response = client.post(
        "/admin/app_accounts/appaccount/", {"action": "token_new", "_selected_action": [app.pk]}
    )
    assert response.status_code == 302
    token = AppToken.objects.get(app=app)
    return Expect(
        actions.APP_TOKEN_CREATED,
        "admin",
        "app_accounts.apptoken",
        token.pk,
        detail={"app": "app-build-bot"},
    )


def app_token_revoked(w, start):
    app = _app(w)
    token, _ = app_services.app_token_create(actor=w.admin, app=app)
    client = web(w.admin)
    start()
    response = client.post(
        "/admin/app_accounts/appaccount/", {"action": "tokens_revoke", "_selected_action": [app.pk]}
    )
    assert response.status_code == 302
    return Expect(actions.APP_TOKEN_REVOKED, "admin", "app_accounts.apptoken", token.pk)


def app_status_posted(w, start):
    app = _app(w)
    row, secret = app_services.app_token_create(actor=w.admin, app=app, name="ci")
    client = APIClient(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    start()
    response = client.post("/api/v1/statuses/", {"body": "Build 42 is green"}, format="json")
    assert response.status_code == 201, response.content
    return Expect(
        actions.APP_TOKEN_STATUS_POSTED,
        "app-build-bot",
        "feeds.status",
        response.json()["id"],
        detail={"credential": f"app token {row}", "visibility": "company"},
    )


# --- Exports and logins ------------------------------------------------------------------------


def personal_export(w, start):
    client = api(w.alice)
    start()
    response = client.get("/api/v1/me/export/")
    assert response.status_code == 200
    return Expect(actions.EXPORT_PERSONAL, "alice", "profiles.user", w.alice.pk)


def audit_export(w, start):
    officer = UserFactory(username="officer", roles=[COMPLIANCE])
    client = web(officer)
    start()
    response = client.get("/compliance/audit/export.csv?action=moderation")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    return Expect(
        actions.EXPORT_AUDIT_LOG,
        "officer",
        "audit.auditentry",
        "",
        detail={"filters": {"action": "moderation"}},
    )


def login_succeeded(w, start):
    client = web()
    start()
    response = client.post("/accounts/login/", {"login": "alice", "password": PASSWORD})
    assert response.status_code == 302
    return Expect(actions.LOGIN_SUCCEEDED, "alice", "profiles.user", w.alice.pk)


def login_failed(w, start):
    client = web()
    start()
    response = client.post("/accounts/login/", {"login": "alice", "password": "not it"})
    assert response.status_code == 200
    return Expect(actions.LOGIN_FAILED, "", "login", "", detail={})


CASES = [
    role_granted,
    role_revoked,
    staff_granted,
    admin_addition,
    admin_change,
    admin_deletion,
    moderation_hide,
    moderation_restore,
    moderation_lock,
    moderation_unlock,
    moderation_comment_hide,
    moderation_attachment,
    report_dismissed,
    question_hide,
    question_merge,
    question_restore,
    community_invite,
    community_approve,
    community_decline,
    community_withdraw,
    community_remove,
    community_promote,
    community_transfer,
    community_demote,
    community_settings,
    community_department,
    community_picture,
    scim_user_created,
    scim_user_replaced,
    scim_user_patched,
    scim_user_deactivated,
    scim_user_deleted,
    scim_group_created,
    scim_group_replaced,
    scim_role_group_patched,
    scim_group_deleted,
    app_token_created,
    app_token_revoked,
    app_status_posted,
    personal_export,
    audit_export,
    login_succeeded,
    login_failed,
]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_each_audited_action_is_one_entry_with_actor_target_time_and_address(world, case):
    marks = {}

    def start():
        marks["after"] = (
            AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        )
        marks["at"] = timezone.now()

    expect = case(world, start)
    new = list(AuditEntry.objects.filter(id__gt=marks["after"]).order_by("id"))
    counts = {}
    for entry in new:
        counts[entry.action] = counts.get(entry.action, 0) + 1
    assert counts == {expect.action: 1, **{a: 1 for a in expect.also}}, counts
    entry = next(e for e in new if e.action == expect.action)
    assert entry.actor_name == expect.actor
    if expect.actor and not expect.actor.startswith("scim:"):
        assert entry.actor.username == expect.actor
    assert (entry.target_type, entry.target_id) == (expect.target_type, str(expect.target_id))
    assert entry.ip == ADDRESS and entry.user_agent == AGENT
    assert marks["at"] - timedelta(seconds=1) <= entry.at <= timezone.now()
    for key, value in expect.detail.items():
        assert entry.detail.get(key) == value, (key, entry.detail)
    assert expect.action in actions.ACTIONS


def test_a_failed_login_names_the_name_that_was_tried_and_no_password(world):
    web().post("/accounts/login/", {"login": "nobody-here", "password": "hunter2"})
    entry = AuditEntry.objects.get(action=actions.LOGIN_FAILED)
    assert entry.target_label == "nobody-here"
    assert entry.actor is None and entry.ip == ADDRESS
    assert "hunter2" not in json.dumps(entry.detail) + entry.target_label


def test_deleting_several_objects_in_the_admin_is_one_entry_each(world):
    legal = Department.objects.create(name="Legal", slug="legal")
    finance = Department.objects.create(name="Finance", slug="finance")
    client = web(world.admin)
    response = client.post(
        "/admin/profiles/department/",
        {"action": "delete_selected", "_selected_action": [legal.pk, finance.pk], "post": "yes"},
    )
    assert response.status_code == 302
    deleted = AuditEntry.objects.filter(action=actions.ADMIN_DELETION)
    assert sorted(deleted.values_list("target_id", "target_label")) == sorted(
        [(str(legal.pk), "Legal"), (str(finance.pk), "Finance")]
    )


def test_a_refused_action_records_nothing(world):
    carol, mod = api(world.carol), api(world.mod)
    before = AuditEntry.objects.count()
    response = carol.post(
        f"/api/v1/statuses/{world.status.pk}/moderation/",
        {"action": "hide", "reason": "I do not like it"},
        format="json",
    )
    assert response.status_code == 403
    response = mod.post(
        f"/api/v1/statuses/{world.status.pk}/moderation/", {"action": "explode"}, format="json"
    )
    assert response.status_code == 400
    assert AuditEntry.objects.count() == before
