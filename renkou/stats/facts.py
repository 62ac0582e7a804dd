"""Fact tables for the statistics engine: extraction, the in-process store, freshness.

The system of record (PostgreSQL or SQLite) is read once per data version into compact
columnar tables (dates as day numbers), loaded into an in-process DuckDB database, and turned
into the `f_*` fact tables of `sql.py`. Queries then never touch the system of record again.

Freshness: the store is keyed by `data_version_get()` (bumped by every write path), the time
of that bump, and a cheap fingerprint of the tables the counts come from (row counts and
largest ids: spells are rebuilt with fresh serial ids, so a rebuild that forgot to bump the
version still changes the key). Every engine call checks the key — one small query — and
rebuilds the store when it changed.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb
import numpy as np
import polars as pl
from django.db import connections
from django.utils import timezone

from renkou.stats import sql
from renkou.units.models import ANCESTOR_LEVELS

__all__ = ["FactStore", "cache_clear", "get_store"]

_UNIT_SCHEMA: dict[str, Any] = {
    "code": pl.String, "name": pl.String, "level": pl.String,
    **{f"{lvl}_code": pl.String for lvl in ANCESTOR_LEVELS},
}
# Dates travel as day numbers (days since 1970-01-01): {d:column} in a query below is
# rewritten to the vendor's expression for it, so no date is parsed in Python.
_PERSON_SCHEMA: dict[str, Any] = {"id": pl.String, "sex": pl.Int32, "birth_d": pl.Int32,
                                  "marital": pl.String, "mother_id": pl.String}
_SPELL_SCHEMA: dict[str, Any] = {"person_id": pl.String, "unit_code": pl.String,
                                 "start_d": pl.Int32, "end_d": pl.Int32}
_MARITAL_SCHEMA: dict[str, Any] = {"person_id": pl.String, "status": pl.String,
                                   "start_d": pl.Int32, "end_d": pl.Int32}
_EVENT_SCHEMA: dict[str, Any] = {"id": pl.String, "type": pl.String, "person_id": pl.String,
                                 "d": pl.Int32, "rec_d": pl.Int32,
                                 "unit_code": pl.String, "spouse_id": pl.String,
                                 "birth_order": pl.Int32}

_UNIT_SQL = ("SELECT code, name, level, province_code, city_code, county_code, township_code, "
             "village_code FROM units_unit")
_PERSON_SQL = "SELECT id, sex, {d:birth_date}, marital_status, mother_id FROM registry_person"
_SPELL_SQL = 'SELECT person_id, unit_code, {d:start}, {d:"end"} FROM events_registrationspell'
_MARITAL_SQL = 'SELECT person_id, status, {d:start}, {d:"end"} FROM events_maritalspell'
_EVENT_SQL = ("SELECT id, type, person_id, {d:date}, {d:recorded_date}, unit_code, spouse_id, "
              "birth_order FROM events_event")
_DATE_MARK = re.compile(r"\{d:([^}]+)\}")
_DAY_NUMBER = {
    # julianday('1970-01-01') = 2440587.5; dates are stored as ISO text.
    "sqlite": r"CAST(julianday(\1) - 2440587.5 AS INTEGER)",
    "postgresql": r"(\1 - DATE '1970-01-01')",
}


def _vendor_sql(query: str, vendor: str) -> str:
    return _DATE_MARK.sub(_DAY_NUMBER[vendor], query)


# One statement, a handful of index lookups: the version, when it was bumped, and the
# shape of every table the facts come from.
_FINGERPRINT_SQL = (
    "SELECT (SELECT version FROM core_dataversion WHERE name = 'registry'), "
    "(SELECT changed_at FROM core_dataversion WHERE name = 'registry'), "
    "(SELECT MAX(id) FROM events_registrationspell), "
    "(SELECT MAX(id) FROM events_maritalspell), "
    "(SELECT COUNT(*) FROM events_event), (SELECT MAX(id) FROM events_event), "
    "(SELECT MAX(id) FROM registry_person), (SELECT COUNT(*) FROM units_unit)"
)


def _read(using: str, query: str, schema: dict[str, Any]) -> pl.DataFrame:
    """Rows of `query` as a polars frame (columns named and typed by `schema`)."""
    connection = connections[using]
    query = _vendor_sql(query, connection.vendor)
    if connection.vendor == "postgresql":
        return _read_postgres(connection, query, schema)
    with connection.cursor() as cursor:
        cursor.execute(query)
        rows = cursor.fetchall()
    if not rows:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(rows, schema=schema, orient="row")


def _read_postgres(connection: Any, query: str, schema: dict[str, Any]) -> pl.DataFrame:
    """One row of column arrays in the binary protocol: 3× faster than COPY, whose rows
    reach Python one at a time. Same connection, so it sees the current transaction."""
    arrays = ", ".join(f"array_agg(q.c{i})" for i in range(len(schema)))
    names = ", ".join(f"c{i}" for i in range(len(schema)))
    import psycopg  # only installed where PostgreSQL is used

    connection.ensure_connection()
    # Django's default cursor binds client-side, which cannot return binary results.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(f"SELECT {arrays} FROM ({query}) AS q({names})", binary=True)
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(dict(zip(schema, row, strict=True)), schema=schema)


def days_from_civil(y: np.ndarray[Any, Any], m: np.ndarray[Any, Any],
                    d: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Day numbers of the proleptic Gregorian dates (y, m, d), vectorised (H. Hinnant)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * np.where(m > 2, m - 3, m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    result: np.ndarray[Any, Any] = era * 146097 + doe - 719468
    return result


def nth_birthday_days(y: np.ndarray[Any, Any], m: np.ndarray[Any, Any],
                      d: np.ndarray[Any, Any], years: int) -> np.ndarray[Any, Any]:
    """Day numbers of `periods.nth_birthday` for births (y, m, d): 29 February → 1 March
    in common years."""
    year = y + years
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    moved = (m == 2) & (d == 29) & ~leap
    return days_from_civil(year, np.where(moved, 3, m), np.where(moved, 1, d))


def _with_calendar(frame: pl.DataFrame, day: str, prefix: str) -> pl.DataFrame:
    """Add <prefix>_y and <prefix>_md (month·100 + day) of the day-number column `day`."""
    date = pl.col(day).cast(pl.Date)
    return frame.with_columns(
        date.dt.year().cast(pl.Int32).alias(f"{prefix}_y"),
        (date.dt.month().cast(pl.Int32) * 100 + date.dt.day().cast(pl.Int32))
        .alias(f"{prefix}_md"),
    )


def _null_if_empty(*columns: str) -> list[pl.Expr]:
    return [pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in columns]


def _person_frame(using: str) -> pl.DataFrame:
    person = (_read(using, _PERSON_SQL, _PERSON_SCHEMA)
              .with_columns(_null_if_empty("mother_id"))
              .with_row_index("person_key"))
    person = _with_calendar(person, "birth_d", "birth")
    y = person.get_column("birth_y").fill_null(2000).to_numpy().astype(np.int64)
    md = person.get_column("birth_md").fill_null(101).to_numpy().astype(np.int64)
    known = pl.col("birth_d").is_not_null()
    birthdays = {
        f"b{x}": pl.when(known).then(pl.Series(nth_birthday_days(y, md // 100, md % 100, x),
                                               dtype=pl.Int32))
        for x in sql.BIRTHDAY_AGES
    }
    return person.with_columns(**birthdays)


@dataclass
class RawTables:
    unit: pl.DataFrame
    person: pl.DataFrame
    spell: pl.DataFrame
    marital: pl.DataFrame
    event: pl.DataFrame


def extract(using: str = "default") -> RawTables:
    """Read the system of record into the `r_*` shapes of sql.py."""
    unit = _read(using, _UNIT_SQL, _UNIT_SCHEMA).sort("code").with_row_index("unit_key")
    spell = _read(using, _SPELL_SQL, _SPELL_SCHEMA)
    marital = _read(using, _MARITAL_SQL, _MARITAL_SCHEMA)
    event = _with_calendar(
        _read(using, _EVENT_SQL, _EVENT_SCHEMA).with_columns(_null_if_empty("spouse_id")),
        "d", "d")
    return RawTables(unit=unit, person=_person_frame(using), spell=spell, marital=marital,
                     event=event)


@dataclass
class FactStore:
    """The fact tables of one database at one data version, in an in-process DuckDB."""

    key: tuple[Any, ...]
    con: duckdb.DuckDBPyConnection
    units: pl.DataFrame  # r_unit: unit_key, code, name, level, ancestor codes
    anchors: list[int]  # day numbers of the anchor days of f_bucket, ascending
    built_seconds: float
    timings: dict[str, float]  # seconds per step of the build (benchmarks)

    @contextmanager
    def cursor(self, **tables: Any) -> Iterator[duckdb.DuckDBPyConnection]:
        """A private DuckDB cursor with the given parameter tables (q_map …) registered."""
        cur = self.con.cursor()
        try:
            for name, table in tables.items():
                cur.register(name, table)
            yield cur
        finally:
            cur.close()

    def query(self, statement: str, **tables: Any) -> pl.DataFrame:
        with self.cursor(**tables) as cur:
            frame: pl.DataFrame = cur.sql(statement).pl()
            return frame

    def query_numpy(self, statement: str, **tables: Any) -> dict[str, np.ndarray[Any, Any]]:
        with self.cursor(**tables) as cur:
            result: dict[str, np.ndarray[Any, Any]] = cur.execute(statement).fetchnumpy()
            return result


# Anchors: 31 December of the years around the events, at most this many years back.
_ANCHOR_YEARS_BACK = 20
_EPOCH = date(1970, 1, 1)


def anchor_days(first: int | None, last: int | None) -> list[int]:
    """Day numbers of 31 December from the year before the first event (at most
    _ANCHOR_YEARS_BACK years before the last) to the year after the last event."""
    today = timezone.localdate().year
    first_year = (_EPOCH + timedelta(days=first)).year if first is not None else today
    last_year = (_EPOCH + timedelta(days=last)).year if last is not None else today
    years = range(max(first_year - 1, last_year - _ANCHOR_YEARS_BACK), last_year + 2)
    return [(date(y, 12, 31) - _EPOCH).days for y in years]


def build_store(raw: RawTables, key: tuple[Any, ...]) -> FactStore:
    started = time.perf_counter()
    con = duckdb.connect(":memory:")
    # Units and persons stay as tables (breakdowns and drill-downs read them); spells and
    # events are read once, straight from Arrow.
    for name, frame in (("r_unit", raw.unit), ("r_person", raw.person)):
        con.register(f"{name}_src", frame.to_arrow())
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_src")
        con.unregister(f"{name}_src")
    for name, frame in (("r_spell", raw.spell), ("r_marital", raw.marital),
                        ("r_event", raw.event)):
        con.register(name, frame.to_arrow())
    timings = {"load": time.perf_counter() - started}
    for table, select in sql.FACT_STATEMENTS:
        step = time.perf_counter()
        con.execute(f"CREATE TABLE {table} AS {select}")
        timings[table] = time.perf_counter() - step
    span = con.execute(sql.EVENT_RANGE_SQL).fetchone()
    anchors = anchor_days(*(span or (None, None)))
    for table, select in sql.bucket_statements(anchors):
        step = time.perf_counter()
        con.execute(f"CREATE TABLE {table} AS {select}")
        timings[table] = time.perf_counter() - step
    for table in sql.TRANSIENT_TABLES:
        con.execute(f"DROP TABLE {table}")
    for name in ("r_spell", "r_marital", "r_event"):  # they live on in f_spell, f_event …
        con.unregister(name)
    return FactStore(key=key, con=con, units=raw.unit, anchors=anchors,
                     built_seconds=time.perf_counter() - started,
                     timings={k: round(v, 3) for k, v in timings.items()})


def fingerprint(using: str = "default") -> tuple[Any, ...]:
    connection = connections[using]
    settings = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT_SQL)
        row = cursor.fetchone()
    where = (connection.vendor, str(settings.get("NAME")), str(settings.get("HOST") or ""),
             str(settings.get("PORT") or ""))
    return (*where, *(str(v) for v in (row or ())))


_stores: dict[str, FactStore] = {}
_build_lock = threading.Lock()


def get_store(using: str = "default") -> FactStore:
    """The current fact store of database `using`, rebuilt if the data changed."""
    key = fingerprint(using)
    store = _stores.get(using)
    if store is not None and store.key == key:
        return store
    with _build_lock:
        store = _stores.get(using)
        if store is not None and store.key == key:
            return store
        started = time.perf_counter()
        raw = extract(using)
        extracted = time.perf_counter() - started
        store = build_store(raw, key)
        store.timings = {"extract": round(extracted, 3), **store.timings}
        store.built_seconds = time.perf_counter() - started
        _stores[using] = store
        return store


def cache_clear() -> None:
    """Forget every store (tests; after restoring a database from a dump)."""
    with _build_lock:
        for store in _stores.values():
            store.con.close()
        _stores.clear()
