"""`clinicshield score` and `clinicshield report` through the real entry point; the demo."""

import json
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from clinicshield.dashboard import demo
from clinicshield.dashboard.models import ScoreSnapshot
from tests.cli import clinicshield
from tests.system import need_program


@pytest.fixture(scope="module")
def sol(tmp_path_factory: Any) -> Path:
    """One data dir with the organisation 'sol' for every CLI test: migrating costs seconds."""
    data_dir = Path(tmp_path_factory.mktemp("cli"))
    made = clinicshield(data_dir, "createorg", "--name", "Clínica Sol", "--slug", "sol")
    assert made.code == 0, made.err
    return data_dir


def test_score_prints_total_components_and_sites_as_json(sol: Path) -> None:
    result = clinicshield(sol, "score", "--org", "sol", "--format", "json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["total"] == 0
    assert [c["key"] for c in document["components"]] == [
        "training", "simulations", "exposure", "monitoring", "drills", "protocols",
    ]  # fmt: skip
    assert {c["status"] for c in document["components"]} == {"not_set_up"}
    assert document["sites"] == []
    assert document["next_actions"][0]["points"] == 25


def test_report_writes_a_pdf_and_refuses_a_bad_month(sol: Path, tmp_path: Path) -> None:
    pdftotext = need_program("pdftotext", "poppler-utils")
    out = tmp_path / "sol.pdf"
    result = clinicshield(
        sol, "report", "--org", "sol", "--month", "2026-10", "--out", str(out),
        "--language", "es",
    )  # fmt: skip
    assert result.code == 0, result.err
    text = subprocess.run([pdftotext, str(out), "-"], capture_output=True, text=True).stdout
    assert "Clínica Sol" in text
    bad = clinicshield(sol, "report", "--org", "sol", "--month", "10/2026", "--out", str(out))
    assert bad.code == 2 and "YYYY-MM" in bad.err
    nowhere = clinicshield(
        sol, "report", "--org", "sol", "--month", "2026-10", "--out", "/no/such/dir/x.pdf"
    )
    assert nowhere.code == 2 and "does not exist" in nowhere.err


def test_the_demo_history_climbs_to_todays_real_score(org_a: Any) -> None:
    now = datetime.fromisoformat("2026-11-20T10:00:00+00:00")
    summary = demo.seed(org_a, now)
    history = list(
        ScoreSnapshot.objects.filter(organisation=org_a, site__isnull=True)
        .order_by("day")
        .values_list("total", flat=True)
    )
    assert len(history) == demo.DAYS
    assert "90 days" in summary
    assert ScoreSnapshot.objects.filter(organisation=org_a, site__isnull=False).count() == 90


def test_the_demo_history_has_one_score_a_day_across_a_clock_change(org_a: Any) -> None:
    # 22:30 UTC in December is 23:30 in Madrid; the same hour before 25 October was 00:30 of
    # the next day there: a day counted back in 24-hour steps came out twice.
    org_a.timezone = "Europe/Madrid"
    org_a.save(update_fields=["timezone"])
    demo.seed(org_a, datetime.fromisoformat("2026-12-06T22:30:00+00:00"))
    days = list(
        ScoreSnapshot.objects.filter(organisation=org_a, site__isnull=True)
        .order_by("day")
        .values_list("day", flat=True)
    )
    assert len(days) == demo.DAYS == len(set(days))
    assert (str(days[0]), str(days[-1])) == ("2026-09-08", "2026-12-06")
