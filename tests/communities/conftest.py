"""The world of tests/communities/world.py, built once per module, and fresh people in it."""

import pytest
from django.db import transaction
from django.test import override_settings

from profiles.models import User
from tests.communities.world import EMPLOYEES, FOUNDER, build_world
from tests.conftest import SEED_SETTINGS


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        with override_settings(**SEED_SETTINGS):
            build_world()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def people(world, db) -> dict[str, User]:
    """Fresh instances for each test: permission helpers cache on the user object."""
    users = User.objects.filter(username__in=[*EMPLOYEES, FOUNDER]).in_bulk(field_name="username")
    return {**users, "anonymous": None}
