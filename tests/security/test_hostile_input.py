"""No input makes the database fail (issue 22, point 5).

PostgreSQL refuses NUL in text and cannot encode a lone surrogate; SQLite stores both, so a suite
on SQLite never sees the 500s. `core.middleware.UnstorableInputMiddleware` refuses
such values once, before any view: a 404 in the path, a 400 anywhere else.

The sweep walks every URL pattern (each path converter given each hostile value) and, for every
GET route, each query parameter the view reads (recorded while it answers a plain request, plus
the ones the code reads by name) with each hostile value, as an employee who holds every role
and is an admin, so role-gated code runs. No answer may be a 5xx. It runs on whatever
DATABASE_URL says: CI's second pass runs it on PostgreSQL.
"""

import json
import re
from urllib.parse import quote

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils.datastructures import MultiValueDict

from core.ratelimit import ApiThrottle
from exec_blog.services import post_create, question_create
from feeds.services import comment_create, report_create, status_create
from ideas.services import idea_create
from profiles.permissions import EXECUTIVES, HR, MODERATORS
from tests.enterprise_social.test_access import ROUTES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Already percent-encoded: what a client puts on the wire. The guard answers the first two
# before any view runs (cheap); the others reach the views and their queries.
UNSTORABLE = ["%00", "a%ED%A0%80"]  # NUL; a UTF-16 surrogate in UTF-8 (decoded as U+FFFD)
REACHING = [
    "99999999999999999999",  # beyond 64 bits
    "%C0%80",  # an overlong NUL: decoded as replacement characters
    "-1%27%22%3C%3E%5C",  # a sign, quotes, angle brackets, backslash
]
HOSTILE = UNSTORABLE + REACHING
# Every GET route's query parameters are recorded while it answers; these are the ones the code
# reads by name (grep request.GET / query_params) on a GET: the recorder must see each of them.
# (`next` is read only by a POST view, after it acts: the path walk's POST reaches it.)
KNOWN_PARAMETERS = {
    "q", "department", "author", "hashtag", "tag", "skill", "sort", "state", "answered",
    "cursor", "after", "ids", "page_size", "mine", "action", "start", "end",
    "group_by",
}  # fmt: skip
CHUNKS = 8


@pytest.fixture
def walker(db, engineering, alice, bob, settings, monkeypatch):
    settings.ALLOWED_HOSTS = ["testserver"]
    # One very busy user: throttling it would test the throttle, not the views.
    monkeypatch.setattr(ApiThrottle, "allow_request", lambda self, request, view: True)
    user = UserFactory(
        username="walker",
        roles=[EXECUTIVES, HR, MODERATORS],
        is_staff=True,
        is_superuser=True,
        finish__department=engineering,
    )
    status = status_create(author=alice, body="hello #fuzz @bob", poll=None)
    comment = comment_create(author=bob, status=status, body="a comment")
    report = report_create(reporter=bob, reason="spam", status=status)
    question = question_create(asker=alice, body="What is the plan for next year?")
    idea = idea_create(author=alice, title="A coffee machine", description="On every floor.")
    post = post_create(author=user, title="Hello all", body="Body", status="published")
    client = Client()
    client.force_login(user)
    client.samples = {
        "username": "alice",
        "status_id": str(status.pk),
        "comment_id": str(comment.pk),
        "question_id": str(question.pk),
        "idea_id": str(idea.pk),
        "report_id": str(report.pk),
        "slug": post.slug,
        "tag": "fuzz",
        "kind": "like",
        "key": "abc",
        "uidb36": "1",
        "provider_id": "sso",
        "app_label": "profiles",
        "content_type_id": "1",
        "object_id": str(alice.pk),
        "id": str(alice.pk),
        "pk": str(status.pk),
        "image_id": "1",
        "url": "x",
    }
    return client


def fill(route: str, samples: dict, value: str | None = None, only: str | None = None) -> str:
    def one(match):
        name = match.group(1)
        if value is not None and (only is None or only == name):
            return value
        if route.startswith("departments/") and name == "slug":
            return "engineering"
        return samples.get(name, "1")

    return "/" + re.sub(r"<(\w+)>", one, route)


def check(client, method: str, url: str) -> None:
    try:
        response = getattr(client, method)(url)
    except Exception as error:  # noqa: BLE001 - the test client re-raises what became a 500
        pytest.fail(f"{method.upper()} {url[:200]}: {type(error).__name__}: {error}")
    assert response.status_code < 500, (method, url[:200], response.status_code)


# Routes that only log out: walking them would end the session.
SKIP = re.compile(r"^(accounts/logout/|_allauth/app/v1/auth/session$)")
WALKED = [route for route in ROUTES if not SKIP.match(route)]
# Query strings go to the product's own GET routes; allauth and the admin read theirs through
# Django's forms and changelist, which the guard covers for NUL and surrogates.
QUERIED = [route for route in WALKED if not route.startswith(("accounts/", "_allauth/", "admin/"))]
# Generating the schema takes a second, and reads (through the views it describes) every name
# they read: its own parameters are enough.
OWN_PARAMETERS = {"api/schema/": {"format", "lang"}, "api/docs/": set()}


def chunk(routes: list[str], index: int) -> list[str]:
    return routes[index::CHUNKS]


@pytest.mark.parametrize("index", range(CHUNKS))
def test_every_path_converter_takes_hostile_values_without_a_5xx(walker, index):
    for route in chunk(WALKED, index):
        for name in re.findall(r"<(\w+)>", route):
            for value in HOSTILE:
                url = fill(route, walker.samples, value, only=name)
                check(walker, "get", url)
            url = fill(route, walker.samples, REACHING[0], only=name)
            check(walker, "post", url)


class Recorder:
    """Which query keys a view reads: every lookup on a QueryDict while it answers."""

    def __init__(self, monkeypatch):
        self.keys: set[str] = set()
        recorder = self
        original_get, original_getitem = MultiValueDict.get, MultiValueDict.__getitem__
        original_getlist, original_contains = MultiValueDict.getlist, QueryDict.__contains__

        def get(self, key, default=None):
            recorder.keys.add(key)
            return original_get(self, key, default)

        def getitem(self, key):
            recorder.keys.add(key)
            return original_getitem(self, key)

        def getlist(self, key, default=None):
            recorder.keys.add(key)
            return original_getlist(self, key, default)

        def contains(self, key):
            recorder.keys.add(key)
            return original_contains(self, key)

        monkeypatch.setattr(QueryDict, "get", get)
        monkeypatch.setattr(QueryDict, "__getitem__", getitem)
        monkeypatch.setattr(QueryDict, "getlist", getlist)
        monkeypatch.setattr(QueryDict, "__contains__", contains)


def parameters_read(walker, url: str) -> set[str]:
    with pytest.MonkeyPatch.context() as patch:
        recorder = Recorder(patch)
        check(walker, "get", url)
    # Keys Django itself looks up on every request, not the view's parameters.
    return {key for key in recorder.keys if key and not key.startswith(("csrf", "HTTP_"))}


@pytest.mark.parametrize("index", range(CHUNKS))
def test_every_query_parameter_takes_hostile_values_without_a_5xx(walker, index):
    for route in chunk(QUERIED, index):
        url = fill(route, walker.samples)
        names = OWN_PARAMETERS.get(route)
        for name in sorted(parameters_read(walker, url) if names is None else names):
            for value in HOSTILE:
                target = f"{url}?{quote(name)}={value}"
                check(walker, "get", target)


def test_the_recorder_sees_every_parameter_the_code_reads_by_name(walker):
    seen: set[str] = set()
    for route in QUERIED:
        if route not in OWN_PARAMETERS:
            seen |= parameters_read(walker, fill(route, walker.samples))
    assert KNOWN_PARAMETERS <= seen, sorted(KNOWN_PARAMETERS - seen)


# --- the guard itself: every place a value comes in ----------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/statuses/?q=%00",
        "/api/v1/statuses/?hashtag=%00",
        "/api/v1/statuses/?author=%00",
        "/api/v1/profiles/?q=%00",
        "/api/v1/profiles/?department=%00",
        "/api/v1/ideas/?tag=%00",
        "/api/v1/ideas/?department=%00",
        "/api/v1/statuses/?q%00=1",
    ],
)
def test_a_nul_in_the_query_string_is_a_json_400_on_the_api(alice_api, url):
    response = alice_api.get(url)
    assert response.status_code == 400
    assert response.json() == {"detail": "Bad request."}


@pytest.mark.parametrize(
    "url", ["/search/?q=%00", "/people/?q=%00", "/people/?department=%00", "/ideas/?tag=%00"]
)
def test_a_nul_in_the_query_string_is_the_400_page(alice_client, url):
    response = alice_client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("url", ["/api/v1/profiles/%00/", "/tags/%00/", "/people/a%00/"])
def test_a_nul_in_the_path_is_a_404(alice_client, url):
    response = alice_client.get(url)
    assert response.status_code == 404
    if url.startswith("/api/"):
        assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    "body",
    [
        {"body": "a\u0000b"},
        {"body": "\ud800"},
        {"body\u0000": "x"},
        {"body": "ok", "attachments": [{"x": ["\u0000"]}]},
    ],
)
def test_unstorable_json_strings_are_a_400(alice_api, body):
    raw = json.dumps(body)  # ASCII: the NUL and the surrogate travel as \u escapes
    for method in ("post", "patch"):
        response = getattr(alice_api, method)(
            "/api/v1/statuses/", raw, content_type="application/json"
        )
        assert response.status_code == 400, method
    assert not alice_api.get("/api/v1/statuses/").json()["results"]


def test_json_nested_too_deeply_is_a_400(alice_api):
    raw = "[" * 100_000 + "]" * 100_000
    response = alice_api.post("/api/v1/statuses/", raw, content_type="application/json")
    assert response.status_code == 400


def test_a_backslash_u_that_is_text_is_stored(alice_api):
    raw = json.dumps({"body": "a literal \\u0000 is fine"})
    response = alice_api.post("/api/v1/statuses/", raw, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["body"] == "a literal \\u0000 is fine"


def test_unstorable_form_fields_are_a_400(alice_client, alice_api):
    response = alice_client.post("/statuses/", {"body": "a\x00b"})
    assert response.status_code == 400
    response = alice_api.patch(
        "/api/v1/me/", "title=a%00b", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    response = alice_api.patch("/api/v1/me/", {"title": "a\x00b"}, format="multipart")
    assert response.status_code == 400
    response = alice_api.patch("/api/v1/me/", {"title": "fine"}, format="multipart")
    assert response.status_code == 200
    assert response.json()["title"] == "fine"


def test_an_unstorable_session_token_or_cookie_is_a_400(client, alice):
    response = client.get("/api/v1/me/", headers={"X-Session-Token": "abcdefgh\x00"})
    assert response.status_code == 400
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    response = client.get("/people/")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_the_app_login_refuses_a_nul_with_json(client, alice):
    response = client.post(
        "/_allauth/app/v1/auth/login",
        json.dumps({"username": "alice\u0000", "password": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
