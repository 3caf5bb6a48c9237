"""Server-rendered SVG charts: no JavaScript, no external library, scale with the page.

Each function returns safe SVG markup with a <title> and an aria-label; pages show the same
figures in a table beside the chart for screen readers and printing.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

# Overdue, at risk, on track, done (the order of selectors.STATUS_ORDER).
STATUS_COLOURS = ["#b3261e", "#c98a00", "#1a55b8", "#1e6b3a"]
SERIES_COLOURS = ["#b3261e", "#1a55b8", "#1e6b3a", "#c98a00", "#6b4fa0"]
FONT = 'font-family="Noto Sans CJK SC, sans-serif"'


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    t = escape(title)
    return mark_safe(  # noqa: S308 (every label is escaped above)
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{t}" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet"><title>{t}</title>'
        + "".join(body)
        + "</svg>"
    )


def _label(text, limit: int = 15) -> str:
    text = str(text)
    return escape(text if len(text) <= limit else text[: limit - 1] + "…")


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def bar_chart(
    items, *, colours=None, title: str = "", horizontal: bool = False, max_value=None
) -> str:
    """Vertical bars (few categories) or horizontal bars (long labels, e.g. unit names)."""
    colours = colours or SERIES_COLOURS
    items = list(items)
    top = max([float(max_value or 0)] + [float(v) for _l, v in items]) or 1.0
    body: list[str] = []
    if horizontal:
        row, label_w, width = 26, 220, 640
        height = max(row * len(items) + 10, 40)
        bar_w = width - label_w - 60
        for i, (label, value) in enumerate(items):
            y = 5 + i * row
            w = bar_w * float(value) / top
            body.append(
                f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="13" {FONT}>'
                f"{_label(label)}</text>"
                f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" rx="3" '
                f'fill="{colours[0]}"><title>{escape(label)}: {_fmt(float(value))}</title></rect>'
                f'<text x="{label_w + w + 6:.1f}" y="{y + 17}" font-size="13" {FONT}>{_fmt(float(value))}</text>'
            )
        return _svg(width, height, title, body)
    width, height, base, left = 480, 240, 200, 20
    slot = (width - 2 * left) / max(len(items), 1)
    for i, (label, value) in enumerate(items):
        h = (base - 30) * float(value) / top
        x = left + i * slot + slot * 0.2
        colour = colours[i % len(colours)]
        body.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{slot * 0.6:.1f}" height="{h:.1f}" rx="3" '
            f'fill="{colour}"><title>{escape(label)}: {_fmt(float(value))}</title></rect>'
            f'<text x="{x + slot * 0.3:.1f}" y="{base - h - 6:.1f}" text-anchor="middle" font-size="15" '
            f'font-weight="600" {FONT}>{_fmt(float(value))}</text>'
            f'<text x="{x + slot * 0.3:.1f}" y="{base + 20}" text-anchor="middle" font-size="14" {FONT}>'
            f"{escape(label)}</text>"
        )
    body.append(f'<line x1="{left}" y1="{base}" x2="{width - left}" y2="{base}" stroke="#8a817c"/>')
    return _svg(width, height, title, body)


def stacked_bars(rows, *, series, colours=None, title: str = "") -> str:
    """One horizontal bar per row, split by series (e.g. units × status), with a legend."""
    colours = colours or SERIES_COLOURS
    rows = list(rows)
    top = max([sum(values) for _l, values in rows] + [1])
    row, label_w, width, legend = 26, 220, 640, 30
    height = legend + row * len(rows) + 10
    bar_w = width - label_w - 50
    body: list[str] = []
    for i, name in enumerate(series):
        x = label_w + i * 100
        body.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{colours[i % len(colours)]}"/>'
            f'<text x="{x + 16}" y="17" font-size="12" {FONT}>{escape(name)}</text>'
        )
    for r, (label, values) in enumerate(rows):
        y = legend + r * row
        x = float(label_w)
        body.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="13" {FONT}>'
            f"{_label(label)}</text>"
        )
        for i, value in enumerate(values):
            if not value:
                continue
            w = bar_w * value / top
            body.append(
                f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" '
                f'fill="{colours[i % len(colours)]}"><title>{escape(label)} · {escape(series[i])}: '
                f"{value}</title></rect>"
            )
            x += w
        body.append(
            f'<text x="{x + 6:.1f}" y="{y + 17}" font-size="12" {FONT}>{sum(values)}</text>'
        )
    return _svg(width, height, title, body)


def line_chart(x_labels, series, *, title: str = "") -> str:
    """Lines over time (e.g. reports and closures per month) with a legend."""
    x_labels = list(x_labels)
    width, height, left, bottom, top_pad = 640, 260, 44, 220, 34
    top = max([max(values or [0]) for _n, values in series] + [1])
    if all(float(v).is_integer() for _n, values in series for v in values):
        top = max(4, -(-top // 4) * 4)  # whole-number gridlines for counts
    step = (width - left - 20) / max(len(x_labels) - 1, 1)
    body: list[str] = []
    for k in range(5):
        value = top * k / 4
        y = bottom - (bottom - top_pad) * k / 4
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" stroke="#e4ddd9"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" {FONT}>{_fmt(value)}</text>'
        )
    for i, label in enumerate(x_labels):
        if len(x_labels) > 8 and i % 2:
            continue
        body.append(
            f'<text x="{left + i * step:.1f}" y="{bottom + 18}" text-anchor="middle" font-size="11" {FONT}>'
            f"{escape(label)}</text>"
        )
    for s, (name, values) in enumerate(series):
        colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
        points = " ".join(
            f"{left + i * step:.1f},{bottom - (bottom - top_pad) * v / top:.1f}"
            for i, v in enumerate(values)
        )
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
        )
        for i, v in enumerate(values):
            body.append(
                f'<circle cx="{left + i * step:.1f}" cy="{bottom - (bottom - top_pad) * v / top:.1f}" r="3" '
                f'fill="{colour}"><title>{escape(name)} {escape(x_labels[i])}: {v}</title></circle>'
            )
        body.append(
            f'<rect x="{left + s * 150}" y="6" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + s * 150 + 16}" y="17" font-size="12" {FONT}>{escape(name)}</text>'
        )
    return _svg(width, height, title, body)
