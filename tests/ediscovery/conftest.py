"""eDiscovery tests: a Compliance officer, an export asked for through the API and built by
running the queued jobs as a worker would (tests/reach/conftest.py), and the ZIP opened."""

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

import pytest
from django.test import Client, TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from profiles.permissions import COMPLIANCE
from tests.factories import UserFactory
from tests.reach.conftest import run_jobs

JSONL = (
    "statuses.jsonl",
    "status_revisions.jsonl",
    "comments.jsonl",
    "moderation_actions.jsonl",
    "blog_posts.jsonl",
    "blog_post_revisions.jsonl",
    "questions.jsonl",
    "attachments.jsonl",
)


@pytest.fixture
def officer(db):
    return UserFactory(username="compliance", roles=[COMPLIANCE])


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def page_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at(day: date, hour: int = 12):
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@dataclass
class Export:
    id: int
    detail: dict
    raw: bytes

    @property
    def zip(self) -> zipfile.ZipFile:
        return zipfile.ZipFile(io.BytesIO(self.raw))

    def rows(self, name: str) -> list[dict]:
        return [json.loads(line) for line in self.zip.read(name).decode().splitlines()]

    @property
    def manifest(self) -> dict:
        return json.loads(self.zip.read("manifest.json"))

    def ids(self, name: str) -> set[int]:
        return {row["id"] for row in self.rows(name)}


@pytest.fixture
def export_of(officer):
    """Ask for an export as the officer (API), run the jobs, download the ZIP and open it."""

    def make(**body) -> Export:
        client = api_for(officer)
        with TestCase.captureOnCommitCallbacks(execute=True):
            created = client.post("/api/v1/compliance/exports/", body, format="json")
        assert created.status_code == 202, created.content
        run_jobs()
        export_id = created.json()["id"]
        detail = client.get(f"/api/v1/compliance/exports/{export_id}/").json()
        assert detail["state"] == "ready", detail
        response = page_for(officer).get(detail["download_url"])
        assert response.status_code == 200, response
        return Export(export_id, detail, body_of(response))

    return make
