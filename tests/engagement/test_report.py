"""The engagement report: who may read it, what it shows, what it never shows."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagement.report import build, params_from
from engagement.rollups import rollups_catch_up
from tests.engagement.helpers import Kind, act, last_monday, team

pytestmark = pytest.mark.django_db

PAGE = "/reports/engagement/"
API = "/api/v1/reports/engagement/"
CSV = "/reports/engagement.csv"


def report_for(**query):
    return build(params_from(query))


def row(report, label):
    return next(r for r in report.rows if r.label == label)


@pytest.fixture
def company():
    """Sales (6 people, all active two weeks running) and Legal (3 people, also active)."""
    sales, sellers = team("Sales", 6)
    legal, lawyers = team("Legal", 3)
    monday = last_monday()
    for week in (monday - timedelta(days=7), monday):
        act(sellers, Kind.VISIT, week)
        act(sellers, Kind.STATUS, week + timedelta(days=1))
        act(sellers[:5], Kind.COMMENT, week + timedelta(days=2), times=2)
        act(lawyers, Kind.VISIT, week)
        act(lawyers, Kind.STATUS, week + timedelta(days=1))
    rollups_catch_up()
    return {"sales": sales, "legal": legal, "sellers": sellers, "lawyers": lawyers}


# --- Access --------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in_and_the_api_says_401(client, api):
    assert client.get(PAGE).status_code == 302
    assert client.get(CSV).status_code == 302
    assert api.get(API).status_code == 401


@pytest.mark.parametrize("who", ["alice", "ceo", "moderator", "admin_user"])
def test_everyone_but_hr_is_refused(request, client, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(PAGE).status_code == 403
    assert client.get(CSV).status_code == 403
    assert client.get(API).status_code == 403


def test_hr_reads_page_api_and_csv(client, hr_user, company):
    client.force_login(hr_user)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert b"<svg" in page.content and b"<table" in page.content
    assert client.get(API).status_code == 200
    response = client.get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]


def test_about_page_is_for_every_employee(client, alice):
    assert client.get("/reports/about/").status_code == 302
    client.force_login(alice)
    page = client.get("/reports/about/")
    assert page.status_code == 200
    assert b"fewer than <strong>5 people</strong>" in page.content


@pytest.mark.parametrize(
    "query, field",
    [
        ({"start": "2026-03-01", "end": "2026-02-01"}, "start"),
        ({"start": "yesterday"}, "start"),
        ({"end": "2026-13-40"}, "end"),
        ({"start": "2020-01-01", "end": "2024-01-01"}, "end"),
        ({"group_by": "person"}, "group_by"),
        ({"group_by": "user"}, "group_by"),
    ],
)
def test_bad_input_is_a_clear_400_everywhere(client, hr_user, query, field):
    client.force_login(hr_user)
    api = client.get(API, query)
    assert api.status_code == 400
    assert field in api.json()
    page = client.get(PAGE, query)
    assert page.status_code == 400
    assert b"cannot be made with these settings" in page.content
    text = client.get(CSV, query)
    assert text.status_code == 400
    assert field in text.content.decode()


# --- What it shows -------------------------------------------------------------------------


def two_weeks() -> dict:
    return {
        "start": (last_monday() - timedelta(days=7)).isoformat(),
        "end": (last_monday() + timedelta(days=6)).isoformat(),
    }


def test_default_range_is_the_last_90_days_in_whole_weeks(company):
    report = report_for()
    assert report.params.end == timezone.localdate()
    assert report.params.start == timezone.localdate() - timedelta(days=89)
    assert report.weeks[-1] == last_monday()
    assert report.weeks[0].weekday() == 0
    assert report.weeks[0] <= report.params.start < report.weeks[0] + timedelta(days=7)


def test_department_report_figures(company):
    report = report_for(group_by="department", **two_weeks())
    sales = row(report, "Sales").cells
    assert report.weeks == [last_monday() - timedelta(days=7), last_monday()]
    assert sales["headcount"].value == 6
    # Six people active on two days a week (visit Monday, status Tuesday; 5 also Wednesday).
    assert sales["wau"].value == 6
    assert sales["dau"].value == round((6 + 6 + 5) / 7, 1)
    assert sales["wau_share"].value == 1.0
    assert sales["statuses_per_active"].value == 1.0
    assert sales["comments_per_active"].value == round(10 / 6, 2)
    assert sales["reactions_per_active"].suppressed  # nobody reacted
    assert sales["participation"].value == 1.0
    assert not sales["wau"].partial


def test_a_department_under_the_threshold_is_suppressed_and_left_out_of_the_total(company):
    report = report_for(group_by="department")
    legal = row(report, "Legal").cells
    assert all(cell.suppressed for cell in legal.values())
    total = report.total.cells
    assert total["wau"].value == 6  # Sales only: Legal's 3 people are in no figure
    assert total["headcount"].value == 6


def test_a_small_week_is_left_out_and_the_figure_marked_partial(company):
    sellers = company["sellers"]
    monday = last_monday() - timedelta(days=14)
    act(sellers[:2], Kind.STATUS, monday)
    rollups_catch_up()
    report = report_for(
        start=monday.isoformat(), end=(last_monday() + timedelta(days=6)).isoformat()
    )
    sales = row(report, "Sales").cells
    assert sales["wau"].value == 6  # the week with 2 people is not averaged in
    assert sales["wau"].partial


def test_raising_the_threshold_suppresses_more(settings, company):
    settings.ENGAGEMENT_MIN_GROUP = 7
    report = report_for()
    assert row(report, "Sales").cells["wau"].suppressed
    assert report.min_group == 7


def test_the_threshold_is_never_below_five(settings, company):
    settings.ENGAGEMENT_MIN_GROUP = 1
    report = report_for()
    assert report.min_group == 5
    assert row(report, "Legal").cells["wau"].suppressed


def test_week_report_has_one_row_per_whole_week_and_the_same_total(company):
    by_week = report_for(group_by="week", **two_weeks())
    by_department = report_for(group_by="department", **two_weeks())
    assert [r.label for r in by_week.rows] == [
        f"Week of {w:%-d %b %Y}" for w in (last_monday() - timedelta(days=7), last_monday())
    ]
    assert all(r.cells["wau"].value == 6 for r in by_week.rows)
    for key in ("dau", "wau", "statuses_per_active", "participation"):
        assert by_week.total.cells[key].value == by_department.total.cells[key].value, key


def test_the_week_still_running_is_not_reported(company):
    sellers = company["sellers"]
    act(sellers, Kind.STATUS, timezone.localdate())
    rollups_catch_up()
    report = report_for(start=timezone.localdate().isoformat())
    assert report.weeks == []
    assert report.notes
    for r in report.rows:
        assert all(cell.suppressed for key, cell in r.cells.items() if key != "headcount")


def test_questions_hashtags_and_blog_reach_need_five_people(company):
    sellers, lawyers = company["sellers"], company["lawyers"]
    monday = last_monday()
    act(sellers[:5], Kind.HASHTAG, monday, object_id=41)
    act(lawyers, Kind.HASHTAG, monday, object_id=42)
    act(sellers, Kind.QUESTION, monday)
    from feeds.models import Hashtag

    Hashtag.objects.create(pk=41, name="launch")
    Hashtag.objects.create(pk=42, name="secret")
    rollups_catch_up()
    report = report_for()
    assert [(name, cell.value) for name, cell in report.hashtags] == [("launch", 5)]
    assert report.questions["asked"].value == 6
    assert report.questions["answered"].suppressed


def test_median_days_to_an_answer(company):
    sellers = company["sellers"]
    ceo = company["lawyers"][0]
    monday = last_monday()
    for hours, asker in zip([24, 48, 72, 96, 120], sellers, strict=False):
        act([ceo], Kind.ANSWER, monday, value=hours, about_id=asker.pk)
    rollups_catch_up()
    report = report_for()
    assert report.questions["answered"].value == 5
    assert report.questions["median_days_to_answer"].value == 3.0


def test_csv_has_the_same_numbers_and_no_formulas(client, hr_user, company):
    company["sales"].name = "=HYPERLINK(1)"
    company["sales"].save()
    client.force_login(hr_user)
    rows = list(csv.reader(io.StringIO(client.get(CSV, two_weeks()).content.decode())))
    assert rows[0] == ["section", "group", "metric", "value", "state"]
    wau = next(r for r in rows if r[2] == "wau" and r[0] == "by department" and "HYPER" in r[1])
    assert wau[1] == "'=HYPERLINK(1)"
    assert wau[3:] == ["6.0", "published"]
    legal = next(r for r in rows if r[1] == "Legal" and r[2] == "wau")
    assert legal[3:] == ["", "suppressed"]
    api = client.get(API, two_weeks()).json()
    api_sales = next(r for r in api["rows"] if r["label"] == "=HYPERLINK(1)")
    assert api_sales["cells"]["wau"] == {"value": 6.0, "suppressed": False, "partial": False}


def test_no_person_appears_anywhere_in_the_output(client, hr_user, company):
    client.force_login(hr_user)
    responses = [
        client.get(PAGE),
        client.get(CSV),
        client.get(API),
        client.get(PAGE, {"group_by": "week"}),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    texts = [r.content.decode() for r in responses]
    # Each is the report itself, with the figures of the department big enough to show.
    for text in texts[:3]:
        assert "Sales" in text and "Legal" in text
    assert client.get(API).json()["total"]["cells"]["wau"]["suppressed"] is False
    assert "<table" in texts[3]
    for person in company["sellers"] + company["lawyers"]:
        for text in texts:
            assert person.username not in text
            assert person.profile.display_name not in text


def test_report_query_count_does_not_grow_with_events(client, hr_user, company):
    client.force_login(hr_user)
    client.get(API)  # warm: session, roles
    rollups_catch_up()  # the job runner's every-minute run, after the warm-up's visit
    with CaptureQueriesContext(connection) as few:
        assert client.get(API).status_code == 200
    sellers = company["sellers"]
    for days in range(1, 30):
        act(sellers, Kind.REACTION, last_monday() - timedelta(days=days), times=3)
    rollups_catch_up()
    with CaptureQueriesContext(connection) as many:
        assert client.get(API).status_code == 200
    assert len(many) == len(few)
    assert not any("engagement_activityevent" in q["sql"] for q in many.captured_queries)


def test_ideas_proposed_votes_and_median_days_to_a_decision(company):
    sellers, ceo = company["sellers"], company["lawyers"][0]
    monday = last_monday()
    act(sellers[:5], Kind.IDEA, monday)
    act(sellers, Kind.IDEA_VOTE, monday, times=2)
    sales_id = company["sales"].pk
    for hours, author in zip([24, 48, 72, 96, 120], sellers, strict=False):
        act(
            [ceo],
            Kind.IDEA_DECISION,
            monday,
            value=hours,
            about_id=author.pk,
            department_id=sales_id,
        )
    # A move to "under review" is not a decision and adds no time.
    act([ceo], Kind.IDEA_DECISION, monday, about_id=sellers[5].pk, department_id=sales_id)
    rollups_catch_up()
    sales = row(report_for(**two_weeks()), "Sales").cells
    assert sales["ideas_proposed"].value == 5
    assert sales["idea_votes"].value == 12
    assert sales["decision_days"].value == 3.0
    legal = row(report_for(**two_weeks()), "Legal").cells
    assert legal["decision_days"].suppressed


def test_a_decision_is_not_the_deciders_activity(company):
    lawyers, sellers = company["lawyers"], company["sellers"]
    monday = last_monday() - timedelta(days=7)
    from engagement.models import Rollup

    before = Rollup.objects.get(
        period="w", start=monday, department_id=company["sales"].pk, metric="active"
    ).people
    act(
        [lawyers[0]],
        Kind.IDEA_DECISION,
        monday,
        value=5,
        about_id=sellers[0].pk,
        department_id=company["sales"].pk,
    )
    rollups_catch_up()
    after = Rollup.objects.get(
        period="w", start=monday, department_id=company["sales"].pk, metric="active"
    ).people
    assert after == before


def test_chart_axis_counts_people_in_whole_numbers():
    from datetime import date

    from engagement.charts import line_chart
    from engagement.report import Cell

    series = [
        {"week": date(2026, 1, 5), "wau": Cell(18.7, blocks=[1]), "dau": Cell(6.2, blocks=[1])},
        {"week": date(2026, 1, 12), "wau": Cell(None, suppressed=True), "dau": Cell(3.0)},
    ]
    chart = line_chart(series, [("wau", "Weekly", "a"), ("dau", "Daily", "b")])
    assert [t["label"] for t in chart.y_ticks] == ["0", "5", "10", "15", "20"]
    # A suppressed week breaks the line instead of drawing a zero.
    assert len(chart.lines[0].segments) == 1 and len(chart.lines[0].points) == 1
