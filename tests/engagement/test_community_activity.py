"""Activity on a community's statuses names the community, and the rollup job keeps figures per
community beside the department ones, the same way."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activity.models import ActivityEvent
from communities import services as communities
from communities.models import Membership, State
from engagement.models import CommunityRollup
from engagement.rollups import (
    ACTIVE,
    PARTICIPANT,
    community_headcounts_on,
    rollups_catch_up,
    rollups_rebuild,
    unpack,
)
from feeds import polls
from feeds import services as feeds
from tests.engagement.helpers import Kind, act, community, last_monday, team

pytestmark = pytest.mark.django_db


def recorded(kind):
    return list(
        ActivityEvent.objects.filter(kind=kind)
        .order_by("id")
        .values_list("actor_id", "community_id")
    )


# --- Recording -----------------------------------------------------------------------------


def test_posting_commenting_reacting_and_voting_in_a_community_name_it(alice, bob, carol):
    cyclists = communities.community_create(actor=alice, name="Cyclists")
    communities.membership_join(actor=bob, community=cyclists)
    inside = feeds.status_create(
        author=alice,
        body="Ride on Sunday? #bikes",
        community=cyclists,
        poll={"options": ["Yes", "No"]},
    )
    outside = feeds.status_create(author=alice, body="Lunch?")
    feeds.comment_create(author=bob, status=inside, body="In!")
    feeds.comment_create(author=bob, status=outside, body="Sure")
    feeds.reaction_add(user=carol, status=inside, kind="like")  # an open community: anyone
    feeds.reaction_add(user=carol, status=outside, kind="like")
    polls.poll_vote(user=bob, status=inside, option_ids=[inside.poll.options.first().pk])
    assert recorded(Kind.STATUS) == [(alice.pk, cyclists.pk), (alice.pk, None)]
    assert recorded(Kind.COMMENT) == [(bob.pk, cyclists.pk), (bob.pk, None)]
    assert recorded(Kind.REACTION) == [(carol.pk, cyclists.pk), (carol.pk, None)]
    assert recorded(Kind.POLL_VOTE) == [(bob.pk, cyclists.pk)]
    # Hashtags are company-wide figures: they name no community.
    assert recorded(Kind.HASHTAG) == [(alice.pk, None)]


def test_an_anonymous_poll_vote_names_neither_person_nor_community(alice, bob):
    cyclists = communities.community_create(actor=alice, name="Cyclists")
    communities.membership_join(actor=bob, community=cyclists)
    status = feeds.status_create(
        author=alice,
        body="Which day?",
        community=cyclists,
        poll={"options": ["Sat", "Sun"], "anonymous": True},
    )
    polls.poll_vote(user=bob, status=status, option_ids=[status.poll.options.first().pk])
    (vote,) = ActivityEvent.objects.filter(kind=Kind.POLL_VOTE)
    assert (vote.actor_id, vote.department_id, vote.community_id) == (None, 0, None)


def test_naming_the_community_costs_no_query(alice, bob, carol):
    cyclists = communities.community_create(actor=alice, name="Cyclists")
    communities.membership_join(actor=bob, community=cyclists)
    plain = feeds.status_create(author=alice, body="Plain")
    inside = feeds.status_create(author=alice, body="Inside", community=cyclists)
    feeds.reaction_add(user=carol, status=plain, kind="like")  # warm: content types
    until_recorded = []
    for status in (plain, inside):
        status.refresh_from_db()
        with CaptureQueriesContext(connection) as queries:
            feeds.reaction_add(user=bob, status=status, kind="like")
        sql = [q["sql"] for q in queries.captured_queries]
        recorded_at = next(i for i, q in enumerate(sql) if "engagement_activityevent" in q)
        until_recorded.append(sql[: recorded_at + 1])
    # The same queries up to the event, none of them about the community: it is at hand.
    assert len(until_recorded[0]) == len(until_recorded[1])
    assert not any("communities_" in q for q in until_recorded[1])
    assert recorded(Kind.REACTION)[-1] == (bob.pk, cyclists.pk)


# --- Rollups -------------------------------------------------------------------------------


def community_rows() -> dict:
    return {
        (r.period, r.start, r.community_id, r.metric, r.subject): (
            r.count,
            r.people,
            r.person_days,
            tuple(sorted(unpack(r.members))),
        )
        for r in CommunityRollup.objects.exclude(metric="headcount")
    }


def test_catch_up_counts_each_person_once_per_community_and_week():
    _, people = team("Staff", 4)
    one = community("One", people)
    two = community("Two", people)
    monday = last_monday()
    act(people[:2], Kind.STATUS, monday, community_id=one.pk)
    act(people[:1], Kind.COMMENT, monday + timedelta(days=1), times=3, community_id=one.pk)
    act(people[:3], Kind.REACTION, monday, community_id=two.pk)
    act(people, Kind.VISIT, monday)  # visits are in no community
    rollups_catch_up()
    week = CommunityRollup.objects.get(period="w", start=monday, community_id=one.pk, metric=ACTIVE)
    assert (week.count, week.people, week.person_days) == (5, 2, 3)
    assert unpack(week.members) == {people[0].pk, people[1].pk}
    took_part = CommunityRollup.objects.get(
        period="w", start=monday, community_id=one.pk, metric=PARTICIPANT
    )
    assert took_part.people == 2
    reactions = CommunityRollup.objects.get(
        period="w", start=monday, community_id=two.pk, metric="reaction"
    )
    assert (reactions.count, reactions.people) == (3, 3)
    # Only the metrics a community report reads are kept per community.
    assert set(CommunityRollup.objects.values_list("metric", flat=True)) == {
        ACTIVE,
        PARTICIPANT,
        "status",
        "comment",
        "reaction",
    }


def test_community_rollups_from_the_queue_equal_a_rebuild_and_a_rebuild_is_idempotent(
    monkeypatch,
):
    rng = random.Random(16)
    _, people = team("Staff", 6)
    groups = [community(f"Group {i}", people[i : i + 4]) for i in range(3)]
    start = last_monday() - timedelta(days=30)
    kinds = [Kind.STATUS, Kind.COMMENT, Kind.REACTION, Kind.POLL_VOTE, Kind.FOLLOW]
    for day in range(37):
        for person in people:
            if rng.random() < 0.4:
                where = rng.choice([None, *groups])
                act(
                    [person],
                    rng.choice(kinds),
                    start + timedelta(days=day),
                    community_id=where.pk if where else None,
                )
    monkeypatch.setattr("engagement.rollups.CATCH_UP_BATCH", 11)
    rollups_catch_up()
    incremental = community_rows()
    assert incremental
    rollups_rebuild(start=start, end=start + timedelta(days=36))
    assert community_rows() == incremental
    rollups_rebuild(start=start, end=start + timedelta(days=36))
    assert community_rows() == incremental


# --- Members -------------------------------------------------------------------------------


def test_members_at_the_end_of_a_day_are_counted_once_and_kept(django_assert_max_num_queries):
    _, people = team("Staff", 7)
    sunday = last_monday() + timedelta(days=6)
    club = community("Club", people[:5], joined=sunday - timedelta(days=10))
    late = community("Late", people[:5], joined=sunday + timedelta(days=1))
    # Asked to join, or invited: not members yet.
    Membership.objects.create(community=club, user=people[5], state=State.REQUESTED)
    Membership.objects.create(community=club, user=people[6], state=State.INVITED)
    counted = community_headcounts_on([sunday])
    assert counted[(club.pk, sunday)] == 5
    assert counted.get((late.pk, sunday), 0) == 0
    # Someone leaves afterwards: the count of that day stays what it was.
    Membership.objects.filter(community=club, user=people[0]).delete()
    with django_assert_max_num_queries(1):
        assert community_headcounts_on([sunday])[(club.pk, sunday)] == 5
    rollups_rebuild(start=sunday, end=sunday)
    assert community_headcounts_on([sunday])[(club.pk, sunday)] == 5
    # A day nobody counted yet counts today's members (the day still running is not kept).
    assert community_headcounts_on([timezone.localdate()])[(club.pk, timezone.localdate())] == 4
