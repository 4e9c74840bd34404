"""Item 3: hostile text through every place user text is rendered, as HTML pages and `*_html`.

The corpus (data/xss.txt) is sent whole to every surface, packed into as few objects as each
field's length allows, so a new payload needs no new code.
"""

import pytest

from core.text import render
from engagement.rollups import rollups_catch_up
from exec_blog import services as blog_services
from feeds import services as feed_services
from ideas import services as idea_services
from profiles import services as profile_services
from tests.engagement.helpers import Kind, act, last_monday, team

from .hostile import assert_inert, assert_page_inert, baseline, chunks, payloads

pytestmark = pytest.mark.django_db

PAYLOADS = payloads()
HARMLESS = "Plain words, **bold**, a [link](https://example.com/) and #launch."


def test_corpus_has_at_least_200_payloads():
    assert len(PAYLOADS) >= 200
    assert len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize("long_form", [False, True], ids=["short", "long"])
def test_every_payload_renders_inert(long_form):
    for payload in PAYLOADS:
        html = render(
            payload,
            long_form=long_form,
            known_usernames={"alice": "alice"},
            link_hashtags=True,
        ).html
        assert_inert(html, where=repr(payload))


def test_the_whole_corpus_at_once_renders_inert():
    # Broken nesting across payloads: one payload's open tag meets the next one's close.
    assert_inert(render("\n".join(PAYLOADS), long_form=True).html, where="whole corpus")
    assert_inert(render("".join(PAYLOADS)).html, where="whole corpus, no breaks")


def test_a_hundred_kilobytes_of_hostile_text_render_inert():
    # Its speed is measured by `python -m bench.text`, not here.
    hostile = ("\n".join(PAYLOADS) * 20)[:100_000]
    for long_form in (False, True):
        rendered = render(
            hostile, long_form=long_form, known_usernames={"alice": "alice"}, link_hashtags=True
        )
        assert_inert(rendered.html, where=f"100 KB, long_form={long_form}")
        assert "alert(1)" in rendered.html  # shown, as text


# --- Every surface, as pages and as API `*_html` fields -----------------------------------------


def _walk_html_fields(data, path="$"):
    if isinstance(data, dict):
        for key, value in data.items():
            if key.endswith("_html") and isinstance(value, str):
                yield f"{path}.{key}", value
            else:
                yield from _walk_html_fields(value, f"{path}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _walk_html_fields(value, f"{path}[{i}]")


def _check_api(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    for where, html in _walk_html_fields(response.json()):
        assert_inert(html, where=f"{url} {where}")


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _content(*, author, executive, moderator, text: str, title: str, label: str):
    """One of everything that holds user text, written with `text` (or `title` in short
    fields, `label` in poll options); returns the URLs that show them."""
    status = feed_services.status_create(
        author=author,
        body=text,
        poll={"options": [label, label[::-1] or "b"]},
    )
    feed_services.comment_create(author=executive, status=status, body=text)
    hidden = feed_services.status_create(author=author, body=text)
    feed_services.moderation_apply(moderator=moderator, action="hide", reason=title, status=hidden)
    post = blog_services.post_create(
        author=executive, title=title, summary=title, body=text, status="published"
    )
    blog_services.question_create(asker=author, body=title)
    question = blog_services.question_create(asker=author, body=text[:500])
    blog_services.question_answer(executive=executive, question=question, body=text)
    idea = idea_services.idea_create(author=author, title=title[:120], description=text)
    idea_services.idea_decide(executive=executive, idea=idea, state="under_review", reason=text)
    profile_services.profile_update(actor=author, profile=author.profile, bio=text[:1000])
    return {
        "pages": [
            "/",
            f"/statuses/{status.pk}/",
            f"/statuses/{hidden.pk}/",
            f"/statuses/{status.pk}/history/",
            f"/people/{author.username}/",
            "/blog/",
            f"/blog/{post.slug}/",
            "/ask/",
            f"/ask/{question.pk}/",
            "/ideas/",
            f"/ideas/{idea.pk}/",
            "/moderation/log/",
            "/notifications/",
            "/tags/launch/",
        ],
        "api": [
            "/api/v1/feed/",
            f"/api/v1/statuses/{status.pk}/",
            f"/api/v1/statuses/{status.pk}/comments/",
            f"/api/v1/statuses/{hidden.pk}/",
            f"/api/v1/profiles/{author.username}/",
            "/api/v1/me/",
            "/api/v1/blog/posts/",
            f"/api/v1/blog/posts/{post.slug}/",
            "/api/v1/questions/",
            f"/api/v1/questions/{question.pk}/",
            "/api/v1/ideas/",
            f"/api/v1/ideas/{idea.pk}/",
            "/api/v1/moderation-log/",
            "/api/v1/notifications/",
        ],
    }


@pytest.fixture
def cast(alice, ceo, moderator, monkeypatch):
    monkeypatch.setattr(blog_services, "RATE_LIMIT", 10_000)  # questions an hour
    return {"author": alice, "executive": ceo, "moderator": moderator}


def test_hostile_text_never_reaches_a_page_or_an_html_field(cast, client):
    rounds = list(
        zip(
            chunks(PAYLOADS, 2000),
            chunks(PAYLOADS, 120, sep=" ") * 3,
            chunks(PAYLOADS, 100, sep=" ") * 3,
            strict=False,
        )
    )
    # The product's own markup, from the same pages holding as much harmless text (so that
    # "more" links and the like are there too).
    for i in range(25):
        feed_services.status_create(author=cast["author"], body=f"{HARMLESS} {i}")
    for _ in rounds:
        urls = _content(**cast, text=HARMLESS, title="A harmless title", label="Yes")
    client.force_login(cast["author"])
    # The product's markup on any of these pages is the product's on all of them.
    shown: set[str] = set()
    known = set().union(*(baseline(_page(client, url)) for url in urls["pages"]))

    for text, title, label in rounds:
        # Each round mentions the author, so the notifications page shows hostile excerpts.
        urls = _content(**cast, text=f"@alice {text}"[:2000], title=title, label=label)
        for url in urls["pages"]:
            page = _page(client, url)
            assert_page_inert(page, known, where=url)
            shown.add(url.split("/")[1]) if "alert(1)" in page else None
        for url in urls["api"]:
            _check_api(client, url)
    # Every kind of page did show the hostile text (as text), so each was really tried.
    assert shown >= {"", "statuses", "people", "blog", "ask", "ideas", "moderation"}, shown


def test_hostile_labels_never_reach_the_engagement_report(hr_user, client, settings, ceo):
    settings.ENGAGEMENT_MIN_GROUP = 1
    client.force_login(hr_user)
    known = baseline(_page(client, "/reports/engagement/"))
    monday = last_monday()
    for name in chunks(PAYLOADS, 100, sep=" ")[:40]:
        _, people = team(name, 2)
        post = blog_services.post_create(author=ceo, title=name, body=name, status="published")
        act(people, Kind.STATUS, monday)
        act(people, Kind.BLOG_READ, monday, object_id=post.pk)
    rollups_catch_up()
    page = _page(client, "/reports/engagement/")
    assert "alert(1)" in page  # the hostile labels are shown, as text
    assert_page_inert(page, known, where="/reports/engagement/")
    response = client.get("/api/v1/reports/engagement/")
    assert response.status_code == 200
    for where, html in _walk_html_fields(response.json()):
        assert_inert(html, where=where)


def test_hostile_short_fields_never_reach_a_page(cast, client):
    """Titles, summaries, question bodies, moderation reasons and poll labels: the whole corpus,
    in as many objects as their short lengths need, each shown on its own page."""
    author, executive, moderator = cast["author"], cast["executive"], cast["moderator"]

    def write(title: str, labels: list[str]) -> list[str]:
        post = blog_services.post_create(
            author=executive, title=title, summary=title, body="Body", status="published"
        )
        idea = idea_services.idea_create(author=author, title=title[:120], description="Why")
        question = blog_services.question_create(asker=author, body=title)
        status = feed_services.status_create(author=author, body="Poll", poll={"options": labels})
        feed_services.moderation_apply(
            moderator=moderator, action="lock", reason=title, status=status
        )
        return [
            f"/blog/{post.slug}/",
            f"/ideas/{idea.pk}/",
            f"/ask/{question.pk}/",
            f"/statuses/{status.pk}/",
        ]

    lists = ["/blog/", "/ideas/", "/ask/", "/moderation/log/", "/"]
    client.force_login(author)
    # Enough harmless objects that every list has a "more" link in the product's markup too.
    harmless = [write(f"A harmless title {i}", ["Yes", "No"]) for i in range(25)][-1]
    known = set().union(*(baseline(_page(client, url)) for url in harmless + lists))

    titles = chunks(PAYLOADS, 120, sep=" ")
    labels = chunks(PAYLOADS, 100, sep=" ")
    for i, title in enumerate(titles):
        options = labels[i * 2 : i * 2 + 2] or ["Yes", "No"]
        if len(options) == 1:
            options.append("No")
        for url in write(title, options):
            assert_page_inert(_page(client, url), known, where=url)
    for url in lists:
        assert_page_inert(_page(client, url), known, where=url)
    for url in ("/api/v1/blog/posts/", "/api/v1/ideas/", "/api/v1/questions/", "/api/v1/feed/"):
        _check_api(client, f"{url}?page_size=100")
