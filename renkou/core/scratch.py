"""SQLite first loads: build a table on a second connection, in a scratch file, then copy it in.

SQLite lets one connection write a database file at a time, so on the import's connection a
first load would build the search table and its five indexes after everything else, on one
core. `ScratchTables` hands such a table to a worker thread instead: with a connection of its
own it writes the rows into a scratch file, with the table's definition and indexes as the
migrations made them, while the import's connection writes the registry. The import then
copies the table in with `INSERT INTO main.t SELECT * FROM scratch.t`, which SQLite runs as
a transfer of the stored records and index entries in their order (its "xfer" optimisation,
for an empty destination with the same columns and indexes): nothing is decoded, bound or
sorted again. The copy is part of the import's transaction, so it commits or rolls back with
everything else; the scratch file is deleted afterwards.

Two threads use SQLite at once only well without SQLite's memory statistics
(core.sqlite_tuning), and only if the worker rarely holds the interpreter lock: it inserts
with one INSERT … SELECT FROM json_each(?) per 100,000 rows, not executemany.

A job that fails (a full disk, say) makes `copy_in` return None: the caller then builds the
table itself as it would have without the worker.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import polars as pl
from django.db import connection

logger = logging.getLogger(__name__)
_SORT_THREADS = 2
_SCHEMA = "renkou_scratch"
# Rows per INSERT … SELECT FROM json_each(?) in the worker. Not executemany: that binds
# every value holding the interpreter lock, row by row, and two threads doing so stall each
# other (each took 3.5× as long as alone); one statement per 100,000 rows runs without it.
_JSON_ROWS = 100_000
# A job's rows, computed in the worker: {table: frame with columns named as the table's}.
Build = Callable[[], Mapping[str, pl.DataFrame]]


@dataclass
class _Job:
    ddl: dict[str, list[str]]  # table → CREATE TABLE, then its CREATE INDEX statements
    build: Build
    rows: dict[str, int] = field(default_factory=dict)
    error: BaseException | None = None


def _quote(name: str) -> str:
    return f'"{name}"'  # SQLite's quoting (Django's connection belongs to another thread)


def _json_array(frame: pl.DataFrame) -> str:
    """The rows as one JSON array of objects, dates as ISO text (as Django stores them),
    made by a polars expression: it runs without holding the interpreter lock."""
    text = frame.select(pl.struct(
        pl.col(c).dt.strftime("%Y-%m-%d") if t == pl.Date else pl.col(c)
        for c, t in frame.schema.items()).struct.json_encode().str.join(",")).item()
    return f"[{text}]"


def _definitions(table: str) -> list[str]:
    """The table's CREATE TABLE and CREATE INDEX statements in the main database (the
    automatic indexes of keys have none: the CREATE TABLE makes them again)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM main.sqlite_master WHERE tbl_name = %s "
                       "AND sql IS NOT NULL ORDER BY type = 'index', name", [table])
        return [str(row[0]) for row in cursor.fetchall()]


class ScratchTables:
    """One job building some tables in a scratch file, on a worker thread.

    Use as a context manager around the import's transaction: SQLite attaches and detaches
    databases only outside a transaction. Inside it, the transaction begins deferred:
    BEGIN IMMEDIATE (the project's setting) would take the write lock of every attached
    file, the scratch file included, and the worker could not write it. The transaction's
    first statement must be `lock_main()` instead.
    """

    def __init__(self) -> None:
        self._directory: Path | None = None
        self._attached = False
        self._job: _Job | None = None
        self._worker: threading.Thread | None = None
        self._current: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._stopping = False
        self._mode: str | None = None

    @staticmethod
    def applies() -> bool:
        """SQLite, outside any transaction (the import's own will be the outermost)."""
        return connection.vendor == "sqlite" and not connection.in_atomic_block

    @property
    def _path(self) -> Path:
        assert self._directory is not None, "inside the with block"
        return self._directory / f"{_SCHEMA}.sqlite3"

    def __enter__(self) -> ScratchTables:
        self._directory = Path(tempfile.mkdtemp(prefix="renkou-scratch-"))
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"ATTACH DATABASE %s AS {_SCHEMA}", [str(self._path)])
            self._attached = True
        except BaseException:
            self._detach()
            raise
        self._mode = connection.transaction_mode  # type: ignore[attr-defined]
        connection.transaction_mode = None  # type: ignore[attr-defined]  # plain BEGIN
        return self

    @staticmethod
    def lock_main(table: str) -> None:
        """Take the main database's write lock now, as BEGIN IMMEDIATE would have (and
        only its): a write statement that changes nothing, on one of its tables."""
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM main.{_quote(table)} WHERE 0")  # noqa: S608

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        with self._lock:
            self._stopping = True
            if self._current is not None:
                self._current.interrupt()  # a job nobody will copy in any more
        if self._worker is not None:
            self._worker.join()
        connection.transaction_mode = self._mode  # type: ignore[attr-defined]
        self._detach()

    def _detach(self) -> None:
        if self._attached:
            try:
                with connection.cursor() as cursor:
                    cursor.execute(f"DETACH DATABASE {_SCHEMA}")
            except Exception:  # the import's outcome stands; the file goes below
                logger.warning("could not detach the scratch database", exc_info=True)
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)

    def submit(self, tables: list[str], build: Build) -> None:
        """Build `tables` in the worker from the frames `build()` returns there (so
        `build` must not use the database). One job per scratch file."""
        assert self._job is None, "one job per ScratchTables"
        self._job = _Job(ddl={table: _definitions(table) for table in tables}, build=build)
        self._worker = threading.Thread(target=self._work, args=(self._job,),
                                        name="renkou-scratch", daemon=True)
        self._worker.start()

    def has(self, table: str) -> bool:
        return self._job is not None and table in self._job.ddl

    def copy_in(self, table: str) -> int | None:
        """Wait for the job and replace the main database's rows of `table` with the
        job's. The number of rows, or None if the job failed (nothing changed)."""
        assert self._job is not None
        assert self._worker is not None
        self._worker.join()
        if self._job.error is not None:
            logger.warning("building %s on a second connection failed: %r", table,
                           self._job.error)
            return None
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM main.{_quote(table)}")  # noqa: S608
            # Exactly "INSERT INTO t SELECT * FROM s": the form SQLite transfers as stored.
            cursor.execute(f"INSERT INTO main.{_quote(table)} "  # noqa: S608
                           f"SELECT * FROM {_SCHEMA}.{_quote(table)}")
        return self._job.rows[table]

    def _work(self, job: _Job) -> None:
        try:
            self._run(job)
        except BaseException as error:  # reported by copy_in
            job.error = error

    def _run(self, job: _Job) -> None:
        frames = job.build()
        scratch = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        with self._lock:
            if self._stopping:  # the import ended while the rows were computed
                scratch.close()
                raise RuntimeError("stopped")
            self._current = scratch
        try:
            # A scratch file needs no durability: no journal, no syncs.
            for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -200000",
                           "temp_store = MEMORY", f"threads = {_SORT_THREADS}"):
                scratch.execute(f"PRAGMA {pragma}")
            scratch.execute("BEGIN")
            for table, (create, *indexes) in job.ddl.items():
                scratch.execute(create)
                frame = frames[table]
                names = ", ".join(_quote(c) for c in frame.columns)
                values = ", ".join(f"json_extract(value, '$.{c}')" for c in frame.columns)
                sql = (f"INSERT INTO {_quote(table)} ({names}) "  # noqa: S608
                       f"SELECT {values} FROM json_each(?)")
                for part in frame.iter_slices(_JSON_ROWS):
                    scratch.execute(sql, [_json_array(part)])
                # Built after the rows: once, over all of them.
                for index in indexes:
                    scratch.execute(index)
                job.rows[table] = frame.height
            scratch.execute("COMMIT")
        finally:
            with self._lock:
                self._current = None
            scratch.close()
