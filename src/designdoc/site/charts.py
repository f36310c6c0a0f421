"""Inline SVG bar charts, drawn at build time (no chart library, no script).

A chart is plain SVG markup styled by the site's CSS (so dark mode and print apply),
labelled for screen readers (`role="img"`, a `<title>`), and each bar carries its number
as text, so nothing is told by colour alone.  Every value in the markup is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

ROW = 26  # px per bar
LABEL = 190  # px for the labels column
BAR = 320  # px for the longest bar
VALUE = 48  # px for the number after a bar
MAX_LABEL = 26  # characters; longer labels are cut with '…'


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, value, CSS class and an optional link (relative URL)."""

    label: str
    value: int
    css: str = ""
    href: str | None = None


def bar_chart(bars: Sequence[Bar], *, title: str, chart_id: str) -> Markup:
    """Return a horizontal bar chart as inline SVG markup."""
    height = max(len(bars), 1) * ROW + 4
    width = LABEL + BAR + VALUE
    top = max((b.value for b in bars), default=0) or 1
    opening = (
        f'<svg class="dd-chart" role="img" aria-labelledby="{chart_id}-title" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
    )
    parts = [opening, f'<title id="{chart_id}-title">{escape(title)}</title>']
    for n, bar in enumerate(bars):
        parts.append(_row(bar, n * ROW + 2, round(BAR * bar.value / top)))
    if not bars:
        parts.append(f'<text class="dd-chart-label" x="0" y="{ROW - 8}">No docs</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _row(bar: Bar, y: int, length: int) -> str:
    label = bar.label if len(bar.label) <= MAX_LABEL else bar.label[: MAX_LABEL - 1] + "…"
    text = (
        f'<text class="dd-chart-label" x="{LABEL - 8}" y="{y + ROW - 9}" text-anchor="end">'
        f"{escape(label)}<title>{escape(bar.label)}: {bar.value}</title></text>"
    )
    rect = (
        f'<rect class="dd-bar {escape(bar.css)}" x="{LABEL}" y="{y + 3}" width="{max(length, 1)}" '
        f'height="{ROW - 8}" rx="2"/>'
    )
    value = f'<text class="dd-chart-value" x="{LABEL + max(length, 1) + 6}" y="{y + ROW - 9}">{bar.value}</text>'
    row = text + rect + value
    if bar.href is not None:
        row = f'<a href="{escape(bar.href)}">{row}</a>'
    return row
