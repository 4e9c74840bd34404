from django import template

register = template.Library()


@register.filter
def figure(cell, unit: str = "people") -> str:
    """A report cell as text: the number, or an en dash for a suppressed one."""
    if cell is None or cell.suppressed:
        return "–"
    value = cell.value
    if unit == "share":
        return f"{value * 100:.1f}%"
    if unit == "ratio":
        return f"{value:.2f}"
    if unit == "days":
        return f"{value:.1f}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


@register.filter
def cell_of(cells: dict, key: str):
    return cells.get(key)
