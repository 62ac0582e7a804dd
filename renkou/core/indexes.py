"""Bulk loads into empty tables: drop the indexes and keys, load, build each once.

Used by a first import (registry, events, spells) and by full rebuilds of derived tables
(the search table). Building an index once over sorted data is several times cheaper than
maintaining it row by row (bench/bench_import.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection

from renkou.core.bulk import execute, is_postgres, quote

_SORT_THREADS = min(os.cpu_count() or 1, 4)
# Also drop PostgreSQL foreign keys during a first load (re-adding checks all rows at once).
DEFER_FOREIGN_KEYS = os.environ.get("RENKOU_IMPORT_DEFER_FK", "1") == "1"


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
