"""The training verbs through the real `clinicshield` entry point."""

import json
from pathlib import Path

from tests.cli import clinicshield

ROSTER = (
    "name,email,department,site,language\n"
    "Lucía Pérez,lucia@sol.example,reception,Centro,es\n"
    "Tom Hart,tom@sol.example,lab,Centro,en\n"
)


def test_modules_lists_the_library_as_json(tmp_path: Path) -> None:
    result = clinicshield(tmp_path, "training", "modules", "--format", "json")
    assert result.code == 0, result.err
    modules = {m["key"]: m for m in json.loads(result.out)["modules"]}
    assert len(modules) >= 8
    assert modules["clickfix"]["languages"] == ["en", "es"]
    assert modules["ransomware-backups"]["roles"] == ["management", "it"]
    assert modules["phishing"]["pass_mark"] == 80


def test_assign_then_status_and_the_refusals(tmp_path: Path) -> None:
    assert clinicshield(tmp_path, "createorg", "--name", "Sol", "--slug", "sol").code == 0
    (tmp_path / "staff.csv").write_text(ROSTER, encoding="utf-8")
    imported = clinicshield(tmp_path, "import-staff", str(tmp_path / "staff.csv"), "--org", "sol")
    assert imported.code == 0, imported.err

    assigned = clinicshield(
        tmp_path, "training", "assign", "--org", "sol", "--person", "lucia@sol.example",
        "--module", "phone-scams", "--format", "json",
    )  # fmt: skip
    assert assigned.code == 0, assigned.err
    assert json.loads(assigned.out)["reason"] == "manual"

    status = clinicshield(tmp_path, "training", "status", "--org", "sol", "--format", "json")
    assert status.code == 0, status.err
    rows = json.loads(status.out)["status"]
    assert [(r["email"], r["module"], r["state"], r["score"]) for r in rows] == [
        ("lucia@sol.example", "phone-scams", "assigned", None)
    ]
    assert rows[0]["due"] > rows[0]["assigned"]

    unknown = clinicshield(
        tmp_path, "training", "assign", "--org", "sol", "--person", "lucia@sol.example",
        "--module", "no-such-module",
    )  # fmt: skip
    assert unknown.code == 2 and "no-such-module" in unknown.err
    nobody = clinicshield(
        tmp_path, "training", "assign", "--org", "sol", "--person", "x@sol.example",
        "--module", "phishing",
    )  # fmt: skip
    assert nobody.code == 2 and "x@sol.example" in nobody.err
