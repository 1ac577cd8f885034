"""What every `clinicshield` verb pays before it starts: the migrations check is cheap but
never skips a needed migration, the Redis client stays unloaded when jobs do not use
Redis, and an `ingest` that finds nothing new loads neither pyarrow nor DuckDB."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import clinicshield

# Runs the real entry point in this process, then says which heavy libraries it loaded.
_LOADED_BY = """
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "clinicshield.settings"
from clinicshield import cli
code = 0
try:
    cli.main(["clinicshield", *sys.argv[1:]])
except SystemExit as stop:
    code = stop.code or 0
heavy = ["duckdb", "ibis", "numpy", "pandas", "pyarrow", "redis", "tqdm"]
print(json.dumps({"code": code, "loaded": [m for m in heavy if m in sys.modules]}))
"""


def loaded_by(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> dict:
    environment = {"CLINICSHIELD_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", _LOADED_BY, *args],
        capture_output=True,
        text=True,
        env={**environment, **(env or {})},
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def cli_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("cli") / "data"
    assert clinicshield(data_dir, "createorg", "--name", "A", "--slug", "clinic-a").code == 0
    return data_dir


def test_it_applies_a_migration_the_database_lacks(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert clinicshield(data_dir, "createorg", "--name", "A", "--slug", "clinic-a").code == 0
    # As if the code had gained the sessions app's migrations since the last command.
    assert clinicshield(data_dir, "migrate", "sessions", "zero", "-v0").code == 0
    database = sqlite3.connect(data_dir / "clinicshield.sqlite3")
    tables = "SELECT count(*) FROM sqlite_master WHERE name = 'django_session'"
    assert database.execute(tables).fetchone() == (0,)

    assert clinicshield(data_dir, "createorg", "--name", "B", "--slug", "clinic-b").code == 0

    assert database.execute(tables).fetchone() == (1,)
    applied = "SELECT count(*) FROM django_migrations WHERE app = 'sessions'"
    assert database.execute(applied).fetchone()[0] >= 1


def test_an_ingest_with_nothing_new_loads_no_parsing_library(
    cli_data_dir: Path, tmp_path: Path
) -> None:
    log = tmp_path / "auth.log"
    log.write_text(
        "Mar  3 08:00:01 web1 sshd[411]: Accepted password for ana from 83.44.1.2 port 50000 ssh2\n"
    )
    ingest = ["ingest", str(log), "--org", "clinic-a", "--year", "2026", "--output", "json"]

    first = loaded_by(cli_data_dir, *ingest)
    again = loaded_by(cli_data_dir, *ingest)

    assert first["code"] == 0 and {"duckdb", "pyarrow"} <= set(first["loaded"])
    assert again == {"code": 0, "loaded": []}


def test_redis_is_loaded_only_when_jobs_go_through_redis(cli_data_dir: Path) -> None:
    without = loaded_by(cli_data_dir, "createorg", "--name", "C", "--slug", "clinic-c")
    with_redis = loaded_by(
        cli_data_dir,
        "createorg",
        "--name",
        "D",
        "--slug",
        "clinic-d",
        env={"CLINICSHIELD_REDIS_URL": "redis://127.0.0.1:6379/15"},
    )

    assert without["code"] == 0 and "redis" not in without["loaded"]
    assert with_redis["code"] == 0 and "redis" in with_redis["loaded"]
