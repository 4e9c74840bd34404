"""What an export's ZIP holds: every file hashed in the manifest, whole edit histories, the
attached files, and exactly the selection (custodians, communities, days, terms)."""

import hashlib
from datetime import date, datetime, timedelta

import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from communities import services as communities
from exec_blog import services as blog
from exec_blog.delegates import delegate_add
from feeds import services as feeds
from tests.attachments import media
from tests.attachments.helpers import make_upload

from .conftest import JSONL, at

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)
START, END = DAY - timedelta(days=5), DAY + timedelta(days=5)
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}


def dated(obj, when, field="created_at"):
    type(obj).objects.filter(pk=obj.pk).update(**{field: when})
    obj.refresh_from_db()
    return obj


def test_the_manifest_lists_every_file_with_its_hash_and_size(alice, export_of):
    status = feeds.status_create(author=alice, body="Quarterly numbers are in")
    upload = make_upload(alice, media.pdf(), name="numbers.pdf")
    feeds.status_update(
        actor=alice, status=status, body="Numbers are in", attachments=[upload.token]
    )
    export = export_of(custodians=["alice"], start="2000-01-01", end="2100-01-01")
    manifest = export.manifest
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert sorted(export.zip.namelist()) == sorted([*listed, "manifest.json"])
    assert set(JSONL) <= set(listed)
    for path, entry in listed.items():
        data = export.zip.read(path)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), path
        assert entry["size"] == len(data), path
    assert any(path.startswith("files/") for path in listed)
    assert manifest["parameters"] == {
        "custodians": ["alice"],
        "communities": [],
        "start": "2000-01-01",
        "end": "2100-01-01",
        "q": "",
    }
    assert manifest["export_id"] == export.id and manifest["requested_by"] == "compliance"
    assert listed["statuses.jsonl"]["rows"] == 1
    # The API's hash and size are the downloaded ZIP's own.
    assert export.detail["size"] == len(export.raw)
    assert export.detail["sha256"] == hashlib.sha256(export.raw).hexdigest()


def test_an_edited_status_comes_with_its_whole_history(alice, export_of):
    status = feeds.status_create(author=alice, body="First words")
    feeds.status_update(actor=alice, status=status, body="Second words")
    feeds.status_update(actor=alice, status=status, body="Third words")
    export = export_of(custodians=["alice"], start="2000-01-01", end="2100-01-01")
    [row] = export.rows("statuses.jsonl")
    assert row["body"] == "Third words" and row["edited_at"]
    assert row["url"] == settings.SITE_URL + status.get_absolute_url()
    history = export.rows("status_revisions.jsonl")
    assert [r["body"] for r in history] == ["First words", "Second words"]
    assert {r["status_id"] for r in history} == {status.pk}
    assert history[0]["replaced_at"] <= history[1]["written_at"]


def test_attached_files_are_in_the_zip_with_matching_hashes(alice, bob, export_of):
    document = make_upload(alice, media.pdf(), name="plan.pdf")
    picture = make_upload(alice, media.picture(), name="team.jpg")
    status = feeds.status_create(author=alice, body="The plan", attachments=[document.token])
    other = feeds.status_create(author=bob, body="Lunch")
    comment = feeds.comment_create(
        author=alice, status=other, body="A picture", attachments=[picture.token]
    )
    not_hers = make_upload(bob, media.pdf(), name="bobs.pdf")
    feeds.status_create(author=bob, body="Bob's file", attachments=[not_hers.token])
    export = export_of(custodians=["alice"], start="2000-01-01", end="2100-01-01")
    rows = {row["token"]: row for row in export.rows("attachments.jsonl")}
    assert set(rows) == {document.token, picture.token}
    assert rows[document.token]["owner"] == {"type": "feeds.status", "id": status.pk}
    assert rows[picture.token]["owner"] == {"type": "feeds.comment", "id": comment.pk}
    for attachment in (document, picture):
        attachment.refresh_from_db()
        row = rows[attachment.token]
        data = export.zip.read(row["path"])
        with default_storage.open(attachment.file.name, "rb") as stored:
            assert data == stored.read()
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
        assert row["path"].startswith(f"files/{attachment.token}/")
    # A document is kept as sent: the hash taken at upload is the exported file's.
    assert (
        rows[document.token]["sha256"] == document.sha256 == rows[document.token]["upload_sha256"]
    )
    assert export.manifest["counts"]["files"] == 2


def test_a_deleted_status_is_exported_as_a_tombstone_with_its_text(alice, export_of):
    status = feeds.status_create(author=alice, body="Regrettable words")
    feeds.status_delete(actor=alice, status=status)
    export = export_of(custodians=["alice"], start="2000-01-01", end="2100-01-01")
    [row] = export.rows("statuses.jsonl")
    assert row["body"] == "Regrettable words"
    assert row["removal"]["kind"] == "author" and row["removal"]["by"] == "alice"
    assert row["removal"]["at"]


@pytest.fixture
def company(alice, bob, carol, ceo, moderator):
    """Alice is the custodian; around her, everyone else writes in the same days."""
    club = communities.community_create(
        actor=carol, name="Finance club", slug="finance", visibility="open", join_policy="open"
    )
    communities.membership_join(actor=bob, community=club)
    o = {}
    o["alice_in"] = dated(feeds.status_create(author=alice, body="Budget review"), at(DAY))
    o["alice_first_day"] = dated(
        feeds.status_create(author=alice, body="Budget start"), at(START, 0)
    )
    o["alice_last_day"] = dated(feeds.status_create(author=alice, body="Budget end"), at(END, 23))
    o["alice_before"] = dated(
        feeds.status_create(author=alice, body="Budget before"), at(START - timedelta(days=1), 23)
    )
    o["alice_after"] = dated(
        feeds.status_create(author=alice, body="Budget after"), at(END + timedelta(days=1), 0)
    )
    o["alice_other_words"] = dated(feeds.status_create(author=alice, body="Lunch menu"), at(DAY))
    o["bob_same_day"] = dated(feeds.status_create(author=bob, body="Budget talk"), at(DAY))
    o["bob_in_club"] = dated(
        feeds.status_create(author=bob, body="Budget in club", community=club), at(DAY)
    )
    o["carol_in_club_outside"] = dated(
        feeds.status_create(author=carol, body="Budget old club", community=club),
        at(START - timedelta(days=30)),
    )
    o["bob_comment_on_alice"] = dated(
        feeds.comment_create(author=bob, status=o["alice_in"], body="Budget reply"), at(DAY)
    )
    o["alice_comment_on_bob"] = dated(
        feeds.comment_create(author=alice, status=o["bob_same_day"], body="BUDGET agreed"),
        at(DAY),
    )
    o["carol_comment_in_club"] = dated(
        feeds.comment_create(author=carol, status=o["bob_in_club"], body="budget noted"), at(DAY)
    )
    feeds.moderation_apply(
        moderator=moderator, action="lock", reason="Cooling down", status=o["alice_in"]
    )
    feeds.moderation_apply(
        moderator=moderator, action="lock", reason="Cooling down", status=o["bob_same_day"]
    )
    o["asked"] = dated(blog.question_create(asker=alice, body="What about the budget?"), at(DAY))
    o["asked_anonymously"] = dated(
        blog.question_create(asker=alice, body="Why cut the budget?", anonymous=True), at(DAY)
    )
    o["bob_asked"] = dated(blog.question_create(asker=bob, body="Budget for travel?"), at(DAY))
    o["post"] = dated(
        blog.post_create(author=ceo, title="Budget", body="The budget plan", status="published"),
        at(DAY),
    )
    o["club"] = club
    return o


def test_a_custodian_export_holds_what_they_wrote_in_the_days_and_nothing_else(company, export_of):
    o = company
    export = export_of(custodians=["alice"], **PERIOD)
    assert export.ids("statuses.jsonl") == {
        o[k].pk for k in ("alice_in", "alice_first_day", "alice_last_day", "alice_other_words")
    }
    assert export.ids("comments.jsonl") == {o["alice_comment_on_bob"].pk}
    # Named questions only: an anonymous question is never tied to its asker.
    assert export.ids("questions.jsonl") == {o["asked"].pk}
    assert export.ids("blog_posts.jsonl") == set()
    # Moderation of her statuses, not of Bob's.
    [action] = export.rows("moderation_actions.jsonl")
    assert action["status_id"] == o["alice_in"].pk and action["moderator"] == "mod"
    everything = b"".join(export.zip.read(name) for name in JSONL)
    for text in (b"Budget talk", b"Budget reply", b"Why cut", b"Budget before", b"Budget after"):
        assert text not in everything


def test_a_community_export_holds_everyone_s_posts_there_and_only_there(company, export_of):
    o = company
    export = export_of(communities=["finance"], **PERIOD)
    assert export.ids("statuses.jsonl") == {o["bob_in_club"].pk}
    assert export.ids("comments.jsonl") == {o["carol_comment_in_club"].pk}
    assert export.ids("questions.jsonl") == set() and export.ids("blog_posts.jsonl") == set()
    [row] = export.rows("statuses.jsonl")
    assert row["community"] == "finance" and row["author"] == "bob"


def test_terms_narrow_the_selection_in_any_letter_case(company, export_of):
    o = company
    export = export_of(custodians=["alice"], communities=["finance"], q="budget", **PERIOD)
    assert export.ids("statuses.jsonl") == {
        o[k].pk for k in ("alice_in", "alice_first_day", "alice_last_day", "bob_in_club")
    }
    assert export.ids("comments.jsonl") == {
        o["alice_comment_on_bob"].pk,
        o["carol_comment_in_club"].pk,
    }
    phrase = export_of(custodians=["alice"], q='"budget review"', **PERIOD)
    assert phrase.ids("statuses.jsonl") == {o["alice_in"].pk}
    both = export_of(custodians=["alice"], q="budget END", **PERIOD)
    assert both.ids("statuses.jsonl") == {o["alice_last_day"].pk}


def test_an_executive_custodian_brings_blog_posts_revisions_and_answers(ceo, bob, export_of):
    post = blog.post_create(author=ceo, title="Plans", body="Version one", status="published")
    blog.post_update(actor=ceo, post=post, body="Version two")
    question = blog.question_create(asker=bob, body="Will there be bonuses?")
    blog.question_answer(executive=ceo, question=question, body="Yes, in March.")
    blog.question_create(asker=bob, body="Unanswered question here")
    export = export_of(custodians=["ceo"], start="2000-01-01", end="2100-01-01")
    [row] = export.rows("blog_posts.jsonl")
    assert row["body"] == "Version two" and row["state"] == "published"
    assert row["url"] == settings.SITE_URL + post.get_absolute_url()
    assert export.rows("questions.jsonl")[0]["url"].endswith(question.get_absolute_url())
    assert [r["body"] for r in export.rows("blog_post_revisions.jsonl")] == ["Version one"]
    [answered] = export.rows("questions.jsonl")
    assert answered["id"] == question.pk and answered["asker"] == "bob"
    assert answered["answer"]["by"] == "ceo" and answered["answer"]["body"] == "Yes, in March."
    # The post's card in the feed is the executive's status.
    assert post.card_id in export.ids("statuses.jsonl")


def test_a_delegate_s_work_for_an_executive_is_in_both_their_records(ceo, alice, bob, export_of):
    delegate_add(executive=ceo, delegate=alice)
    post = blog.post_create(
        author=ceo, actor=alice, title="Town hall", body="Notes", status="published"
    )
    question = blog.question_create(asker=bob, body="Is the town hall recorded?")
    blog.question_answer(executive=ceo, actor=alice, question=question, body="Yes, always.")
    for custodian in ("alice", "ceo"):
        export = export_of(custodians=[custodian], start="2000-01-01", end="2100-01-01")
        [row] = export.rows("blog_posts.jsonl")
        assert (row["id"], row["author"], row["posted_by"]) == (post.pk, "ceo", "alice")
        [answered] = export.rows("questions.jsonl")
        assert answered["answer"]["by"] == "ceo" and answered["answer"]["posted_by"] == "alice"
    export = export_of(custodians=["bob"], start="2000-01-01", end="2100-01-01")
    assert export.rows("blog_posts.jsonl") == []
    [asked] = export.rows("questions.jsonl")
    assert asked["answer"]["posted_by"] == "alice"


def test_nothing_selected_still_makes_a_whole_zip(alice, export_of):
    export = export_of(custodians=["alice"], start="2001-01-01", end="2001-01-02")
    assert all(export.rows(name) == [] for name in JSONL)
    assert export.manifest["counts"]["statuses.jsonl"] == 0


def test_a_file_edited_out_of_a_status_stays_in_its_history(alice, export_of):
    document = make_upload(alice, media.pdf(), name="draft.pdf")
    status = feeds.status_create(author=alice, body="Draft attached", attachments=[document.token])
    feeds.status_update(actor=alice, status=status, body="No draft any more", attachments=[])
    export = export_of(custodians=["alice"], start="2000-01-01", end="2100-01-01")
    [row] = export.rows("attachments.jsonl")
    assert row["token"] == document.token and row["detached_at"]
    assert export.zip.read(row["path"]) == media.pdf()
    [earlier] = export.rows("status_revisions.jsonl")
    assert earlier["attachments"] == [document.token]


def test_content_dated_after_the_build_started_is_not_selected(alice, export_of):
    now = feeds.status_create(author=alice, body="Written before the build")
    later = dated(
        feeds.status_create(author=alice, body="Dated after the build"),
        now.created_at + timedelta(hours=1),
    )
    export = export_of(custodians=["alice"], start="2000-01-01", end="2100-01-01")
    assert export.ids("statuses.jsonl") == {now.pk}
    assert later.pk not in export.ids("statuses.jsonl")
    as_of = datetime.fromisoformat(export.manifest["as_of"].replace("Z", "+00:00"))
    assert now.created_at <= as_of < later.created_at
