"""`clinicshield directory ...` through the real entry point, against the loopback Graph
server; and the periodic job that syncs each directory when it is due."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from clinicshield.accounts.actions.directory import do_configure_directory, secret_path
from clinicshield.accounts.models import Organisation, Person
from clinicshield.lib.due import run_due
from tests.accounts.graph_server import CLIENT_SECRET, fake_graph
from tests.cli import clinicshield


def test_configure_then_sync_prints_a_summary_and_the_bad_records(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert clinicshield(data, "createorg", "--name", "Sol", "--slug", "sol").code == 0
    with fake_graph() as graph:
        settings_file = tmp_path / "entra.yaml"
        settings_file.write_text(yaml.safe_dump(graph.config(default_language="en")))
        made = clinicshield(
            data, "directory", "configure", "--org", "sol", "--name", "entra", "--kind", "graph",
            str(settings_file),
        )  # fmt: skip
        assert made.code == 0, made.err
        secret = data / "directory-secrets" / "sol.entra"
        assert str(secret) in made.out
        no_secret = clinicshield(data, "directory", "sync", "--org", "sol")
        assert no_secret.code == 1
        assert f"directory entra: The secret file {secret} does not exist" in no_secret.err
        secret.parent.mkdir(parents=True, exist_ok=True)
        secret.write_text(CLIENT_SECRET)
        secret.chmod(0o600)
        first = clinicshield(data, "directory", "sync", "--org", "sol", "--format", "json")
        assert first.code == 0, first.err
        summary = json.loads(first.out)
        assert {k: summary[k] for k in ("mode", "added", "deactivated", "unchanged")} == {
            "mode": "full",
            "added": 5,
            "deactivated": 0,
            "unchanged": 1,
        }
        fernando = "user 6dacd07e-b1ef-4c8e-9ac7-9f8bedec7c07"
        bad = {"record": fernando, "reason": "unknown_department", "value": "Voluntariado"}
        assert bad in summary["errors"]
        second = clinicshield(data, "directory", "sync", "--org", "sol")
        assert second.code == 0, second.err
        assert "mode: delta" in second.out and "deactivated: 3" in second.out
        listing = clinicshield(data, "directory", "list", "--org", "sol", "--format", "json")
        row = json.loads(listing.out)
        assert (row["name"], row["kind"], row["people"], row["last_result"]) == (
            "entra",
            "graph",
            6,
            "ok",
        )


def test_it_refuses_a_secret_in_the_settings_file_and_an_unknown_directory(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    clinicshield(data, "createorg", "--name", "Sol", "--slug", "sol")
    settings_file = tmp_path / "bad.yaml"
    settings_file.write_text(
        yaml.safe_dump({"url": "ldaps://dc1", "base_dn": "dc=x", "bind_password": "hunter2"})
    )
    refused = clinicshield(
        data, "directory", "configure", "--org", "sol", "--name", "ad", "--kind", "ldap",
        str(settings_file),
    )  # fmt: skip
    assert refused.code == 2
    assert "bind_password looks like a secret" in refused.err
    assert clinicshield(data, "directory", "sync", "--org", "sol").code == 2
    stranger = clinicshield(data, "directory", "sync", "--org", "nobody")
    assert (stranger.code, stranger.err.strip()) == (
        2,
        "CommandError: no organisation with short name 'nobody'",
    )


def test_the_periodic_job_syncs_each_directory_when_it_is_due(
    org_a: Organisation, settings: Any, tmp_path: Path
) -> None:
    settings.DIRECTORY_SECRETS_DIR = tmp_path / "secrets"
    with fake_graph() as graph:
        source = do_configure_directory(org_a, "entra", "graph", graph.config(), "test", 60)
        path = secret_path(source)
        path.parent.mkdir(parents=True)
        path.write_text(CLIENT_SECRET)
        path.chmod(0o600)
        t0 = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
        only = ["accounts.directory_sync"]
        assert run_due(t0, only)["accounts.directory_sync"] == "1 directories synced, 0 failed"
        assert Person.objects.filter(organisation=org_a).count() == 5
        # Again at the same moment, and 30 minutes later: not due, nothing is read.
        requests = len(graph.requests)
        assert run_due(t0, only)["accounts.directory_sync"] == "0 directories synced, 0 failed"
        run_due(datetime(2027, 3, 1, 8, 30, tzinfo=UTC), only)
        assert len(graph.requests) == requests
        run_due(datetime(2027, 3, 1, 9, 0, tzinfo=UTC), only)
        assert Person.objects.filter(organisation=org_a, active=False).count() == 3
