"""The `clinicshield` command: a thin wrapper over Django's management commands.

`clinicshield VERB ...` runs the management command VERB with the ClinicShield settings,
after bringing the database of CLINICSHIELD_DATA_DIR up to date.
"""

import os
import sys


def ensure_migrated() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicshield.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "clinicshield"
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    if len(argv) > 1 and argv[1] not in ("help", "--help", "-h", "makemigrations", "migrate"):
        ensure_migrated()
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
