"""Making activity for report tests without going through every service."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from activity.models import ActivityEvent
from activity.services import activity_record
from communities.models import Community, Membership, Role, State
from engagement.rollups import week_start
from profiles.models import Profile
from tests.factories import DepartmentFactory, UserFactory


def last_monday(today: date | None = None) -> date:
    """The Monday of the last week that has ended."""
    return week_start(today or timezone.localdate()) - timedelta(days=7)


def at(day: date, hour: int = 11) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def team(name: str, size: int):
    """A department with `size` members."""
    department = DepartmentFactory(name=name, slug=name.lower().replace(" ", "-"))
    # Short, unique usernames even for long (or hostile) department names: display names are
    # made from them and hold 100 characters.
    people = [
        UserFactory(
            username=f"{department.slug[:40]}-{department.pk}-{i}", finish__department=department
        )
        for i in range(size)
    ]
    for person in people:
        # Joined long ago: headcount counts people who had joined by the end of a period.
        type(person).objects.filter(pk=person.pk).update(date_joined=at(date(2020, 1, 6)))
    return department, people


def community(name: str, members, *, visibility: str = "open", joined: date = date(2020, 1, 6)):
    """A community whose `members` are active members since `joined` (the first one owns it)."""
    slug = name.lower().replace(" ", "-")
    found = Community.objects.create(
        name=name, slug=slug, visibility=visibility, members_count=len(members)
    )
    Membership.objects.bulk_create(
        Membership(
            community=found,
            user=person,
            role=Role.OWNER if i == 0 else Role.MEMBER,
            state=State.ACTIVE,
            created_at=at(joined),
        )
        for i, person in enumerate(members)
    )
    return found


def act(people, kind: str, day: date, *, times: int = 1, department_id=None, **extra) -> None:
    """`department_id`: file the events there instead of under each person's department."""
    chosen = department_id
    for person in people:
        department_id = chosen
        if department_id is None:
            department_id = Profile.objects.get(user=person).department_id or 0
        for _ in range(times):
            activity_record(
                actor=person, kind=kind, at=at(day), department_id=department_id, **extra
            )


Kind = ActivityEvent.Kind
