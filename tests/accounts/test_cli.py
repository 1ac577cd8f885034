"""The accounts verbs through the real `clinicshield` entry point."""

import json
from pathlib import Path

from tests.cli import clinicshield

PASSWORD = {"CLINICSHIELD_OWNER_PASSWORD": "a long enough passphrase"}


def test_createorg_and_createowner_work_non_interactively(tmp_path: Path) -> None:
    made = clinicshield(
        tmp_path,
        "createorg",
        "--name",
        "Clínica Sol",
        "--slug",
        "sol",
        "--timezone",
        "Atlantic/Canary",
    )
    assert made.code == 0, made.err
    owner = clinicshield(
        tmp_path, "createowner", "--org", "sol", "--email", "o@sol.example", env=PASSWORD
    )
    assert owner.code == 0, owner.err
    assert "/accounts/setup/" in owner.out


def test_it_refuses_an_unknown_organisation_with_exit_code_2(tmp_path: Path) -> None:
    result = clinicshield(tmp_path, "import-staff", "x.csv", "--org", "nowhere")
    assert result.code == 2
    assert "no organisation with short name 'nowhere'" in result.err


def test_createowner_refuses_a_weak_password(tmp_path: Path) -> None:
    clinicshield(tmp_path, "createorg", "--name", "Sol", "--slug", "sol")
    result = clinicshield(
        tmp_path,
        "createowner",
        "--org",
        "sol",
        "--email",
        "o@sol.example",
        env={"CLINICSHIELD_OWNER_PASSWORD": "123"},
    )
    assert result.code == 2 and "too short" in result.err


def test_import_staff_reports_bad_rows_by_line_and_imports_the_rest(tmp_path: Path) -> None:
    clinicshield(tmp_path, "createorg", "--name", "Sol", "--slug", "sol")
    roster = tmp_path / "staff.csv"
    roster.write_text(
        "name,email,department,site,language\n"
        "Ana,ana@sol.example,reception,Las Palmas,es\n"
        "Bad,bad,reception,Las Palmas,es\n"
    )
    result = clinicshield(tmp_path, "import-staff", str(roster), "--org", "sol", "--format", "json")
    assert result.code == 0, result.err
    assert f"{roster}:3: bad_email (bad)" in result.err
    assert json.loads(result.out) == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    exported = clinicshield(tmp_path, "export-staff", "--org", "sol")
    assert "ana@sol.example,reception,Las Palmas,es" in exported.out


def test_demo_seeds_the_demo_clinic_once(tmp_path: Path) -> None:
    first = clinicshield(
        tmp_path, "demo", env={"CLINICSHIELD_DEMO_PASSWORD": "demo passphrase 1"}, timeout=600
    )
    assert first.code == 0, first.err
    assert "Clínica Santa Ana: 25 staff, 2 sites" in first.out
    again = clinicshield(tmp_path, "demo")
    assert again.code == 2 and "--reset" in again.err


def test_run_due_accepts_a_moment_and_rejects_nonsense(tmp_path: Path) -> None:
    ok = clinicshield(tmp_path, "run-due", "--now", "2027-05-01T09:00", "--format", "json")
    assert ok.code == 0, ok.err
    bad = clinicshield(tmp_path, "run-due", "--now", "yesterday")
    assert bad.code == 2 and "expected an ISO time" in bad.err
