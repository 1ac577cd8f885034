"""The `clinicshield` command: a thin wrapper over Django's management commands.

`clinicshield VERB ...` runs the management command VERB with the ClinicShield settings,
after bringing the database of CLINICSHIELD_DATA_DIR up to date.

Every verb pays this module's start-up, so it loads no more than a verb needs: the
migrations check reads file names and one table before it reads any migration, the Redis
client is not loaded when jobs do not go through Redis, and `ingest` runs without pandas.
"""

import importlib.abc
import os
import signal
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec, all_suffixes
from pathlib import Path
from types import ModuleType


def migration_files_recorded() -> bool:
    """True when every migration file of every app is recorded as applied.

    Django's own check (below) imports every migration and builds their graph: a tenth of
    a second on each command. Names on disk against the names in ``django_migrations``
    answer the usual case with one query; anything unusual (a table not there yet, a
    squashed migration recorded by its parts, MIGRATION_MODULES) answers False and leaves
    the decision to Django, so a needed migration is never skipped."""
    from django.apps import apps
    from django.conf import settings
    from django.db import DatabaseError, connection

    if getattr(settings, "MIGRATION_MODULES", None):
        return False
    on_disk = {
        (app.label, name) for app in apps.get_app_configs() for name in _migrations(app.path)
    }
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            recorded = set(cursor.fetchall())
    except DatabaseError:
        return False
    return on_disk <= recorded


def _migrations(app_path: str) -> list[str]:
    """Module names in an app's migrations folder, as Django's loader finds them."""
    suffixes = tuple(all_suffixes())
    try:
        entries = list(os.scandir(Path(app_path) / "migrations"))
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [
        entry.name.split(".", 1)[0]
        for entry in entries
        if entry.name.endswith(suffixes) and entry.name[0] not in "_~." and entry.is_file()
    ]


def ensure_migrated() -> None:
    if migration_files_recorded():
        return
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


# Verbs that never use the database: a site sensor has none, only its spool directory.
NO_DATABASE_VERBS = {"sensor"}

# Verbs that hand pyarrow and DuckDB Arrow data only. Both import pandas on first use just
# to tell a DataFrame from Arrow data: a quarter of a second of every `ingest` (measured),
# so these verbs run without it. Anything in them that did need pandas fails loudly.
WITHOUT_PANDAS_VERBS = {"ingest"}


class _Hidden(importlib.abc.MetaPathFinder):
    """Makes a package look absent to this process: for libraries that import it only in
    case it is there."""

    def __init__(self, package: str) -> None:
        self.package = package

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname == self.package or fullname.startswith(self.package + "."):
            message = f"{fullname} is not loaded by this clinicshield command"
            raise ModuleNotFoundError(message, name=fullname)
        return None


def setup_django() -> None:
    """django.setup(), without the Redis client when jobs do not go through Redis: Huey's
    storage module imports it in case a Redis queue is configured (about 0.1 s, measured),
    and with CLINICSHIELD_REDIS_URL unset nothing here uses it."""
    import django
    from django.conf import settings

    hidden = None
    if not settings.REDIS_URL and "huey.storage" not in sys.modules and "redis" not in sys.modules:
        hidden = _Hidden("redis")
        sys.meta_path.insert(0, hidden)
    try:
        django.setup()
    finally:
        if hidden is not None:
            sys.meta_path.remove(hidden)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicshield.settings")
    # `clinicshield alerts ... | head` ends quietly, as Unix tools do.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "clinicshield"
    if len(argv) > 1 and argv[1] in WITHOUT_PANDAS_VERBS and "pandas" not in sys.modules:
        sys.meta_path.insert(0, _Hidden("pandas"))
    from django.core.management import execute_from_command_line

    setup_django()
    skip_migrations = ("help", "--help", "-h", "makemigrations", "migrate", *NO_DATABASE_VERBS)
    if len(argv) > 1 and argv[1] not in skip_migrations:
        ensure_migrated()
    execute_from_command_line(with_checks_skipped(argv))


if __name__ == "__main__":
    main()
