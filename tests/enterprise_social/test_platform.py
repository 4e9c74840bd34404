import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3y-" + "q8Zt1xV9wLmN4pRs7Yb2Hc5Jd0Kf6Ge3Ua8Io1Pl7Mn2Bv4Cx9Zs5Dq0Wr6Ty",
    "DJANGO_ALLOWED_HOSTS": "social.example.com",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_healthz_is_open_and_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_without_secret_key_or_hosts_stops_with_one_line(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert missing in lines[0]


def test_production_settings_pass_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pages_carry_a_strict_content_security_policy_and_security_headers(alice_client):
    response = alice_client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "private" in response["Cache-Control"]


def test_unknown_page_is_a_friendly_404(alice_client):
    response = alice_client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"<html" in response.content.lower()


def test_unknown_api_path_is_json_404(alice_client):
    response = alice_client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_unknown_sign_in_provider_is_404_not_500(client):
    assert client.get("/accounts/oidc/nope/login/").status_code == 404


def test_api_throttling_answers_429(alice_api, settings):
    from rest_framework.throttling import UserRateThrottle

    original = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = {"user": "3/min"}
    try:
        responses = [alice_api.get("/api/v1/me/") for _ in range(5)]
    finally:
        UserRateThrottle.THROTTLE_RATES = original
    statuses = [r.status_code for r in responses]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]
    assert 1 <= int(responses[-1]["Retry-After"]) <= 60


def test_models_and_migrations_agree():
    from io import StringIO

    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())
