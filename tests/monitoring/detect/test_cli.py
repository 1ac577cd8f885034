"""`clinicshield detect` and `clinicshield alerts` through the real entry point."""

import json
from pathlib import Path

from tests.cli import clinicshield

from .conftest import at, daily, signin, write_events


def test_detect_then_alerts_prints_one_explained_json_object_per_alert_and_refuses_bad_usage(
    tmp_path: Path,
) -> None:
    made = clinicshield(
        tmp_path, "createorg", "--name", "Clínica Sol", "--slug", "sol", "--timezone", "UTC"
    )
    assert made.code == 0, made.err
    rows = [signin(ts, "ana", src_country="ES") for ts in daily(at("2025-01-01 00:00"), 31, 9)]
    rows += [signin(at("2025-02-02 03:12"), "ana", src_country="ES", src_ip="83.1.1.1", host="ehr")]
    write_events(tmp_path, "auth", rows, org="sol")
    detect = clinicshield(
        tmp_path,
        "detect",
        "--org",
        "sol",
        "--since",
        "2025-02-01T00:00:00",
        "--now",
        "2025-02-03T00:00:00",
        "--format",
        "json",
    )
    assert detect.code == 0, detect.err
    assert json.loads(detect.out)["new_alerts"] == 1
    listed = clinicshield(tmp_path, "alerts", "--org", "sol", "--format", "json")
    assert listed.code == 0, listed.err
    alerts = [json.loads(line) for line in listed.out.splitlines()]
    assert len(alerts) == 1
    alert = alerts[0]
    assert {k: alert[k] for k in ("kind", "severity", "user", "src_ip", "host", "count")} == {
        "kind": "off_hours",
        "severity": "medium",
        "user": "ana",
        "src_ip": "83.1.1.1",
        "host": "ehr",
        "count": 1,
    }
    assert alert["first_seen"] == alert["last_seen"] == "2025-02-02T03:12:00+00:00"
    assert (
        alert["explanation"]
        == "ana signed in at 03:12 on Sunday; they usually sign in 09:00–10:00 on weekdays."
    )
    spanish = clinicshield(
        tmp_path, "alerts", "--org", "sol", "--format", "json", "--language", "es"
    )
    assert "ana inició sesión a las 03:12 del domingo" in json.loads(spanish.out)["explanation"]
    # Bad usage is refused with exit code 2 and a one-line reason.
    refused = clinicshield(tmp_path, "detect", "--org", "sol", "--now", "yesterday")
    assert refused.code == 2
    assert "--now 'yesterday': expected an ISO time such as 2027-05-01T09:00" in refused.err
    assert clinicshield(tmp_path, "alerts", "--org", "nowhere").code == 2
