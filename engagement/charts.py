"""Charts drawn on the server as SVG geometry for the templates: no script, nothing the
Content-Security-Policy has to allow, and a table beside each for screen readers."""

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 14, 34


def _ticks(value: float, count: int = 4) -> tuple[float, float]:
    """A round step (1, 2 or 5 × 10ⁿ, at least 1: these are people) and the axis top."""
    if value <= 0:
        return 1, count
    rough = value / count
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(s * magnitude for s in (1, 2, 5, 10) if s * magnitude >= rough)
    step = max(1, step)
    return step, step * math.ceil(value / step)


@dataclass
class Line:
    name: str
    css: str
    segments: list[str] = field(default_factory=list)  # polyline "x,y x,y" runs between gaps
    points: list[dict] = field(default_factory=list)


@dataclass
class LineChart:
    width: int
    height: int
    lines: list[Line]
    y_ticks: list[dict]
    x_ticks: list[dict]
    empty: bool


def line_chart(series: list[dict], keys: list[tuple[str, str, str]]) -> LineChart:
    """series: [{"week": date, key: Cell}]; keys: (key, name, css class)."""
    values = [row[key].value for row in series for key, _n, _c in keys if not row[key].suppressed]
    step, top = _ticks(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(series)

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h - plot_h * v / top

    lines = []
    for key, name, css in keys:
        line, run = Line(name, css), []
        for i, row in enumerate(series):
            cell = row[key]
            if cell.suppressed:
                if run:
                    line.segments.append(" ".join(run))
                run = []
                continue
            px, py = round(x(i), 1), round(y(cell.value), 1)
            run.append(f"{px},{py}")
            line.points.append(
                {"x": px, "y": py, "label": f"{name}, week of {row['week']:%-d %b}: {cell.value}"}
            )
        if run:
            line.segments.append(" ".join(run))
        lines.append(line)
    y_ticks = [
        {"y": round(y(step * i), 1), "label": f"{step * i:g}"}
        for i in range(int(round(top / step)) + 1)
    ]
    every = max(1, math.ceil(count / 7))
    x_ticks = [
        {"x": round(x(i), 1), "label": f"{row['week']:%-d %b}"}
        for i, row in enumerate(series)
        if i % every == 0
    ]
    return LineChart(WIDTH, HEIGHT, lines, y_ticks, x_ticks, empty=not values)


@dataclass
class BarChart:
    width: int
    height: int
    bars: list[dict]
    label_width: int
    empty: bool


def bar_chart(items: list[tuple[str, object]]) -> BarChart:
    """items: (label, Cell with a share 0..1). Suppressed items get a label and no bar."""
    label_width, bar_h, gap = 200, 22, 10
    plot_w = WIDTH - label_width - 70
    bars = []
    for i, (label, cell) in enumerate(items):
        top = TOP + i * (bar_h + gap)
        bar = {"label": label, "y": top, "text_y": top + bar_h * 0.7, "height": bar_h}
        if cell.suppressed:
            bar.update(width=0, value="suppressed", suppressed=True)
        else:
            width = max(1.0, plot_w * min(1.0, cell.value))
            bar.update(
                width=round(width, 1),
                value=f"{cell.value * 100:.0f}%",
                value_x=round(label_width + width + 6, 1),
                suppressed=False,
            )
        bars.append(bar)
    height = TOP + len(items) * (bar_h + gap) + 8
    empty = all(b["suppressed"] for b in bars)
    return BarChart(WIDTH, max(height, 40), bars, label_width, empty)
