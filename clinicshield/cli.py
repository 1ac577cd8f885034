"""The `clinicshield` command: a thin wrapper over Django's management commands.

`clinicshield VERB ...` runs the management command VERB with the ClinicShield settings,
after bringing the database of CLINICSHIELD_DATA_DIR up to date.
"""

import importlib.abc
import os
import signal
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType


def ensure_migrated() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)


# Verbs that keep Django's system checks; the rest skip them, because the checks import every
# URL and API route (and with them every app's libraries): seconds on each short command.
CHECKED_VERBS = {"check", "serve", "migrate", "makemigrations"}


def with_checks_skipped(argv: list[str]) -> list[str]:
    from django.core.management import get_commands, load_command_class

    verb = argv[1] if len(argv) > 1 else ""
    app = get_commands().get(verb)
    if app is None or verb in CHECKED_VERBS or "--skip-checks" in argv:
        return argv
    if load_command_class(app, verb).requires_system_checks:
        # Right after the verb: a verb with sub-verbs takes its own options only there.
        return [argv[0], verb, "--skip-checks", *argv[2:]]
    return argv


# Verbs that hand pyarrow and DuckDB Arrow data only. Both import pandas on first use just
# to tell a DataFrame from Arrow data: a quarter of a second of every `ingest` (measured),
# so these verbs run without it. Anything in them that did need pandas fails loudly.
WITHOUT_PANDAS_VERBS = {"ingest"}


class _WithoutPandas(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname == "pandas" or fullname.startswith("pandas."):
            message = f"{fullname} is not loaded by this clinicshield command"
            raise ModuleNotFoundError(message, name=fullname)
        return None


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicshield.settings")
    # `clinicshield alerts ... | head` ends quietly, as Unix tools do.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "clinicshield"
    if len(argv) > 1 and argv[1] in WITHOUT_PANDAS_VERBS and "pandas" not in sys.modules:
        sys.meta_path.insert(0, _WithoutPandas())
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    if len(argv) > 1 and argv[1] not in ("help", "--help", "-h", "makemigrations", "migrate"):
        ensure_migrated()
    execute_from_command_line(with_checks_skipped(argv))


if __name__ == "__main__":
    main()
