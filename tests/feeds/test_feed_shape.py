"""The feed API as a union of per-source reads (feeds.selectors.feed_page_ids) and the written-out
StatusSerializer: the same statuses, pages and bytes as the reference `feeds.selectors.feed`
and DRF's field-by-field walk."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from feeds import selectors, services
from feeds.models import Status
from feeds.serializers import StatusSerializer
from profiles.services import follow_create
from tests.factories import UserFactory
from tests.feeds.test_statuses_api import client_for, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(alice, bob, carol, sales, engineering, moderator, ceo):
    """Every source of alice's feed, and what must stay out of it."""
    dave = UserFactory(username="dave", finish__department=sales)
    erin = UserFactory(username="erin", finish__department=engineering)
    quiet = UserFactory(username="quiet", finish__department=sales)
    follow_create(follower=alice, followee=bob)
    follow_create(follower=alice, followee=dave)
    follow_create(follower=alice, followee=quiet)
    statuses = []
    for i in range(6):
        statuses.append(post(alice, f"own {i} #mine"))
        statuses.append(post(bob, f"followed {i} @alice"))
        statuses.append(post(carol, f"department {i}", visibility="department"))
        statuses.append(post(dave, f"other department {i}", visibility="department"))
        statuses.append(post(erin, f"company, not followed {i}"))
    statuses.append(post(quiet, "a quiet one"))
    statuses.append(post(alice, "my department post", visibility="department"))
    old = post(erin, "an announcement whose pin is over")
    services.status_announce(
        actor=ceo, status=old, pinned=True, until=timezone.now() + timedelta(seconds=1)
    )
    Status.objects.filter(pk=old.pk).update(announcement_until=timezone.now() - timedelta(1))
    pinned = post(ceo, "pinned now")
    services.status_announce(actor=ceo, status=pinned, pinned=True)
    hidden = post(bob, "hidden by a moderator")
    services.moderation_apply(moderator=moderator, action="hide", reason="spam", status=hidden)
    future = post(bob, "scheduled")
    Status.objects.filter(pk=future.pk).update(created_at=timezone.now() + timedelta(hours=1))
    # Ties on created_at: the id decides, across sources and pages.
    same = timezone.now() - timedelta(minutes=5)
    Status.objects.filter(pk__in=[s.pk for s in statuses[:9]]).update(created_at=same)
    return {"pinned": pinned, "hidden": hidden, "future": future, "old_announcement": old}


def _walk(client, size):
    ids, url, pinned = [], f"/api/v1/feed/?page_size={size}", []
    while url:
        page = client.get(url).json()
        pinned += [s["id"] for s in page["results"] if s["is_pinned"]]
        ids += [s["id"] for s in page["results"] if not s["is_pinned"]]
        url = page["next"]
    return pinned, ids


@pytest.mark.parametrize("by_time", [False, True])
@pytest.mark.parametrize("size", [1, 3, 7, 100])
def test_feed_pages_are_the_reference_feed_without_gaps_or_duplicates(
    company, alice, size, by_time, monkeypatch
):
    if by_time:  # the branch for people who follow many: one scan, filtered by author
        monkeypatch.setattr(selectors, "FOLLOWS_BY_TIME", 0)
    reference = list(selectors.feed(user=alice).values_list("id", flat=True))
    pinned, ids = _walk(client_for(alice), size)
    assert ids == reference
    assert len(set(ids)) == len(ids)
    assert pinned == [company["pinned"].pk]


def test_feed_mixes_every_source_and_nothing_else(company, alice):
    _, ids = _walk(client_for(alice), 5)
    bodies = dict(Status.objects.filter(pk__in=ids).values_list("id", "body"))
    texts = [bodies[i] for i in ids]
    for kind in ("own", "followed", "department"):
        assert sum(t.startswith(f"{kind} ") for t in texts) == 6
    assert "a quiet one" in texts
    assert "my department post" in texts
    assert "an announcement whose pin is over" in texts
    assert company["hidden"].pk in ids  # a tombstone keeps its place
    assert not any(t.startswith("other department") for t in texts)
    assert not any(t.startswith("company, not followed") for t in texts)
    assert company["future"].pk not in ids
    assert company["pinned"].pk not in ids


@pytest.mark.parametrize("follows_by_time", [0, 10_000])
def test_a_followed_persons_department_post_in_another_department_never_appears(
    company, alice, follows_by_time, monkeypatch
):
    monkeypatch.setattr(selectors, "FOLLOWS_BY_TIME", follows_by_time)
    ids = selectors.feed_page_ids(user=alice, limit=100)
    bodies = Status.objects.filter(pk__in=ids).values_list("body", flat=True)
    assert len(ids) > 20
    assert not any(b.startswith("other department") for b in bodies)


def test_written_out_serializer_matches_drfs_walk(company, alice, ceo):
    services.status_update(
        actor=alice, status=Status.objects.filter(author=alice).first(), body="e"
    )
    nobody = UserFactory(username="pollster", finish__department=None)
    services.status_create(author=nobody, body="poll", poll={"options": ["A", "B"]})
    post(alice, "@bob and @carol on #zeta and #alpha")
    ids = list(Status.objects.values_list("id", flat=True))
    statuses = list(selectors.statuses_by_ids(ids).values()) + list(Status.objects.all())
    selectors.decorate(statuses, user=alice)
    statuses[0].is_pinned = True
    serializer = StatusSerializer(statuses, many=True)
    fast = serializer.data
    child = serializer.child
    slow = [serializers.Serializer.to_representation(child, s) for s in statuses]
    assert [dict(s) for s in fast] == [dict(s) for s in slow]
    assert [list(s) for s in fast] == [list(s) for s in slow]  # the same key order


@pytest.mark.parametrize("by_time", [False, True])
def test_a_viewer_without_a_department_gets_the_reference_feed(company, by_time, monkeypatch):
    # The compiled branches are cached by shape: without a department is another shape.
    if by_time:
        monkeypatch.setattr(selectors, "FOLLOWS_BY_TIME", 0)
    loner = UserFactory(username="loner", finish__department=None)
    follow_create(follower=loner, followee=Status.objects.get(body="a quiet one").author)
    follow_create(
        follower=loner, followee=Status.objects.filter(body__startswith="followed")[0].author
    )
    post(loner, "my own")
    reference = list(selectors.feed(user=loner).values_list("id", flat=True))
    _, ids = _walk(client_for(loner), 4)
    assert ids == reference
    assert len(ids) > 8


@pytest.mark.parametrize("by_time", [False, True])
def test_one_statement_reads_the_pins_the_page_and_the_viewers_reactions(
    company, alice, bob, carol, ceo, by_time, monkeypatch
):
    """feeds.selectors.feed_page: the pinned announcements are pinned_announcements' (in its
    order, only those alice may read), the page is the reference feed's first rows, and each
    row carries exactly alice's own reactions, nobody else's."""
    if by_time:
        monkeypatch.setattr(selectors, "FOLLOWS_BY_TIME", 0)
    second = post(ceo, "pinned later")
    services.status_announce(actor=ceo, status=second, pinned=True)
    sales_only = post(bob, "pinned for sales", visibility="department")
    Status.objects.filter(pk=sales_only.pk).update(is_announcement=True)
    reference = list(selectors.feed(user=alice).values_list("id", flat=True))
    pinned_reference = list(selectors.pinned_announcements(user=alice).values_list("id", flat=True))
    assert pinned_reference == [second.pk, company["pinned"].pk]
    live = [pk for pk in reference[:7] if pk != company["hidden"].pk]
    mine = {live[0]: ["like", "celebrate"], live[3]: ["insightful"]}
    for status_id, kinds in mine.items():
        for kind in kinds:
            services.reaction_add(user=alice, status=Status.objects.get(pk=status_id), kind=kind)
    services.reaction_add(user=carol, status=Status.objects.get(pk=live[1]), kind="like")
    services.reaction_add(user=alice, status=second, kind="like")
    pins, rows = selectors.feed_page(user=alice, limit=7, pinned=True, reactions=True)
    assert [row.id for row in pins] == pinned_reference
    assert [row.id for row in rows] == reference[:7]
    assert pins[0].viewer_reactions == ["like"] and pins[1].viewer_reactions == []
    for row in rows:
        assert sorted(row.viewer_reactions) == sorted(mine.get(row.id, [])), row.id
    # Without the options: no pins, no reactions read; the same page.
    pins, plain = selectors.feed_page(user=alice, limit=7)
    assert pins == [] and [row.id for row in plain] == reference[:7]
    assert all(row.viewer_reactions is None for row in plain)
    # A later page: the cursor's rows, no pins even when asked.
    last = rows[-1]
    pins, later = selectors.feed_page(
        user=alice, after=(last.created_at, last.id), limit=7, pinned=False, reactions=True
    )
    assert [row.id for row in later] == reference[7:14]


def test_the_feed_api_shows_the_viewers_own_reactions_and_pins(company, alice, carol):
    client = client_for(alice)
    first = client.get("/api/v1/feed/?page_size=5").json()["results"]
    target = next(s["id"] for s in first if not s["is_removed"] and not s["is_pinned"])
    services.reaction_add(user=alice, status=Status.objects.get(pk=target), kind="celebrate")
    services.reaction_add(user=carol, status=Status.objects.get(pk=target), kind="like")
    again = {s["id"]: s for s in client.get("/api/v1/feed/?page_size=5").json()["results"]}
    assert again[target]["my_reactions"] == ["celebrate"]
    counts = again[target]["reaction_counts"]
    assert counts.get("celebrate") == 1 and counts.get("like") == 1
    assert again[company["pinned"].pk]["is_pinned"] is True
    assert client_for(carol).get(f"/api/v1/statuses/{target}/").json()["my_reactions"] == ["like"]


@pytest.mark.parametrize("by_time", [False, True])
def test_a_member_of_several_communities_gets_the_reference_feed(
    alice, bob, carol, by_time, monkeypatch
):
    """One branch per community, or (PostgreSQL) one LATERAL branch over all of them, or the
    time index filtered by membership above COMMUNITIES_BY_TIME: the reference feed each way,
    with nothing from a community alice may not read or has left."""
    from communities import services as communities
    from communities.models import Membership

    if by_time:
        monkeypatch.setattr(selectors, "COMMUNITIES_BY_TIME", 0)
    made = {}
    for slug, visibility in (
        ("open-one", "open"),
        ("open-two", "open"),
        ("private-in", "private"),
        ("private-out", "private"),
        ("secret-out", "secret"),
        ("left", "open"),
    ):
        made[slug] = communities.community_create(
            actor=bob, name=slug.title(), slug=slug, visibility=visibility, join_policy="open"
        )
    for slug in ("open-one", "open-two", "left"):
        communities.membership_join(actor=alice, community=made[slug])
    Membership.objects.create(community=made["private-in"], user=alice, state="active")
    for club in made.values():
        Membership.objects.create(community=club, user=carol, state="active")
    for n in range(4):
        for slug, club in made.items():
            services.status_create(author=bob, body=f"{slug} {n}", community=club)
            services.status_create(author=carol, body=f"{slug} by carol {n}", community=club)
    communities.membership_leave(actor=alice, community=made["left"])
    reference = list(selectors.feed(user=alice).values_list("id", flat=True))
    _, ids = _walk(client_for(alice), 3)
    assert ids == reference
    bodies = set(Status.objects.filter(pk__in=ids).values_list("body", flat=True))
    for slug in ("open-one", "open-two", "private-in"):
        assert {f"{slug} {n}" for n in range(4)} <= bodies
    assert not any(b.startswith(("private-out", "secret-out", "left")) for b in bodies)


def test_a_page_of_text_cards_is_the_same_json_however_it_is_asked_for(company, alice):
    """core.api.EncodedJSON: sent as it is, decoded for a client that asks for indentation, and
    shown by the browsable API; the same cards each way."""
    import json

    client = client_for(alice)
    compact = client.get("/api/v1/feed/?page_size=4")
    assert compact["Content-Type"] == "application/json"
    page = json.loads(compact.content)
    assert compact.content == json.dumps(page, separators=(",", ":"), ensure_ascii=False).encode()
    indented = client.get("/api/v1/feed/?page_size=4", HTTP_ACCEPT="application/json; indent=2")
    assert b'\n  "results": [' in indented.content
    assert json.loads(indented.content) == page
    browsable = client.get("/api/v1/feed/?page_size=4", HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200
    assert browsable["Content-Type"].startswith("text/html")
    assert f"&quot;id&quot;: {page['results'][0]['id']}" in browsable.content.decode()
