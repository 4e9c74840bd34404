"""Item 2: no write endpoint or form persists a field its caller may not set.

The API's convention (feeds.api.StrictSerializer, profiles.api.MeUpdateSerializer): a body with
a field the endpoint does not take is a 400 naming each such field, and nothing is written.
Endpoints without a body (reactions, follows, votes) ignore one; what they write is checked.
Page forms ignore unknown fields by construction (Django forms read only declared fields); the
page tests prove the extras are not written either.
"""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from communities import services as community_services
from communities.models import Community
from exec_blog import services as blog_services
from exec_blog.models import BlogPost, Delegation, Question
from feeds import polls
from feeds import services as feed_services
from feeds.models import Comment, Reaction, Status
from ideas import services as idea_services
from ideas.models import Idea, IdeaDecision
from profiles.models import Follow, User
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

LONG_AGO = "2001-01-01T00:00:00Z"


def extras(*, keep: set[str] = frozenset(), other=None) -> dict:
    """Fields an attacker would like to set; `keep` are the ones this endpoint legitimately
    takes (they are left out so the 400 names only the intruders)."""
    fields = {
        "author": getattr(other, "pk", 1),
        "user": getattr(other, "pk", 1),
        "asker": getattr(other, "pk", 1),
        "is_staff": True,
        "is_superuser": True,
        "created_at": LONG_AGO,
        "updated_at": LONG_AGO,
        "reads_count": 9999,
        "votes_count": 9999,
        "comment_count": 9999,
        "department": 9999,
        "state": "accepted",
        "id": 999999,
        "is_removed": True,
        "body_html": "<b>forged</b>",
    }
    return {k: v for k, v in fields.items() if k not in keep}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def assert_refused(response, intruders: dict):
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(intruders) <= set(body), body
    for name in intruders:
        assert "cannot be" in str(body[name])


# --- The write endpoints, found from the URL configuration -------------------------------------

# Every API route that takes a write, and the test that proves its fields are safe. A new route
# fails `test_every_write_endpoint_is_covered` until it is added here with a test.
COVERED = {
    ("statuses/", "post"): "test_status_create",
    ("statuses/<int:status_id>/", "patch"): "test_status_update",
    ("statuses/<int:status_id>/comments/", "post"): "test_comment_create",
    ("statuses/<int:status_id>/reactions/<str:kind>/", "put"): "test_reaction_add",
    ("statuses/<int:status_id>/poll/vote/", "put"): "test_poll_vote",
    ("statuses/<int:status_id>/moderation/", "post"): "test_strict_bodies",
    ("comments/<int:comment_id>/moderation/", "post"): "test_strict_bodies",
    ("statuses/<int:status_id>/report/", "post"): "test_strict_bodies",
    ("comments/<int:comment_id>/report/", "post"): "test_strict_bodies",
    ("statuses/<int:status_id>/announcement/", "post"): "test_strict_bodies",
    ("notifications/read/", "post"): "test_strict_bodies",
    ("me/", "patch"): "test_me_update",
    ("profiles/<str:username>/follow/", "post"): "test_follow",
    ("questions/", "post"): "test_question_create",
    ("questions/<int:question_id>/vote/", "put"): "test_question_vote",
    ("questions/<int:question_id>/answer/", "post"): "test_question_answer",
    ("questions/<int:question_id>/moderation/", "post"): "test_strict_bodies",
    ("blog/posts/", "post"): "test_blog_post_create",
    ("blog/posts/<slug:slug>/", "patch"): "test_blog_post_update",
    ("blog/posts/<slug:slug>/comments/", "post"): "test_blog_comment_create",
    ("blog/posts/<slug:slug>/images/", "post"): "test_strict_bodies",
    ("me/delegates/<str:username>/", "put"): "test_delegate_put",
    ("ideas/", "post"): "test_idea_create",
    ("ideas/<int:idea_id>/", "patch"): "test_idea_update",
    ("ideas/<int:idea_id>/vote/", "put"): "test_idea_vote",
    ("ideas/<int:idea_id>/decision/", "post"): "test_idea_decision",
    ("communities/", "post"): "test_community_create",
    ("communities/<str:slug>/", "patch"): "test_community_update",
    ("communities/<str:slug>/membership/", "put"): "test_community_join",
    ("communities/<str:slug>/members/<str:username>/", "put"): "test_community_member_put",
    ("communities/<str:slug>/departments/", "post"): "test_community_department_add",
    ("webhooks/", "post"): "test_webhook_create",
    ("me/notification-settings/", "put"): "test_notification_settings_update",
    ("push/subscriptions/", "post"): "test_push_subscription_create",
    ("uploads/", "post"): "test_upload_create",
    ("uploads/<str:token>/", "patch"): "test_upload_update",
    ("compliance/retention/", "put"): "test_retention_policy_set",
    ("compliance/holds/", "post"): "test_hold_create",
    ("compliance/holds/<int:hold_id>/release/", "post"): "test_hold_release",
    ("compliance/exports/", "post"): "test_ediscovery_export_create",
}


def _api_write_routes(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _api_write_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and route.startswith("api/v1/"):
            view = getattr(entry.callback, "cls", None)
            for method in ("post", "put", "patch"):
                if view is not None and hasattr(view, method):
                    yield route.removeprefix("api/v1/"), method


def test_every_write_endpoint_is_covered():
    found = set(_api_write_routes())
    assert found, "no API routes found"
    missing = found - set(COVERED)
    assert not missing, f"write endpoints without a mass-assignment test: {sorted(missing)}"
    names = set(globals())
    assert set(COVERED.values()) <= names


# --- Statuses, comments, reactions, polls ------------------------------------------------------


def test_status_create(alice, bob):
    intruders = extras(other=bob)
    body = {"body": "Hello", "visibility": "company", **intruders}
    assert_refused(client_for(alice).post("/api/v1/statuses/", body, format="json"), intruders)
    assert not Status.objects.exists()


def test_status_update(alice, bob):
    status = feed_services.status_create(author=alice, body="First")
    intruders = extras(other=bob)
    response = client_for(alice).patch(
        f"/api/v1/statuses/{status.pk}/", {"body": "Second", **intruders}, format="json"
    )
    assert_refused(response, intruders)
    status.refresh_from_db()
    assert (status.body, status.author, status.is_removed) == ("First", alice, False)


def test_comment_create(alice, bob):
    status = feed_services.status_create(author=bob, body="Post")
    intruders = extras(other=bob)
    response = client_for(alice).post(
        f"/api/v1/statuses/{status.pk}/comments/", {"body": "Hi", **intruders}, format="json"
    )
    assert_refused(response, intruders)
    assert not Comment.objects.exists()


def test_reaction_add(alice, bob):
    status = feed_services.status_create(author=bob, body="Post")
    response = client_for(alice).put(
        f"/api/v1/statuses/{status.pk}/reactions/like/", extras(other=bob), format="json"
    )
    assert response.status_code in (200, 201)
    assert list(Reaction.objects.values_list("user", "kind")) == [(alice.pk, "like")]
    _assert_not_promoted(alice)


def test_poll_vote(alice, bob):
    status = feed_services.status_create(
        author=bob, body="Lunch?", poll={"options": ["Pizza", "Salad"]}
    )
    option = polls.PollOption.objects.filter(poll__status=status).first()
    intruders = extras(other=bob)
    response = client_for(alice).put(
        f"/api/v1/statuses/{status.pk}/poll/vote/",
        {"options": [option.pk], **intruders},
        format="json",
    )
    assert_refused(response, intruders)
    assert not polls.PollVote.objects.exists()


def test_strict_bodies(alice, moderator, ceo):
    """Moderation, reports, announcements, notifications, question moderation, images: every
    other body-taking endpoint refuses unknown fields in the same way."""
    status = feed_services.status_create(author=alice, body="Post")
    comment = feed_services.comment_create(author=alice, status=status, body="Comment")
    question = blog_services.question_create(asker=alice, body="A question for leadership?")
    post = blog_services.post_create(author=ceo, title="Post", body="Body", status="published")
    intruders = extras(other=alice)
    cases = [
        (moderator, f"/api/v1/statuses/{status.pk}/moderation/", {"action": "lock"}),
        (moderator, f"/api/v1/comments/{comment.pk}/moderation/", {"action": "hide"}),
        (moderator, f"/api/v1/questions/{question.pk}/moderation/", {"action": "hide"}),
        (ceo, f"/api/v1/statuses/{status.pk}/report/", {"reason": "Spam"}),
        (ceo, f"/api/v1/comments/{comment.pk}/report/", {"reason": "Spam"}),
        (ceo, f"/api/v1/statuses/{status.pk}/announcement/", {"pinned": True}),
        (alice, "/api/v1/notifications/read/", {}),
        (ceo, f"/api/v1/blog/posts/{post.slug}/images/", {"alt": "x"}),
    ]
    for user, url, body in cases:
        data = {"reason": "A reason", **body, **intruders}
        response = client_for(user).post(url, data, format="json")
        # A multipart-only endpoint may refuse JSON first (415); either way nothing is written.
        assert response.status_code in (400, 415), (url, response.status_code)
        if response.status_code == 400:
            assert set(intruders) <= set(response.json()), (url, response.json())
    status.refresh_from_db()
    comment.refresh_from_db()
    assert not status.comments_locked and not comment.is_removed


def _assert_not_promoted(user):
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser


# --- Profiles and follows ----------------------------------------------------------------------


def test_me_update(alice, bob, sales):
    before = alice.profile.department_id
    intruders = {
        **extras(other=bob),
        "username": "root",
        "email": "x@evil.example",
        "manager": bob.pk,
        "is_active": False,
    }
    response = client_for(alice).patch("/api/v1/me/", {"title": "CTO", **intruders}, format="json")
    assert_refused(response, intruders)
    alice.refresh_from_db()
    alice.profile.refresh_from_db()
    assert alice.username == "alice" and alice.is_active
    assert alice.profile.department_id == before and alice.profile.title != "CTO"
    _assert_not_promoted(alice)


def test_follow(alice, bob, carol):
    response = client_for(alice).post(
        "/api/v1/profiles/bob/follow/", {"follower": carol.pk, **extras(other=carol)}, format="json"
    )
    assert response.status_code in (200, 201)
    assert list(Follow.objects.values_list("follower", "followee")) == [(alice.pk, bob.pk)]


# --- Questions, answers, blog ------------------------------------------------------------------


def test_question_create(alice, bob):
    intruders = extras(other=bob)
    response = client_for(alice).post(
        "/api/v1/questions/", {"body": "Why?", "anonymous": False, **intruders}, format="json"
    )
    assert_refused(response, intruders)
    assert not Question.objects.exists()


def test_question_vote(alice, bob):
    question = blog_services.question_create(asker=bob, body="A question for leadership?")
    response = client_for(alice).put(
        f"/api/v1/questions/{question.pk}/vote/", extras(other=bob), format="json"
    )
    assert response.status_code in (200, 201)
    assert list(question.votes.values_list("user", flat=True)) == [alice.pk]


def test_question_answer(alice, ceo):
    question = blog_services.question_create(asker=alice, body="A question for leadership?")
    # `author` is a delegate's executive (tests/exec_blog/test_delegates.py), not an intruder.
    intruders = {
        **extras(other=alice, keep={"author"}),
        "answered_by": alice.pk,
        "answered_at": LONG_AGO,
        "posted_by": alice.pk,
        "answer_posted_by": alice.pk,
    }
    response = client_for(ceo).post(
        f"/api/v1/questions/{question.pk}/answer/", {"body": "Yes.", **intruders}, format="json"
    )
    assert_refused(response, intruders)
    question.refresh_from_db()
    assert not question.answer_html
    # Naming someone who has not made you their delegate is refused too.
    response = client_for(alice).post(
        f"/api/v1/questions/{question.pk}/answer/",
        {"body": "Yes.", "author": "ceo"},
        format="json",
    )
    assert response.status_code == 403
    question.refresh_from_db()
    assert not question.answer_html


def test_blog_post_create(ceo, alice):
    # `author` is a delegate's executive (tests/exec_blog/test_delegates.py), not an intruder.
    intruders = {
        **extras(other=alice, keep={"state", "author"}),
        "published_at": LONG_AGO,
        "posted_by": alice.pk,
    }
    body = {"title": "T", "body": "B", "status": "published", **intruders}
    assert_refused(client_for(ceo).post("/api/v1/blog/posts/", body, format="json"), intruders)
    assert not BlogPost.objects.exists()
    # An executive cannot write as a colleague, nor as another executive who did not ask.
    for author in ("alice", str(alice.pk)):
        body = {"title": "T", "body": "B", "author": author}
        response = client_for(ceo).post("/api/v1/blog/posts/", body, format="json")
        assert response.status_code in (400, 403), response.content
    assert not BlogPost.objects.exists()


def test_delegate_put(ceo, alice):
    intruders = {**extras(other=alice), "executive": alice.pk, "delegate": alice.pk}
    response = client_for(ceo).put("/api/v1/me/delegates/alice/", intruders, format="json")
    assert_refused(response, intruders)
    assert not Delegation.objects.exists()


def test_blog_post_update(ceo, alice):
    post = blog_services.post_create(author=ceo, title="T", body="B", status="published")
    intruders = {**extras(other=alice), "published_at": LONG_AGO}
    response = client_for(ceo).patch(
        f"/api/v1/blog/posts/{post.slug}/", {"title": "New", **intruders}, format="json"
    )
    assert_refused(response, intruders)
    post.refresh_from_db()
    assert (post.title, post.author, post.reads_count) == ("T", ceo, 0)


def test_blog_comment_create(ceo, alice, bob):
    post = blog_services.post_create(author=ceo, title="T", body="B", status="published")
    intruders = extras(other=bob)
    response = client_for(alice).post(
        f"/api/v1/blog/posts/{post.slug}/comments/", {"body": "Hi", **intruders}, format="json"
    )
    assert_refused(response, intruders)
    assert not Comment.objects.exists()


# --- Ideas -------------------------------------------------------------------------------------


def test_idea_create(alice, bob):
    intruders = extras(other=bob, keep={"department"})
    body = {"title": "Quiet rooms", "description": "Please.", **intruders}
    assert_refused(client_for(alice).post("/api/v1/ideas/", body, format="json"), intruders)
    assert not Idea.objects.exists()


def test_idea_update(alice, bob):
    idea = idea_services.idea_create(author=alice, title="Quiet rooms", description="Please.")
    intruders = extras(other=bob, keep={"department"})
    response = client_for(alice).patch(
        f"/api/v1/ideas/{idea.pk}/", {"title": "Loud rooms", **intruders}, format="json"
    )
    assert_refused(response, intruders)
    idea.refresh_from_db()
    assert (idea.title, idea.state, idea.author) == ("Quiet rooms", "open", alice)


def test_idea_vote(alice, bob):
    idea = idea_services.idea_create(author=bob, title="Quiet rooms", description="Please.")
    response = client_for(alice).put(
        f"/api/v1/ideas/{idea.pk}/vote/", extras(other=bob), format="json"
    )
    assert response.status_code in (200, 201)
    assert list(idea.votes.values_list("user", flat=True)) == [alice.pk]
    idea.refresh_from_db()
    assert idea.state == "open"


def test_idea_decision(alice, ceo):
    idea = idea_services.idea_create(author=alice, title="Quiet rooms", description="Please.")
    intruders = {**extras(other=alice, keep={"state"}), "decided_by": alice.pk, "idea": 1}
    response = client_for(ceo).post(
        f"/api/v1/ideas/{idea.pk}/decision/",
        {"state": "under_review", "reason": "Looking", **intruders},
        format="json",
    )
    assert_refused(response, intruders)
    assert not IdeaDecision.objects.exists()


# --- Communities -------------------------------------------------------------------------------

COMMUNITY_EXTRAS = {
    "members_count": 9999,
    "provisioned": True,
    "created_by": 1,
    "picture": "communities/forged.webp",
    "my_role": "owner",
    "role": "owner",
}


def _memberships(community) -> set:
    return set(community.memberships.values_list("user__username", "role", "state"))


def test_community_create(alice, bob):
    intruders = {**extras(other=bob), **COMMUNITY_EXTRAS}
    body = {"name": "Cyclists", "visibility": "open", **intruders}
    assert_refused(client_for(alice).post("/api/v1/communities/", body, format="json"), intruders)
    assert not Community.objects.exists()


def test_community_update(alice, bob):
    club = community_services.community_create(actor=alice, name="Cyclists")
    intruders = {**extras(other=bob), **COMMUNITY_EXTRAS}
    response = client_for(alice).patch(
        f"/api/v1/communities/{club.slug}/", {"name": "Runners", **intruders}, format="json"
    )
    assert_refused(response, intruders)
    club.refresh_from_db()
    assert (club.name, club.members_count, club.provisioned, club.created_by) == (
        "Cyclists",
        1,
        False,
        alice,
    )


def test_community_join(alice, bob, carol):
    """The body is ignored: you join as yourself, as a member, in the state the community's
    policy gives (asking, here), whatever you send."""
    club = community_services.community_create(
        actor=alice, name="Cyclists", visibility="private", join_policy="request"
    )
    body = {**extras(other=carol), **COMMUNITY_EXTRAS, "state": "active"}
    response = client_for(bob).put(
        f"/api/v1/communities/{club.slug}/membership/", body, format="json"
    )
    assert response.status_code == 200
    assert _memberships(club) == {("alice", "owner", "active"), ("bob", "member", "requested")}
    club.refresh_from_db()
    assert club.members_count == 1


def test_community_member_put(alice, bob, carol):
    club = community_services.community_create(actor=alice, name="Cyclists")
    intruders = {**extras(other=carol, keep={"state"}), **COMMUNITY_EXTRAS}
    intruders.pop("role")  # a field this endpoint takes
    response = client_for(alice).put(
        f"/api/v1/communities/{club.slug}/members/bob/",
        {"state": "invited", **intruders},
        format="json",
    )
    assert_refused(response, intruders)
    assert _memberships(club) == {("alice", "owner", "active")}


def test_community_department_add(alice, bob, sales):
    club = community_services.community_create(actor=alice, name="Cyclists")
    intruders = {**extras(other=bob, keep={"department"}), **COMMUNITY_EXTRAS}
    response = client_for(alice).post(
        f"/api/v1/communities/{club.slug}/departments/",
        {"department": "sales", **intruders},
        format="json",
    )
    assert_refused(response, intruders)
    assert _memberships(club) == {("alice", "owner", "active")}


def test_community_page_forms_write_only_their_own_fields(client, alice, bob, carol):
    client.force_login(alice)
    forged = {**PAGE_EXTRAS, "members_count": "9999", "provisioned": "on", "created_by": "bob"}
    client.post(
        "/communities/new/",
        {"name": "Cyclists", "visibility": "private", "join_policy": "open", **forged},
    )
    club = Community.objects.get(slug="cyclists")
    assert (club.members_count, club.provisioned, club.created_by) == (1, False, alice)
    assert _memberships(club) == {("alice", "owner", "active")}
    client.post(
        "/c/cyclists/settings/",
        {
            "form": "settings",
            "name": "Cyclists",
            "visibility": "private",
            "join_policy": "open",
            "slug": "stolen",
            **forged,
        },
    )
    club.refresh_from_db()
    assert (club.slug, club.members_count, club.provisioned) == ("cyclists", 1, False)
    # Inviting by the form: a member, invited, whatever role or state is sent.
    client.post(
        "/c/cyclists/members/_/",
        {"action": "invite", "username": "bob", "role": "owner", **forged, "state": "active"},
    )
    client.force_login(carol)
    client.post("/c/cyclists/membership/", {"action": "join", "role": "owner", **forged})
    assert _memberships(club) == {
        ("alice", "owner", "active"),
        ("bob", "member", "invited"),
        ("carol", "member", "active"),
    }


# --- Page forms --------------------------------------------------------------------------------

PAGE_EXTRAS = {
    "author": "bob",
    "user": "bob",
    "is_staff": "on",
    "is_superuser": "on",
    "created_at": "2001-01-01 00:00",
    "reads_count": "9999",
    "votes_count": "9999",
    "state": "accepted",
    "id": "999999",
    "is_removed": "on",
}


def test_page_forms_write_only_their_own_fields(client, alice, bob, ceo, settings):
    other = DepartmentFactory(name="Elsewhere", slug="elsewhere")
    client.force_login(alice)
    recent = timezone.now() - timedelta(minutes=5)

    client.post("/statuses/", {"body": "From the page", "visibility": "company", **PAGE_EXTRAS})
    status = Status.objects.get(body="From the page")
    assert status.author == alice and status.created_at > recent and not status.is_removed

    client.post(f"/statuses/{status.pk}/comments/", {"body": "A comment", **PAGE_EXTRAS})
    comment = Comment.objects.get(body="A comment")
    assert comment.author == alice and comment.created_at > recent

    client.post(
        "/people/me/edit/",
        {"display_name": "Alice A", "department": other.pk, "manager": bob.pk, **PAGE_EXTRAS},
    )
    alice.refresh_from_db()
    assert alice.profile.display_name == "Alice A"
    assert alice.profile.department_id != other.pk and alice.profile.manager_id != bob.pk
    _assert_not_promoted(alice)

    client.post("/ask/new/", {"body": "A page question to leadership?", **PAGE_EXTRAS})
    question = Question.objects.get(body="A page question to leadership?")
    assert question.asker == alice and question.created_at > recent

    client.post(
        "/ideas/new/",
        {
            "title": "Quiet rooms on every floor",
            "description": "Somewhere to think.",
            **PAGE_EXTRAS,
        },
    )
    idea = Idea.objects.get(title="Quiet rooms on every floor")
    assert idea.author == alice and idea.state == "open" and idea.created_at > recent

    client.force_login(ceo)
    client.post(f"/ask/{question.pk}/answer/", {"body": "An answer", **PAGE_EXTRAS})
    client.post(
        f"/ideas/{idea.pk}/decision/",
        {**PAGE_EXTRAS, "state": "under_review", "reason": "Looking", "decided_by": alice.pk},
    )
    decision = IdeaDecision.objects.get(idea=idea)
    assert decision.decided_by == ceo and decision.to_state == "under_review"
    assert User.objects.filter(is_staff=True).count() == 0


# --- Webhooks (issue 19) -------------------------------------------------------------------------


def test_webhook_create(admin_user, bob):
    from webhooks.models import WebhookEndpoint

    intruders = {
        **extras(other=bob),
        "secret": "whsec_Zm9yZ2VkZm9yZ2VkZm9yZ2VkZm9yZ2Vk",
        "active": False,
        "created_by": bob.pk,
        "consecutive_failures": 99,
    }
    body = {"url": "https://93.184.216.34/hook", "events": ["status.created"], **intruders}
    assert_refused(client_for(admin_user).post("/api/v1/webhooks/", body, format="json"), intruders)
    assert not WebhookEndpoint.objects.exists()


# --- eDiscovery exports (issue 20) ----------------------------------------------------------------


def test_ediscovery_export_create(alice, bob):
    from audit.models import AuditEntry
    from ediscovery.models import ExportRequest
    from profiles.permissions import COMPLIANCE
    from tests.factories import UserFactory

    officer = UserFactory(username="compliance", roles=[COMPLIANCE])
    intruders = {
        **extras(other=bob),
        "requested_by": bob.pk,
        "file": "../../etc/passwd",
        "sha256": "0" * 64,
        "expires_at": "2100-01-01T00:00:00Z",
        "download_url": "https://evil.example/x.zip",
    }
    body = {"custodians": ["alice"], "start": "2026-01-01", "end": "2026-01-31", **intruders}
    response = client_for(officer).post("/api/v1/compliance/exports/", body, format="json")
    assert_refused(response, intruders)
    assert (
        not ExportRequest.objects.exists()
        and not AuditEntry.objects.exclude(action__startswith="login.").exists()
    )


def assert_named(response, intruders: dict):
    """reach's own wording: a 400 naming each unknown field ("Unknown field. Fields: …")."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(intruders) <= set(body), body
    for name in intruders:
        assert "Unknown field" in str(body[name])


def test_notification_settings_update(alice, bob):
    from reach.models import NotificationSettings

    # `push_available` is read-only and ignored: a client sends back what it read.
    intruders = {**extras(other=bob), "next_digest_at": LONG_AGO}
    response = client_for(alice).put(
        "/api/v1/me/notification-settings/", {"digest": "weekly", **intruders}, format="json"
    )
    assert_named(response, intruders)
    assert not NotificationSettings.objects.filter(user=bob).exists()
    assert not NotificationSettings.objects.filter(user=alice, digest="weekly").exists()


def test_push_subscription_create(alice, bob, settings):
    from reach.models import PushSubscription

    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = "configured", "for this test"
    intruders = {**extras(other=bob), "last_success_at": LONG_AGO, "user_agent": "forged"}
    body = {
        "endpoint": "https://93.184.216.34/push/abc",
        "keys": {"p256dh": "B" * 87, "auth": "A" * 22},
        **intruders,
    }
    response = client_for(alice).post("/api/v1/push/subscriptions/", body, format="json")
    assert_named(response, intruders)
    assert not PushSubscription.objects.exists()


# --- Uploads (attachments) ---------------------------------------------------------------------


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_upload_create(alice, bob):
    from attachments.models import Attachment

    intruders = {**extras(other=bob), "uploader": bob.pk, "kind": "file", "size": 1, "token": "x"}
    data = {"file": SimpleUploadedFile("dot.png", _png()), "alt": "A dot", **intruders}
    response = client_for(alice).post("/api/v1/uploads/", data, format="multipart")
    assert_refused(response, intruders)
    assert not Attachment.objects.exists()


def test_upload_update(alice, bob):
    from attachments import services as attachment_services

    upload = attachment_services.upload_create(
        uploader=alice, upload=SimpleUploadedFile("dot.png", _png()), alt="A dot"
    )
    intruders = {**extras(other=bob), "uploader": bob.pk, "owner_id": 1, "kind": "file"}
    response = client_for(alice).patch(
        f"/api/v1/uploads/{upload.token}/", {"alt": "Changed", **intruders}, format="json"
    )
    assert_refused(response, intruders)
    upload.refresh_from_db()
    assert (upload.alt, upload.uploader, upload.kind) == ("A dot", alice, "image")


# --- Retention and legal holds (issue 20) -------------------------------------------------------


def _compliance():
    from profiles.permissions import COMPLIANCE
    from tests.factories import UserFactory

    return UserFactory(username="compliance", roles=[COMPLIANCE])


def test_retention_policy_set(admin_user, bob):
    from governance.models import RetentionPolicy

    intruders = {**extras(other=bob), "updated_by": bob.pk, "last_run": {}, "days": 1}
    response = client_for(admin_user).put(
        "/api/v1/compliance/retention/", {"company": {"statuses": 30}, **intruders}, format="json"
    )
    assert_refused(response, intruders)
    assert not RetentionPolicy.objects.exists()


def test_hold_create(alice, bob):
    from governance.models import LegalHold

    intruders = {
        **extras(other=bob),
        "placed_by": bob.pk,
        "placed_at": LONG_AGO,
        "released_at": LONG_AGO,
        "is_active": False,
    }
    body = {"custodians": ["alice"], "reason": "Matter 1", **intruders}
    response = client_for(_compliance()).post("/api/v1/compliance/holds/", body, format="json")
    assert_refused(response, intruders)
    assert not LegalHold.objects.exists()


def test_hold_release(alice, bob):
    from governance import services as governance

    compliance = _compliance()
    hold = governance.hold_place(actor=compliance, reason="Matter 1", custodians=["alice"])
    intruders = {**extras(other=bob), "released_by": bob.pk, "released_at": LONG_AGO}
    response = client_for(compliance).post(
        f"/api/v1/compliance/holds/{hold.pk}/release/", intruders, format="json"
    )
    assert_refused(response, intruders)
    hold.refresh_from_db()
    assert hold.released_at is None
