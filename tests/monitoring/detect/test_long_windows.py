"""Long windows: old logs imported at once are judged in one pass, each day against its past."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clinicshield.monitoring.core.detectors import DetectionContext, DetectionSettings
from clinicshield.monitoring.core.detectors.registry import run_detectors
from clinicshield.monitoring.core.ingest import ingest_file
from clinicshield.monitoring.core.synthetic import clinic_month
from tests.cli import clinicshield

ORG = "clinic-a"
# A month and a half of a clinic's sign-ins (from Monday 2023-01-16) that ended long ago.
END = datetime(2023, 3, 1, tzinfo=UTC)
OPENING = {day: [("08:00", "15:00")] for day in range(5)}
HABIT_DETECTORS = ["off_hours", "new_country", "new_asn", "new_device", "impossible_travel"]


def write_month(path: Path, *, days: int = 45) -> Path:
    records = clinic_month(now=END, users=12, days=days, seed=3)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def context(start: datetime, end: datetime) -> DetectionContext:
    return DetectionContext(
        start=start,
        end=end,
        timezone="Europe/Madrid",
        opening_hours=OPENING,
        settings=DetectionSettings(learning_days=7, learning_min_signins=10),
    )


def seen(findings) -> set[tuple]:
    return {(f.kind, f.key, f.first_seen, f.last_seen, f.count, str(f.params)) for f in findings}


def test_one_pass_over_weeks_finds_exactly_what_daily_passes_find(tmp_path, con):
    ingest_file(write_month(tmp_path / "signins.jsonl"), data_dir=tmp_path, org=ORG)
    first = END - timedelta(days=45)
    whole = run_detectors(con, tmp_path, ORG, context(first, END), only=HABIT_DETECTORS)
    daily = []
    for offset in range(45):
        day = first + timedelta(days=offset)
        ctx = context(day, day + timedelta(days=1))
        daily += run_detectors(con, tmp_path, ORG, ctx, only=HABIT_DETECTORS)
    # Weeks of learning and a month of habits give many findings of several kinds, and the
    # single pass agrees with the day-by-day ones finding for finding, sentence for sentence.
    assert {f.kind for f in whole} >= {"off_hours", "new_country", "impossible_travel"}
    assert len(whole) > 20
    assert seen(whole) == seen(daily)


def test_a_plain_detect_after_importing_old_logs_judges_them_all_and_says_its_window(tmp_path):
    assert clinicshield(tmp_path, "createorg", "--name", "Sol", "--slug", "sol").code == 0
    log = write_month(tmp_path / "signins.jsonl")
    ingested = clinicshield(tmp_path, "ingest", str(log), "--org", "sol")
    assert ingested.code == 0, ingested.err
    detect = clinicshield(
        tmp_path, "detect", "--org", "sol", "--now", "2026-12-06T00:00:00", "--format", "json"
    )
    assert detect.code == 0, detect.err
    report = json.loads(detect.out)
    # The first pass starts on the day of the oldest stored event, years before --now.
    assert report["window_start"] == "2023-01-16T00:00:00+00:00"
    assert report["window_end"] == "2026-12-06T00:00:00+00:00"
    assert (report["unjudged_before"], report["unjudged_after"], report["note"]) == (0, 0, "")
    listed = clinicshield(tmp_path, "alerts", "--org", "sol", "--format", "json")
    kinds = {json.loads(line)["kind"] for line in listed.out.splitlines()}
    assert {"password_spray", "spray_success", "brute_force", "impossible_travel"} <= kinds


def test_a_window_that_leaves_stored_events_out_says_so_and_the_next_plain_pass_judges_them(
    tmp_path,
):
    assert clinicshield(tmp_path, "createorg", "--name", "Sol", "--slug", "sol").code == 0
    log = write_month(tmp_path / "signins.jsonl")
    assert clinicshield(tmp_path, "ingest", str(log), "--org", "sol").code == 0
    late = clinicshield(
        tmp_path,
        "detect",
        "--org",
        "sol",
        "--since",
        "2023-02-20T00:00:00",
        "--now",
        "2023-02-25T00:00:00",
    )
    assert late.code == 0, late.err
    note = next(line for line in late.out.splitlines() if line.startswith("note: "))
    assert "stored events (from 2023-01-16) come before every window judged so far" in note
    assert "come after --now and were not judged" in note
    plain = clinicshield(
        tmp_path, "detect", "--org", "sol", "--now", "2023-03-02T00:00:00", "--format", "json"
    )
    report = json.loads(plain.out)
    assert report["window_start"] == "2023-01-16T00:00:00+00:00"
    assert (report["unjudged_before"], report["unjudged_after"]) == (0, 0)
