"""Drop PostgreSQL's varchar_pattern_ops twins of the text primary keys of the big tables.

Django adds one to every indexed or unique varchar column for LIKE 'x%' queries; ids are only
ever compared for equality, and each twin costs seconds on a million-row import.
"""

from typing import Any

from django.db import migrations

TABLES = ["registry_person", "registry_household", "events_event"]


def drop_like_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname LIKE %s", [TABLES, "%\\_like"])
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_lean_indexes"),
        ("registry", "0002_lean_indexes"),
    ]

    operations = [migrations.RunPython(drop_like_indexes, migrations.RunPython.noop)]
