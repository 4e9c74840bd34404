"""Settings come from the environment (django-environ); a value that cannot be read stops
startup with one line naming the variable, never a traceback."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETUP = "import django; django.setup(); from django.conf import settings; print(settings.{})"


def start(env: dict[str, str], show: str = "DEBUG") -> subprocess.CompletedProcess:
    """`django.setup()` in a fresh interpreter with `env` over a clean environment."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "ENGAGEMENT_", "API_"))
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", SETUP.format(show)],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "enterprise_social.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://x"),
        ("DATABASE_URL", "postgres://db.example:port/social"),
        ("DATABASE_URL", "postgres://db.example/social?pool_max_size=many"),
        ("DATABASE_POOL_MAX_SIZE", "lots"),
        ("DJANGO_DEBUG", "maybe"),
        ("DJANGO_HTTPS", "sometimes"),
        ("ENGAGEMENT_MIN_GROUP", "abc"),
        ("ENGAGEMENT_MIN_GROUP", "3"),
        ("IDEAS_REVIEW_VOTES", "ten"),
        ("API_THROTTLE_RATE", "fast"),
        ("API_THROTTLE_RATE", "100/fortnight"),
        ("EMAIL_PORT", "smtp"),
        ("LOG_LEVEL", "LOUD"),
        ("TIME_ZONE", "Mars/Olympus"),
    ],
)
def test_a_bad_value_stops_startup_with_one_line_naming_it(name, value):
    env = {name: value}
    if name == "DATABASE_POOL_MAX_SIZE":
        env["DATABASE_URL"] = "postgres://db.example/social"
    if name == "EMAIL_PORT":
        env["EMAIL_HOST"] = "smtp.example.com"
    result = start(env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{name}: "), lines[0]
    assert result.stdout == ""


def test_unset_and_empty_values_are_the_embedded_defaults():
    result = start({"DJANGO_DEBUG": "", "ENGAGEMENT_MIN_GROUP": ""}, show="ENGAGEMENT_MIN_GROUP")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "5"
    assert start({}).stdout.strip() == "True"
    for word, debug in (("0", "False"), ("off", "False"), ("yes", "True"), ("TRUE", "True")):
        result = start({"DJANGO_DEBUG": word, "DJANGO_SECRET_KEY": "x" * 50,
                        "DJANGO_ALLOWED_HOSTS": "social.example.com"})  # fmt: skip
        assert result.stdout.strip() == debug, (word, result.stderr)


def test_database_url_keeps_the_pool_and_health_checks():
    result = start(
        {
            "DATABASE_URL": "postgres://u:p%40ss@db.example:6543/social?sslmode=require&pool_max_size=40"
        },
        show='DATABASES["default"]',
    )
    assert result.returncode == 0, result.stderr
    config = ast.literal_eval(result.stdout)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("social", "u", "p@ss")
    assert (config["HOST"], str(config["PORT"])) == ("db.example", "6543")
    assert config["CONN_MAX_AGE"] == 0 and config["CONN_HEALTH_CHECKS"] is True
    assert config["OPTIONS"] == {
        "sslmode": "require",
        "pool": {"min_size": 2, "max_size": 40, "timeout": 10},
    }
    assert config["TEST"]["NAME"] == "test_social"
