"""Activity events are written by the services themselves, once, with the department of the
moment."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from activity.models import ActivityEvent, PendingEvent
from activity.services import seen_today
from exec_blog import services as blog
from exec_blog.models import BlogPost
from feeds import services as feeds
from profiles import services as profiles
from profiles.models import Profile
from tests.conftest import PASSWORD
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db
Kind = ActivityEvent.Kind


def events(kind=None, **filters):
    qs = ActivityEvent.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.filter(**filters).order_by("id"))


def test_status_records_one_event_and_one_per_hashtag(alice, engineering):
    status = feeds.status_create(author=alice, body="Shipping #release and #Docs today")
    (posted,) = events(Kind.STATUS)
    assert posted.actor_id == alice.pk
    assert posted.object_id == status.pk
    assert posted.department_id == engineering.pk
    assert posted.day == timezone.localdate()
    tags = events(Kind.HASHTAG)
    assert sorted(e.object_id for e in tags) == sorted(status.hashtags.values_list("pk", flat=True))
    assert len(tags) == 2
    # Every event is queued for the rollups exactly once.
    assert set(PendingEvent.objects.values_list("event_id", flat=True)) == {e.pk for e in events()}


def test_comment_and_reaction_are_recorded_and_a_repeated_reaction_is_not(alice, bob):
    status = feeds.status_create(author=alice, body="Hello")
    feeds.comment_create(author=bob, status=status, body="Hi!")
    assert feeds.reaction_add(user=bob, status=status, kind="like")
    assert not feeds.reaction_add(user=bob, status=status, kind="like")
    assert [e.actor_id for e in events(Kind.COMMENT)] == [bob.pk]
    assert [e.actor_id for e in events(Kind.REACTION)] == [bob.pk]


def test_a_failed_write_records_nothing(alice):
    status = feeds.status_create(author=alice, body="Hello")
    before = ActivityEvent.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - any validation error will do
        feeds.comment_create(author=alice, status=status, body="   ")
    with pytest.raises(Exception):  # noqa: B017
        feeds.reaction_add(user=alice, status=status, kind="not-a-kind")
    assert ActivityEvent.objects.count() == before


def test_questions_votes_and_answers(alice, bob, ceo):
    question = blog.question_create(asker=alice, body="When do we move offices?")
    blog.question_vote(user=bob, question=question)
    blog.question_vote(user=bob, question=question)  # once only
    blog.question_answer(executive=ceo, question=question, body="In May.")
    blog.question_answer(executive=ceo, question=question, body="In May, sorry: June.")
    (asked,) = events(Kind.QUESTION)
    assert (asked.actor_id, asked.object_id) == (alice.pk, question.pk)
    assert [e.actor_id for e in events(Kind.VOTE)] == [bob.pk]
    (answered,) = events(Kind.ANSWER)  # an edit is not a second answer
    assert answered.actor_id == ceo.pk
    assert answered.about_id == alice.pk
    assert answered.value == 0


def test_anonymous_question_is_recorded_without_its_asker(alice, ceo):
    question = blog.question_create(
        asker=alice, body="Is the bonus pool shrinking?", anonymous=True
    )
    question.created_at = timezone.now() - timedelta(hours=50)
    question.save(update_fields=["created_at"])
    blog.question_answer(executive=ceo, question=question, body="No.")
    (asked,) = events(Kind.QUESTION)
    assert asked.actor_id is None
    assert asked.department_id == 0
    (answered,) = events(Kind.ANSWER)
    assert answered.about_id is None
    assert answered.value == 50
    assert not ActivityEvent.objects.filter(actor_id=alice.pk).exclude(kind=Kind.VISIT).exists()


def test_blog_read_counts_the_first_read_only(ceo, alice):
    post = blog.post_create(
        author=ceo, title="Our year", body="Thank you all.", status=BlogPost.State.PUBLISHED
    )
    assert blog.post_read(user=alice, post=post)
    assert not blog.post_read(user=alice, post=post)
    blog.post_read(user=ceo, post=post)  # the author's own visits are not reads
    assert [(e.actor_id, e.object_id) for e in events(Kind.BLOG_READ)] == [(alice.pk, post.pk)]


def test_follow_is_recorded_once(alice, bob):
    profiles.follow_create(follower=alice, followee=bob)
    profiles.follow_create(follower=alice, followee=bob)
    assert [(e.actor_id, e.object_id) for e in events(Kind.FOLLOW)] == [(alice.pk, bob.pk)]


def test_events_keep_the_department_of_the_moment(alice, engineering):
    feeds.status_create(author=alice, body="Before the move")
    marketing = DepartmentFactory(name="Marketing", slug="marketing")
    Profile.objects.filter(user=alice).update(department=marketing)
    alice.refresh_from_db()
    feeds.status_create(author=alice, body="After the move")
    assert [e.department_id for e in events(Kind.STATUS)] == [engineering.pk, marketing.pk]


def test_first_request_of_the_day_is_one_visit(client, alice, bob):
    client.force_login(alice)
    client.get("/")
    client.get("/people/")
    seen_today.clear()  # another server process: the database still says once
    client.get("/")
    assert [e.actor_id for e in events(Kind.VISIT)] == [alice.pk]
    client.logout()
    client.get("/")  # anonymous requests are not visits
    assert len(events(Kind.VISIT)) == 1


def test_api_token_requests_count_as_visits(alice):
    api = APIClient()
    token = api.post(
        "/_allauth/app/v1/auth/login", {"username": "alice", "password": PASSWORD}, format="json"
    ).json()["meta"]["session_token"]
    ActivityEvent.objects.filter(kind=Kind.VISIT).delete()
    seen_today.clear()
    api.credentials(HTTP_X_SESSION_TOKEN=token)
    assert api.get("/api/v1/feed/").status_code == 200
    assert api.get("/api/v1/me/").status_code == 200
    assert [e.actor_id for e in events(Kind.VISIT)] == [alice.pk]


def test_inactive_user_records_nothing(client, alice):
    client.force_login(alice)
    alice.is_active = False
    alice.save()
    client.get("/")
    assert not events(Kind.VISIT)
