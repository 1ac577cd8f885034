from datetime import date

import pytest
from defusedxml import ElementTree

from clinicshield.dashboard.core.chart import trend_svg
from clinicshield.dashboard.core.compliance import (
    COVERED,
    MISSING,
    PARTIAL,
    REQUIREMENTS,
    assess,
)
from clinicshield.dashboard.core.history import changes, parse_month, previous_month


def test_the_trend_is_well_formed_svg_with_its_title() -> None:
    svg = trend_svg([(date(2026, 11, d), 40 + d) for d in range(1, 11)], "Score <trend>", "none")
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "Score &lt;trend&gt;" in svg
    assert "01/11" in svg and "10/11" in svg


def test_an_empty_trend_says_so() -> None:
    assert "No history yet" in trend_svg([], "t", "No history yet")


def test_changes_list_the_biggest_moves_first() -> None:
    rows = changes({"training": 10, "exposure": 12, "drills": 0}, {"training": 20, "exposure": 8})
    assert [(r.key, r.delta) for r in rows] == [("training", 10.0), ("exposure", -4.0)]


def test_months_parse_and_roll_back_over_new_year() -> None:
    assert parse_month("2026-11") == (2026, 11)
    assert previous_month(date(2027, 1, 1)) == (2026, 12)
    with pytest.raises(ValueError, match="expected YYYY-MM"):
        parse_month("Nov 2026")


def test_every_framework_asked_for_is_mapped() -> None:
    references = " ".join(r.reference for r in REQUIREMENTS)
    for needed in ("164.308(a)(1)", "164.308(a)(5)", "164.308(a)(6)", "164.312(b)", "art. 32"):
        assert needed in references
    assert sum(r.framework == "HICP" for r in REQUIREMENTS) == 10


def test_requirements_follow_their_activities() -> None:
    everything = {a: COVERED for r in REQUIREMENTS for a in r.activities}
    statuses = {s.requirement.code: s for s in assess(everything)}
    assert statuses["hipaa_312b"].status == COVERED
    # practice 2 needs endpoint tools that ClinicShield does not provide
    assert statuses["hicp_2"].status == PARTIAL
    assert statuses["hicp_2"].gaps == ("endpoint_tools",)
    nothing = {s.requirement.code: s.status for s in assess({})}
    assert set(nothing.values()) == {MISSING}
    half = {s.requirement.code: s.status for s in assess({"training": COVERED})}
    assert half["hipaa_308a5"] == PARTIAL and half["gdpr_32_4"] == COVERED


def test_bars_show_each_area_with_its_points() -> None:
    from clinicshield.dashboard.core.chart import bars_svg

    svg = bars_svg([("Training", 17.5, 25), ("Drills", 0.0, 10)], "Areas")
    assert ElementTree.fromstring(svg).tag.endswith("svg")
    assert "17.5 / 25" in svg and "0 / 10" in svg
    assert 'width="210.0"' in svg  # 300 x 17.5/25
