"""PostgreSQL: event ids and person references compare byte by byte (COLLATE "C").

Same reasons as registry 0003:

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
    "events_event": ["id", "person_id", "spouse_id"],
    # Spells are looked up by person and by unit (prefix ranges of unit codes work on a
    # "C" index; under a libc collation LIKE 'code%' cannot use the index at all).
    "events_registrationspell": ["person_id", "unit_code"],
    "events_maritalspell": ["person_id"],
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
    dependencies = [("events", "0003_drop_pattern_indexes")]

    operations = [migrations.RunPython(_collate('"C"'), _collate('"default"'))]
