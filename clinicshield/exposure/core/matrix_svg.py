"""The zone x zone segmentation matrix as a standalone SVG picture (no JavaScript)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

COLOURS = {
    "allowed": "#2e7d32",
    "blocked": "#1565c0",
    "violated": "#c62828",
    "inconclusive": "#f9a825",
    "untested": "#9e9e9e",
    "none": "#eeeeee",
}
SYMBOLS = {
    "allowed": "✓",
    "blocked": "■",
    "violated": "✗",
    "inconclusive": "?",
    "untested": "…",
    "none": "",
}
CELL, LABEL = 56, 120


def render_matrix(
    zones: Sequence[str],
    cells: Mapping[tuple[str, str], str],
    labels: Mapping[str, str],
    axis_from: str = "from",
    axis_to: str = "to",
) -> str:
    """Rows are source zones, columns destination zones; `labels` words each state."""
    size = len(zones)
    width = LABEL + CELL * size + 20
    legend_top = LABEL + CELL * size + 20
    height = legend_top + 22 * len(COLOURS) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" role="img">',
        f"<title>{escape(axis_from)} / {escape(axis_to)}</title>",
        f'<text x="{LABEL}" y="14" font-weight="bold">{escape(axis_to)} →</text>',
        f'<text x="4" y="{LABEL - 6}" font-weight="bold">{escape(axis_from)} ↓</text>',
    ]
    for column, zone in enumerate(zones):
        x = LABEL + column * CELL + CELL / 2
        parts.append(
            f'<text x="{x}" y="{LABEL - 8}" transform="rotate(-45 {x} {LABEL - 8})">'
            f"{escape(zone)}</text>"
        )
    for row, source in enumerate(zones):
        y = LABEL + row * CELL
        parts.append(f'<text x="4" y="{y + CELL / 2 + 4}">{escape(source)}</text>')
        for column, destination in enumerate(zones):
            state = cells.get((source, destination), "none")
            x = LABEL + column * CELL
            tip = f"{source} → {destination}: {labels.get(state, state)}"
            parts.append(
                f'<g><title>{escape(tip)}</title><rect x="{x}" y="{y}" width="{CELL - 2}" '
                f'height="{CELL - 2}" fill="{COLOURS[state]}" data-state="{state}"/>'
                f'<text x="{x + CELL / 2 - 1}" y="{y + CELL / 2 + 5}" text-anchor="middle" '
                f'fill="white" font-size="16">{SYMBOLS[state]}</text></g>'
            )
    for index, state in enumerate(COLOURS):
        y = legend_top + index * 22
        parts.append(f'<rect x="4" y="{y}" width="16" height="16" fill="{COLOURS[state]}"/>')
        parts.append(f'<text x="26" y="{y + 12}">{escape(labels.get(state, state))}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
