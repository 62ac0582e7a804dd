"""Drop PostgreSQL's varchar_pattern_ops twin of the search table's key.

0001 dropped it before Django's deferred index statements ran, which made it again; a
migration of its own runs after them. Searches use range scans on "C"-collated columns, and
the twin costs about half a second on every full rebuild of a million rows.
"""

from typing import Any

from django.db import migrations


def drop_like_indexes(apps: Any, schema_editor: Any) -> None:
    """Drop every *_like index of search_entry (PostgreSQL only)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s "
                       "AND indexname LIKE %s", ["search_entry", "%\\_like"])
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [("search", "0003_narrow_table")]

    operations = [migrations.RunPython(drop_like_indexes, migrations.RunPython.noop)]
