"""`seed_demo --statuses`: the demo content, stored exactly as the feeds services store it."""

from collections import Counter
from datetime import timedelta
from html import escape
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F
from django.utils import timezone
from rest_framework.test import APIClient

from communities.models import Community, Membership
from core.text import render
from demo.management.commands.seed_demo import DEFAULT_STATUSES, Command
from demo.seeding import Cast, build_plan, data
from demo.seeding.cast import Clock
from demo.seeding.community_plan import EMPLOYEES_PER_COMMUNITY, plan_communities
from demo.seeding.data.communities import COMMUNITIES
from demo.seeding.stream import COMMUNITY_SHARE, ContentPlan, Place
from feeds.models import (
    Comment,
    Hashtag,
    ModerationAction,
    Reaction,
    ReactionKind,
    Removal,
    Report,
    Status,
    StatusRevision,
    Visibility,
)
from feeds.services import render_user_text
from notifications.models import Notification
from profiles.models import Follow, Profile, User
from tests.conftest import seeded_module

pytestmark = pytest.mark.django_db

EMPLOYEES = 30
STATUSES = 200


def seed(**options) -> str:
    out = StringIO()
    options = {"employees": EMPLOYEES, "statuses": STATUSES, **options}
    call_command("seed_demo", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


seeded = seeded_module("seeded", employees=EMPLOYEES, statuses=STATUSES)


def client_for(username: str) -> APIClient:
    client = APIClient()
    client.force_login(User.objects.get(username=username))
    return client


def stream():
    """The statuses --statuses counts: not the cards of the executive blog's posts or ideas."""
    return Status.objects.filter(blog_post=None, idea=None)


def content_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Status, Comment, Reaction, Hashtag, Notification, ModerationAction, StatusRevision,
            Report, Status.mentions.through, Status.hashtags.through, Comment.mentions.through,
        )
    }  # fmt: skip


def test_statuses_spread_over_the_last_90_days_mostly_on_weekdays(seeded):
    now = timezone.now()
    times = list(stream().values_list("created_at", flat=True))
    assert len(times) == STATUSES
    assert min(times) >= now - timedelta(days=90)
    assert max(times) <= now
    assert max(times) - min(times) >= timedelta(days=60)
    weekdays = sum(1 for t in times if t.weekday() < 5)
    assert weekdays >= len(times) * 0.8
    authors = Counter(stream().values_list("author__username", flat=True))
    assert len(authors) >= EMPLOYEES // 2  # many people post ...
    assert authors.most_common(1)[0][1] >= 3 * (STATUSES / len(authors))  # ... some a lot


def test_html_mentions_and_hashtags_are_what_the_services_store(seeded):
    statuses = Status.objects.prefetch_related("mentions", "hashtags")
    for status in statuses:
        rendered = render_user_text(status.body)
        assert status.body_html == rendered.html, status.body
        assert {u.username for u in status.mentions.all()} == set(rendered.mentions)
        assert {h.name for h in status.hashtags.all()} == set(rendered.hashtags)
    for comment in Comment.objects.prefetch_related("mentions"):
        rendered = render_user_text(comment.body)
        assert comment.body_html == rendered.html, comment.body
        assert {u.username for u in comment.mentions.all()} == set(rendered.mentions)
    # The content really uses them: Markdown, mentions, hashtags, links.
    assert Status.mentions.through.objects.count() >= STATUSES // 5
    assert Status.objects.filter(body_html__contains="<strong>").exists()
    assert Status.objects.filter(body_html__contains='href="https://example.com/').exists()
    assert Status.objects.filter(body_html__contains="<li>").exists()
    assert {"launch", "kudos", "customerwins"} <= set(
        Hashtag.objects.values_list("name", flat=True)
    )


def test_comments_are_counted_and_reactions_are_one_per_kind_and_person(seeded):
    annotated = Status.objects.annotate(n=Count("comments"))
    assert not annotated.exclude(comment_count=F("n")).exists()
    assert Comment.objects.count() >= STATUSES // 2
    assert max(annotated.values_list("n", flat=True)) <= 8
    reactions = list(Reaction.objects.values_list("status_id", "kind", "user_id"))
    assert len(reactions) == len(set(reactions))
    assert {kind for _, kind, _ in reactions} == set(ReactionKind.values)
    per_status = Counter(status for status, _, _ in reactions)
    assert per_status.most_common(1)[0][1] >= 15  # popular posts get dozens ...
    assert sum(1 for s in Status.objects.all() if per_status[s.pk] <= 2) >= 10  # ... most few
    assert not Reaction.objects.filter(user_id=F("status__author_id")).exists()
    first_comment = Comment.objects.filter(status__created_at__gt=F("created_at"))
    assert not first_comment.exists()  # nobody comments before the post


def test_department_posts_belong_to_the_authors_department(seeded):
    departments = dict(Profile.objects.values_list("user_id", "department_id"))
    rows = list(stream().values_list("author_id", "department_id", "visibility"))
    assert all(department == departments[author] for author, department, _ in rows)
    department_only = [row for row in rows if row[2] == Visibility.DEPARTMENT]
    assert 0.05 * len(rows) <= len(department_only) <= 0.3 * len(rows)
    # Who comments on or reacts to a department post works in that department.
    for status in Status.objects.filter(visibility=Visibility.DEPARTMENT):
        people = {c.author_id for c in status.comments.all()} | {
            r.user_id for r in status.reactions.all()
        }
        assert {departments[p] for p in people} <= {status.department_id}


def test_alice_sees_a_full_feed_with_the_announcement_pinned_first(seeded):
    response = client_for("alice").get("/api/v1/feed/")
    assert response.status_code == 200
    body = response.json()
    pinned, page = body["results"][0], body["results"][1:]
    assert pinned["is_pinned"] is True
    assert pinned["author"]["username"] == "ceo"
    assert "All-hands" in pinned["body"]
    assert len(page) == 20
    assert body["next"]
    announcement = stream().get(is_announcement=True)
    assert announcement.announced_by.username == "ceo"
    assert announcement.announcement_until > timezone.now() + timedelta(days=7)
    alice = User.objects.get(username="alice")
    assert Status.objects.filter(author=alice).count() >= 3
    assert Status.objects.filter(author__username="bob", mentions=alice).exists()


def test_the_moderation_log_shows_a_hidden_status_and_locked_comments(seeded):
    response = client_for("bob").get("/api/v1/moderation-log/")
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 2
    mod = User.objects.get(username="mod")
    hidden = Status.objects.get(removal=Removal.MODERATOR)
    assert hidden.removed_by == mod and hidden.removal_reason and hidden.removed_at
    assert ModerationAction.objects.filter(status=hidden, action="hide", moderator=mod).exists()
    assert Report.objects.filter(status=hidden, resolved_by=mod).exists()
    locked = Status.objects.get(comments_locked=True)
    assert locked.lock_reason and locked.comment_count >= 3
    action = ModerationAction.objects.get(status=locked, action="lock")
    assert locked.comments.latest("created_at").created_at < action.created_at


def test_edited_statuses_keep_their_history(seeded):
    edited = Status.objects.exclude(edited_at=None)
    assert edited.count() >= 2
    for status in edited:
        revisions = list(status.revisions.order_by("written_at"))
        assert revisions
        assert revisions[0].written_at == status.created_at
        assert revisions[-1].replaced_at == status.edited_at
        assert all(r.body != status.body for r in revisions)
        assert all(r.body_html == render_user_text(r.body).html for r in revisions)


def test_the_fixed_accounts_have_believable_notifications(seeded):
    alice = User.objects.get(username="alice")
    response = client_for("alice").get("/api/v1/notifications/")
    assert response.status_code == 200
    mine = Notification.objects.filter(recipient=alice)
    assert mine.filter(read_at=None).exists()
    assert mine.exclude(read_at=None).exists()
    kinds = set(mine.values_list("kind", flat=True))
    assert {"mention", "comment", "reaction", "follow"} <= kinds
    bob = User.objects.get(username="bob")
    assert mine.filter(kind="mention", actor=bob).exists()
    for n in mine.filter(kind="reaction"):
        reactors = set(n.target.reactions.values_list("user_id", flat=True))
        assert n.actor_id in n.actor_ids and set(n.actor_ids) <= reactors
        assert n.target.author == alice
    assert (
        mine.filter(kind="reaction").values("target_type", "target_id").distinct().count()
        == mine.filter(kind="reaction").count()
    )  # one per status
    for n in mine.filter(kind="follow"):
        assert Follow.objects.filter(follower=n.actor, followee=alice).exists()
    for n in mine.filter(kind="comment"):
        assert n.target.status.author == alice and n.target.author == n.actor
    for username in ("bob", "ceo", "hr", "mod"):
        assert Notification.objects.filter(recipient__username=username).exists(), username


def test_running_again_creates_nothing_and_more_statuses_continue_the_stream(seeded):
    before = content_counts()
    first = list(Status.objects.order_by("id").values_list("id", "body", "created_at"))
    output = seed()
    assert content_counts() == before
    assert "(0 new statuses)" in output
    seed(statuses=STATUSES + 50)
    assert stream().count() == STATUSES + 50
    assert (
        list(Status.objects.order_by("id").values_list("id", "body", "created_at"))[: len(first)]
        == first
    )
    after = content_counts()
    assert after["ModerationAction"] == before["ModerationAction"]
    assert stream().filter(is_announcement=True).count() == 1


def test_every_template_renders_like_the_real_renderer():
    people = build_plan(seed=42, employees=EMPLOYEES)
    fake_ids = {p.username: 1000 + p.index for p in people}
    departments = {d.slug: i for i, d in enumerate(data.DEPARTMENTS, start=1)}
    cast = Cast.build(people, fake_ids, departments, 42)
    plan = ContentPlan(cast, Clock(timezone.now(), {p.location for p in people}), seed=42,
                       sparse=False)  # fmt: skip
    assert plan.renderer.slow == []
    assert len(data.GENERIC_STATUSES) + sum(map(len, data.DEPARTMENT_STATUSES.values())) >= 140
    words = {*data.PROJECTS, *data.CUSTOMERS, *data.CITIES, *data.WEEKDAYS}
    words.update(skill for d in data.DEPARTMENTS for skill in d.skills)
    for word in words:
        assert render(word).html == f"<p>{escape(word, quote=False)}</p>", word


# Communities: their posts, and the stream's share of them.


def active_ids(community: Community) -> set[int]:
    return set(
        Membership.objects.filter(community=community, state="active").values_list(
            "user_id", flat=True
        )
    )


def test_every_community_has_posts_by_its_members_with_comments_reactions_and_a_pin(seeded):
    for community in Community.objects.all():
        statuses = list(Status.objects.filter(community=community).prefetch_related("comments"))
        members = active_ids(community)
        assert len(statuses) >= 2, community.slug
        assert {s.author_id for s in statuses} <= members, community.slug
        assert all(s.visibility == Visibility.COMPANY for s in statuses)
        assert any(s.comments.all() for s in statuses), community.slug
        assert Reaction.objects.filter(status__community=community).exists(), community.slug
        for status in statuses:
            assert community.created_at <= status.created_at <= timezone.now()
            assert all(c.created_at > status.created_at for c in status.comments.all())
    scripted = {c.slug for c in COMMUNITIES if any(p.pinned for p in c.posts)}
    pinned = set(
        Status.objects.filter(pinned_in_community=True).values_list("community__slug", flat=True)
    )
    assert scripted < pinned  # and every office's welcome
    assert not Reaction.objects.filter(
        status__community__isnull=False, user_id=F("status__author_id")
    ).exists()


def test_only_members_comment_and_react_where_only_members_read(seeded):
    closed = Community.objects.exclude(visibility="open")
    assert {"orion-migration", "leadership-offsite", "project-falcon"} <= set(
        closed.values_list("slug", flat=True)
    )
    for community in closed:
        members = active_ids(community)
        assert (
            set(
                Comment.objects.filter(status__community=community).values_list(
                    "author_id", flat=True
                )
            )
            <= members
        )
        assert (
            set(
                Reaction.objects.filter(status__community=community).values_list(
                    "user_id", flat=True
                )
            )
            <= members
        )


def test_a_share_of_the_stream_is_posted_in_communities_and_read_by_their_readers(seeded):
    scripted = sum(len(c.posts) for c in COMMUNITIES)
    assert stream().filter(community__isnull=False).count() > scripted + 10
    falcon = "/api/v1/communities/project-falcon/feed/"
    assert client_for("alice").get(falcon).status_code == 404
    bobs = client_for("bob").get(falcon)
    assert bobs.status_code == 200 and len(bobs.json()["results"]) >= 2
    # Alice's home feed has her communities' posts, and nothing from the secret one.
    alice = User.objects.get(username="alice")
    feed, url = [], "/api/v1/feed/"
    while url and len(feed) < 200:
        page = client_for("alice").get(url).json()
        feed.extend(page["results"])
        url = page["next"]
    places = {s["community"]["slug"] for s in feed if s["community"]}
    assert {"book-club", "parents"} <= places
    assert "project-falcon" not in places
    told = Notification.objects.filter(recipient=alice, kind="mention")
    assert not told.filter(target_id__in=Status.objects.filter(community__slug="project-falcon"))


def test_a_larger_company_has_a_community_for_every_20_people_some_people_in_many():
    people = build_plan(seed=42, employees=1000)
    planned = plan_communities(people, seed=42)
    assert len(planned) == 1000 // EMPLOYEES_PER_COMMUNITY
    assert len({c.slug for c in planned}) == len(planned)
    assert all(list(c.roles.values()).count("owner") == 1 for c in planned)
    joined = Counter(i for c in planned for i in c.roles)
    assert sum(joined.values()) >= 2 * len(people)
    assert max(joined.values()) >= 10  # some people are in many ...
    assert sum(1 for n in joined.values() if n <= 2) >= len(people) // 2  # ... most in a few
    assert {c.visibility for c in planned} == {"open", "private", "secret"}
    assert any(c.requested for c in planned[len(COMMUNITIES) :])
    # The same seed plans the same communities.
    assert [(c.slug, c.roles) for c in plan_communities(people, seed=42)] == [
        (c.slug, c.roles) for c in planned
    ]


def test_the_stream_posts_a_share_in_communities_and_keeps_private_threads_to_members():
    people = build_plan(seed=42, employees=EMPLOYEES)
    cast = Cast.build(people, {p.username: 1000 + p.index for p in people}, {}, 42)
    clock = Clock(timezone.now(), {p.location for p in people})
    readers = frozenset(range(0, EMPLOYEES, 3))
    month = clock.now - timedelta(days=30)
    places = [(Place(7, None, clock.start), Place(8, readers, month)) for _ in people]
    plain = list(ContentPlan(cast, clock, seed=42, sparse=False).stream(0, 2000))
    placed = list(ContentPlan(cast, clock, seed=42, sparse=False, places=places).stream(0, 2000))
    # The same statuses, some of them in a community; never a department's.
    assert [(s.author, s.body, s.created) for s in plain] == [
        (s.author, s.body, s.created) for s in placed
    ]
    company = [s for s in placed if not s.department_only]
    share = sum(1 for s in company if s.community) / len(company)
    assert COMMUNITY_SHARE * 0.8 <= share <= COMMUNITY_SHARE * 1.2
    assert not any(s.community for s in placed if s.department_only)
    closed = [s for s in placed if s.community == 8]
    assert closed and any(s.comments for s in closed)
    assert min(s.created for s in closed) >= month  # not before the community was created
    for status in closed:
        assert {c.author for c in status.comments} <= readers
        assert {r[0] for r in status.reactions} <= readers
    assert placed[1500:] == list(
        ContentPlan(cast, clock, seed=42, sparse=False, places=places).stream(1500, 2000)
    )


def test_600_statuses_is_the_default_and_a_negative_number_an_error(seeded):
    # No statuses, no content: tests/profiles/test_seed_demo.py (a company with statuses=0).
    before = content_counts()
    parser = Command().create_parser("manage.py", "seed_demo")
    assert parser.parse_args([]).statuses == DEFAULT_STATUSES == 600
    with pytest.raises(CommandError, match="negative"):
        seed(statuses=-1)
    assert content_counts() == before
