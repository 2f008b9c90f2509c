"""Server-rendered SVG charts for the analytics page (no JavaScript, no CDN). Pure Python."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

COLOURS = ("#0a58ca", "#c2410c", "#15803d", "#7c3aed", "#b91c1c")


def bar_chart(rows: Sequence[tuple[str, int]], *, title: str, width: int = 640) -> str:
    """Horizontal bars, one per (label, value), longest first as given."""
    if not rows:
        return ""
    bar, gap, label_width = 18, 8, 260
    height = len(rows) * (bar + gap) + gap
    top = max(value for _label, value in rows) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="chart"><title>{escape(title)}</title>'
    ]
    for index, (label, value) in enumerate(rows):
        y = gap + index * (bar + gap)
        length = round((width - label_width - 60) * value / top)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar - 5}" text-anchor="end" '
            f'font-size="12">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{max(length, 1)}" height="{bar}" '
            f'fill="{COLOURS[0]}"><title>{escape(label)}: {value}</title></rect>'
            f'<text x="{label_width + length + 6}" y="{y + bar - 5}" font-size="12">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    series: dict[str, list[tuple[datetime, int]]], *, title: str, width: int = 640
) -> str:
    """One line per series of (week, count), on a shared time axis."""
    points = [point for values in series.values() for point in values]
    if not points:
        return ""
    height, left, bottom, top_margin = 220, 40, 30, 10
    start = min(when for when, _count in points).timestamp()
    end = max(when for when, _count in points).timestamp()
    span = (end - start) or 1.0
    peak = max(count for _when, count in points) or 1

    def x(when: datetime) -> float:
        return left + (width - left - 10) * (when.timestamp() - start) / span

    def y(count: int) -> float:
        return top_margin + (height - bottom - top_margin) * (1 - count / peak)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="chart"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        'stroke="#475569"/>',
        f'<text x="4" y="{top_margin + 10}" font-size="11">{peak}</text>',
    ]
    for index, (name, values) in enumerate(sorted(series.items())):
        colour = COLOURS[index % len(COLOURS)]
        path = " ".join(f"{x(when):.1f},{y(count):.1f}" for when, count in values)
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}">'
            f"<title>{escape(name)}</title></polyline>"
        )
        parts.append(
            f'<text x="{left + 4}" y="{height - 6 - 0 * index}" dx="{index * 120}" '
            f'font-size="11" fill="{colour}">{escape(name[:18])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
