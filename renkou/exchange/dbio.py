"""Database reads and writes of whole frames for the import and the export.

Everything is read as text (dates as ISO, numbers as digits, NULL as null) so that the
database state compares directly with the all-text frames read from files. PostgreSQL
reads go through COPY … TO STDOUT (about 1 M rows/s); SQLite through one cursor.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import polars as pl
from django.db import connection

from renkou.core.bulk import (
    date_text,
    execute,
    insert_frame,
    is_postgres,
    quote,
    read_text_frame,
)
from renkou.exchange.spec import Column, FileSpec

# Below this many keys a look-up is a few `IN (…)` queries; above, one scan of the column.
_LOOKUP_LIMIT = 20_000
_IN_CHUNK = 900  # SQLite's default limit on host parameters is 999
_SORT_THREADS = min(os.cpu_count() or 1, 4)
# Also drop PostgreSQL foreign keys during a first load (re-adding checks all rows at once).
DEFER_FOREIGN_KEYS = os.environ.get("RENKOU_IMPORT_DEFER_FK", "1") == "1"


def text_expr(column: str, kind: str) -> str:
    """SQL for a column as text, identical on both databases."""
    name = quote(column)
    if kind == "date":
        return date_text(name)
    if kind == "int":
        return f"CAST({name} AS TEXT)"
    return name


def read_text(sql: str, names: Sequence[str], params: Sequence[Any] = ()) -> pl.DataFrame:
    """Rows of `sql` (which must select text expressions) as an all-text frame."""
    return read_text_frame(sql, names, params)


def select_sql(spec: FileSpec, columns: Sequence[Column] | None = None,
               extra: Sequence[str] = ()) -> tuple[str, list[str]]:
    """`SELECT <spec columns as text> FROM <table>` and the SPEC names of its columns."""
    chosen = list(columns or spec.columns)
    parts = [f"{text_expr(c.db, c.kind)}" for c in chosen] + [quote(e) for e in extra]
    names = [c.name for c in chosen] + list(extra)
    return f"SELECT {', '.join(parts)} FROM {quote(spec.table)}", names  # noqa: S608


def table_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def rows_for_keys(sql: str, names: Sequence[str], *, key: str, key_db: str, keys: pl.Series
                  ) -> pl.DataFrame:
    """Rows of `sql` whose `key` column (database column `key_db`) is one of `keys`:
    IN-lists for a few keys, else one scan filtered here."""
    keys = keys.drop_nulls().unique()
    if keys.len() == 0:
        return pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    if keys.len() > _LOOKUP_LIMIT:
        frame = read_text(sql, names)
        # A semi join: 2–3× faster than is_in against a million keys.
        return frame.join(keys.rename(key).to_frame(), on=key, how="semi", maintain_order="left")
    parts = []
    values = keys.to_list()
    for start in range(0, len(values), _IN_CHUNK):
        chunk = values[start:start + _IN_CHUNK]
        marks = ", ".join(["%s"] * len(chunk))
        parts.append(read_text(f"{sql} WHERE {quote(key_db)} IN ({marks})", names, chunk))
    return pl.concat(parts, how="vertical")


def existing_keys(table: str, column: str, keys: pl.Series) -> pl.Series:
    """Which of `keys` are in table.column."""
    sql = f"SELECT {quote(column)} FROM {quote(table)}"  # noqa: S608
    found = rows_for_keys(sql, [column], key=column, key_db=column, keys=keys)
    return found.get_column(column)


def update_from_frame(table: str, frame: pl.DataFrame, key: str) -> int:
    """UPDATE `table` row by `key` from `frame` (columns named as the table's).

    Stages the frame in a temporary table (COPY / executemany) and runs one UPDATE … FROM,
    instead of one statement per row.
    """
    if frame.height == 0:
        return 0
    staging = f"renkou_stage_{table}"
    columns = frame.columns
    cols = ", ".join(quote(c) for c in columns)
    execute(f"DROP TABLE IF EXISTS {quote(staging)}")
    # A copy of the real column types, so that the UPDATE needs no casts.
    execute(f"CREATE TEMPORARY TABLE {quote(staging)} AS "  # noqa: S608
            f"SELECT {cols} FROM {quote(table)} WHERE 1 = 0")
    insert_frame(staging, frame)
    sets = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in columns if c != key)
    count = execute(
        f"UPDATE {quote(table)} AS t SET {sets} FROM {quote(staging)} AS s "  # noqa: S608
        f"WHERE t.{quote(key)} = s.{quote(key)}")
    execute(f"DROP TABLE {quote(staging)}")
    return count


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's non-unique indexes."""
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = %s AND pg_table_is_visible(t.oid) "
                "AND NOT x.indisprimary AND NOT x.indisunique ORDER BY i.relname", [table])
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%' ORDER BY name",
                [table])
        return [(str(name), str(sql)) for name, sql in cursor.fetchall()]


def _foreign_keys(table: str) -> list[tuple[str, str]]:
    if not is_postgres():
        return []  # SQLite cannot drop a constraint; its deferred checks are cheap anyway
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname", [table])
        return [(str(name), str(sql)) for name, sql in cursor.fetchall()]


def _primary_key(table: str) -> list[tuple[str, str]]:
    """PostgreSQL: the table's primary key, unless a foreign key refers to it."""
    if not is_postgres():
        return []  # SQLite cannot drop a primary key
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'p' AND NOT EXISTS ("
            "SELECT 1 FROM pg_constraint f WHERE f.confrelid = %s::regclass "
            "AND f.contype = 'f')", [table, table])
        return [(str(name), str(sql)) for name, sql in cursor.fetchall()]


@contextmanager
def indexes_deferred(tables: Sequence[str], timings: dict[str, float] | None = None
                     ) -> Iterator[None]:
    """Drop the secondary indexes (and PostgreSQL foreign and primary keys) of `tables`,
    rebuild them after.

    For a first load into empty tables: building an index once over sorted data is several
    times cheaper than maintaining it row by row. The same definitions are recreated, so the
    schema is what the migrations made. Inside a transaction: an error rolls the drop back.
    """
    # On PostgreSQL the primary key goes too (when nothing refers to it): COPY into a table
    # whose only index is the key still runs 1.5–2× slower than into a bare table, and adding
    # the key afterwards sorts once (ids are unique by then: validation checked the files,
    # and a first load starts empty; ADD PRIMARY KEY checks again, all or nothing).
    saved = [(t, _secondary_indexes(t),
              (_foreign_keys(t) if DEFER_FOREIGN_KEYS else []) + _primary_key(t))
             for t in tables]
    if is_postgres():
        # PostgreSQL alters no table while checks of earlier rows are queued: run them now.
        execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table, indexes, constraints in saved:
        for name, _sql in constraints:
            execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _sql in indexes:
            execute(f"DROP INDEX {quote(name)}")
    yield
    started = time.perf_counter()
    if is_postgres():
        execute("SET LOCAL maintenance_work_mem = '256MB'")
    else:
        # SQLite sorts for CREATE INDEX on one thread unless told otherwise (about 2× here).
        execute(f"PRAGMA threads = {_SORT_THREADS}")
    for table, indexes, constraints in saved:
        for name, sql in reversed(constraints):  # the key first, then the foreign keys
            execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {sql}")
        for _name, sql in indexes:
            execute(sql)
    if is_postgres():
        execute("SET CONSTRAINTS ALL DEFERRED")  # back to how Django declares its keys
        # Statistics now, not when autovacuum gets round to it: without them the planner
        # takes a million-row table for a small one (nested loops over 65,000 index look-ups
        # in the spells rebuild; the same in the first reports after an import).
        for table, _indexes, _constraints in saved:
            execute(f"ANALYZE {quote(table)}")
    if not is_postgres():
        execute("PRAGMA threads = 0")
    if timings is not None:
        # Reported apart: with Django's default indexes this is a large share of a load.
        timings["index_builds"] = round(timings.get("index_builds", 0.0)
                                        + time.perf_counter() - started, 3)
