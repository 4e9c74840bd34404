"""`registry.register_readable(..., many=...)`: who may read a notification's target, asked for
many recipients at once (a batch of emails or pushes), must answer exactly what asking for each
recipient answers, for every model that registers it, across departments, community kinds,
membership states, authors and removals; and in a number of queries that does not grow with
the recipients."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.models import Community
from communities.services import community_create, member_put, membership_join
from feeds.models import Comment, Status, Visibility
from feeds.services import comment_create, status_create
from notifications import registry
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _member(owner, community, user, state="active"):
    member_put(actor=owner, community=community, username=user.username, state="invited")
    if state == "active":
        membership_join(actor=user, community=community)


@pytest.fixture
def world():
    eng, sales = DepartmentFactory(name="Eng", slug="eng"), DepartmentFactory(name="S", slug="s")
    a = UserFactory(finish__department=eng)
    b = UserFactory(finish__department=sales)
    c = UserFactory(finish__department=eng)
    d = UserFactory()  # no department
    owner = UserFactory(finish__department=sales)
    open_ = community_create(actor=owner, name="Open club", visibility="open")
    private = community_create(actor=owner, name="Private club", visibility="private")
    secret = community_create(actor=owner, name="Secret club", visibility="secret")
    _member(owner, private, a)
    _member(owner, private, b, state="invited")
    _member(owner, secret, c)
    _member(owner, open_, d)
    statuses = [
        status_create(author=a, body="company"),
        status_create(author=a, body="eng only", visibility=Visibility.DEPARTMENT),
        status_create(author=b, body="sales only", visibility=Visibility.DEPARTMENT),
        status_create(author=owner, body="in the open club", community=open_),
        status_create(author=a, body="in the private club", community=private),
        status_create(author=owner, body="in the secret club", community=secret),
        status_create(author=c, body="by c in the secret club", community=secret),
    ]
    comments = [comment_create(author=owner, status=s, body="a comment") for s in statuses[:4]]
    comments += [comment_create(author=a, status=statuses[4], body="private comment")]
    return {
        "people": [a, b, c, d, owner],
        Status: statuses,
        Comment: comments,
        Community: [open_, private, secret],
    }


@pytest.mark.parametrize("model", [Status, Comment, Community])
def test_many_answers_what_each_recipient_is_answered(world, model):
    many = registry.readable_many_for(model)
    one = registry.readable_for(model)
    assert many is not None and one is not None
    related = registry.related_for(model)
    targets = list(
        model.objects.select_related(*related).filter(pk__in=[t.pk for t in world[model]])
    )
    people = world["people"]
    expected = {(p.pk, pk) for p in people for pk in one(p.pk, targets)}
    with CaptureQueriesContext(connection) as queries:
        answered = many({p.pk: targets for p in people})
    assert answered == expected
    # Not everything and not nothing: the world tells the two apart.
    assert 0 < len(expected) < len(people) * len(targets)
    assert len(queries) <= 3
    # Each recipient asked about part of the targets only.
    partial = {p.pk: targets[i % len(targets) :: 2] for i, p in enumerate(people)}
    assert many(partial) == {(r, pk) for r, asked in partial.items() for pk in one(r, asked)}
