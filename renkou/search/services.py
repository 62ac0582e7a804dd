"""Keeping the search table in step with the registry.

`search_rebuild` builds it from scratch in bulk: the pinyin of each distinct name in polars
(per-character cache), then one INSERT … SELECT — or, given a frame of every person (a
first import), the rows in polars and one bulk insert — with the indexes built once;
`search_refresh` rewrites the rows of a few persons and is called by the registry services
on every person write, inside the write's transaction; `search_sync_after_import` is called
once after an import commits and picks the cheaper of the two (or nothing, when nothing
changed). `ConcurrentRebuild` lets a large PostgreSQL first load build the table on a second
connection while the import goes on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

import polars as pl
from django.db import connection, transaction

from renkou.core.bulk import (
    delete_where_in,
    execute,
    insert_frame,
    is_postgres,
    quote,
    read_text_frame,
)
from renkou.core.indexes import indexes_deferred
from renkou.search.models import SearchEntry
from renkou.search.pinyin import pinyin_columns

logger = logging.getLogger(__name__)
TABLE = SearchEntry._meta.db_table
SOURCE_COLUMNS = ["person_id", "unit_code", "name", "id_number"]
TARGET_COLUMNS = ["person_id", "unit_code", "name", "initials", "pinyin", "id_reversed"]
# Above this many rows a rebuild drops the indexes and builds each once over the new rows.
DEFER_INDEXES_AT = 50_000
# An import that touched more than this share of the registry rebuilds the whole table.
FULL_REBUILD_SHARE = 0.2
_CHUNK = 900  # SQLite's bound-parameter limit is 999 on old builds
KEYS_TABLE = "search_name_keys"


def _source_sql(where: str = "") -> str:
    return ("SELECT p.id, h.unit_code, p.name, p.id_number FROM registry_person p "
            f"LEFT JOIN registry_household h ON h.id = p.household_id {where}")


def _read(sql: str, params: list[str] | None = None) -> pl.DataFrame:
    return read_text_frame(sql, SOURCE_COLUMNS, params or [])


def search_rows(source: pl.DataFrame) -> pl.DataFrame:
    """The search table's rows for persons (person_id, unit_code, name, id_number; text),
    sorted by person_id. Pinyin is computed once per distinct name."""
    frame = source.select(pl.col(c).fill_null("") for c in SOURCE_COLUMNS)
    names = frame.get_column("name").unique()
    keys = pl.concat([names.to_frame(), pinyin_columns(names)], how="horizontal")
    id_number = pl.col("id_number").str.strip_chars().str.to_uppercase()
    return frame.join(keys, on="name", how="left").sort("person_id").select(
        "person_id", "unit_code", "name", pl.col("initials").fill_null(""),
        pl.col("pinyin").fill_null(""), id_number.str.reverse().alias("id_reversed"))


def search_frames(persons: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The whole search table from every person of the registry (see `search_rebuild`), as
    `ScratchTables` builds it: uses no database connection."""
    return {TABLE: search_rows(persons)}


def search_analyze() -> None:
    """Fresh statistics after the table was filled (SQLite: sampled, milliseconds)."""
    if not is_postgres():
        # They let the planner see that a village holds few rows, a county all.
        execute("PRAGMA analysis_limit = 2000")  # sampled: seconds → milliseconds
    execute(f"ANALYZE {quote(TABLE)}")


def _fill_sql() -> str:
    """INSERT … SELECT that builds every row inside the database: only the distinct names
    travel to Python (for their pinyin) and back, not a million rows."""
    number = "UPPER(TRIM(COALESCE(p.id_number, '')))"
    reverse = "reverse" if is_postgres() else "renkou_reverse"
    cols = ", ".join(quote(c) for c in TARGET_COLUMNS)
    # No ORDER BY: persons are scanned in storage order, which an import writes sorted by
    # id, so the primary key is built (or appended to) from presorted rows.
    return (
        f"INSERT INTO {quote(TABLE)} ({cols}) "
        "SELECT p.id, COALESCE(h.unit_code, ''), p.name, COALESCE(k.initials, ''), "
        f"COALESCE(k.pinyin, ''), {reverse}({number}) "
        "FROM registry_person p "
        f"LEFT JOIN {KEYS_TABLE} k ON k.name = p.name "
        "LEFT JOIN registry_household h ON h.id = p.household_id"
    )


def _reverse_function() -> None:
    """SQLite has no reverse(): register `renkou_reverse` (PostgreSQL's own is used there)."""
    connection.ensure_connection()
    if not is_postgres():
        raw: Any = connection.connection
        raw.create_function("renkou_reverse", 1, lambda s: s[::-1] if s else s,
                            deterministic=True)


def _distinct_names() -> pl.Series:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT name FROM registry_person")
        return pl.Series("name", [row[0] for row in cursor.fetchall()], dtype=pl.String)


def _fill(persons: pl.DataFrame | None) -> int:
    if is_postgres():
        execute(f"TRUNCATE {quote(TABLE)}")
    else:
        execute(f"DELETE FROM {quote(TABLE)}")  # noqa: S608
    if persons is not None:
        return insert_frame(TABLE, search_rows(persons))
    names = _distinct_names()
    keys = pl.concat([names.to_frame(), pinyin_columns(names)], how="horizontal")
    execute(f"DROP TABLE IF EXISTS {KEYS_TABLE}")
    # PostgreSQL hashes the keys for the join; SQLite looks each name up in the key's index.
    key = "" if is_postgres() else " PRIMARY KEY"
    execute(f"CREATE TEMPORARY TABLE {KEYS_TABLE} (name varchar(64){key}, "
            "initials varchar(64), pinyin varchar(255))")
    insert_frame(KEYS_TABLE, keys)
    _reverse_function()
    rows = execute(_fill_sql())
    execute(f"DROP TABLE {KEYS_TABLE}")
    return rows


@transaction.atomic
def search_rebuild(persons: pl.DataFrame | None = None) -> int:
    """Rebuild the whole search table; returns the number of rows.

    From the registry: the pinyin of each distinct name is computed in polars (per-character
    cache) and loaded into a temporary table, and one INSERT … SELECT builds the rows in the
    database. From `persons` (person_id, unit_code, name, id_number of every person in the
    registry, as a first import holds them): the rows are built in polars and bulk-inserted,
    which spares reading the registry back and the joins. Either way the indexes (and on
    PostgreSQL the primary key) are dropped before and built once after on large tables.
    """
    if is_postgres():
        # Hash joins over a million persons spill to disk at the default 4 MB.
        execute("SET LOCAL work_mem = '64MB'")
    count = persons.height if persons is not None else _person_count()
    if count >= DEFER_INDEXES_AT:
        with indexes_deferred([TABLE]):  # analyzes the table on PostgreSQL
            rows = _fill(persons)
        if not is_postgres():
            search_analyze()
    else:
        rows = _fill(persons)
        search_analyze()
    return rows


# A rebuild waiting this long for the import's outcome gives up and rolls back.
_DECISION_TIMEOUT_S = 6 * 3600


class ConcurrentRebuild:
    """Rebuild the search table from `persons` on a second PostgreSQL connection, in a thread,
    while the caller's import transaction goes on; commit only if the import commits.

    A first load hands over every person of the registry with the unit of their household,
    so the rows need nothing the import has not committed yet. The thread's transaction
    truncates and fills the table, builds its indexes, then waits for `finish(commit)`:
    the server builds the search indexes while the import writes the registry, its findings
    and spells (two cores instead of one), and an import that fails leaves the table as it
    was.
    Searches of the table wait on its lock until then (a first load: nothing to find yet).
    """

    def __init__(self, persons: pl.DataFrame) -> None:
        self._persons = persons
        self._decided = threading.Event()
        self._commit = False
        self.rows = 0
        self.error: BaseException | None = None
        self.finished = False
        self._thread = threading.Thread(target=self._run, name="renkou-search-rebuild",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            with transaction.atomic():  # this thread's own connection
                # Never queue behind a lock for long (the import waits for this thread at
                # its end): give up instead, and the import rebuilds after its commit.
                execute("SET LOCAL lock_timeout = '60s'")
                self.rows = search_rebuild(self._persons)
                if not self._decided.wait(_DECISION_TIMEOUT_S) or not self._commit:
                    transaction.set_rollback(True)
        except BaseException as error:  # reported to the caller by finish()
            self.error = error
        finally:
            connection.close()

    def finish(self, *, commit: bool) -> int | None:
        """Tell the thread whether the import committed and wait for it. The rows written,
        or None when nothing was committed (the import rolled back, or the rebuild failed:
        the caller then brings the table up to date itself)."""
        self._commit = commit
        self._decided.set()
        self._thread.join()
        self.finished = True
        if self.error is not None and commit:
            logger.warning("search rebuild on a second connection failed: %r", self.error)
        if not commit or self.error is not None:
            return None
        return self.rows


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


def search_sync_after_import(*, batch_id: int | None, persons: pl.DataFrame | None = None
                             ) -> int:
    """Bring the search table up to date after an import committed `batch_id`.

    Rebuilds everything on a first load, when units were re-parented, or when the import
    touched a large share of the registry; otherwise refreshes only the persons it created
    or changed (and the members of households it changed). The batch's counts say whether
    anything changed at all, so a repeated import costs two small queries. `persons`: every
    person of the registry, when the import holds them (a first load): see `search_rebuild`."""
    from renkou.registry.models import ImportBatch, Person, RecordChange

    if batch_id is None:
        return 0
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return 0
    detail = batch.counts if isinstance(batch.counts, dict) else {}
    files = detail.get("counts") or {}
    person_counts = files.get("persons") or {}
    households = files.get("households") or {}
    inserted = int(person_counts.get("inserted", 0))
    updated = int(person_counts.get("updated", 0))
    moved = int(households.get("updated", 0))
    if detail.get("units_rederived") or not SearchEntry.objects.exists():
        return search_rebuild(persons)
    if inserted + updated + moved == 0:
        return 0
    if inserted + updated > FULL_REBUILD_SHARE * max(_person_count(), 1):
        return search_rebuild(persons)
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

