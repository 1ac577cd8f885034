"""The shape of the house, checked on every import of every module (relative ones too).

- ``core/`` never imports Django, nor anything of ours but other ``core/`` modules;
- a package imports only the packages its layer allows: the table "Layers" in
  docs/contributing.md is the one place that says which (lib -> accounts -> feature apps
  -> dashboard -> the project);
- an app never imports another app's models (accounts' are the shared nouns), wherever
  they are defined: a module counts as a models module when it defines a Django model;
- ``importlib`` (or ``__import__``, ``import_string``) appears only where a module is
  named at run time on purpose, so no dependency hides from this test.
"""

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "clinicshield"
LAYERS_DOC = ROOT / "docs" / "contributing.md"
# Modules that name other modules at run time, and why.
RUNTIME_IMPORTS = {
    "cli": "hides pandas from verbs that never need it (start-up)",
    "api": "mounts each app's router by name",
    "urls": "mounts each app's URL modules by name",
    "lib.due": "discovers each installed app's due jobs",
    "monitoring.actions": "loads each action on first use (ingest start-up)",
    "monitoring.core.parsers": "loads each parser on first use (ingest start-up)",
    "monitoring.core.geo_ranges": "finds the geoip2fast data file",
    "sensor.management.commands.sensor": "reads the installed version (importlib.metadata)",
}
# Edges and modules still to mend; empty once the house is in order. A mended debt left
# here fails the test too, so the list only shrinks.
KNOWN_LAYER_DEBTS: set[tuple[str, str]] = set()
KNOWN_RUNTIME_DEBTS: set[str] = set()


@dataclass(frozen=True)
class Import:
    module: str  # the importer, dotted below clinicshield ("monitoring.actions.detection")
    target: str  # what it imports, dotted and absolute ("clinicshield.lib.cli", "django")
    line: int


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def source_files(root: Path = PACKAGE) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def imports_in(path: Path, root: Path = PACKAGE) -> list[Import]:
    """Every import in a file, anywhere in it, with relative imports made absolute."""
    module = module_name(path, root)
    here = ["clinicshield", *module.split(".")] if module else ["clinicshield"]
    if path.name != "__init__.py":
        here = here[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            found.append(Import(module, target, node.lineno))
            if node.module is None or node.level:
                # "from . import views" imports the module clinicshield.<app>.views.
                found += [Import(module, f"{target}.{a.name}", node.lineno) for a in node.names]
    return found


@cache
def all_imports() -> tuple[Import, ...]:
    return tuple(i for path in source_files() for i in imports_in(path))


def package_of(module: str) -> str:
    """The layer unit of a module: its app, or "project" for the modules at the top."""
    first = module.split(".")[0]
    return first if (PACKAGE / first).is_dir() else "project"


def layers() -> dict[str, set[str]]:
    """{package: packages it may import}, read from the table in docs/contributing.md."""
    text = LAYERS_DOC.read_text()
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    allowed: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([a-z_]+)`", cells[0])
        may = set(re.findall(r"`([a-z_]+)`", cells[1]))
        for name in names:
            allowed[name] = may
    return allowed


def models_modules(root: Path = PACKAGE) -> set[str]:
    """Modules that define a Django model (a class based on ``models.Model``)."""
    found = set()
    for path in source_files(root):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                ast.unparse(base) in ("models.Model", "Model") for base in node.bases
            ):
                found.add(module_name(path, root))
                break
    return found


def test_every_package_has_a_row_in_the_layers_table() -> None:
    table = layers()
    packages = {package_of(module_name(p)) for p in source_files()} - {""}
    assert sorted(packages - set(table)) == []
    assert sorted(set(table) - packages) == []


def test_core_never_imports_django_nor_anything_but_core() -> None:
    offenders = []
    for found in all_imports():
        if not re.search(r"(^|\.)core(\.|$)", found.module):
            continue
        target = found.target
        if target.split(".")[0] in ("django", "ninja", "huey"):
            offenders.append(f"{found.module}:{found.line} imports {target}")
        if target.startswith("clinicshield") and not re.search(r"\.core(\.|$)", target):
            offenders.append(f"{found.module}:{found.line} imports {target}")
    assert offenders == []


def layer_edges() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = {}
    for found in all_imports():
        if not found.target.startswith("clinicshield."):
            continue
        source = package_of(found.module)
        target = package_of(found.target.removeprefix("clinicshield."))
        if source != target:
            edges.setdefault((source, target), []).append(f"{found.module}:{found.line}")
    return edges


def test_packages_import_only_what_their_layer_allows() -> None:
    table = layers()
    offenders = {
        edge: where
        for edge, where in layer_edges().items()
        if edge[1] not in table.get(edge[0], set()) and edge not in KNOWN_LAYER_DEBTS
    }
    assert offenders == {}
    mended = {edge for edge in KNOWN_LAYER_DEBTS if edge not in layer_edges()}
    assert mended == set(), "mended: take these out of KNOWN_LAYER_DEBTS"


def test_the_layers_have_no_cycle() -> None:
    table = layers()
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(package: str, path: list[str]) -> None:
        assert package not in visiting, f"cycle: {' -> '.join([*path, package])}"
        if package in done:
            return
        visiting.add(package)
        for other in table.get(package, set()):
            visit(other, [*path, package])
        visiting.discard(package)
        done.add(package)

    for package in table:
        visit(package, [])


def test_apps_do_not_import_each_others_models() -> None:
    models = models_modules()
    assert {"accounts.models", "lib.models"} <= {m.rsplit(".", 1)[0] + ".models" for m in models}
    offenders = []
    for found in all_imports():
        target = found.target.removeprefix("clinicshield.")
        owner = package_of(target)
        if owner in (package_of(found.module), "accounts", "lib"):
            continue  # its own models, or the shared nouns
        if any(target == m or target.startswith(f"{m}.") for m in models):
            offenders.append(f"{found.module}:{found.line} imports {target}")
    assert offenders == []


def runtime_importers() -> set[str]:
    found = set()
    for path in source_files():
        text = path.read_text()
        if re.search(r"\bimportlib\b|__import__\(|\bimport_string\b", text):
            found.add(module_name(path))
    return found


def test_modules_are_named_at_run_time_only_where_that_is_the_point() -> None:
    importers = runtime_importers()
    assert sorted(importers - set(RUNTIME_IMPORTS) - KNOWN_RUNTIME_DEBTS) == []
    assert sorted(KNOWN_RUNTIME_DEBTS - importers) == [], "mended: take out of the debts"


def test_this_checker_sees_relative_imports_and_models_outside_models_py(tmp_path) -> None:
    # The blind spots of the first checker: "from ..alert_models import Alert", and models
    # defined in a module not named models.py.
    app = tmp_path / "clinic"
    (app / "actions").mkdir(parents=True)
    (app / "actions" / "__init__.py").write_text("from . import sending\n")
    (app / "actions" / "sending.py").write_text("from ..alert_models import Alert\n")
    (app / "alert_models.py").write_text(
        "from django.db import models\n\nclass Alert(models.Model):\n    pass\n"
    )
    targets = {i.target for i in imports_in(app / "actions" / "sending.py", tmp_path)}
    assert "clinicshield.clinic.alert_models" in targets
    package = {i.target for i in imports_in(app / "actions" / "__init__.py", tmp_path)}
    assert "clinicshield.clinic.actions.sending" in package
    assert models_modules(tmp_path) == {"clinic.alert_models"}
