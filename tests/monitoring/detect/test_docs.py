from dataclasses import fields
from pathlib import Path

from clinicshield.monitoring.core.detectors import DetectionSettings
from clinicshield.monitoring.core.detectors.registry import DETECTORS

DOC = Path(__file__).resolve().parents[3] / "docs" / "monitoring-detections.md"


def test_every_detection_setting_is_documented():
    text = DOC.read_text()
    missing = [f.name for f in fields(DetectionSettings) if f"| `{f.name}` |" not in text]
    assert missing == []


def test_every_detector_kind_is_documented():
    text = DOC.read_text()
    kinds = (set(DETECTORS) - {"process_rules"}) | {"clickfix", "sigma"}
    assert [kind for kind in sorted(kinds) if f"| `{kind}` |" not in text] == []
