"""The `renkou` command: Django management commands with the schema kept current.

SPEC §5: every command works on the database named by DATABASE_URL, and on a fresh one it
creates or migrates the schema first, so a user never runs `migrate` by hand.
"""

from __future__ import annotations

import os
import sys

# Commands that must not trigger an automatic migration (they inspect or build migrations).
_NO_AUTO_MIGRATE = {"makemigrations", "migrate", "help", "version", "--help", "-h", "check",
                    "synth", "shell", "test", "compilemessages", "makemessages", "--version"}


def ensure_schema(verbosity: int = 0) -> None:
    """Apply pending migrations (creating the SQLite file's folder if needed)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        name = str(db["NAME"])
        if name != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(name)), exist_ok=True)
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        call_command("migrate", interactive=False, verbosity=verbosity)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "renkou"
    import django

    django.setup()
    if len(args) > 1 and args[1] not in _NO_AUTO_MIGRATE:
        ensure_schema()
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
