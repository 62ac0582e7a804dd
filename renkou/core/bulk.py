"""Fast bulk writes: PostgreSQL COPY, SQLite executemany, one code path for callers.

Used by imports and by rebuilds of derived tables, where Django's save() or bulk_create
would be 25–150× slower (see docs/PERFORMANCE figures in bench/).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl
from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def insert_frame(table: str, frame: pl.DataFrame) -> int:
    """Insert every row of `frame` (columns named as the table's) into `table`."""
    if frame.height == 0:
        return 0
    columns = frame.columns
    if is_postgres():
        buffer = io.BytesIO()
        # CSV with empty-unquoted = NULL; strings that are empty must stay '' (quoted).
        frame.write_csv(buffer, include_header=False, null_value="", quote_style="non_numeric",
                        date_format="%Y-%m-%d")
        buffer.seek(0)
        cols = ", ".join(quote(c) for c in columns)
        sql = f"COPY {quote(table)} ({cols}) FROM STDIN WITH (FORMAT csv)"  # noqa: S608
        with connection.cursor() as cursor:
            raw: Any = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(sql) as copy:
                while chunk := buffer.read(1 << 20):
                    copy.write(chunk)
        return frame.height
    placeholders = ", ".join(["?"] * len(columns))
    cols = ", ".join(quote(c) for c in columns)
    sql = f"INSERT INTO {quote(table)} ({cols}) VALUES ({placeholders})"  # noqa: S608
    connection.ensure_connection()
    # The sqlite3 connection itself, in the same transaction: Django's cursor wrapper
    # re-reads every row of an executemany to look for named parameters.
    sqlite: Any = connection.connection
    for part in frame.iter_slices(200_000):
        sqlite.executemany(sql, _sqlite_rows(part))
    return frame.height


def _sqlite_rows(frame: pl.DataFrame) -> Iterable[Sequence[Any]]:
    # sqlite3 stores dates as ISO text (Django's convention); convert once per column.
    # Whole columns to Python lists, zipped into rows as sqlite3 consumes them: no list of
    # all rows is built.
    converted = frame.with_columns(
        [pl.col(c).dt.strftime("%Y-%m-%d") for c, t in frame.schema.items() if t == pl.Date]
    )
    return zip(*(column.to_list() for column in converted.iter_columns()), strict=True)


def delete_where_in(table: str, column: str, values: Sequence[str]) -> None:
    if not values:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(values), 900):
            chunk = values[start:start + 900]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"DELETE FROM {quote(table)} WHERE {quote(column)} IN ({marks})",  # noqa: S608
                list(chunk),
            )


def execute(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return int(cursor.rowcount)


def date_text(column_sql: str) -> str:
    """SQL for a date column as ISO text on both databases (PostgreSQL's ::text would
    follow the server's DateStyle)."""
    if is_postgres():
        return f"to_char({column_sql}, 'YYYY-MM-DD')"
    return f"CAST({column_sql} AS TEXT)"


def read_text_frame(sql: str, names: Sequence[str], params: Sequence[Any] = ()
                    ) -> pl.DataFrame:
    """Rows of a query that selects text expressions, as an all-text frame (NULL → null).

    About 1 M rows/s: PostgreSQL streams `COPY (query) TO STDOUT` into polars' CSV reader
    (parameterless queries); SQLite rows come from one fetchall, with no per-value
    conversion because text expressions carry no declared type.
    """
    schema = dict.fromkeys(names, pl.String)
    if is_postgres() and not params:
        buffer = io.BytesIO()
        with connection.cursor() as cursor:
            raw: Any = cursor.cursor
            with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
                for chunk in copy:
                    buffer.write(chunk)
        if buffer.tell() == 0:
            return pl.DataFrame(schema=schema)
        buffer.seek(0)
        # COPY writes NULL as an unquoted empty field and '' as "": polars keeps the two apart.
        return pl.read_csv(buffer, has_header=False, schema=schema)
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        rows = cursor.fetchall()
    if not rows:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(rows, schema=schema, orient="row")


def read_frame(sql: str, params: Sequence[Any] = (), schema: dict[str, Any] | None = None
               ) -> pl.DataFrame:
    """Run a query and return its rows as a polars frame."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=schema or names, orient="row")
