"""`seed_demo --activity-days`, each from an empty database (the seeded year is in
test_seed_activity.py)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from activity.models import ActivityEvent

pytestmark = pytest.mark.django_db
Kind = ActivityEvent.Kind


def test_activity_days_bounds_the_drawn_history():
    call_command(
        "seed_demo",
        employees=20,
        statuses=30,
        activity_days=7,
        stdout=StringIO(),
        stderr=StringIO(),
    )
    first = ActivityEvent.objects.filter(kind=Kind.VISIT).order_by("day").first()
    assert first.day >= timezone.localdate() - timedelta(days=7)


@pytest.mark.parametrize("days", [-1, 5000])
def test_activity_days_out_of_range_is_refused(days):
    with pytest.raises(CommandError, match="--activity-days"):
        call_command("seed_demo", employees=5, statuses=0, activity_days=days, stdout=StringIO())
    assert not ActivityEvent.objects.exists()
