"""The progress chart: rolling accuracy per topic over the student's answers, as server-side SVG.

Pure Python (no Django, no JavaScript): the page gets finished markup, readable offline and by
screen readers through its title and the table next to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from quizzes.practice import AccuracyPoint, accuracy_series

# Distinguishable on white, each at least 3:1 against it (WCAG non-text contrast).
SERIES_COLOURS = (
    "#0a58ca",
    "#c2410c",
    "#15803d",
    "#7c3aed",
    "#b91c1c",
    "#0f766e",
    "#a16207",
    "#be185d",
    "#4338ca",
    "#475569",
)
WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 36


@dataclass(frozen=True)
class Series:
    slug: str
    title: str
    colour: str
    points: list[AccuracyPoint]

    @property
    def latest_percent(self) -> int:
        return round(self.points[-1].accuracy * 100) if self.points else 0


@dataclass(frozen=True)
class Chart:
    svg: str
    series: list[Series]
    answers: int


def accuracy_chart(
    answers: Sequence[tuple[datetime, bool, str]],
    titles: Mapping[str, str],
    *,
    window: int = 10,
) -> Chart | None:
    """Rolling accuracy (last ``window`` answers of each topic) after every answer, oldest first.

    ``answers`` are (when, is_correct, topic slug). None when there is nothing to draw.
    """
    if not answers:
        return None
    by_topic = accuracy_series([(slug, correct) for _when, correct, slug in answers], window=window)
    series = [
        Series(slug, titles.get(slug, slug), SERIES_COLOURS[index % len(SERIES_COLOURS)], points)
        for index, (slug, points) in enumerate(by_topic.items())
    ]
    count = len(answers)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return LEFT + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y(accuracy: float) -> float:
        return TOP + plot_h * (1 - accuracy)

    parts: list[str] = []
    for percent in (0, 25, 50, 75, 100):
        level = y(percent / 100)
        parts.append(
            f'<line x1="{LEFT}" y1="{level:.1f}" x2="{WIDTH - RIGHT}" y2="{level:.1f}" '
            f'stroke="{"#8c959f" if percent in (0, 100) else "#d8dee4"}" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{level + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#545d68">{percent}%</text>'
        )
    # Date labels where the day changes (at most six), so "over time" reads as dates.
    labels: list[tuple[int, str]] = []
    previous_day = None
    for index, (when, _correct, _slug) in enumerate(answers):
        day = when.date()
        if day != previous_day:
            labels.append((index, when.strftime("%d %b")))
            previous_day = day
    if len(labels) > 6:
        stride = -(-len(labels) // 6)
        labels = labels[::stride]
    for index, label in labels:
        parts.append(
            f'<text x="{x(index):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="11" fill="#545d68">{escape(label)}</text>'
        )
    parts.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 4}" text-anchor="middle" font-size="11" '
        f'fill="#545d68">your answers, oldest to newest ({count})</text>'
    )
    for item in series:
        coordinates = " ".join(f"{x(p.index):.1f},{y(p.accuracy):.1f}" for p in item.points)
        if len(item.points) > 1:
            parts.append(
                f'<polyline points="{coordinates}" fill="none" stroke="{item.colour}" '
                'stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"/>'
            )
        for point in item.points:
            parts.append(
                f'<circle cx="{x(point.index):.1f}" cy="{y(point.accuracy):.1f}" r="3.5" '
                f'fill="{item.colour}"><title>{escape(item.title)}: '
                f"{round(point.accuracy * 100)}% after answer {point.index + 1}</title></circle>"
            )
    title = "Accuracy per topic over your answers (rolling, last 10 answers of each topic)"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" '
        f'aria-labelledby="chart-title" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'font-family="system-ui, sans-serif"><title id="chart-title">{escape(title)}</title>'
        + "".join(parts)
        + "</svg>"
    )
    return Chart(svg=svg, series=series, answers=count)
