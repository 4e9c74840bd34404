"""The engagement report grouped by community: the same minimum group and complementary
suppression as by department; secret communities only inside the total, never named."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from communities.models import Community
from engagement.models import CommunityRollup
from engagement.report import build, params_from
from engagement.rollups import rollups_catch_up
from tests.engagement.helpers import Kind, act, community, last_monday, team

pytestmark = pytest.mark.django_db

PAGE = "/reports/engagement/"
API = "/api/v1/reports/engagement/"
CSV = "/reports/engagement.csv"
SECRET = "Skunkworks Zeta"


def two_weeks(**extra) -> dict:
    return {
        "start": (last_monday() - timedelta(days=7)).isoformat(),
        "end": (last_monday() + timedelta(days=6)).isoformat(),
        "group_by": "community",
        **extra,
    }


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker):
    """Made once for the module, inside a transaction rolled back after its last test (each
    test runs in a savepoint inside it).

    Two whole weeks:
    - Cyclists (open, 8 members): 6 post both weeks, 5 of them comment twice; in the first week
      2 of them react (a block of 2).
    - Offsite (private, 6 members): 5 post both weeks.
    - Chess (open, 3 members): all 3 post, and 5 people who are not members react in the
      first week (a block of 8 people in a community under the threshold).
    - Quiet (private, 6 members): 3 post in the first week (a small block), 6 in the second.
    - Skunkworks Zeta (secret, 7 members): 6 post both weeks.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        _, people = team("Staff", 20)
        made = {
            "cyclists": community("Cyclists", people[:8]),
            "offsite": community("Offsite", people[8:14], visibility="private"),
            "chess": community("Chess", people[14:17]),
            "quiet": community("Quiet", people[:6], visibility="private"),
            "secret": community(SECRET, people[13:20], visibility="secret"),
        }
        ids = {key: c.pk for key, c in made.items()}
        first, second = last_monday() - timedelta(days=7), last_monday()
        for week in (first, second):
            act(people[:6], Kind.STATUS, week, community_id=ids["cyclists"])
            act(
                people[:5],
                Kind.COMMENT,
                week + timedelta(days=1),
                times=2,
                community_id=ids["cyclists"],
            )
            act(people[8:13], Kind.STATUS, week, community_id=ids["offsite"])
            act(people[14:17], Kind.STATUS, week, community_id=ids["chess"])
            act(people[13:19], Kind.STATUS, week + timedelta(days=2), community_id=ids["secret"])
            act(people, Kind.VISIT, week)
        act(people[4:6], Kind.REACTION, first, community_id=ids["cyclists"])
        act(people[:5], Kind.REACTION, first, community_id=ids["chess"])
        act(people[:3], Kind.STATUS, first, community_id=ids["quiet"])
        act(people[:6], Kind.STATUS, second, community_id=ids["quiet"])
        rollups_catch_up()
    try:
        yield {"people": people, "ids": ids}
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def report_for(**query):
    return build(params_from(query))


def cells_of(report, label):
    return next(r for r in report.rows if r.label == label).cells


# --- Access and input ----------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in_and_the_api_says_401(client, api):
    assert client.get(PAGE, {"group_by": "community"}).status_code == 302
    assert client.get(CSV, {"group_by": "community"}).status_code == 302
    assert api.get(API, {"group_by": "community"}).status_code == 401


@pytest.mark.parametrize("who", ["alice", "ceo", "moderator", "admin_user", "owner"])
def test_everyone_but_hr_is_refused_even_a_communitys_owner(request, client, company, who):
    if who == "owner":
        user = company["people"][0]  # owns Cyclists
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    for url in (PAGE, CSV, API):
        assert client.get(url, two_weeks()).status_code == 403, url


@pytest.mark.parametrize("group_by", ["communities", "community_id", "secret", "Community"])
def test_an_unknown_grouping_is_a_clear_400_everywhere(client, hr_user, group_by):
    client.force_login(hr_user)
    api = client.get(API, {"group_by": group_by})
    assert api.status_code == 400
    assert "community" in api.json()["group_by"][0]
    page = client.get(PAGE, {"group_by": group_by})
    assert page.status_code == 400
    assert b"cannot be made with these settings" in page.content
    text = client.get(CSV, {"group_by": group_by})
    assert text.status_code == 400
    assert "group_by" in text.content.decode()


# --- What it shows -------------------------------------------------------------------------


def test_rows_are_the_open_and_private_communities_by_name(company):
    report = report_for(**two_weeks())
    assert [r.label for r in report.rows] == ["Chess", "Cyclists", "Offsite", "Quiet"]
    assert [r.key for r in report.rows] == [
        "community-chess",
        "community-cyclists",
        "community-offsite",
        "community-quiet",
    ]
    assert report.total.label == "All communities"
    assert [key for key, _l, _u in report.columns][0] == "headcount"
    assert "ideas_proposed" not in {key for key, _l, _u in report.columns}


def test_community_figures(company):
    cyclists = cells_of(report_for(**two_weeks()), "Cyclists")
    assert cyclists["headcount"].value == 8
    assert cyclists["wau"].value == 6
    assert cyclists["wau_share"].value == 0.75
    # Six people on Monday, five of them again on Tuesday, each week.
    assert cyclists["dau"].value == round((6 + 5) / 7, 1)
    assert cyclists["statuses_per_active"].value == 1.0
    assert cyclists["comments_per_active"].value == round(10 / 6, 2)
    assert cyclists["participation"].value == 0.75
    assert not cyclists["wau"].partial


def test_a_block_under_the_threshold_is_left_out(company):
    report = report_for(**two_weeks())
    # Two people reacted in Cyclists: in no figure, the total included.
    assert report.rows[1].cells["reactions_per_active"].suppressed
    assert report.total.cells["reactions_per_active"].suppressed
    # Quiet's first week had 3 people: only its second week counts.
    quiet = cells_of(report, "Quiet")
    assert quiet["wau"].value == 6
    assert quiet["wau"].partial
    assert all(week == last_monday() for _c, week, _m in quiet["wau"].blocks)


def test_a_community_under_the_threshold_is_suppressed_whole_and_left_out_of_the_total(company):
    report = report_for(**two_weeks())
    chess = cells_of(report, "Chess")
    assert all(cell.suppressed for cell in chess.values())
    scope = ("community", company["ids"]["chess"])
    assert not any(block[0] == scope for block in report.total.cells["wau"].blocks)


def test_a_secret_community_is_in_the_total_only(company):
    report = report_for(**two_weeks())
    secret = ("community", company["ids"]["secret"])
    assert not any(block[0] == secret for r in report.rows for block in r.cells["wau"].blocks)
    assert {block[0] for block in report.total.cells["wau"].blocks} == {
        ("community", company["ids"][key]) for key in ("cyclists", "offsite", "quiet", "secret")
    }
    # Weekly actives add up: Cyclists 6 + 6, Offsite 5 + 5, Quiet 6, the secret one 6 + 6.
    assert report.total.cells["wau"].value == round((12 + 10 + 6 + 12) / 2, 1)
    # Members of the communities that count: 8 + 6 + 6 + 7.
    assert report.total.cells["headcount"].value == 27


def test_total_minus_rows_is_only_usable_secret_blocks(company):
    """Complementary suppression: what the total holds beyond the rows is whole blocks of the
    secret community, each of at least five people, never a suppressed block."""
    report = report_for(**two_weeks())
    secret = ("community", company["ids"]["secret"])
    people = {
        (("community", r.community_id), r.start, r.metric): r.people
        for r in CommunityRollup.objects.filter(period="w")
    }
    for key, _label, _unit in report.columns:
        if key == "headcount":
            continue
        in_rows = set().union(*(set(r.cells[key].blocks) for r in report.rows))
        beyond = set(report.total.cells[key].blocks) - in_rows
        assert in_rows <= set(report.total.cells[key].blocks), key
        if key in ("wau", "statuses_per_active", "participation"):
            assert beyond, key  # the secret community's posts are counted
        for block in beyond:
            assert block[0] == secret, (key, block)
            assert people[block] >= report.min_group, (key, block)


def test_visibility_is_read_when_the_report_is_made(company):
    before = report_for(**two_weeks())
    Community.objects.filter(pk=company["ids"]["offsite"]).update(visibility="secret")
    Community.objects.filter(pk=company["ids"]["secret"]).update(visibility="open")
    after = report_for(**two_weeks())
    assert [r.label for r in after.rows] == ["Chess", "Cyclists", "Quiet", SECRET]
    assert after.total.cells["wau"].value == before.total.cells["wau"].value


# --- Output --------------------------------------------------------------------------------


def test_page_api_and_csv_never_name_a_secret_community_or_a_person(client, hr_user, company):
    client.force_login(hr_user)
    responses = [client.get(url, two_weeks()) for url in (PAGE, API, CSV)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    texts = [r.content.decode() for r in responses]
    for text in texts:
        assert "Cyclists" in text and "Offsite" in text
        assert SECRET not in text and "skunkworks" not in text.lower()
        for person in company["people"]:
            assert person.username not in text
    assert "Community by community" in texts[0]
    assert 'value="community" selected' in texts[0]


def test_csv_has_the_same_numbers_as_the_api(client, hr_user, company):
    client.force_login(hr_user)
    api = client.get(API, two_weeks()).json()
    assert api["group_by"] == "community"
    assert [c["key"] for c in api["columns"]][:2] == ["headcount", "dau"]
    rows = list(csv.reader(io.StringIO(client.get(CSV, two_weeks()).content.decode())))
    by_community = [r for r in rows if r[0] == "by community"]
    from_api = []
    for row in [*api["rows"], api["total"]]:
        for column in api["columns"]:
            cell = row["cells"][column["key"]]
            state = (
                "suppressed"
                if cell["suppressed"]
                else "partial"
                if cell["partial"]
                else "published"
            )
            value = "" if cell["suppressed"] else str(cell["value"])
            from_api.append(["by community", row["label"], column["key"], value, state])
    assert by_community == from_api
    assert ["by community", "Cyclists", "wau", "6.0", "published"] in by_community


def test_report_queries_do_not_grow_with_communities(client, hr_user, company):
    client.force_login(hr_user)
    client.get(API, two_weeks())  # warm: session, roles, the members count of the last day
    rollups_catch_up()
    with CaptureQueriesContext(connection) as few:
        assert client.get(API, two_weeks()).status_code == 200
    people = company["people"]
    for i in range(6):
        more = community(f"More {i}", people[i : i + 6])
        act(people[i : i + 6], Kind.STATUS, last_monday(), community_id=more.pk)
    rollups_catch_up()
    # Members are counted once per day and kept: count that day again, with the new ones.
    CommunityRollup.objects.filter(metric="headcount").delete()
    client.get(API, two_weeks())
    with CaptureQueriesContext(connection) as many:
        response = client.get(API, two_weeks())
    assert len(many) == len(few)
    rows = response.json()["rows"]
    assert len(rows) == 10
    more = next(r for r in rows if r["label"] == "More 5")
    assert more["cells"]["wau"]["value"] == 6
    assert not any("engagement_activityevent" in q["sql"] for q in many.captured_queries)


def test_the_about_page_explains_the_community_grouping(client, alice):
    client.force_login(alice)
    page = client.get("/reports/about/").content.decode()
    assert "Secret communities are never listed and never named" in page
    assert "community by community" in page
