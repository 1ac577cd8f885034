"""The score's trend as a small, self-contained SVG: no JavaScript, no CDN, prints in a PDF.

Hand-written rather than a chart library: a single line over 0-100 with a few date labels is
some forty lines, renders identically in the browser and in WeasyPrint, and the labels arrive
already translated from the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 12, 28


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * index / (count - 1) if count > 1 else span / 2)


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / 100)


def trend_svg(
    points: Sequence[tuple[date, int]],
    title: str,
    empty_text: str,
    date_format: str = "%d/%m",
) -> str:
    """An accessible SVG line chart of (day, score) points, oldest first."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="trend">',
        f"<title>{escape(title)}</title>",
    ]
    for level in (0, 50, 80, 100):
        y = _y(level)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#d9dee5" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#5b6675">{level}</text>'
        )
    if not points:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" font-size="14" text-anchor="middle" '
            f'fill="#5b6675">{escape(empty_text)}</text></svg>'
        )
        return "".join(parts)
    count = len(points)
    coords = " ".join(f"{_x(i, count):.1f},{_y(v):.1f}" for i, (_d, v) in enumerate(points))
    parts.append(
        f'<polyline points="{coords}" fill="none" stroke="#0f6e6e" stroke-width="2.5" '
        f'stroke-linejoin="round"/>'
    )
    last_x, last_y = _x(count - 1, count), _y(points[-1][1])
    parts.append(f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="4" fill="#0f6e6e"/>')
    for index in sorted({0, count // 2, count - 1}):
        day = points[index][0]
        anchor = "start" if index == 0 else ("end" if index == count - 1 else "middle")
        parts.append(
            f'<text x="{_x(index, count):.1f}" y="{HEIGHT - 8}" font-size="11" '
            f'text-anchor="{anchor}" fill="#5b6675">{escape(day.strftime(date_format))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bars_svg(
    rows: Sequence[tuple[str, float, int]], title: str, decimal_separator: str = "."
) -> str:
    """Horizontal bars of (label, points, out of): each area's share of its points.

    The caller passes its language's decimal separator (Spanish writes 17,5)."""
    row_height, label_width, bar_width = 26, 260, 300
    height = row_height * len(rows) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_width + bar_width + 70} '
        f'{height}" role="img" aria-label="{escape(title)}" class="bars">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, points, weight) in enumerate(rows):
        y = 4 + index * row_height
        share = max(0.0, min(1.0, points / weight)) if weight else 0.0
        colour = "#1e7b34" if share >= 0.8 else "#9a6100" if share >= 0.5 else "#b3261e"
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="12" fill="#1b2430">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{bar_width}" height="14" fill="#e8ebef"/>'
            f'<rect x="{label_width}" y="{y + 3}" width="{bar_width * share:.1f}" height="14" '
            f'fill="{colour}"/>'
            f'<text x="{label_width + bar_width + 6}" y="{y + 15}" font-size="12" '
            f'fill="#1b2430">{f"{points:g}".replace(".", decimal_separator)} / {weight}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
