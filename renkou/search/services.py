"""Keeping the search table in step with the registry.

`search_rebuild` builds it from scratch in bulk: the pinyin of each distinct name in polars
(per-character cache), then one INSERT … SELECT, indexes built once; `search_refresh`
rewrites the rows of a few persons and is called by the registry services on every person
write, inside the write's transaction; `search_sync_after_import` is called once after an
import commits and picks the cheaper of the two (or nothing, when nothing changed).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl
from django.db import connection, transaction

from renkou.core.bulk import (
    date_text,
    delete_where_in,
    execute,
    insert_frame,
    is_postgres,
    quote,
    read_text_frame,
)
from renkou.search.models import SearchEntry
from renkou.search.pinyin import pinyin_columns

TABLE = SearchEntry._meta.db_table
SOURCE_COLUMNS = ["person_id", "household_id", "name", "id_number", "sex", "birth_date",
                  "unit_code", "province_code", "city_code", "county_code", "township_code",
                  "village_code"]
# Above this many rows a rebuild drops the indexes and builds each once over the new rows.
DEFER_INDEXES_AT = 50_000
# An import that touched more than this share of the registry rebuilds the whole table.
FULL_REBUILD_SHARE = 0.2
_CHUNK = 900  # SQLite's bound-parameter limit is 999 on old builds


def _source_sql(where: str = "") -> str:
    return (
        "SELECT p.id, p.household_id, p.name, p.id_number, CAST(p.sex AS TEXT), "
        f"{date_text('p.birth_date')}, h.unit_code, u.province_code, u.city_code, "
        "u.county_code, u.township_code, u.village_code "
        "FROM registry_person p "
        "LEFT JOIN registry_household h ON h.id = p.household_id "
        f"LEFT JOIN units_unit u ON u.code = h.unit_code {where}"
    )


def _read(sql: str, params: list[str] | None = None) -> pl.DataFrame:
    return read_text_frame(sql, SOURCE_COLUMNS, params or [])


def search_rows(source: pl.DataFrame) -> pl.DataFrame:
    """The search table's rows for persons read by `_source_sql` (all-text frame)."""
    text = [c for c in SOURCE_COLUMNS if c not in ("sex", "birth_date")]
    frame = source.with_columns(pl.col(c).fill_null("") for c in text)
    keys = pinyin_columns(frame.get_column("name"))
    id_number = pl.col("id_number").str.strip_chars().str.to_uppercase()
    return pl.concat([frame, keys], how="horizontal").select(
        "person_id", "household_id", "unit_code", "province_code", "city_code", "county_code",
        "township_code", "village_code", "name", "initials", "pinyin",
        id_number.alias("id_number"), id_number.str.reverse().alias("id_reversed"),
        pl.col("sex").cast(pl.Int16, strict=False).fill_null(0),
        pl.col("birth_date").str.to_date("%Y-%m-%d", strict=False),
    )


def _index_sql() -> list[tuple[str, str]]:
    meta = SearchEntry._meta
    statements = []
    for index in meta.indexes:
        columns = ", ".join(quote(f) for f in index.fields)  # no field has a db_column
        statements.append((str(index.name),
                           f"CREATE INDEX {quote(str(index.name))} ON {quote(TABLE)} ({columns})"))
    return statements


KEYS_TABLE = "search_name_keys"
TARGET_COLUMNS = ["person_id", "household_id", "unit_code", "province_code", "city_code",
                  "county_code", "township_code", "village_code", "name", "initials", "pinyin",
                  "id_number", "id_reversed", "sex", "birth_date"]


def _fill_sql() -> str:
    """INSERT … SELECT that builds every row inside the database: only the distinct names
    travel to Python (for their pinyin) and back, not a million 15-column rows."""
    number = "UPPER(TRIM(COALESCE(p.id_number, '')))"
    reverse = "reverse" if is_postgres() else "renkou_reverse"
    cols = ", ".join(quote(c) for c in TARGET_COLUMNS)
    return (
        f"INSERT INTO {quote(TABLE)} ({cols}) "
        "SELECT p.id, p.household_id, COALESCE(h.unit_code, ''), "
        "COALESCE(u.province_code, ''), COALESCE(u.city_code, ''), "
        "COALESCE(u.county_code, ''), COALESCE(u.township_code, ''), "
        "COALESCE(u.village_code, ''), p.name, COALESCE(k.initials, ''), "
        f"COALESCE(k.pinyin, ''), {number}, {reverse}({number}), COALESCE(p.sex, 0), "
        "p.birth_date "
        "FROM registry_person p "
        f"LEFT JOIN {KEYS_TABLE} k ON k.name = p.name "
        "LEFT JOIN registry_household h ON h.id = p.household_id "
        "LEFT JOIN units_unit u ON u.code = h.unit_code"
    )


def _reverse_function() -> None:
    """SQLite has no reverse(): register `renkou_reverse` (PostgreSQL's own is used there)."""
    connection.ensure_connection()
    if not is_postgres():
        raw: Any = connection.connection
        raw.create_function("renkou_reverse", 1, lambda s: s[::-1] if s else s,
                            deterministic=True)


@transaction.atomic
def search_rebuild() -> int:
    """Rebuild the whole search table from the registry; returns the number of rows.

    The pinyin of each distinct name is computed in polars (per-character cache) and loaded
    into a temporary table; the rows are then built by one INSERT … SELECT, with the indexes
    dropped before and built once after on large tables."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT name FROM registry_person")
        names = pl.Series("name", [row[0] for row in cursor.fetchall()], dtype=pl.String)
    keys = pl.concat([names.to_frame(), pinyin_columns(names)], how="horizontal")
    execute(f"DROP TABLE IF EXISTS {KEYS_TABLE}")
    execute(f"CREATE TEMPORARY TABLE {KEYS_TABLE} (name varchar(64) PRIMARY KEY, "
            "initials varchar(64), pinyin varchar(255))")
    insert_frame(KEYS_TABLE, keys)
    _reverse_function()
    indexes = _index_sql()
    defer = _person_count() >= DEFER_INDEXES_AT
    if defer:  # before the delete too: emptying a table also empties each of its indexes
        for name, _sql in indexes:
            execute(f"DROP INDEX IF EXISTS {quote(name)}")
    if is_postgres():
        execute(f"TRUNCATE {quote(TABLE)}")
    else:
        execute(f"DELETE FROM {quote(TABLE)}")  # noqa: S608
    rows = execute(_fill_sql())
    execute(f"DROP TABLE {KEYS_TABLE}")
    if defer:
        if is_postgres():
            execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, sql in indexes:
            execute(sql)
    # Fresh statistics let both planners see that a village holds few rows, a county all.
    if not is_postgres():
        execute("PRAGMA analysis_limit = 2000")  # sampled: seconds → milliseconds
    execute(f"ANALYZE {quote(TABLE)}")
    return rows


def _person_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM registry_person")
        return int(cursor.fetchone()[0])


def search_refresh(person_ids: Iterable[str]) -> int:
    """Rewrite the search rows of these persons (rows of persons gone are removed).

    Called inside the caller's transaction, so the row and the write commit together."""
    ids = sorted({str(pid) for pid in person_ids if pid})
    if not ids:
        return 0
    parts = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        marks = ", ".join(["%s"] * len(chunk))
        parts.append(_read(_source_sql(f"WHERE p.id IN ({marks})"), chunk))
    rows = search_rows(pl.concat(parts))
    delete_where_in(TABLE, "person_id", ids)
    insert_frame(TABLE, rows)
    return rows.height


def search_refresh_households(household_ids: Iterable[str]) -> int:
    """Rewrite the rows of every member of these households (e.g. after a unit change)."""
    from renkou.registry.models import Person

    ids = list(Person.objects.filter(household_id__in=list(household_ids))
               .values_list("id", flat=True))
    return search_refresh(ids)


def search_sync_after_import(*, batch_id: int | None) -> int:
    """Bring the search table up to date after an import committed `batch_id`.

    Rebuilds everything on a first load, when units were re-parented, or when the import
    touched a large share of the registry; otherwise refreshes only the persons it created
    or changed (and the members of households it changed). The batch's counts say whether
    anything changed at all, so a repeated import costs two small queries."""
    from renkou.registry.models import ImportBatch, Person, RecordChange

    if batch_id is None:
        return 0
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return 0
    detail = batch.counts if isinstance(batch.counts, dict) else {}
    files = detail.get("counts") or {}
    persons = files.get("persons") or {}
    households = files.get("households") or {}
    inserted, updated = int(persons.get("inserted", 0)), int(persons.get("updated", 0))
    moved = int(households.get("updated", 0))
    if detail.get("units_rederived") or not SearchEntry.objects.exists():
        return search_rebuild()
    if inserted + updated + moved == 0:
        return 0
    if inserted + updated > FULL_REBUILD_SHARE * max(_person_count(), 1):
        return search_rebuild()
    changed = set(RecordChange.objects.filter(batch_id=batch_id, model="person")
                  .values_list("object_id", flat=True))
    if inserted:
        changed.update(Person.objects.filter(created_batch_id=batch_id)
                       .values_list("id", flat=True))
    if moved:
        household_ids = list(RecordChange.objects.filter(batch_id=batch_id, model="household")
                             .values_list("object_id", flat=True))
        changed.update(Person.objects.filter(household_id__in=household_ids)
                       .values_list("id", flat=True))
    with transaction.atomic():
        return search_refresh(changed)


def search_table_stale() -> bool:
    """True when persons exist but the search table is empty (built before this app)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {quote(TABLE)} LIMIT 1")  # noqa: S608
        if cursor.fetchone() is not None:
            return False
        cursor.execute("SELECT 1 FROM registry_person LIMIT 1")
        return cursor.fetchone() is not None
