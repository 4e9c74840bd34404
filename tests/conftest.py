import contextlib
import hashlib
import os
import sqlite3
import sys
from importlib import metadata
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from rest_framework.test import APIClient

from profiles.permissions import EXECUTIVES, HR, MODERATORS
from tests.factories import DepartmentFactory, UserFactory

ROOT = Path(__file__).resolve().parents[1]

PASSWORD = "correct horse battery"


def _clear_cache() -> None:
    """Empty this process's cache. On Redis only this worker's keys go (settings.REDIS_PREFIX):
    `cache.clear()` would FLUSHDB under a parallel worker's feet."""
    from django.conf import settings

    if not settings.REDIS_URL:
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{settings.REDIS_PREFIX}:*", count=1000))
    if keys:
        client.delete(*keys)


def cache_snapshot() -> dict:
    """What this process's cache holds (this worker's keys on Redis), for `cache_restore`."""
    from django.conf import settings

    if not settings.REDIS_URL:
        with cache._lock:
            return {"entries": dict(cache._cache), "expiry": dict(cache._expire_info)}
    client = cache._cache.get_client(write=True)
    keys = client.scan_iter(match=f"{settings.REDIS_PREFIX}:*", count=1000)
    return {key: (client.dump(key), client.pttl(key)) for key in keys}


def cache_restore(snapshot: dict) -> None:
    """Put back what `cache_snapshot` saw, over an emptied cache."""
    from django.conf import settings

    _clear_cache()
    if not settings.REDIS_URL:
        with cache._lock:
            cache._cache.update(snapshot["entries"])
            cache._expire_info.update(snapshot["expiry"])
        return
    client = cache._cache.get_client(write=True)
    for key, (value, ttl) in snapshot.items():
        if value is not None and ttl != -2:  # -2: gone (expired) since the snapshot
            client.restore(key, max(ttl, 0), value, replace=True)


def _template_key() -> str:
    """What a migrated database depends on: every source file of the project outside the
    tests (migrations, models, signal handlers, settings), the versions of every installed
    distribution (their migrations) and of Python and SQLite."""
    from django.conf import settings

    digest = hashlib.sha256()
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in ("tests", ".venv", "bench", "node_modules"):
            continue
        digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    versions = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    digest.update(repr((versions, sys.version, sqlite3.sqlite_version)).encode())
    digest.update(repr((settings.INSTALLED_APPS, settings.MIGRATION_MODULES)).encode())
    return digest.hexdigest()[:24]


@contextlib.contextmanager
def _migrated_sqlite_template():
    """While the test databases are made: the first `migrate` of an in-memory SQLite test
    database is replaced by a copy of a database migrated earlier by the same code (the SQLite
    backup API, page for page: schema, triggers, rows written by migrations and post_migrate),
    and a database migrated here is kept for the next process. Keyed by `_template_key`: any
    change to the project's code or the installed packages migrates afresh. PostgreSQL is
    always migrated. TEST_DB_TEMPLATE=0 turns it off."""
    from django.core import management
    from django.db import connections

    if os.environ.get("TEST_DB_TEMPLATE", "1") == "0":
        yield
        return
    real = management.call_command
    folder = Path(
        os.environ.get("TEST_DB_TEMPLATE_DIR")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        / "enterprise-social"
        / "test-db"
    )

    def call_command(name, *args, **options):
        connection = connections[options.get("database", "default")]
        if (
            name != "migrate"
            or args
            or connection.vendor != "sqlite"
            or not connection.creation.is_in_memory_db(connection.settings_dict["NAME"])
        ):
            return real(name, *args, **options)
        template = folder / f"{_template_key()}.sqlite3"
        connection.ensure_connection()
        if template.exists():
            source = sqlite3.connect(template)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
            return None
        result = real(name, *args, **options)
        folder.mkdir(parents=True, exist_ok=True)
        partial = template.with_suffix(f".{os.getpid()}.partial")
        target = sqlite3.connect(partial)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        os.replace(partial, template)
        return result

    management.call_command = call_command
    try:
        yield
    finally:
        management.call_command = real


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's, with an in-memory SQLite database copied from one migrated before by
    the same code when there is one (`_migrated_sqlite_template`)."""
    from pytest_django.fixtures import django_db_setup as original

    setup = original.__wrapped__(
        request,
        django_test_environment,
        django_db_blocker,
        django_db_use_migrations,
        django_db_keepdb,
        django_db_createdb,
        django_db_modify_db_settings,
    )
    with _migrated_sqlite_template():
        next(setup)
    yield
    next(setup, None)


@pytest.fixture(autouse=True)
def _isolated_cache():
    # Rate limits and sessions live in the cache; a test must not inherit another's counters.
    _clear_cache()
    yield
    _clear_cache()


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete_on_postgresql():
    """Empty the tables after a transactional test with DELETE on the tables that hold rows,
    not Django's TRUNCATE of all 86: on PostgreSQL a TRUNCATE makes new files for every table
    and index (2-3 s a test here; DELETE of the few rows written, a few ms). The end state is
    the same: every table empty, sequences not reset (Django's default). Triggers do not fire,
    as for TRUNCATE (the audit log refuses deletes of recent entries): the session is set to
    `replica` for the flush, which needs a superuser; other roles keep TRUNCATE."""
    from django.db import connection

    operations = type(connection.ops)
    if connection.vendor != "postgresql":
        yield
        return
    truncate = operations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
            superuser = cursor.fetchone()[0]
            if not tables or reset_sequences or allow_cascade or not superuser:
                return truncate(
                    self,
                    style,
                    tables,
                    reset_sequences=reset_sequences,
                    allow_cascade=allow_cascade,
                )
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s WHERE EXISTS (SELECT 1 FROM {self.quote_name(table)})"  # noqa: S608
                    for table in tables
                ),
                list(tables),
            )
            holding = [row[0] for row in cursor.fetchall()]
        # SET LOCAL: for the flush's own transaction (execute_sql_flush runs in one) only. Never
        # an empty list: `flush` would then skip post_migrate (content types, permissions).
        return [
            "SET LOCAL session_replication_role = replica",
            # Table names from Django's introspection, quoted.
            *(f"DELETE FROM {self.quote_name(table)}" for table in holding),  # noqa: S608
        ]

    operations.sql_flush = sql_flush
    try:
        yield
    finally:
        operations.sql_flush = truncate


@pytest.fixture(autouse=True)
def _forget_visits():
    # Each process remembers whom it counted a visit for today; tests start from nobody.
    from activity.services import seen_today

    seen_today.clear()
    yield
    seen_today.clear()


@pytest.fixture(autouse=True)
def _short_demo_history(settings):
    # seed_demo draws a year of activity for the engagement report; tests that seed need a
    # few weeks of it (tests/engagement/test_seed_activity.py asks for the whole year).
    settings.DEMO_ACTIVITY_DAYS = SEED_SETTINGS["DEMO_ACTIVITY_DAYS"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing strength is Django's concern, not ours; the suite should not spend minutes on it.
    settings.PASSWORD_HASHERS = SEED_SETTINGS["PASSWORD_HASHERS"]


def seeded_module(name: str, **options):
    """A module-scoped fixture `name`: the output of `seed_demo` run with `options` once for
    the module (once per xdist worker that runs its tests) instead of once per test.

    The seed stays inside a transaction that is rolled back after the module's last test, and
    each test runs in a savepoint inside it: what a test writes (a second seed, a login) is
    gone before the next one, and no other module ever sees the seeded company. A test that
    needs an empty database belongs in another module."""

    @pytest.fixture(scope="module", name=name)
    def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            # The demo's files (attachments) go to a folder of the module's, never the project's.
            media = tmp_path_factory.mktemp("seed-media")
            with override_settings(**SEED_SETTINGS, MEDIA_ROOT=media):
                out = StringIO()
                call_command("seed_demo", stdout=out, stderr=StringIO(), **options)
        try:
            yield out.getvalue()
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)

    return seeded


# What the autouse fixtures below set per test, for seeds made before any test starts.
SEED_SETTINGS = {
    "DEMO_ACTIVITY_DAYS": 28,
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}


@contextlib.contextmanager
def built_once(django_db_blocker, build, *, media, **overrides):
    """For a module-scoped fixture: `build()` run once, inside a transaction held open until
    the module's last test and then rolled back (each test runs in a savepoint inside it, so
    what a test writes is gone before the next one). Yields what `build` returned and a
    snapshot of the cache it left (`cache_restore` puts it back for each test); the files it
    stores go to `media`."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            _clear_cache()
            with override_settings(**SEED_SETTINGS, MEDIA_ROOT=media, **overrides):
                built = build()
            cached = cache_snapshot()
            _clear_cache()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    try:
        yield built, cached
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def engineering(db):
    return DepartmentFactory(name="Engineering", slug="engineering")


@pytest.fixture
def sales(db):
    return DepartmentFactory(name="Sales", slug="sales")


@pytest.fixture
def alice(engineering):
    return UserFactory(
        username="alice",
        finish__display_name="Alice Archer",
        finish__department=engineering,
        finish__title="Software Engineer",
    )


@pytest.fixture
def bob(sales):
    return UserFactory(
        username="bob",
        finish__display_name="Bob Baker",
        finish__department=sales,
        finish__title="Account Executive",
    )


@pytest.fixture
def carol(engineering):
    return UserFactory(
        username="carol", finish__display_name="Carol Chen", finish__department=engineering
    )


@pytest.fixture
def ceo(db):
    return UserFactory(username="ceo", finish__display_name="Morgan Reyes", roles=[EXECUTIVES])


@pytest.fixture
def hr_user(db):
    return UserFactory(username="hr", roles=[HR])


@pytest.fixture
def moderator(db):
    return UserFactory(username="mod", roles=[MODERATORS])


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def alice_api(alice):
    client = APIClient()
    client.force_login(alice)
    return client


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client
