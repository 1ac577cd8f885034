"""The REST API's schema, compared with a committed snapshot, one file per app.

Refactoring must not change what integrators see. When an app's API changes on purpose,
write its snapshot again and commit it with the change:

    UPDATE_API_SCHEMA=1 CLINICSHIELD_DATA_DIR=$(mktemp -d) \
        .venv/bin/pytest -q tests/test_api_schema.py

(tests/api_schema/<app>.json holds the app's paths and the component schemas they use.)
"""

import json
import os
from pathlib import Path
from typing import Any

import pytest

from clinicshield.api import api

SNAPSHOTS = Path(__file__).resolve().parent / "api_schema"
REGENERATE = "UPDATE_API_SCHEMA=1 .venv/bin/pytest -q tests/test_api_schema.py"


def refs_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["$ref"].rsplit("/", 1)[1]} if isinstance(value.get("$ref"), str) else set()
        return found.union(*(refs_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(refs_in(v) for v in value))
    return set()


def schema_by_app() -> dict[str, dict[str, Any]]:
    """{app: {"paths": its paths, "components": the schemas they use, transitively}}."""
    schema = json.loads(json.dumps(api.get_openapi_schema(), default=str))
    components = schema.get("components", {}).get("schemas", {})
    apps: dict[str, dict[str, Any]] = {}
    for path, operations in schema["paths"].items():
        app = path.split("/")[2]  # /api/<app>/...
        apps.setdefault(app, {"paths": {}, "components": {}})["paths"][path] = operations
    for part in apps.values():
        wanted, seen = refs_in(part["paths"]), set()
        while wanted - seen:
            name = (wanted - seen).pop()
            seen.add(name)
            wanted |= refs_in(components.get(name, {}))
        part["components"] = {name: components[name] for name in sorted(seen) if name in components}
    return apps


def as_text(part: dict[str, Any]) -> str:
    return json.dumps(part, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.fixture(scope="module")
def current() -> dict[str, dict[str, Any]]:
    apps = schema_by_app()
    if os.environ.get("UPDATE_API_SCHEMA") == "1":
        for old in SNAPSHOTS.glob("*.json"):
            old.unlink()
        for app, part in apps.items():
            (SNAPSHOTS / f"{app}.json").write_text(as_text(part))
    return apps


def test_every_app_with_an_api_has_a_snapshot_and_every_snapshot_an_api(current: dict) -> None:
    kept = sorted(p.stem for p in SNAPSHOTS.glob("*.json"))
    assert kept == sorted(current), f"apps with an API changed; if on purpose: {REGENERATE}"


@pytest.mark.parametrize("app", sorted(p.stem for p in SNAPSHOTS.glob("*.json")))
def test_the_api_schema_of_each_app_is_unchanged(current: dict, app: str) -> None:
    snapshot = (SNAPSHOTS / f"{app}.json").read_text()
    assert as_text(current.get(app, {})) == snapshot, (
        f"the API schema of {app} changed; if on purpose: {REGENERATE}"
    )
