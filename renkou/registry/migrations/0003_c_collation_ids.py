"""PostgreSQL: identifiers and references to them compare byte by byte (COLLATE "C").

Ids are codes ("P0000118", identity numbers), never sorted for people to read, so a
language-aware collation buys nothing and costs much: under the database's libc collation
PostgreSQL compares text through strcoll() and cannot use abbreviated sort keys, which makes
building a btree over a million ids about 2× slower (bench/bench_import.py). Byte order equals
code-point order for UTF-8, so ORDER BY id gives the same order as before. Comparisons with
columns of the default collation keep working (the explicit one wins). SQLite compares
bytes already (BINARY) and is left alone; the model state does not change, because SQLite
has no collation named "C".
"""

from typing import Any

from django.db import migrations

COLUMNS = {
    "registry_household": ["id"],
    "registry_person": ["id", "household_id", "mother_id", "father_id", "id_number"],
}


def _collate(collation: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for table, columns in COLUMNS.items():
                for column in columns:
                    cursor.execute(
                        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                        "WHERE attrelid = %s::regclass AND attname = %s", [table, column])
                    (kind,) = cursor.fetchone()
                    cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" '
                                   f'TYPE {kind} COLLATE {collation}')
    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_lean_indexes")]

    operations = [migrations.RunPython(_collate('"C"'), _collate('"default"'))]
