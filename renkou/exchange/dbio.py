"""Database reads and writes of whole frames for the import and the export.

Everything is read as text (dates as ISO, numbers as digits, NULL as null) so that the
database state compares directly with the all-text frames read from files. PostgreSQL
reads go through COPY … TO STDOUT (about 1 M rows/s); SQLite through one cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
from django.db import connection

from renkou.core.bulk import (
    date_text,
    execute,
    insert_frame,
    quote,
    read_text_frame,
)
from renkou.exchange.spec import Column, FileSpec

# Below this many keys a look-up is a few `IN (…)` queries; above, one scan of the column.
_LOOKUP_LIMIT = 20_000
_IN_CHUNK = 900  # SQLite's default limit on host parameters is 999


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
