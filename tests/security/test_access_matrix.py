"""Who may do what to each object of the API: a written table, checked cell by cell.

Roles: the object's author (alice, Engineering), another employee of the same department
(carol), one of another department (bob), a moderator, an HR analyst, an executive, a
compliance officer and an admin (none of the last five in Engineering). Each row is an
endpoint on an object in a given state; each cell says which roles get a 2xx for a method.
Everyone else gets the refusal the row names: 404 where the object is not theirs to see
(never 403: that would reveal it exists), 403 where they may see it but not do this. Methods a
route does not have answer 405 to all.
docs/security.md summarises the table.
"""

import io
import re
import shutil
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from attachments import services as attachments
from communities import services as communities
from ediscovery import links as ediscovery_links
from ediscovery import services as ediscovery
from exec_blog import services as blog
from feeds import services as feeds
from governance import services as holds
from ideas import services as ideas
from profiles.permissions import COMPLIANCE, EXECUTIVES, HR, MODERATORS
from tests.conftest import built_once, cache_restore
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "author",
    "same_dept",
    "other_dept",
    "moderator",
    "hr",
    "executive",
    "compliance",
    "admin",
)
METHODS = ("get", "patch", "put", "delete", "post")

EVERYONE = frozenset(ROLES)
AUTHOR = frozenset({"author"})
ENGINEERING = frozenset({"author", "same_dept"})
MOD = frozenset({"moderator"})
EXEC = frozenset({"executive"})
COMPLIANCE_ONLY = frozenset({"compliance"})
NOBODY = frozenset()


def but(*roles):
    return EVERYONE - set(roles)


# (row, state) → method → roles allowed (2xx). Missing methods: 405 for everyone.
# "hidden" names the roles that get 404 for every method (the object is not theirs to see);
# everyone else outside "allowed" gets 403.
TABLE: dict[tuple[str, str], dict] = {}


def every(method, code):
    return {(role, method): code for role in ROLES}


def row(endpoint, state, *, hidden=NOBODY, codes=None, **methods):
    """`codes`: (role, method) → the answer where it is neither 2xx, 403, 404 nor 405."""
    TABLE[(endpoint, state)] = {"hidden": frozenset(hidden), "codes": codes or {}, **methods}


# Statuses: read by whoever sees them; edited and deleted by their author only.
row("status", "company", get=EVERYONE, patch=AUTHOR, delete=AUTHOR)
row(
    "status",
    "department",
    hidden=but("author", "same_dept", "moderator"),
    get=ENGINEERING | MOD,
    patch=AUTHOR,
    delete=AUTHOR,
)
# A moderator's tombstone stays: its author can neither edit nor delete it (400, with why).
row(
    "status",
    "hidden",
    get=EVERYONE,
    patch=NOBODY,
    delete=NOBODY,
    codes={("author", "delete"): "400"},
)
row("status_history", "company", get=EVERYONE)
row(
    "status_history",
    "department",
    hidden=but("author", "same_dept", "moderator"),
    get=ENGINEERING | MOD,
)
# Comments and reactions: everyone who can read the status; none on a hidden one.
# (Moderators read any status by id to act on reports, so they may also answer there.)
row("comments", "company", get=EVERYONE, post=EVERYONE)
row(
    "comments",
    "department",
    hidden=but("author", "same_dept", "moderator"),
    get=ENGINEERING | MOD,
    post=ENGINEERING | MOD,
)
# A hidden status is a tombstone: readable, its comments hidden, and it takes none (400).
row("comments", "hidden", get=EVERYONE, post=NOBODY, codes=every("post", "400"))
row("reaction", "company", put=EVERYONE, delete=EVERYONE)
row(
    "reaction",
    "department",
    hidden=but("author", "same_dept", "moderator"),
    put=ENGINEERING | MOD,
    delete=ENGINEERING | MOD,
)
row("reaction", "hidden", put=NOBODY, delete=EVERYONE, codes=every("put", "400"))
# Role-gated actions refuse a non-moderator before looking the object up: the same 403 for a
# department status, a missing one or a visible one, so nothing is revealed.
row("moderation", "company", post=MOD)
row("moderation", "department", post=MOD)
# Polls: everyone who sees the status votes, named or anonymous alike.
row("poll_vote", "named", put=EVERYONE)
row("poll_vote", "anonymous", put=EVERYONE)
# Questions: everyone reads and votes (not for their own); executives answer.
row("question", "named", get=EVERYONE)
row("question", "anonymous", get=EVERYONE)
row("question", "hidden", get=EVERYONE)
# Nobody votes for their own question or idea, nor follows themselves: 400 with the reason.
SELF_PUT = {("author", "put"): "400"}
row("question_vote", "named", put=but("author"), delete=EVERYONE, codes=SELF_PUT)
row("question_vote", "anonymous", put=but("author"), delete=EVERYONE, codes=SELF_PUT)
row("question_answer", "named", post=EXEC)
row("question_answer", "anonymous", post=EXEC)
row("question_moderation", "named", post=MOD)
# Executive blog: everyone reads a published post; a draft only its author; its author edits.
row("blog_post", "published", get=EVERYONE, patch=frozenset({"executive"}))
row("blog_post", "draft", hidden=but("executive"), get=EXEC, patch=EXEC)
# Delegates: everyone lists their own (none, for most); only an executive names or removes one.
row("my_delegates", "own", get=EVERYONE)
row("my_delegate", "employee", put=EXEC, delete=EXEC)
row("blog_comments", "published", get=EVERYONE, post=EVERYONE)
# A draft has no card yet, so no comments: 404 for its author too.
row("blog_comments", "draft", hidden=EVERYONE, get=NOBODY, post=NOBODY)
# Ideas: everyone reads and votes; the author edits while open; executives decide.
row("idea", "open", get=EVERYONE, patch=AUTHOR)
row("idea", "decided", get=EVERYONE, patch=NOBODY)
row("idea_vote", "open", put=but("author"), delete=EVERYONE, codes=SELF_PUT)
row("idea_decision", "open", post=EXEC)
row("idea_history", "decided", get=EVERYONE)
# Profiles: everyone reads everyone; follow anyone but yourself.
row("profile", "employee", get=EVERYONE)
row("follow", "employee", post=but("author"), delete=EVERYONE, codes={("author", "post"): "400"})
row("followers", "employee", get=EVERYONE)
row("following", "employee", get=EVERYONE)
# Reports: HR only.
row("engagement_report", "company", get=frozenset({"hr"}))
# The audit log: Compliance and admins read it (page, CSV, API); nobody writes it.
AUDIT_READERS = frozenset({"compliance", "admin"})
row("audit_log", "company", get=AUDIT_READERS)

# Webhook subscriptions (issue 19): admins only; everyone else may know the list exists (403).
row("webhooks", "company", get=frozenset({"admin"}), post=frozenset({"admin"}))
# Retention (issue 20): everyone reads the policy in force; Compliance and admins set it. Legal
# holds are Compliance's alone: 403 to everyone else, admins included.
row("retention_policy", "company", get=EVERYONE, put=AUDIT_READERS)
row("holds", "company", get=COMPLIANCE_ONLY, post=COMPLIANCE_ONLY)
row("hold", "active", get=COMPLIANCE_ONLY)
row("hold_release", "active", post=COMPLIANCE_ONLY)
# eDiscovery exports (issue 20): Compliance only, administrators included in the refusal (403:
# everyone may know the list exists; an export's id reveals nothing either).
row("compliance_exports", "company", get=COMPLIANCE_ONLY, post=COMPLIANCE_ONLY)
row("compliance_export", "queued", get=COMPLIANCE_ONLY)
# Announcements: executives and moderators pin and unpin a company status, on behalf of
# everyone; others who see it 403. Only a standing company status can be pinned (400 otherwise).
ANNOUNCERS = frozenset({"executive", "moderator"})
row("announcement", "company", post=ANNOUNCERS)
row("announcement", "announced", post=ANNOUNCERS)  # the request unpins it
row(
    "announcement",
    "department",
    hidden=but("author", "same_dept", "moderator"),
    post=NOBODY,
    codes={("moderator", "post"): "400"},
)
row(
    "announcement",
    "hidden",
    post=NOBODY,
    codes={("executive", "post"): "400", ("moderator", "post"): "400"},
)
# Reporting: whoever sees a status or comment reports it; a hidden one is refused (400: a
# moderator has already acted on it).
row("status_report", "company", post=EVERYONE)
row(
    "status_report",
    "department",
    hidden=but("author", "same_dept", "moderator"),
    post=ENGINEERING | MOD,
)
row("status_report", "hidden", post=NOBODY, codes=every("post", "400"))
row("comment_report", "company", post=EVERYONE)
row(
    "comment_report",
    "department",
    hidden=but("author", "same_dept", "moderator"),
    post=ENGINEERING | MOD,
)
row("comment_report", "hidden", post=NOBODY, codes=every("post", "400"))
# Comment moderation (hide; restore on a hidden one): moderators only, 403 before any lookup.
row("comment_moderation", "company", post=MOD)
row("comment_moderation", "department", post=MOD)
row("comment_moderation", "hidden", post=MOD)
# The queue of open reports: moderators only.
row("open_reports", "company", get=MOD)
# Blog images: only the post's author uploads; a draft is 404 to everyone else.
row("blog_images", "published", post=EXEC)
row("blog_images", "draft", hidden=but("executive"), post=EXEC)
# Uploads (attachments): an upload is its uploader's alone, attached or not.
row("upload", "unattached", hidden=but("author"), get=AUTHOR, patch=AUTHOR)
row("upload", "attached", hidden=but("author"), get=AUTHOR, patch=AUTHOR)

# Communities: the author (alice) owns one of each kind, same_dept (carol) is a member, nobody
# else is in any. A secret community is absent (404) to everyone else; so are a private one's
# members and feed. Only its owners and admins edit it and manage its members.
IN_CLUB = ENGINEERING
OUTSIDE_SECRET = but("author", "same_dept")
row("community", "open", get=EVERYONE, patch=AUTHOR)
row("community", "private", get=EVERYONE, patch=AUTHOR)
row("community", "secret", hidden=OUTSIDE_SECRET, get=IN_CLUB, patch=AUTHOR)
# Joining (asking, on a private one) and leaving: everyone who sees it; joining again changes
# nothing. The only owner cannot leave (400, saying to hand over first).
LAST_OWNER = {("author", "delete"): "400"}
row("community_membership", "open", put=EVERYONE, delete=but("author"), codes=LAST_OWNER)
row("community_membership", "private", put=EVERYONE, delete=but("author"), codes=LAST_OWNER)
row(
    "community_membership",
    "secret",
    hidden=OUTSIDE_SECRET,
    put=IN_CLUB,
    delete=frozenset({"same_dept"}),
    codes=LAST_OWNER,
)
row("community_members", "open", get=EVERYONE)
row("community_members", "private", hidden=OUTSIDE_SECRET, get=IN_CLUB)
row("community_members", "secret", hidden=OUTSIDE_SECRET, get=IN_CLUB)
row("community_feed", "open", get=EVERYONE)
row("community_feed", "private", hidden=OUTSIDE_SECRET, get=IN_CLUB)
row("community_feed", "secret", hidden=OUTSIDE_SECRET, get=IN_CLUB)
# A member's role (promote carol) and removal: the owner only, even for a company moderator.
row("community_member", "open", put=AUTHOR, delete=AUTHOR)
row("community_member", "private", put=AUTHOR, delete=AUTHOR)
row("community_member", "secret", hidden=OUTSIDE_SECRET, put=AUTHOR, delete=AUTHOR)
row("community_departments", "open", post=AUTHOR)
row("community_departments", "private", post=AUTHOR)
row("community_departments", "secret", hidden=OUTSIDE_SECRET, post=AUTHOR)

# Pages (server-rendered), where they act on their own. A redirect after a POST counts as done.
PAGE_ROWS = {
    "page_followers",
    "page_following",
    "page_announce",
    "page_status_report",
    "page_comment_report",
    "page_comment_moderate",
    "page_moderation_reports",
    "page_report_dismiss",
    "page_blog_image",
    "page_audit_log",
    "page_audit_csv",
    "page_retention_policy",
    "page_retention_settings",
    "page_holds",
    "page_hold_release",
    "page_delegate_add",
    "page_delegate_remove",
    "page_ediscovery",
    "page_ediscovery_download",
}
row("page_followers", "employee", get=EVERYONE)
row("page_following", "employee", get=EVERYONE)
row("page_announce", "company", post=ANNOUNCERS)
row("page_announce", "announced", post=ANNOUNCERS)
# The page shows the reason as a message and goes back to the status: a redirect, not a 400.
row("page_announce", "department", hidden=but("author", "same_dept", "moderator"), post=MOD)
row("page_status_report", "company", get=EVERYONE, post=EVERYONE)
row(
    "page_status_report",
    "department",
    hidden=but("author", "same_dept", "moderator"),
    get=ENGINEERING | MOD,
    post=ENGINEERING | MOD,
)
row("page_comment_report", "company", get=EVERYONE, post=EVERYONE)
row(
    "page_comment_report",
    "department",
    hidden=but("author", "same_dept", "moderator"),
    get=ENGINEERING | MOD,
    post=ENGINEERING | MOD,
)
row("page_comment_moderate", "company", get=MOD, post=MOD)
row("page_comment_moderate", "department", get=MOD, post=MOD)
row("page_comment_moderate", "hidden", get=MOD, post=MOD)
row("page_moderation_reports", "company", get=MOD)
row("page_report_dismiss", "open", post=MOD)
# An already resolved report: 403 to non-moderators (checked first), 404 to a moderator.
row("page_report_dismiss", "resolved", post=NOBODY, codes={("moderator", "post"): "404"})
row("page_blog_image", "published", get=EVERYONE)
row("page_blog_image", "draft", hidden=but("executive"), get=EXEC)
row("page_audit_log", "company", get=AUDIT_READERS)
row("page_audit_csv", "company", get=AUDIT_READERS)
row("page_retention_policy", "company", get=EVERYONE)
row("page_retention_settings", "company", get=AUDIT_READERS, post=AUDIT_READERS)
row("page_holds", "company", get=COMPLIANCE_ONLY, post=COMPLIANCE_ONLY)
row("page_hold_release", "active", post=COMPLIANCE_ONLY)
row("page_delegate_add", "employee", post=EXEC)
row("page_delegate_remove", "employee", post=EXEC)
row("page_ediscovery", "company", get=COMPLIANCE_ONLY, post=COMPLIANCE_ONLY)
row("page_ediscovery_download", "ready", get=COMPLIANCE_ONLY)


@pytest.fixture(scope="module")
def built_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world below, built once for the module (once per xdist worker that runs its rows)
    instead of once per row, with what it left in the cache and the files it stored.

    It stays inside a transaction rolled back after the module's last test; each test runs in
    a savepoint inside it (`tests.conftest.built_once`), so whatever a row writes is
    gone before the next one. `world` hands each test the same start: these rows re-read, this
    cache put back and these files copied into its own MEDIA_ROOT."""
    media = tmp_path_factory.mktemp("world-media")
    with built_once(django_db_blocker, build_world, media=media) as ((users, objects), cached):
        yield users, objects, media, cached


@pytest.fixture
def world(built_world, db, settings, _private_media):
    """The built world as a fresh build would hand it to a test: the objects read again from
    the database (a login or a cached relation on one row's instance must not reach the next),
    the cache as the build left it, and its files in this test's own MEDIA_ROOT."""
    users, objects, media, cached = built_world
    shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    cache_restore(cached)
    return (
        {role: _reread(user) for role, user in users.items()},
        {key: _reread(obj) for key, obj in objects.items()},
    )


def _reread(obj):
    return type(obj)._base_manager.get(pk=obj.pk)


def build_world():
    engineering = DepartmentFactory(name="Engineering", slug="engineering")
    sales = DepartmentFactory(name="Sales", slug="sales")
    support = DepartmentFactory(name="Support", slug="support")
    users = {
        "author": UserFactory(username="alice", finish__department=engineering),
        "same_dept": UserFactory(username="carol", finish__department=engineering),
        "other_dept": UserFactory(username="bob", finish__department=sales),
        "moderator": UserFactory(username="mod", roles=[MODERATORS], finish__department=support),
        "hr": UserFactory(username="hr", roles=[HR], finish__department=support),
        "compliance": UserFactory(
            username="compliance", roles=[COMPLIANCE], finish__department=support
        ),
        "executive": UserFactory(username="ceo", roles=[EXECUTIVES], finish__department=sales),
        "admin": UserFactory(
            username="admin", is_staff=True, is_superuser=True, finish__department=support
        ),
    }
    alice, ceo, mod = users["author"], users["executive"], users["moderator"]
    company = feeds.status_create(author=alice, body="Company news")
    department = feeds.status_create(author=alice, body="Team news", visibility="department")
    hidden = feeds.status_create(author=alice, body="Hidden news")
    feeds.moderation_apply(moderator=mod, action="hide", reason="Off topic", status=hidden)
    named_poll = feeds.status_create(
        author=alice, body="Lunch?", poll={"options": ["Pizza", "Salad"]}
    )
    anonymous_poll = feeds.status_create(
        author=alice, body="Mood?", poll={"options": ["Good", "Bad"], "anonymous": True}
    )
    question = blog.question_create(asker=alice, body="When is the next all-hands?")
    anonymous = blog.question_create(asker=alice, body="Why did the budget shrink?", anonymous=True)
    hidden_question = blog.question_create(asker=alice, body="Something off topic here")
    blog.question_moderate(
        moderator=mod, question=hidden_question, action="hide", reason="Off topic"
    )
    published = blog.post_create(author=ceo, title="Our year", body="Text", status="published")
    draft = blog.post_create(author=ceo, title="Next year", body="Text")
    idea = ideas.idea_create(
        author=alice, title="A quieter office floor", description="Quiet rooms for all."
    )
    decided = ideas.idea_create(
        author=alice, title="A better coffee machine", description="Beans, not capsules."
    )
    ideas.idea_decide(executive=ceo, idea=decided, state="accepted", reason="Good one, agreed.")
    announced = feeds.status_create(author=alice, body="Pinned news")
    feeds.status_announce(actor=ceo, status=announced, pinned=True)
    comments = {
        "company": feeds.comment_create(author=alice, status=company, body="A comment"),
        "department": feeds.comment_create(author=alice, status=department, body="Team note"),
        "hidden": feeds.comment_create(author=alice, status=company, body="Off topic"),
    }
    feeds.moderation_apply(
        moderator=mod, action="hide", reason="Off topic", comment=comments["hidden"]
    )
    open_report = feeds.report_create(reporter=users["other_dept"], status=company, reason="Spam")
    resolved = feeds.report_create(reporter=users["same_dept"], status=company, reason="Rude")
    feeds.report_dismiss(moderator=mod, report=resolved)
    uploads = {
        state: attachments.upload_create(uploader=alice, upload=_image(), alt="A dot")
        for state in ("unattached", "attached")
    }
    feeds.status_create(author=alice, body="A dot", attachments=[uploads["attached"].token])
    images = {
        "published": blog.post_image_add(actor=ceo, post=published, upload=_image()),
        "draft": blog.post_image_add(actor=ceo, post=draft, upload=_image()),
    }
    clubs = {}
    for kind, policy in (("open", "open"), ("private", "request"), ("secret", "invite")):
        clubs[kind] = communities.community_create(
            actor=alice,
            name=f"{kind} club",
            slug=f"{kind}-club",
            visibility=kind,
            join_policy=policy,
        )
        communities.member_put(
            actor=alice, community=clubs[kind], username="carol", state="invited"
        )
        communities.membership_join(actor=users["same_dept"], community=clubs[kind])
    exports = {
        state: ediscovery.export_request_create(
            actor=users["compliance"], custodians=["alice"], start="2000-01-01", end="2100-01-01"
        )
        for state in ("queued", "ready")
    }
    ediscovery.export_build(export_id=exports["ready"].pk)
    exports["ready"].refresh_from_db()
    objects = {
        **{("community", kind): club for kind, club in clubs.items()},
        **{("export", state): export for state, export in exports.items()},
        ("status", "company"): company,
        ("status", "department"): department,
        ("status", "hidden"): hidden,
        ("poll", "named"): named_poll,
        ("poll", "anonymous"): anonymous_poll,
        ("question", "named"): question,
        ("question", "anonymous"): anonymous,
        ("question", "hidden"): hidden_question,
        ("blog_post", "published"): published,
        ("blog_post", "draft"): draft,
        ("idea", "open"): idea,
        ("idea", "decided"): decided,
        ("status", "announced"): announced,
        **{("comment", state): comment for state, comment in comments.items()},
        ("report", "open"): open_report,
        ("report", "resolved"): resolved,
        **{("blog_image", state): image for state, image in images.items()},
        **{("upload", state): upload for state, upload in uploads.items()},
    }
    objects[("hold", "active")] = holds.hold_place(
        actor=users["compliance"], reason="Matter 1", custodians=["alice"]
    )
    return users, objects


def _image() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return SimpleUploadedFile("dot.png", out.getvalue(), "image/png")


def _poll_option(status):
    return status.poll.options.order_by("id").first().id


# endpoint → (url for the object, request bodies by method)
def request_for(endpoint, state, objects):
    o = objects
    statuses = {s: o[("status", s)] for s in ("company", "department", "hidden", "announced")}
    in_future = (timezone.now() + timedelta(days=1)).date().isoformat()
    club = f"{state}-club"
    table = {
        "status": lambda: (
            f"/api/v1/statuses/{statuses[state].id}/",
            {"body": "Edited words"},
        ),
        "status_history": lambda: (f"/api/v1/statuses/{statuses[state].id}/history/", {}),
        "comments": lambda: (
            f"/api/v1/statuses/{statuses[state].id}/comments/",
            {"body": "A comment"},
        ),
        "reaction": lambda: (f"/api/v1/statuses/{statuses[state].id}/reactions/like/", {}),
        "moderation": lambda: (
            f"/api/v1/statuses/{statuses[state].id}/moderation/",
            {"action": "lock", "reason": "Cooling down"},
        ),
        "poll_vote": lambda: (
            f"/api/v1/statuses/{o[('poll', state)].id}/poll/vote/",
            {"options": [_poll_option(o[("poll", state)])]},
        ),
        "question": lambda: (f"/api/v1/questions/{o[('question', state)].id}/", {}),
        "question_vote": lambda: (f"/api/v1/questions/{o[('question', state)].id}/vote/", {}),
        "question_answer": lambda: (
            f"/api/v1/questions/{o[('question', state)].id}/answer/",
            {"body": "Here is the answer."},
        ),
        "question_moderation": lambda: (
            f"/api/v1/questions/{o[('question', state)].id}/moderation/",
            {"action": "hide", "reason": "Off topic"},
        ),
        "blog_post": lambda: (
            f"/api/v1/blog/posts/{o[('blog_post', state)].slug}/",
            {"title": "A new title"},
        ),
        "blog_comments": lambda: (
            f"/api/v1/blog/posts/{o[('blog_post', state)].slug}/comments/",
            {"body": "Nice post"},
        ),
        "idea": lambda: (
            f"/api/v1/ideas/{o[('idea', state)].id}/",
            {"title": "An even quieter floor"},
        ),
        "idea_vote": lambda: (f"/api/v1/ideas/{o[('idea', state)].id}/vote/", {}),
        "idea_decision": lambda: (
            f"/api/v1/ideas/{o[('idea', state)].id}/decision/",
            {"state": "under_review", "reason": "We are looking at it."},
        ),
        "idea_history": lambda: (f"/api/v1/ideas/{o[('idea', state)].id}/history/", {}),
        "profile": lambda: ("/api/v1/profiles/alice/", {}),
        "follow": lambda: ("/api/v1/profiles/alice/follow/", {}),
        "engagement_report": lambda: (f"/api/v1/reports/engagement/?end={in_future}", {}),
        "followers": lambda: ("/api/v1/profiles/alice/followers/", {}),
        "following": lambda: ("/api/v1/profiles/alice/following/", {}),
        "announcement": lambda: (
            f"/api/v1/statuses/{statuses[state].id}/announcement/",
            {"pinned": state != "announced"},
        ),
        "status_report": lambda: (
            f"/api/v1/statuses/{statuses[state].id}/report/",
            {"reason": "Not for here"},
        ),
        "comment_report": lambda: (
            f"/api/v1/comments/{o[('comment', state)].id}/report/",
            {"reason": "Not for here"},
        ),
        "comment_moderation": lambda: (
            f"/api/v1/comments/{o[('comment', state)].id}/moderation/",
            {"action": "restore" if state == "hidden" else "hide", "reason": "Checked"},
        ),
        "open_reports": lambda: ("/api/v1/moderation/reports/", {}),
        # A public address given as such: nothing to resolve.
        "webhooks": lambda: (
            "/api/v1/webhooks/",
            {"url": "https://93.184.216.34/hook", "events": ["status.created"]},
        ),
        # A fresh file for each request: an upload is read once.
        "blog_images": lambda: (
            f"/api/v1/blog/posts/{o[('blog_post', state)].slug}/images/",
            lambda: {"image": _image(), "alt": "A dot"},
        ),
        "community": lambda: (f"/api/v1/communities/{club}/", {"description": "Edited"}),
        "community_membership": lambda: (f"/api/v1/communities/{club}/membership/", {}),
        "community_members": lambda: (f"/api/v1/communities/{club}/members/", {}),
        "community_member": lambda: (
            f"/api/v1/communities/{club}/members/carol/",
            {"role": "admin"},
        ),
        "community_departments": lambda: (
            f"/api/v1/communities/{club}/departments/",
            {"department": "sales"},
        ),
        "community_feed": lambda: (f"/api/v1/communities/{club}/feed/", {}),
        "upload": lambda: (f"/api/v1/uploads/{o[('upload', state)].token}/", {"alt": "A red dot"}),
        "page_followers": lambda: ("/people/alice/followers/", {}),
        "page_following": lambda: ("/people/alice/following/", {}),
        "page_announce": lambda: (
            f"/statuses/{statuses[state].id}/announce/",
            {"pinned": "on"} if state != "announced" else {},
        ),
        "page_status_report": lambda: (
            f"/statuses/{statuses[state].id}/report/",
            {"reason": "Not for here"},
        ),
        "page_comment_report": lambda: (
            f"/comments/{o[('comment', state)].id}/report/",
            {"reason": "Not for here"},
        ),
        "page_comment_moderate": lambda: (
            f"/comments/{o[('comment', state)].id}/moderate/",
            {"action": "restore" if state == "hidden" else "hide", "reason": "Checked"},
        ),
        "page_moderation_reports": lambda: ("/moderation/reports/", {}),
        "page_report_dismiss": lambda: (
            f"/moderation/reports/{o[('report', state)].id}/dismiss/",
            {},
        ),
        "page_blog_image": lambda: (f"/blog/images/{o[('blog_image', state)].id}/", {}),
        "page_audit_log": lambda: ("/compliance/audit/", {}),
        "page_audit_csv": lambda: ("/compliance/audit/export.csv", {}),
        "audit_log": lambda: ("/api/v1/audit-log/", {}),
        "retention_policy": lambda: (
            "/api/v1/compliance/retention/",
            {"company": {"statuses": 365}},
        ),
        "holds": lambda: (
            "/api/v1/compliance/holds/",
            {"custodians": ["bob"], "reason": "Matter 2"},
        ),
        "hold": lambda: (f"/api/v1/compliance/holds/{o[('hold', state)].id}/", {}),
        "hold_release": lambda: (
            f"/api/v1/compliance/holds/{o[('hold', state)].id}/release/",
            {},
        ),
        "page_retention_policy": lambda: ("/compliance/policy/", {}),
        "page_retention_settings": lambda: ("/compliance/retention/", {"statuses": "365"}),
        "page_holds": lambda: ("/compliance/holds/", {"custodians": "bob", "reason": "M 2"}),
        "page_hold_release": lambda: (
            f"/compliance/holds/{o[('hold', state)].id}/release/",
            {},
        ),
        "my_delegates": lambda: ("/api/v1/me/delegates/", {}),
        "my_delegate": lambda: ("/api/v1/me/delegates/carol/", {}),
        "page_delegate_add": lambda: ("/blog/delegates/", {"username": "carol"}),
        "page_delegate_remove": lambda: ("/blog/delegates/carol/remove/", {}),
        "compliance_exports": lambda: (
            "/api/v1/compliance/exports/",
            {"custodians": ["alice"], "start": "2026-01-01", "end": "2026-01-31"},
        ),
        "compliance_export": lambda: (
            f"/api/v1/compliance/exports/{o[('export', state)].id}/",
            {},
        ),
        "page_ediscovery": lambda: (
            "/compliance/exports/",
            {"custodians": "alice", "start": "2026-01-01", "end": "2026-01-31"},
        ),
        "page_ediscovery_download": lambda: (
            ediscovery_links.download_url(o[("export", state)]),
            {},
        ),
    }
    return table[endpoint]()


def expected_status(cell: dict, role: str, method: str) -> str:
    if method not in cell:
        return "405"
    if role in cell[method]:
        return "2xx"
    if role in cell["hidden"]:
        return "404"
    return "403"


def outcome(code: int, *, page: bool = False) -> str:
    # A page that did what was asked redirects back (Post/Redirect/Get).
    done = 200 <= code < 300 or (page and code == 302)
    return "2xx" if done else str(code)


@pytest.mark.parametrize(
    ("endpoint", "state"), sorted(TABLE), ids=[f"{e}-{s}" for e, s in sorted(TABLE)]
)
def test_each_role_may_do_exactly_what_the_table_says(world, endpoint, state):
    users, objects = world
    cell = TABLE[(endpoint, state)]
    url, body = request_for(endpoint, state, objects)
    page = endpoint in PAGE_ROWS
    wrong = []
    for role in ROLES:
        if page:
            client = Client()
            client.force_login(users[role])
        else:
            client = APIClient()
            client.force_authenticate(users[role])
        for method in METHODS:
            # Each request on the same untouched objects: a delete must not hide the next cell.
            with transaction.atomic():
                data = body() if callable(body) else body
                data = data if method in ("patch", "put", "post") else None
                if page:
                    response = getattr(client, method)(url, data)
                else:
                    kind = "multipart" if callable(body) else "json"
                    response = getattr(client, method)(url, data, format=kind)
                transaction.set_rollback(True)
            got = outcome(response.status_code, page=page)
            want = expected_status(cell, role, method)
            want = cell["codes"].get((role, method), want)
            if got != want:
                wrong.append(f"{role} {method.upper()} {url}: got {got}, table says {want}")
    assert not wrong, "\n".join(wrong)


def test_the_table_covers_every_object_endpoint_of_the_api():
    from tests.enterprise_social.test_access import ROUTES

    covered = {
        "api/v1/statuses/<status_id>/": "status",
        "api/v1/statuses/<status_id>/history/": "status_history",
        "api/v1/statuses/<status_id>/comments/": "comments",
        "api/v1/statuses/<status_id>/reactions/<kind>/": "reaction",
        "api/v1/statuses/<status_id>/moderation/": "moderation",
        "api/v1/statuses/<status_id>/poll/vote/": "poll_vote",
        "api/v1/questions/<question_id>/": "question",
        "api/v1/questions/<question_id>/vote/": "question_vote",
        "api/v1/questions/<question_id>/answer/": "question_answer",
        "api/v1/questions/<question_id>/moderation/": "question_moderation",
        "api/v1/blog/posts/<slug>/": "blog_post",
        "api/v1/blog/posts/<slug>/comments/": "blog_comments",
        "api/v1/ideas/<idea_id>/": "idea",
        "api/v1/ideas/<idea_id>/vote/": "idea_vote",
        "api/v1/ideas/<idea_id>/decision/": "idea_decision",
        "api/v1/ideas/<idea_id>/history/": "idea_history",
        "api/v1/profiles/<username>/": "profile",
        "api/v1/profiles/<username>/follow/": "follow",
        "api/v1/reports/engagement/": "engagement_report",
        "api/v1/statuses/<status_id>/announcement/": "announcement",
        "api/v1/statuses/<status_id>/report/": "status_report",
        "api/v1/profiles/<username>/followers/": "followers",
        "api/v1/profiles/<username>/following/": "following",
        "api/v1/blog/posts/<slug>/images/": "blog_images",
        "api/v1/comments/<comment_id>/moderation/": "comment_moderation",
        "api/v1/comments/<comment_id>/report/": "comment_report",
        "api/v1/moderation/reports/": "open_reports",
        "api/v1/communities/<slug>/": "community",
        "api/v1/communities/<slug>/membership/": "community_membership",
        "api/v1/communities/<slug>/members/": "community_members",
        "api/v1/communities/<slug>/members/<username>/": "community_member",
        "api/v1/communities/<slug>/departments/": "community_departments",
        "api/v1/communities/<slug>/feed/": "community_feed",
        "api/v1/uploads/<token>/": "upload",
        "api/v1/compliance/holds/<hold_id>/": "hold",
        "api/v1/compliance/holds/<hold_id>/release/": "hold_release",
        "api/v1/me/delegates/<username>/": "my_delegate",
        "api/v1/compliance/exports/<export_id>/": "compliance_export",
    }
    object_routes = {r for r in ROUTES if r.startswith("api/v1/") and "<" in r}
    assert object_routes - set(covered) == set()
    assert set(covered) <= set(ROUTES)
    assert set(covered.values()) <= {endpoint for endpoint, _ in TABLE}


# --- IDOR: what you may not see answers exactly like what does not exist ----------------------

MISSING_ID = 999_999


def _pages_and_api(objects):
    department = objects[("status", "department")].id
    draft = objects[("blog_post", "draft")].slug
    comment = objects[("comment", "department")].id
    image = objects[("blog_image", "draft")].id
    return [
        (f"/statuses/{department}/report/", f"/statuses/{MISSING_ID}/report/"),
        (f"/comments/{comment}/report/", f"/comments/{MISSING_ID}/report/"),
        (f"/blog/images/{image}/", f"/blog/images/{MISSING_ID}/"),
        (
            f"/api/v1/statuses/{department}/announcement/",
            f"/api/v1/statuses/{MISSING_ID}/announcement/",
        ),
        (f"/api/v1/statuses/{department}/report/", f"/api/v1/statuses/{MISSING_ID}/report/"),
        (f"/api/v1/comments/{comment}/report/", f"/api/v1/comments/{MISSING_ID}/report/"),
        (f"/api/v1/blog/posts/{draft}/images/", "/api/v1/blog/posts/no-such-post/images/"),
        (f"/statuses/{department}/", f"/statuses/{MISSING_ID}/"),
        (f"/statuses/{department}/history/", f"/statuses/{MISSING_ID}/history/"),
        (f"/statuses/{department}/edit/", f"/statuses/{MISSING_ID}/edit/"),
        (f"/blog/{draft}/", "/blog/no-such-post/"),
        (f"/blog/{draft}/history/", "/blog/no-such-post/history/"),
        (f"/api/v1/statuses/{department}/", f"/api/v1/statuses/{MISSING_ID}/"),
        (f"/api/v1/statuses/{department}/history/", f"/api/v1/statuses/{MISSING_ID}/history/"),
        (
            f"/api/v1/statuses/{department}/comments/",
            f"/api/v1/statuses/{MISSING_ID}/comments/",
        ),
        (
            f"/api/v1/statuses/{department}/reactions/like/",
            f"/api/v1/statuses/{MISSING_ID}/reactions/like/",
        ),
        (f"/api/v1/blog/posts/{draft}/", "/api/v1/blog/posts/no-such-post/"),
        (f"/api/v1/blog/posts/{draft}/comments/", "/api/v1/blog/posts/no-such-post/comments/"),
        # A secret community, and a private one's members and feed.
        ("/api/v1/communities/secret-club/", "/api/v1/communities/no-such-club/"),
        ("/api/v1/communities/secret-club/membership/", "/api/v1/communities/no-such/membership/"),
        ("/api/v1/communities/secret-club/members/", "/api/v1/communities/no-such/members/"),
        ("/api/v1/communities/private-club/members/", "/api/v1/communities/no-such/members/"),
        ("/api/v1/communities/private-club/feed/", "/api/v1/communities/no-such-club/feed/"),
        ("/api/v1/communities/secret-club/feed/", "/api/v1/communities/no-such-club/feed/"),
        ("/c/secret-club/", "/c/no-such-club/"),
        ("/c/secret-club/members/", "/c/no-such-club/members/"),
        ("/c/private-club/members/", "/c/no-such-club/members/"),
        ("/c/secret-club/settings/", "/c/no-such-club/settings/"),
        ("/c/secret-club/membership/", "/c/no-such-club/membership/"),
        ("/c/secret-club/members/carol/", "/c/no-such-club/members/carol/"),
    ]


@pytest.mark.parametrize("role", ["other_dept", "hr", "admin"])
def test_objects_you_may_not_see_are_404_like_missing_ones(world, client, role):
    users, objects = world
    client.force_login(users[role])
    for hidden_url, missing_url in _pages_and_api(objects):
        codes = set()
        for method in ("get", "put", "post"):
            hidden = getattr(client, method)(hidden_url)
            missing = getattr(client, method)(missing_url)
            # 405 where the route has no such method: the same for any id, so it reveals nothing.
            assert missing.status_code in (404, 405), (method, missing_url)
            assert hidden.status_code == missing.status_code, (role, method, hidden_url)
            codes.add(hidden.status_code)
            # Same body too: nothing in the answer tells a hidden object from a missing one
            # (pages differ only by their per-request CSRF token).
            assert _anonymised(hidden, hidden_url) == _anonymised(missing, missing_url), (
                method,
                hidden_url,
            )
        assert 404 in codes, hidden_url


def _anonymised(response, url: str) -> bytes:
    return re.sub(rb"[A-Za-z0-9]{32,}", b"", response.content.replace(url.encode(), b""))
