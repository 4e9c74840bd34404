"""The report as JSON (the API) and as CSV rows: the same numbers as the page."""

from .report import Report


def as_json(report: Report) -> dict:
    def row(r) -> dict:
        return {
            "key": r.key,
            "label": r.label,
            "cells": {key: r.cells[key].as_json() for key, _l, _u in report.columns},
        }

    return {
        "start": report.params.start.isoformat(),
        "end": report.params.end.isoformat(),
        "first_day": report.first_day.isoformat() if report.first_day else None,
        "last_day": report.last_day.isoformat() if report.last_day else None,
        "weeks": len(report.weeks),
        "group_by": report.params.group_by,
        "min_group": report.min_group,
        "headcount": report.headcount,
        "columns": [{"key": k, "label": label, "unit": unit} for k, label, unit in report.columns],
        "rows": [row(r) for r in report.rows],
        "total": row(report.total),
        "active_over_time": [
            {"week": s["week"].isoformat(), "dau": s["dau"].as_json(), "wau": s["wau"].as_json()}
            for s in report.series
        ],
        "participation_by_department": [
            {"department": label, "participation": cell.as_json()}
            for label, cell in report.participation
        ],
        "blog_reach": [
            {
                "post": {"slug": r["post"].slug, "title": r["post"].title},
                "readers": r["readers"].as_json(),
                "reach": r["reach"].as_json(),
            }
            for r in report.blog_reach
        ],
        "questions": {name: cell.as_json() for name, cell in report.questions.items()},
        "hashtags": [{"name": name, "uses": cell.as_json()} for name, cell in report.hashtags],
        "notes": report.notes,
    }


def _text(value: str) -> str:
    """Names come from people; a leading = + - @ would be a formula in a spreadsheet."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _value(cell) -> tuple[str, str]:
    if cell.suppressed:
        return "", "suppressed"
    return f"{cell.value}", "partial" if cell.partial else "published"


def csv_rows(report: Report):
    yield ["section", "group", "metric", "value", "state"]
    yield [
        "range",
        "",
        "weeks",
        f"{report.first_day or ''}..{report.last_day or ''}",
        f"{len(report.weeks)} whole weeks; groups under {report.min_group} people suppressed",
    ]
    section = "by " + report.params.group_by
    for r in [*report.rows, report.total]:
        for key, _label, _unit in report.columns:
            yield [section, _text(r.label), key, *_value(r.cells[key])]
    for s in report.series:
        for key in ("dau", "wau"):
            yield ["active over time", s["week"].isoformat(), key, *_value(s[key])]
    for r in report.blog_reach:
        yield ["blog reach", _text(r["post"].title), "readers", *_value(r["readers"])]
        yield ["blog reach", _text(r["post"].title), "reach", *_value(r["reach"])]
    for name, cell in report.questions.items():
        yield ["questions", "company", name, *_value(cell)]
    for name, cell in report.hashtags:
        yield ["hashtags", _text("#" + name), "uses", *_value(cell)]
