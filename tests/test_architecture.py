"""The rooms of the house: core/ never imports Django, and apps do not import each other's
models (they call each other's actions)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "clinicshield"
APPS = ["accounts", "training", "simulations", "readiness", "monitoring", "exposure", "dashboard"]


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_core_never_imports_django() -> None:
    offenders = []
    core_files = list(PACKAGE.glob("*/core/**/*.py"))
    assert core_files, "no core modules found"
    for path in core_files:
        for name in imports_of(path):
            if name == "django" or name.startswith(
                ("django.", "clinicshield.lib", "ninja", "huey")
            ):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
            if name.startswith("clinicshield.") and ".core" not in name:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_apps_do_not_import_each_others_models() -> None:
    offenders = []
    for app in APPS:
        for path in (PACKAGE / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for name in imports_of(path):
                for other in APPS:
                    if other in (app, "accounts"):
                        # accounts models (Organisation, Site, Person) are the shared nouns.
                        continue
                    if name.startswith(f"clinicshield.{other}.models"):
                        offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []
