"""Every CLINICSHIELD_* setting that settings.py reads is documented in docs/configuration.md."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    source = (ROOT / "clinicshield" / "settings.py").read_text()
    read = set(re.findall(r'env(?:bool|int|list)?\(\s*"([A-Z_]+)"', source))
    assert {"DATA_DIR", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"} <= read
    documented = set(
        re.findall(r"`CLINICSHIELD_([A-Z_]+)`", (ROOT / "docs" / "configuration.md").read_text())
    )
    assert sorted(read - documented) == []
