"""Benchmark `renkou import` of a synthetic county against what a user would otherwise do.

    .venv/bin/python bench/bench_import.py [--persons 1000000] [--db sqlite|postgres|both]
                                           [--runs 3]

Figures (one JSON line each; seconds are medians over --runs; every measured step runs in
its own child process, so peak_mb is that step's own peak resident memory):
- import, first load: `import_directory` into an empty, migrated database (validation,
  writes, index builds, findings, spells, audit — everything the command does after
  migrating);
- import again: the same files a second time (nothing changes, nothing is written);
- import without the search rebuild: the same runs minus the "search" phase (the search
  app's table), so the import's own cost reads apart. A large first load builds the search
  table on a second connection while the import goes on — PostgreSQL in its own transaction
  (search.services.ConcurrentRebuild), SQLite in a scratch file (core.scratch) copied in
  before the commit: there the phase is only the wait for it (SQLite: and the copy and the
  commit), and the import's phases carry the cost of sharing the machine;
- baselines, same run: raw PostgreSQL COPY of the same four CSV files into bare tables with
  text columns (the engine's limit; the target is import ≤ 3× this, on both databases),
  into copies of the project's tables (same types and collations, no index or constraint),
  and into copies with the tables' primary keys and indexes in place (what a plain COPY of
  the files into the database as migrated costs: every index maintained row by row);
  raw SQLite executemany of the same rows into bare text tables; Django bulk_create
  (batch 1000) and save() per row of persons parsed with the csv module, on a sample,
  extrapolated to every row of the four files (labelled "extrapolated");
- ratio lines: import / COPY (with and without the search rebuild; against the text-table
  COPY, the typed-table COPY and the indexed-table COPY), bulk_create / import, save / import
  (full import).
PostgreSQL: database renkou_bench at BENCH_PG_SERVER (postgres://postgres@127.0.0.1:5432);
SQLite: bench/data/bench-import.sqlite3.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    DATA,
    PG_SERVER,
    SPEC_FILES,
    dataset,
    emit,
    file_rows,
    median,
    peak_mb,
    postgres_fresh,
    run_child,
    sqlite_fresh,
)

PG_DATABASE = "renkou_bench"
HERE = "bench/bench_import.py"


# --- children: each prints one JSON object ----------------------------------------------


def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")
    django.setup()


# Indexes no query of the project needs (PostgreSQL's varchar_pattern_ops twins, batch
# columns, foreign-key indexes duplicated by Meta.indexes): dropped for the --lean-indexes
# figure only, to show what declaring just the needed ones in the models would save.
_REDUNDANT = re.compile(
    r"(_like$|created_batch_id|^events_event_(person|spouse)_id_[0-9a-f]{8}$"
    r"|^events_(registration|marital)spell_(person_id|unit_code)_[0-9a-f]{8}$)")
_LEAN_TABLES = ("registry_household", "registry_person", "events_event",
                "events_registrationspell", "events_maritalspell")


def _drop_redundant_indexes() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s)",
                           [list(_LEAN_TABLES)])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
                           f"({', '.join(['%s'] * len(_LEAN_TABLES))})", list(_LEAN_TABLES))
        names = [row[0] for row in cursor.fetchall() if _REDUNDANT.search(row[0])]
        for name in names:
            cursor.execute(f'DROP INDEX "{name}"')
    return names


def child_import(directory: Path, lean: bool = False) -> dict[str, Any]:
    _django()
    from renkou.core.audit import cli_actor
    from renkou.exchange.services import import_directory

    dropped = _drop_redundant_indexes() if lean else []

    start = time.perf_counter()
    report = import_directory(directory=directory, actor=cli_actor(), progress=False)
    seconds = time.perf_counter() - start
    if not report.ok:
        raise SystemExit(f"import failed: {report.errors.head(5)}")
    return {"seconds": seconds, "peak_mb": peak_mb(), "changed": report.changed,
            "phases": report.timings, "dropped": len(dropped)}


def _headers(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


def child_copy(directory: Path) -> dict[str, Any]:
    """COPY the four files into ordinary text tables of schema raw_bench (one transaction)."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{PG_DATABASE}") as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS raw_bench")
        for name in SPEC_FILES:
            conn.execute(f"DROP TABLE IF EXISTS raw_bench.{name}")
        conn.commit()
        start = time.perf_counter()
        for name in SPEC_FILES:
            path = directory / f"{name}.csv"
            columns = ", ".join(f'"{h}" text' for h in _headers(path))
            conn.execute(f"CREATE TABLE raw_bench.{name} ({columns})")
            with conn.cursor().copy(f"COPY raw_bench.{name} FROM STDIN WITH "
                                    "(FORMAT csv, HEADER true)") as copy, path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
        conn.commit()
        seconds = time.perf_counter() - start
        for name in SPEC_FILES:
            conn.execute(f"DROP TABLE raw_bench.{name}")
        conn.commit()
    return {"seconds": seconds, "peak_mb": peak_mb()}


def child_copy_typed(directory: Path, indexed: str = "") -> dict[str, Any]:
    """COPY the four files into copies of the project's own tables (same column types and
    collations) of schema raw_typed: without any index, key or constraint (the engine's
    limit for loading exactly what the import stores, without any of its checks), or with
    the tables' primary keys (as unique indexes) and indexes as the migrations made them —
    `indexed="during"`: in place before the COPY, maintained row by row; `indexed="after"`:
    built once after the COPY, in the same transaction, with the import's 256 MB of
    maintenance_work_mem (the fastest way to end with the same indexes). No foreign keys;
    orgunits, whose table needs the derived path, stays bare."""
    import psycopg

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    _django()
    from renkou.exchange.spec import BY_NAME

    with psycopg.connect(f"{PG_SERVER}/{PG_DATABASE}") as conn:
        conn.execute("DROP SCHEMA IF EXISTS raw_typed CASCADE")
        conn.execute("CREATE SCHEMA raw_typed")
        conn.commit()
        statements = []
        builds: list[str] = []
        for name in SPEC_FILES:
            spec = BY_NAME[name]
            by_name = {c.name: c for c in spec.columns}
            file_columns = [by_name[h.strip().lower()] for h in _headers(directory / f"{name}.csv")]
            defs = []
            for column in file_columns:
                kind, collation = conn.execute(
                    "SELECT format_type(a.atttypid, a.atttypmod), "
                    "CASE WHEN a.attcollation = 0 OR c.collname = 'default' THEN '' "
                    "ELSE ' COLLATE \"' || c.collname || '\"' END "
                    "FROM pg_attribute a LEFT JOIN pg_collation c ON c.oid = a.attcollation "
                    "WHERE a.attrelid = %s::regclass AND a.attname = %s",
                    [spec.table, column.db]).fetchone()
                defs.append(f'"{column.db}" {kind}{collation}')
            # Empty text cells are '' in the project's tables, as the import stores them.
            not_null = [f'"{c.db}"' for c in file_columns if c.kind == "text" and not c.nullable]
            columns = ", ".join(f'"{c.db}"' for c in file_columns)
            create = f"CREATE TABLE raw_typed.{name} ({', '.join(defs)})"
            if indexed == "during" and name != "orgunits":
                create = (f"CREATE TABLE raw_typed.{name} (LIKE public.{spec.table} "
                          "INCLUDING DEFAULTS INCLUDING INDEXES)")
            if indexed == "after" and name != "orgunits":
                create = (f"CREATE TABLE raw_typed.{name} (LIKE public.{spec.table} "
                          "INCLUDING DEFAULTS)")
                definitions = [row[0] for row in conn.execute(
                    "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' "
                    "AND tablename = %s", [spec.table]).fetchall()]
                builds += [d.replace(f" ON public.{spec.table} ", f" ON raw_typed.{name} ")
                           for d in definitions]
            statements.append((
                create,
                f"COPY raw_typed.{name} ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true"
                f"{', FORCE_NOT_NULL (' + ', '.join(not_null) + ')' if not_null else ''})",
                directory / f"{name}.csv"))
        start = time.perf_counter()
        for create, copy_sql, path in statements:
            conn.execute(create)
            with conn.cursor().copy(copy_sql) as copy, path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
        conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for build in builds:
            conn.execute(build)
        conn.commit()
        seconds = time.perf_counter() - start
        conn.execute("DROP SCHEMA raw_typed CASCADE")
        conn.commit()
    return {"seconds": seconds, "peak_mb": peak_mb()}


def child_sqlite_raw(directory: Path) -> dict[str, Any]:
    """executemany of the parsed CSV rows into bare text tables of a new SQLite file."""
    import sqlite3

    path = DATA / "raw.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    start = time.perf_counter()
    conn.execute("BEGIN")
    for name in SPEC_FILES:
        with (directory / f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
            rows = csv.reader(handle)
            header = next(rows)
            conn.execute(f"CREATE TABLE {name} ({', '.join(f'{h} text' for h in header)})")
            marks = ", ".join("?" * len(header))
            conn.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return {"seconds": seconds, "peak_mb": peak_mb()}


def _person_objects(directory: Path, n: int) -> list[Any]:
    from datetime import date

    from renkou.registry.models import Person

    with (directory / "persons.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(itertools.islice(csv.DictReader(handle), n))
    return [Person(id=r["person_id"], household_id=r["household_id"], name=r["name"],
                   sex=int(r["sex"]),
                   birth_date=date.fromisoformat(r["birth_date"]) if r["birth_date"] else None,
                   id_number=r["id_number"], ethnicity=r["ethnicity"], relation=r["relation"],
                   marital_status=r["marital_status"], mother_id=r["mother_id"] or None,
                   father_id=r["father_id"] or None) for r in rows]


def child_django(directory: Path, how: str, n: int) -> dict[str, Any]:
    """What a user without the import would write: build objects from the CSV, then
    bulk_create in one transaction, or save() each (autocommit)."""
    _django()
    from django.db import transaction

    from renkou.registry.models import Person

    start = time.perf_counter()
    objects = _person_objects(directory, n)
    if how == "bulk_create":
        with transaction.atomic():
            Person.objects.bulk_create(objects, batch_size=1000)
    else:
        for obj in objects:
            obj.save(force_insert=True)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(objects), "peak_mb": peak_mb()}


# --- parent -------------------------------------------------------------------------------


def fresh(db: str) -> str:
    return sqlite_fresh("bench-import") if db == "sqlite" else postgres_fresh(PG_DATABASE)


def figure(what: str, db: str, persons: int, rows: int, runs: list[dict[str, Any]],
           **extra: Any) -> float:
    seconds = median([r["seconds"] for r in runs])
    emit(what=what, db=db, size=persons, rows=rows, seconds=round(seconds, 3),
         rows_per_s=round(rows / seconds), peak_mb=max(r["peak_mb"] for r in runs),
         runs=[round(r["seconds"], 3) for r in runs], **extra)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bulk-sample", type=int, default=50_000)
    parser.add_argument("--save-sample", type=int, default=5_000)
    parser.add_argument("--lean-indexes", action="store_true",
                        help="also measure a first load without the redundant indexes")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        children = {"import": lambda: child_import(args.dir),
                    "import-lean": lambda: child_import(args.dir, lean=True),
                    "copy": lambda: child_copy(args.dir),
                    "copy-typed": lambda: child_copy_typed(args.dir),
                    "copy-indexed": lambda: child_copy_typed(args.dir, indexed="during"),
                    "copy-indexed-after": lambda: child_copy_typed(args.dir, indexed="after"),
                    "sqlite-raw": lambda: child_sqlite_raw(args.dir),
                    "bulk_create": lambda: child_django(args.dir, "bulk_create", args.n),
                    "save": lambda: child_django(args.dir, "save", args.n)}
        emit(**children[args.child]())
        return

    directory = dataset(args.persons)
    counts = file_rows(directory)
    rows = sum(counts.values())
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    emit(what="dataset", size=args.persons, rows=rows, files=counts, directory=str(directory))
    child = [HERE, "--dir", str(directory)]

    # Interleaved, so that the machine's load drifts over baseline and import alike.
    copy_runs: list[dict[str, Any]] = []
    typed_runs: list[dict[str, Any]] = []
    indexed_runs: list[dict[str, Any]] = []
    after_runs: list[dict[str, Any]] = []
    raw_runs: list[dict[str, Any]] = []
    first: dict[str, list[dict[str, Any]]] = {db: [] for db in dbs}
    again: dict[str, list[dict[str, Any]]] = {db: [] for db in dbs}
    lean: dict[str, list[dict[str, Any]]] = {db: [] for db in dbs}
    postgres_fresh(PG_DATABASE)
    for _ in range(args.runs):
        copy_runs.append(run_child([*child, "--child", "copy"]))
        typed_runs.append(run_child([*child, "--child", "copy-typed"]))
        indexed_runs.append(run_child([*child, "--child", "copy-indexed"]))
        after_runs.append(run_child([*child, "--child", "copy-indexed-after"]))
        if "sqlite" in dbs:
            raw_runs.append(run_child([*child, "--child", "sqlite-raw"]))
        for db in dbs:
            env = {"DATABASE_URL": fresh(db)}
            first[db].append(run_child([*child, "--child", "import"], env))
            again[db].append(run_child([*child, "--child", "import"], env))
            if args.lean_indexes:
                env = {"DATABASE_URL": fresh(db)}
                lean[db].append(run_child([*child, "--child", "import-lean"], env))

    copy_s = figure("raw PostgreSQL COPY into bare text tables (baseline)", "postgres",
                    args.persons, rows, copy_runs)
    typed_s = figure("raw PostgreSQL COPY into the project's tables without indexes or "
                     "constraints (baseline)", "postgres", args.persons, rows, typed_runs)
    indexed_s = figure("raw PostgreSQL COPY into the project's tables with their keys and "
                       "indexes (baseline)", "postgres", args.persons, rows, indexed_runs)
    after_s = figure("raw PostgreSQL COPY into the project's tables, then their keys and "
                     "indexes built once (baseline)", "postgres", args.persons, rows, after_runs)
    if raw_runs:
        figure("raw SQLite executemany into bare text tables (baseline)", "sqlite",
               args.persons, rows, raw_runs)
    for db in dbs:
        import_s = figure("import, first load", db, args.persons, rows, first[db],
                          phases={k: round(median([r["phases"].get(k, 0) for r in first[db]]),
                                           3) for k in first[db][0]["phases"]})
        # The search app's index rebuild runs after the import commits (phase "search"):
        # the same runs without it, so that the import's own cost reads apart.
        own = [{**r, "seconds": r["seconds"] - r["phases"].get("search", 0.0)}
               for r in first[db]]
        own_s = figure("import, first load, without the name-search rebuild after commit",
                       db, args.persons, rows, own)
        figure("import again, same files (nothing changes)", db, args.persons, rows, again[db],
               changed=[r["changed"] for r in again[db]])
        if lean[db]:
            lean_s = figure(
                "import, first load, without redundant indexes (schema proposal, not the "
                "migrations)", db, args.persons, rows, lean[db],
                dropped_indexes=lean[db][0]["dropped"],
                phases={k: round(median([r["phases"].get(k, 0) for r in lean[db]]), 3)
                        for k in lean[db][0]["phases"]})
            emit(what="ratio import without redundant indexes / raw PostgreSQL COPY", db=db,
                 size=args.persons, ratio=round(lean_s / copy_s, 2), target="<= 3")
        emit(what="ratio import / raw PostgreSQL COPY", db=db, size=args.persons,
             ratio=round(import_s / copy_s, 2), target="<= 3")
        emit(what="ratio import without the search rebuild / raw PostgreSQL COPY", db=db,
             size=args.persons, ratio=round(own_s / copy_s, 2), target="<= 3")
        emit(what="ratio import without the search rebuild / raw PostgreSQL COPY into the "
             "project's tables", db=db, size=args.persons, ratio=round(own_s / typed_s, 2),
             target="<= 3")
        emit(what="ratio import / raw PostgreSQL COPY into the project's tables with their "
             "keys and indexes", db=db, size=args.persons, ratio=round(import_s / indexed_s, 2),
             target="<= 3")
        emit(what="ratio import / raw PostgreSQL COPY into the project's tables, then their "
             "keys and indexes built once", db=db, size=args.persons,
             ratio=round(import_s / after_s, 2), target="<= 3")
        for how, sample in (("bulk_create", args.bulk_sample), ("save", args.save_sample)):
            samples = []
            for _ in range(args.runs):
                env = {"DATABASE_URL": fresh(db)}
                samples.append(run_child([*child, "--child", how, "--n", str(sample)], env))
            rate = median([s["rows"] / s["seconds"] for s in samples])
            estimate = rows / rate
            emit(what=f"Django {how} (sample of {sample} persons, extrapolated to all rows)",
                 db=db, size=args.persons, rows=rows, seconds=round(estimate, 1),
                 extrapolated=True, rows_per_s=round(rate),
                 peak_mb=max(s["peak_mb"] for s in samples))
            emit(what=f"ratio Django {how} (extrapolated) / import", db=db, size=args.persons,
                 ratio=round(estimate / import_s, 1))
    if os.environ.get("BENCH_KEEP") != "1":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DATA / 'bench-import.sqlite3'}{suffix}").unlink(missing_ok=True)
            Path(f"{DATA / 'raw.sqlite3'}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
