"""The readiness verbs through the real `clinicshield` entry point."""

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from clinicshield.readiness.demo import seed
from tests.cli import clinicshield


@pytest.fixture(scope="module")
def data_dir_cli(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data dir for the module: its database is migrated once, not once per test."""
    return tmp_path_factory.mktemp("cli")


def test_drills_scenarios_lists_the_four_scenarios_with_both_languages(data_dir_cli: Path) -> None:
    result = clinicshield(data_dir_cli, "drills", "scenarios", "--format", "json")
    assert result.code == 0, result.err
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert {r["key"] for r in rows} >= {
        "interlock-clickfix-reception",
        "ransomware-friday-night",
        "lost-laptop",
        "supplier-invoice-fraud",
    }
    assert all(r["languages"] == ["en", "es"] for r in rows)


def test_drills_validate_passes_on_the_shipped_content(data_dir_cli: Path) -> None:
    result = clinicshield(data_dir_cli, "drills", "validate")
    assert result.code == 0 and "valid in every language" in result.out


def test_incidents_refuses_an_unknown_organisation(data_dir_cli: Path) -> None:
    result = clinicshield(data_dir_cli, "incidents", "--org", "nowhere", "--format", "json")
    assert result.code == 2 and "nowhere" in result.err


def test_incidents_on_an_organisation_without_any_says_none(data_dir_cli: Path) -> None:
    made = clinicshield(data_dir_cli, "createorg", "--name", "Clínica Sol", "--slug", "sol")
    assert made.code == 0, made.err
    table = clinicshield(data_dir_cli, "incidents", "--org", "sol")
    assert table.code == 0 and table.out.strip() == "(none)"
    assert clinicshield(data_dir_cli, "incidents", "--org", "sol", "--format", "json").out == ""


def call(*args: str) -> list[dict[str, Any]]:
    out = StringIO()
    call_command(*args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_the_demo_has_a_closed_incident_and_a_finished_drill(org_a: Any) -> None:
    now = timezone.now()
    seed(org_a, now)
    [incident] = call("incidents", "--org", org_a.slug, "--format", "json")
    assert incident["status"] == "closed" and incident["playbook"] == "clickfix"
    assert incident["tasks_done"] == "8/8"
    [drill] = call("drills", "list", "--org", org_a.slug, "--format", "json")
    assert drill["status"] == "finished" and 0 < drill["percent"] < 100
    assert drill["open_improvements"] == 2
    assert call("incidents", "--org", org_a.slug, "--status", "open", "--format", "json") == []
