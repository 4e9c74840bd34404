"""The engagement report, built from weekly rollups so that it can never single anyone out.

Every published number is made of *blocks*: one department's figure for one metric in one
whole ISO week (or, for monthly actives, one calendar month). A block is used only when at
least `ENGAGEMENT_MIN_GROUP` distinct people make it up; a block below that is left out of
every number, totals included. So the total minus the visible rows is exactly the sum of
blocks nobody can see, which is nothing, and two reports, whatever their ranges or grouping,
differ by whole blocks of at least that many people. Figures that only make sense for the whole
company (questions, hashtags, blog posts) are blocks of a whole week of the whole company.

Only weeks that have ended are reported: a week still running would let anyone who reloads
watch one person's activity arrive. `/reports/about/` says all of this in plain words.

Grouped by community, the blocks are one community's figure for one metric in one week (what
happened on its statuses, `CommunityRollup`), with the same rule: a block of fewer than
`ENGAGEMENT_MIN_GROUP` people is in no number, and a community with fewer members than that
is in none at all. Open and private communities are rows; a secret one (or one since deleted,
whose visibility nobody can know any more) is never a row and never named, but its usable
blocks are in the total, so the total minus the rows is exactly the secret communities' usable
blocks, each of at least that many people. Visibility is read as it is when the report is made.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Q
from django.utils import timezone

from activity.models import ActivityEvent
from communities.models import Community
from communities.models import Visibility as CommunityVisibility
from exec_blog.models import BlogPost
from feeds.models import Hashtag
from profiles.models import Department

from .models import CommunityRollup, DepartmentWeek, Rollup
from .rollups import (
    ACTIVE,
    ANSWER_HOURS,
    COMMUNITY_METRICS,
    DECISION_HOURS,
    HEADCOUNT,
    IDEA_DECIDED,
    PARTICIPANT,
    community_headcounts_on,
    headcounts_on,
    month_end,
    week_start,
)

Kind = ActivityEvent.Kind
Period = Rollup.Period

GROUP_BY = ("department", "week", "community")
MAX_DAYS = 3 * 366
DEFAULT_DAYS = 90
DEPARTMENT_METRICS = (
    ACTIVE,
    PARTICIPANT,
    Kind.STATUS.value,
    Kind.COMMENT.value,
    Kind.REACTION.value,
    Kind.IDEA.value,
    Kind.IDEA_VOTE.value,
    IDEA_DECIDED,
)
COMPANY_METRICS = (Kind.QUESTION.value, Kind.ANSWER.value)
SUBJECT_METRICS = (Kind.HASHTAG.value, Kind.BLOG_READ.value, ANSWER_HOURS)
NO_DEPARTMENT = "No department"
ALL_COMMUNITIES = "All communities"
# Communities that may be a row of the report, named; the others are only in its total.
LISTED = (CommunityVisibility.OPEN, CommunityVisibility.PRIVATE)


def min_group() -> int:
    return max(5, int(getattr(settings, "ENGAGEMENT_MIN_GROUP", 5)))


# --- Parameters ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Params:
    start: date
    end: date
    group_by: str


def _parse_day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise ValidationError({name: f"Use a date like 2026-01-31, not {value[:40]!r}."}) from None


def params_from(query, *, today: date | None = None) -> Params:
    """Validated report parameters from a query dict. Raises ValidationError (a 400)."""
    today = today or timezone.localdate()
    errors = {}
    group_by = (query.get("group_by") or "department").strip()
    if group_by not in GROUP_BY:
        errors["group_by"] = "Group by department, week or community."
    end = start = None
    try:
        end = _parse_day(query["end"], "end") if query.get("end") else today
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        start = (
            _parse_day(query["start"], "start")
            if query.get("start")
            else (end or today) - timedelta(days=DEFAULT_DAYS - 1)
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if start and end:
        if start > end:
            errors["start"] = "The start must not be after the end."
        elif (end - start).days + 1 > MAX_DAYS:
            errors["end"] = "A report covers at most 3 years."
    if errors:
        raise ValidationError(errors)
    return Params(start=start, end=min(end, today), group_by=group_by)


# --- Cells ---------------------------------------------------------------------------------

Block = tuple  # (department id, ("community", id) or "*", period start, metric[, subject])


@dataclass
class Cell:
    value: float | int | None
    suppressed: bool = False
    partial: bool = False  # some of the period's blocks were too small and are left out
    # What it rests on, for the privacy tests: block keys, never people. Kept as built.
    blocks: tuple | list = field(default=(), repr=False)

    def as_json(self) -> dict:
        return {"value": self.value, "suppressed": self.suppressed, "partial": self.partial}


def _cell(value, blocks, *, possible: int, digits: int = 1) -> Cell:
    if not blocks or value is None:
        return Cell(None, suppressed=True)
    rounded = round(value, digits) if isinstance(value, float) else value
    return Cell(rounded, partial=len(blocks) < possible, blocks=blocks)


SUPPRESSED = Cell(None, suppressed=True)


def _share(cell: Cell, headcount: int) -> Cell:
    if cell.suppressed or not headcount:
        return SUPPRESSED
    return Cell(round(cell.value / headcount, 3), partial=cell.partial, blocks=cell.blocks)


def _median_hours(histogram: dict[int, int]) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    ordered = sorted(histogram.items())
    lower = upper = None
    for hours, count in ordered:
        seen += count
        if lower is None and seen * 2 >= total:
            lower = hours
        if seen * 2 > total:
            upper = hours
            break
    if total % 2:
        return float(upper)
    return (lower + upper) / 2


# --- The data ------------------------------------------------------------------------------


@dataclass
class Data:
    """Everything the report needs, from a constant number of queries."""

    weeks: list[date]
    months: list[date]
    # (department, week, metric) -> (count, people, person_days)
    weekly: dict[tuple, tuple[int, int, int]]
    # (department, month) -> people, for monthly actives
    monthly: dict[tuple, int]
    # (week, metric, subject) -> (count, people) summed over departments
    # metric -> [(week, subject, count, people)], for the whole company
    company: dict[str, list[tuple[date, int, int, int]]]
    departments: dict[int, str]
    # (department, day) -> active accounts that had joined by the end of that day
    headcounts: dict[tuple[int, date], int]
    # (department, week) -> [(hours from idea to decision, ideas)]
    decisions: dict[tuple[int, date], list[tuple[int, int]]] = field(default_factory=dict)
    # For community figures (`load_communities`): id -> (name, slug, visibility), as now.
    communities: dict[int, tuple[str, str, str]] = field(default_factory=dict)


def _weeks(params: Params, today: date) -> list[date]:
    last_complete = week_start(today) - timedelta(days=7)
    first = week_start(params.start)
    last = min(week_start(params.end), last_complete)
    weeks = []
    while first <= last:
        weeks.append(first)
        first += timedelta(days=7)
    return weeks


def _months(weeks: list[date], today: date) -> list[date]:
    """Calendar months wholly inside the weeks and already over."""
    if not weeks:
        return []
    first, last = weeks[0], weeks[-1] + timedelta(days=6)
    month = first.replace(day=1)
    months = []
    while month <= last:
        if month >= first and month_end(month) <= last and month_end(month) < today:
            months.append(month)
        month = (month_end(month) + timedelta(days=1)).replace(day=1)
    return months


def load(params: Params, *, today: date | None = None) -> Data:
    today = today or timezone.localdate()
    by_week = params.group_by == "week"
    weeks = _weeks(params, today)
    months = _months(weeks, today)
    weekly, monthly, company, decisions = {}, {}, defaultdict(list), defaultdict(list)
    # Headcount on the days the report needs: its last day, and each week's for a weekly one.
    last = weeks[-1] + timedelta(days=6) if weeks else params.end
    ends = sorted({last} | ({w + timedelta(days=6) for w in weeks} if by_week else set()))
    # One statement for every rollup row the report reads, each part its own branch of a
    # UNION ALL: each branch is a plain index range (as one WHERE of ORs, PostgreSQL rechecked
    # the whole OR on every row of every part: 5.5 ms of the 6 a year by week took). Company-
    # wide metrics are stored for department 0 only (rollups.COMPANY_WIDE); of the hashtags and
    # posts, only weeks with enough people can count, so only those are read. The department
    # metrics of a week are one `DepartmentWeek` row per department (below).
    parts = [Q(period=Period.DAY, metric=HEADCOUNT, start__in=ends)]
    if weeks:
        in_weeks = Q(period=Period.WEEK, start__range=(weeks[0], weeks[-1]))
        parts += [
            in_weeks & Q(department_id=0, metric__in=COMPANY_METRICS + (ANSWER_HOURS,)),
            in_weeks & Q(metric=DECISION_HOURS),
            in_weeks & Q(department_id=0, metric=Kind.HASHTAG.value, people__gte=min_group()),
            # Reads of posts that still exist: the only ones `_blog_reach` can name.
            in_weeks
            & Q(
                department_id=0,
                metric=Kind.BLOG_READ.value,
                people__gte=min_group(),
                subject__in=BlogPost.objects.values("pk"),
            ),
        ]
    if months:
        parts.append(Q(period=Period.MONTH, start__in=months, metric=ACTIVE, subject=0))
    fields = ("period", "start", "department_id", "metric", "subject", "count", "people")
    branches = [Rollup.objects.filter(part).values_list(*fields) for part in parts]
    rows = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
    headcounts: dict[tuple[int, date], int] = {}
    counted: set[date] = set()
    if weeks:
        weekly = _department_weeks(weeks[0], weeks[-1])
    for period, start, dept, metric, subject, count, people in rows:
        if period == Period.WEEK:
            if metric == DECISION_HOURS:
                decisions[(dept, start)].append((subject, count))
            else:
                company[metric].append((start, subject, count, people))
        elif period == Period.MONTH:
            monthly[(dept, start)] = people
        else:
            headcounts[(dept, start)] = count
            counted.add(start)
    if len(counted) < len(ends):
        headcounts.update(headcounts_on([day for day in ends if day not in counted]))
    departments = dict(Department.objects.values_list("pk", "name"))
    return Data(weeks, months, weekly, monthly, company, departments, headcounts, decisions)


if DepartmentWeek.METRICS != DEPARTMENT_METRICS:
    raise ImproperlyConfigured("DepartmentWeek.METRICS must be the report's DEPARTMENT_METRICS")
# DepartmentWeek's columns, read in this order: start, department, then per metric its count
# and people (and the summed daily actives after `active`'s).
_WEEK_COLUMNS = ("start", "department_id") + tuple(
    column
    for metric in DepartmentWeek.METRICS
    for column in (
        (f"{metric}_count", f"{metric}_people", f"{metric}_person_days")
        if metric == ACTIVE
        else (f"{metric}_count", f"{metric}_people")
    )
)


def _department_weeks(first: date, last: date) -> dict[tuple, tuple[int, int, int]]:
    """(department, week, metric) -> (count, people, person_days) for the department metrics,
    as the weekly `Rollup` rows hold them (a metric nothing happened in has no entry), read as
    one row per department and week."""
    weekly = {}
    rest = DEPARTMENT_METRICS[1:]
    for row in DepartmentWeek.objects.filter(start__range=(first, last)).values_list(
        *_WEEK_COLUMNS
    ):
        start, dept, count, people, person_days = row[:5]
        if count or people:
            weekly[(dept, start, ACTIVE)] = (count, people, person_days)
        i = 5
        for metric in rest:
            count, people = row[i], row[i + 1]
            i += 2
            if count or people:
                weekly[(dept, start, metric)] = (count, people, 0)
    return weekly


def community_scope(pk: int) -> tuple[str, int]:
    """How a community is named in its blocks, so that no block is mistaken for a department's."""
    return ("community", pk)


def load_communities(weeks: list[date], months: list[date], end: date) -> Data:
    """The community figures of these weeks and months, and members at `end`, in the shape the
    department figures have (`Data`), keyed by `community_scope`. Two queries, three when the
    members at `end` have not been counted yet.

    Only blocks that can be used are read (most of a small community's are not): a block below
    the minimum group is in no number anyway."""
    parts = [Q(period=Period.DAY, metric=HEADCOUNT, start=end)]
    usable = Q(subject=0, people__gte=min_group())
    if weeks:
        in_weeks = Q(period=Period.WEEK, start__range=(weeks[0], weeks[-1]))
        parts.append(usable & in_weeks & Q(metric__in=COMMUNITY_METRICS))
    if months:
        parts.append(usable & Q(period=Period.MONTH, start__in=months, metric=ACTIVE))
    # One statement, a branch per part (as `load`): each an index range, the usable blocks
    # from the partial index alone (community_rollup_usable_idx).
    fields = ("period", "start", "community_id", "metric", "count", "people", "person_days")
    branches = [CommunityRollup.objects.filter(part).values_list(*fields) for part in parts]
    rows = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
    weekly, monthly, headcounts = {}, {}, {}
    counted = False
    for period, start, pk, metric, count, people, person_days in rows:
        scope = community_scope(pk)
        if period == Period.WEEK:
            weekly[(scope, start, metric)] = (count, people, person_days)
        elif period == Period.MONTH:
            monthly[(scope, start)] = people
        else:
            counted = True  # community 0's row marks the day as counted
            if pk:
                headcounts[(scope, start)] = count
    if not counted:
        for (pk, day), count in community_headcounts_on([end]).items():
            if pk:
                headcounts[(community_scope(pk), day)] = count
    communities = {
        pk: (name, slug, visibility)
        for pk, name, slug, visibility in Community.objects.values_list(
            "pk", "name", "slug", "visibility"
        )
    }
    return Data(weeks, months, weekly, monthly, {}, {}, headcounts, communities=communities)


# --- Building ------------------------------------------------------------------------------

COLUMNS = (
    ("headcount", "Headcount", "people"),
    ("dau", "Daily active (average)", "people"),
    ("dau_share", "Daily active, share of headcount", "share"),
    ("wau", "Weekly active (average)", "people"),
    ("wau_share", "Weekly active, share of headcount", "share"),
    ("mau", "Monthly active (average)", "people"),
    ("mau_share", "Monthly active, share of headcount", "share"),
    ("statuses_per_active", "Statuses per active employee a week", "ratio"),
    ("comments_per_active", "Comments per active employee a week", "ratio"),
    ("reactions_per_active", "Reactions per active employee a week", "ratio"),
    ("participation", "Participation (posted or commented in a week)", "share"),
    ("ideas_proposed", "Ideas proposed", "count"),
    ("idea_votes", "Votes on ideas", "count"),
    ("decision_days", "Median days from idea to decision", "days"),
)


@dataclass
class Row:
    key: str
    label: str
    cells: dict[str, Cell]


@dataclass
class Report:
    params: Params
    min_group: int
    weeks: list[date]
    months: list[date]
    rows: list[Row]
    total: Row
    series: list[dict]  # per week: week, dau, wau (company)
    participation: list[tuple[str, Cell]]  # per department
    blog_reach: list[dict]
    questions: dict[str, Cell]
    hashtags: list[tuple[str, Cell]]
    headcount: int
    notes: list[str]
    columns: tuple = COLUMNS

    @property
    def first_day(self) -> date | None:
        return self.weeks[0] if self.weeks else None

    @property
    def last_day(self) -> date | None:
        return self.weeks[-1] + timedelta(days=6) if self.weeks else None


PER_ACTIVE = (
    (Kind.STATUS.value, "statuses_per_active"),
    (Kind.COMMENT.value, "comments_per_active"),
    (Kind.REACTION.value, "reactions_per_active"),
)
HEADCOUNT_BLOCKS = (("headcount",),)
# Grouped by community: the department columns that mean something for a community (ideas are
# not posted in one), its members standing for the headcount.
COMMUNITY_COLUMNS = (
    ("headcount", "Members", "people"),
    ("dau", "Daily active (average)", "people"),
    ("dau_share", "Daily active, share of members", "share"),
    ("wau", "Weekly active (average)", "people"),
    ("wau_share", "Weekly active, share of members", "share"),
    ("mau", "Monthly active (average)", "people"),
    ("mau_share", "Monthly active, share of members", "share"),
    ("statuses_per_active", "Statuses per active person a week", "ratio"),
    ("comments_per_active", "Comments per active person a week", "ratio"),
    ("reactions_per_active", "Reactions per active person a week", "ratio"),
    ("participation", "Participation (posted or commented in a week), share of members", "share"),
)


@dataclass
class _Sums:
    """What the included blocks of one row add up to (see _Builder.sums)."""

    active: list = field(default_factory=list)  # block keys
    people: int = 0  # weekly active people, summed over the blocks
    person_days: int = 0
    blocks: dict = field(default_factory=lambda: defaultdict(list))  # metric -> block keys
    counts: dict = field(default_factory=lambda: defaultdict(int))  # metric -> events
    participants: int = 0
    decisions: dict = field(default_factory=lambda: defaultdict(int))  # hours -> ideas

    def add(self, other: "_Sums") -> None:
        self.active += other.active
        self.people += other.people
        self.person_days += other.person_days
        for metric, keys in other.blocks.items():
            self.blocks[metric] += keys
        for metric, count in other.counts.items():
            self.counts[metric] += count
        self.participants += other.participants
        for hours, count in other.decisions.items():
            self.decisions[hours] += count


class _Builder:
    def __init__(self, data: Data, k: int) -> None:
        self.data, self.k = data, k
        # The blocks that may be used at all: the only figures anything is built from.
        self.included = {key: found for key, found in data.weekly.items() if found[1] >= k}

    def headcount(self, dept: int, on: date) -> int:
        return self.data.headcounts.get((dept, on), 0)

    def reportable(self, dept: int, on: date) -> bool:
        return self.headcount(dept, on) >= self.k

    def sums(self, eligible: list, by: str) -> dict:
        """One pass over the included blocks of eligible departments (or communities), summed
        per department or community (`by="group"`) or per week (`by="week"`)."""
        by_group, by_week = self.sums_both(eligible)
        return by_week if by == "week" else by_group

    def sums_both(self, eligible: list) -> tuple[dict, dict]:
        """The sums per department (or community) and per week, in one pass over the included
        blocks of eligible ones."""
        wanted = set(eligible)
        groups: dict = defaultdict(_Sums)
        weeks: dict = defaultdict(_Sums)
        decisions = self.data.decisions
        # Written out for the two rows each block adds to: a year by week is ~5,000 blocks.
        for key, (count, people, person_days) in self.included.items():
            dept, week, metric = key
            if dept not in wanted:
                continue
            group, row = groups[dept], weeks[week]
            if metric == ACTIVE:
                group.active.append(key)
                row.active.append(key)
                group.people += people
                row.people += people
                group.person_days += person_days
                row.person_days += person_days
            elif metric == PARTICIPANT:
                group.blocks[metric].append(key)
                row.blocks[metric].append(key)
                group.participants += people
                row.participants += people
            else:
                group.blocks[metric].append(key)
                row.blocks[metric].append(key)
                group.counts[metric] += count
                row.counts[metric] += count
                if metric == IDEA_DECIDED:
                    for hours, ideas in decisions.get((dept, week), ()):
                        group.decisions[hours] += ideas
                        row.decisions[hours] += ideas
        return groups, weeks

    def figures(self, sums: _Sums, *, cells: int, weeks: int, headcount: int, months: list):
        """The columns of a row from its sums; `cells` is how many (department, week) blocks
        the row could have had, `weeks` how many weeks it spans."""
        values: dict[str, Cell] = {}
        values["headcount"] = (
            Cell(headcount, blocks=HEADCOUNT_BLOCKS) if headcount >= self.k else SUPPRESSED
        )
        weeks_used = len({week for _d, week, _m in sums.active}) or 1
        dau = _cell(sums.person_days / (7 * weeks_used), sums.active, possible=cells)
        wau = _cell(sums.people / weeks_used, sums.active, possible=cells)
        month_blocks, month_people = [], 0
        for dept, month in months:
            people = self.data.monthly.get((dept, month), 0)
            if people >= self.k:
                month_blocks.append((dept, month, "active-month"))
                month_people += people
        months_used = len({m for _d, m, _x in month_blocks}) or 1
        mau = _cell(month_people / months_used, month_blocks, possible=len(months))
        values.update(dau=dau, wau=wau, mau=mau)
        for name, cell in (("dau", dau), ("wau", wau), ("mau", mau)):
            values[f"{name}_share"] = _share(cell, headcount)
        for metric, column in PER_ACTIVE:
            values[column] = _cell(
                sums.counts[metric] / sums.people if sums.people else None,
                sums.blocks[metric],
                possible=cells,
                digits=2,
            )
        values["participation"] = _cell(
            sums.participants / (headcount * (weeks or 1)) if headcount else None,
            sums.blocks[PARTICIPANT],
            possible=cells,
            digits=3,
        )
        for metric, column in (
            (Kind.IDEA.value, "ideas_proposed"),
            (Kind.IDEA_VOTE.value, "idea_votes"),
        ):
            values[column] = _cell(sums.counts[metric], sums.blocks[metric], possible=cells)
        median = _median_hours(sums.decisions)
        values["decision_days"] = _cell(
            median / 24 if median is not None else None,
            sums.blocks[IDEA_DECIDED],
            possible=cells,
        )
        return values


def _department_ids(data: Data) -> list[int]:
    seen = {dept for dept, _w, _m in data.weekly} | {dept for dept, _day in data.headcounts}
    return sorted(seen, key=lambda d: (d == 0, data.departments.get(d, f"~{d}")))


def _label(data: Data, dept: int) -> str:
    if dept == 0:
        return NO_DEPARTMENT
    return data.departments.get(dept, "A department no longer listed")


def build(
    params: Params,
    *,
    today: date | None = None,
    data: Data | None = None,
    communities: Data | None = None,
) -> Report:
    """`data`, `communities`: what `load` and `load_communities` would read, when at hand."""
    today = today or timezone.localdate()
    data = data or load(params, today=today)
    k = min_group()
    b = _Builder(data, k)
    weeks, months = data.weeks, data.months
    end = weeks[-1] + timedelta(days=6) if weeks else params.end
    departments = _department_ids(data)
    eligible = [d for d in departments if b.reportable(d, end)]
    headcount = sum(b.headcount(d, end) for d in eligible)
    notes = []
    rows: list[Row] = []
    by_department, by_week = b.sums_both(eligible)
    total_sums = _Sums()
    for sums in by_department.values():
        total_sums.add(sums)
    columns = COLUMNS
    if params.group_by == "community":
        communities = load_communities(weeks, months, end) if communities is None else communities
        rows, total = _community_rows(communities, k, end)
        columns = COMMUNITY_COLUMNS
    elif params.group_by == "department":
        for dept in departments:
            if dept in eligible:
                cells = b.figures(
                    by_department.get(dept, _Sums()),
                    cells=len(weeks),
                    weeks=len(weeks),
                    headcount=b.headcount(dept, end),
                    months=[(dept, m) for m in months],
                )
            else:
                cells = {key: SUPPRESSED for key, _l, _u in COLUMNS}
            rows.append(Row(f"department-{dept}", _label(data, dept), cells))
    else:
        for week in weeks:
            week_end = week + timedelta(days=6)
            month = (week + timedelta(days=3)).replace(day=1)  # the month of its Thursday
            cells = b.figures(
                by_week.get(week, _Sums()),
                cells=len(eligible),
                weeks=1,
                headcount=sum(b.headcount(d, week_end) for d in eligible),
                months=[(d, month) for d in eligible] if month in months else [],
            )
            rows.append(Row(f"week-{week.isoformat()}", f"Week of {week:%-d %b %Y}", cells))
    if params.group_by != "community":
        total = Row(
            "total",
            "Whole company",
            b.figures(
                total_sums,
                cells=len(eligible) * len(weeks),
                weeks=len(weeks),
                headcount=headcount,
                months=[(d, m) for d in eligible for m in months],
            ),
        )
    series = []
    for week in weeks:
        sums = by_week.get(week, _Sums())
        weeks_used = 1 if sums.active else 1
        series.append(
            {
                "week": week,
                "dau": _cell(
                    sums.person_days / (7 * weeks_used), sums.active, possible=len(eligible)
                ),
                "wau": _cell(sums.people / weeks_used, sums.active, possible=len(eligible)),
            }
        )
    participation = []
    for i, dept in enumerate(departments):
        if dept not in eligible:
            cell = SUPPRESSED
        elif params.group_by == "department":
            cell = rows[i].cells["participation"]  # rows are the departments, in this order
        else:
            cell = b.figures(
                by_department.get(dept, _Sums()),
                cells=len(weeks),
                weeks=len(weeks),
                headcount=b.headcount(dept, end),
                months=[],
            )["participation"]
        participation.append((_label(data, dept), cell))
    if not weeks:
        notes.append("No whole week in this range has ended yet.")
    return Report(
        params=params,
        min_group=k,
        weeks=weeks,
        months=months,
        rows=rows,
        total=total,
        series=series,
        participation=participation,
        blog_reach=_blog_reach(data, k, headcount),
        questions=_questions(data, k),
        hashtags=_hashtags(data, k),
        headcount=headcount,
        notes=notes,
        columns=columns,
    )


def _community_rows(data: Data, k: int, end: date) -> tuple[list[Row], Row]:
    """A row per open or private community, and the total of every community's usable blocks,
    the secret ones' included (see the module docstring)."""
    b = _Builder(data, k)
    weeks, months = data.weeks, data.months
    seen = {scope for scope, _w, _m in data.weekly} | {scope for scope, _d in data.headcounts}
    eligible = [scope for scope in seen if b.reportable(scope, end)]
    sums = b.sums(eligible, "group")
    total_sums = _Sums()
    for found in sums.values():
        total_sums.add(found)
    listed = sorted(
        (
            (name, slug, pk)
            for pk, (name, slug, visibility) in data.communities.items()
            if visibility in LISTED and community_scope(pk) in seen
        ),
        key=lambda named: (named[0].casefold(), named[2]),
    )
    rows = []
    for name, slug, pk in listed:
        scope = community_scope(pk)
        if scope in eligible:
            figures = b.figures(
                sums.get(scope, _Sums()),
                cells=len(weeks),
                weeks=len(weeks),
                headcount=b.headcount(scope, end),
                months=[(scope, m) for m in months],
            )
            cells = {key: figures[key] for key, _l, _u in COMMUNITY_COLUMNS}
        else:
            cells = {key: SUPPRESSED for key, _l, _u in COMMUNITY_COLUMNS}
        rows.append(Row(f"community-{slug}", name, cells))
    figures = b.figures(
        total_sums,
        cells=len(eligible) * len(weeks),
        weeks=len(weeks),
        headcount=sum(b.headcount(scope, end) for scope in eligible),
        months=[(scope, m) for scope in eligible for m in months],
    )
    total = Row("total", ALL_COMMUNITIES, {key: figures[key] for key, _l, _u in COMMUNITY_COLUMNS})
    return rows, total


def _company_blocks(data: Data, metric: str, k: int) -> dict[int, list[tuple[date, int]]]:
    """subject -> [(week, count)] for the company-wide blocks of at least k people."""
    found = defaultdict(list)
    for week, subject, count, people in data.company.get(metric, ()):
        if people >= k:
            found[subject].append((week, count, people))
    return found


def _blog_reach(data: Data, k: int, headcount: int) -> list[dict]:
    """Posts read by enough people in these weeks, and posts published in them."""
    reads = _company_blocks(data, Kind.BLOG_READ.value, k)
    any_reads = set(reads)
    posts = {}
    if data.weeks:
        first = timezone.make_aware(datetime.combine(data.weeks[0], time.min))
        last = first + timedelta(days=7 * len(data.weeks))
        published = Q(status=BlogPost.State.PUBLISHED, publish_at__gte=first, publish_at__lt=last)
        posts = {
            p.pk: p
            for p in BlogPost.objects.filter(Q(pk__in=any_reads) | published).only(
                "pk", "title", "slug", "publish_at", "created_at"
            )
        }
        any_reads |= set(posts)
    weeks = len(data.weeks)
    reach = []
    for post_id in any_reads:
        post = posts.get(post_id)
        if post is None:
            continue
        blocks = reads.get(post_id, [])
        used = [("*", week, Kind.BLOG_READ.value, post_id) for week, _c, _p in blocks]
        readers = sum(people for _w, _c, people in blocks)
        readers_cell = _cell(readers, used, possible=weeks)
        reach.append(
            {
                "post": post,
                "readers": readers_cell,
                "reach": _share(readers_cell, headcount),
            }
        )
    reach.sort(key=lambda r: r["post"].publish_at or r["post"].created_at, reverse=True)
    return reach


def _questions(data: Data, k: int) -> dict[str, Cell]:
    weeks = len(data.weeks)
    out = {}
    for metric, name in ((Kind.QUESTION.value, "asked"), (Kind.ANSWER.value, "answered")):
        blocks = _company_blocks(data, metric, k).get(0, [])
        out[name] = _cell(
            sum(c for _w, c, _p in blocks),
            [("*", w, metric) for w, _c, _p in blocks],
            possible=weeks,
        )
    answered_weeks = {w for w, _c, _p in _company_blocks(data, Kind.ANSWER.value, k).get(0, [])}
    histogram: dict[int, int] = defaultdict(int)
    for week, hours, count, _people in data.company.get(ANSWER_HOURS, ()):
        if week in answered_weeks:
            histogram[hours] += count
    median = _median_hours(histogram)
    out["median_days_to_answer"] = _cell(
        median / 24 if median is not None else None,
        [("*", w, Kind.ANSWER.value) for w in answered_weeks],
        possible=weeks,
    )
    return out


def _hashtags(data: Data, k: int, limit: int = 10) -> list[tuple[str, Cell]]:
    weeks = len(data.weeks)
    blocks = _company_blocks(data, Kind.HASHTAG.value, k)
    totals = sorted(
        ((sum(c for _w, c, _p in found), subject) for subject, found in blocks.items()),
        reverse=True,
    )[:limit]
    names = dict(Hashtag.objects.filter(pk__in=[s for _t, s in totals]).values_list("pk", "name"))
    return [
        (
            names.get(subject, "?"),
            _cell(
                uses,
                [("*", w, Kind.HASHTAG.value, subject) for w, _c, _p in blocks[subject]],
                possible=weeks,
            ),
        )
        for uses, subject in totals
        if subject in names
    ]
