"""The trend chart across campaigns: server-side SVG, no JavaScript, no CDN."""

from __future__ import annotations

import re

import pygal
from django.utils.translation import gettext as _

from ..core.results import TrendPoint

_SCRIPT_RE = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)


def trend_svg(points: list[TrendPoint]) -> str:
    config = pygal.Config()
    config.js = []  # no scripts: the page's CSP allows none, and the chart needs none
    config.disable_xml_declaration = True
    config.show_legend = True
    config.legend_at_bottom = True
    config.range = (0, 100)
    config.height = 320
    config.width = 800
    config.x_label_rotation = 20
    chart = pygal.Line(config, style=pygal.style.CleanStyle)
    chart.title = _("Click rate and report rate by campaign (%)")
    chart.x_labels = [p.label for p in points]
    chart.add(_("clicked"), [_percent(p.click_rate) for p in points])
    chart.add(_("reported"), [_percent(p.report_rate) for p in points])
    # pygal still writes an inline config <script> for its tooltips; drop it, the CSP would
    # block it anyway and the chart reads fine without tooltips.
    return _SCRIPT_RE.sub("", str(chart.render(is_unicode=True)))


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)
