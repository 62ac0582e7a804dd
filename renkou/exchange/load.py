"""Write validated frames: insert new records, update changed ones with history, by id.

Runs inside the import's transaction. The incoming rows are compared with the database as
text, in polars: a re-import of the same files finds nothing changed and writes nothing.
Records missing from an extract are left alone (an extract may be partial).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl
from django.db import connection

from renkou.core.audit import Actor
from renkou.core.bulk import insert_frame, is_postgres, quote
from renkou.core.indexes import indexes_deferred
from renkou.exchange import dbio
from renkou.exchange.spec import ORGUNITS, Column, FileSpec
from renkou.registry.models import RecordChange
from renkou.units.models import ANCESTOR_LEVELS
from renkou.units.services import UnitRow, derive_hierarchy

# A first load of at least this many rows into an empty table drops and rebuilds its
# secondary indexes (bench/bench_import.py measures the difference).
DEFER_INDEXES_AT = 50_000
_DERIVED = ("path", "depth", *(f"{lvl}_code" for lvl in ANCESTOR_LEVELS))


@dataclass
class Counts:
    read: int = 0
    inserted: int = 0
    updated: int = 0

    @property
    def unchanged(self) -> int:
        return self.read - self.inserted - self.updated

    def as_dict(self) -> dict[str, int]:
        return {"read": self.read, "inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged}


@dataclass
class Loaded:
    """What one file's load did; `final` is every incoming row as now stored (text)."""

    counts: Counts
    final: pl.DataFrame
    inserted_keys: pl.Series
    changed: pl.DataFrame  # key, then <column>_old and <column> for every SPEC column
    extra: dict[str, int] = field(default_factory=dict)


def db_timestamp(moment: datetime) -> str:
    """A timestamp as Django stores it, for rows written by COPY / executemany."""
    if is_postgres():
        return moment.isoformat()
    return str(connection.ops.adapt_datetimefield_value(moment))


def to_db_frame(spec: FileSpec, frame: pl.DataFrame, *, batch_id: int | None = None
                ) -> pl.DataFrame:
    """SPEC columns → database columns; empty → '' or NULL as Django would store it.

    Values stay text: validation guarantees ISO dates and plain digits, which PostgreSQL's
    COPY parses into date and smallint columns and SQLite stores by column affinity — a
    conversion here would only be undone while writing.
    """
    exprs: list[pl.Expr] = []
    for col in spec.columns:
        expr = pl.col(col.name)
        if not col.nullable and col.kind == "text":
            expr = expr.fill_null("")
        exprs.append(expr.alias(col.db))
    if batch_id is not None:
        exprs.append(pl.lit(batch_id, pl.Int64).alias("created_batch_id"))
    return frame.select(exprs)


# ASCII unit separator: no real cell holds one, and a false "equal" would need two cells of
# one row to change in exactly compensating ways.
_SEPARATOR = "\x1f"


def _signature_sql(columns: list[Column]) -> str:
    sep = "chr(31)" if is_postgres() else "char(31)"
    return f" || {sep} || ".join(f"COALESCE({dbio.text_expr(c.db, c.kind)}, '')"
                                 for c in columns)


def _signature(columns: list[Column]) -> pl.Expr:
    return pl.concat_str([pl.col(c.name).fill_null("") for c in columns],
                         separator=_SEPARATOR)


def _existing(spec: FileSpec, incoming: pl.DataFrame, present: frozenset[str]
              ) -> pl.DataFrame:
    """The stored rows that may differ from `incoming` (all rows with the same keys, or,
    when every column is present, only those whose text differs).

    Comparing one signature column per row first means a re-import of a million
    unchanged rows reads two columns, not eleven (SQLite hands each value to Python).
    """
    keys = incoming.get_column(spec.key)
    full_sql, names = dbio.select_sql(spec)
    if any(c not in present for c in spec.column_names):
        return dbio.rows_for_keys(full_sql, names, key=spec.key, key_db=spec.db_key,
                                  keys=keys)
    others = [c for c in spec.columns if c.name != spec.key]
    sig_sql = (f"SELECT {quote(spec.db_key)}, {_signature_sql(others)} "  # noqa: S608
               f"FROM {quote(spec.table)}")
    stored = dbio.rows_for_keys(sig_sql, [spec.key, "_sig"], key=spec.key,
                                key_db=spec.db_key, keys=keys)
    differing = (incoming.select(spec.key, _signature(others).alias("_in"))
                 .join(stored, on=spec.key, how="inner")
                 .filter(pl.col("_in") != pl.col("_sig")))
    if differing.height == 0:
        # Same keys as `stored`, no row read in full: compare() sees them as unchanged.
        return incoming.join(stored.select(spec.key), on=spec.key, how="semi") \
            .select(spec.column_names)
    changed = dbio.rows_for_keys(full_sql, names, key=spec.key, key_db=spec.db_key,
                                 keys=differing.get_column(spec.key))
    same = incoming.join(stored.select(spec.key), on=spec.key, how="semi").join(
        changed.select(spec.key), on=spec.key, how="anti").select(spec.column_names)
    return pl.concat([same, changed])


def _differs(columns: list[str]) -> pl.Expr:
    if not columns:
        return pl.lit(False)
    return pl.any_horizontal([pl.col(c).fill_null("") != pl.col(f"{c}_old").fill_null("")
                              for c in columns])


def compare(spec: FileSpec, incoming: pl.DataFrame, existing: pl.DataFrame,
            present: frozenset[str]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(final rows, new rows, changed rows with _old columns).

    A SPEC column absent from the file keeps the stored value: a file without addresses
    must not erase them.
    """
    key = spec.key
    others = [c for c in spec.column_names if c != key]
    old = existing.rename({c: f"{c}_old" for c in others}).with_columns(
        pl.lit(True).alias("_exists"))
    joined = incoming.select(spec.column_names).join(old, on=key, how="left")
    absent = [c for c in others if c not in present]
    if absent:
        joined = joined.with_columns([
            pl.when(pl.col("_exists")).then(pl.col(f"{c}_old")).otherwise(pl.col(c)).alias(c)
            for c in absent])
    exists = pl.col("_exists").fill_null(False)
    new = joined.filter(~exists).select(spec.column_names)
    changed = joined.filter(exists & _differs(others)).drop("_exists")
    return joined.select(spec.column_names), new, changed


def load_records(spec: FileSpec, incoming: pl.DataFrame, present: frozenset[str], *,
                 batch_id: int, timings: dict[str, float] | None = None,
                 before_indexes: Callable[[], None] | None = None) -> Loaded:
    """Insert the new rows of households, persons or events and update the changed ones.

    `before_indexes()` is called once the new rows are in, before the indexes are built
    (which runs in the database, without the interpreter lock: a moment for a thread)."""
    empty_before = dbio.table_count(spec.table) == 0
    if empty_before:
        existing = pl.DataFrame(schema=dict.fromkeys(spec.column_names, pl.String))
    else:
        existing = _existing(spec, incoming, present)
    final, new, changed = compare(spec, incoming, existing, present)
    # In key order: the primary key index grows by appends, and the indexes rebuilt after
    # a first load sort presorted input (extracts usually come sorted; this costs little).
    rows = to_db_frame(spec, new.sort(spec.key), batch_id=batch_id)
    if empty_before and rows.height >= DEFER_INDEXES_AT:
        with indexes_deferred([spec.table], timings):
            insert_frame(spec.table, rows)
            if before_indexes is not None:
                before_indexes()
    else:
        insert_frame(spec.table, rows)
        if before_indexes is not None:
            before_indexes()
    if changed.height:
        dbio.update_from_frame(spec.table, to_db_frame(spec, changed), spec.db_key)
    counts = Counts(read=incoming.height, inserted=new.height, updated=changed.height)
    return Loaded(counts=counts, final=final, inserted_keys=new.get_column(spec.key),
                  changed=changed)


def write_history(spec: FileSpec, changed: pl.DataFrame, *, batch_id: int, actor: Actor,
                  at: datetime) -> int:
    """One RecordChange per changed record: SPEC columns → text, before and after."""
    if changed.height == 0 or not spec.history_model:
        return 0
    names = spec.column_names

    def state(suffix: str) -> pl.Expr:
        return pl.struct([pl.col(f"{c}{suffix}" if c != spec.key else c).fill_null("")
                          .alias(c) for c in names]).struct.json_encode()

    rows = changed.select(
        pl.lit(db_timestamp(at)).alias("at"),
        pl.lit(actor.user_id, pl.Int64).alias("user_id"),
        pl.lit(actor.username).alias("username"),
        pl.lit(actor.origin).alias("origin"),
        pl.lit(batch_id, pl.Int64).alias("batch_id"),
        pl.lit(spec.history_model).alias("model"),
        pl.col(spec.key).alias("object_id"),
        pl.lit("update").alias("action"),
        state("_old").alias("before"),
        state("").alias("after"),
    )
    return insert_frame(RecordChange._meta.db_table, rows)


def _unit_rows(frame: pl.DataFrame) -> pl.DataFrame:
    base = to_db_frame(ORGUNITS, frame.select(ORGUNITS.column_names))
    derived = frame.select([pl.col(c).cast(pl.Int64) if c == "depth" else pl.col(c).fill_null("")
                            for c in _DERIVED])
    return pl.concat([base, derived], how="horizontal")


def load_units(incoming: pl.DataFrame, present: frozenset[str], db_units: pl.DataFrame
               ) -> Loaded:
    """Upsert orgunits and re-derive path, depth and ancestor codes of every unit.

    Derived columns are recomputed over the file and the database together: moving a
    township to another county changes the ancestors of every village below it, even
    villages the file does not list.
    """
    final, new, changed = compare(ORGUNITS, incoming, db_units, present)
    merged = pl.concat([final, db_units.join(final.select("code"), on="code", how="anti")])
    rows = [UnitRow(code=c, name=n or "", level=lv or "", parent_code=p or "",
                    urban_rural_code=u or "")
            for c, n, lv, p, u in merged.select(ORGUNITS.column_names).iter_rows()]
    derived = derive_hierarchy(rows)
    derived_frame = pl.DataFrame(
        [{"code": code, **{k: str(v) for k, v in info.items()}}
         for code, info in derived.items()],
        schema={"code": pl.String, **dict.fromkeys(_DERIVED, pl.String)})
    target = merged.join(derived_frame, on="code", how="left")
    names = [*ORGUNITS.column_names, *_DERIVED]
    stored = dbio.read_text(
        f"SELECT {', '.join(dbio.text_expr(c, 'int' if c == 'depth' else 'text') for c in names)}"
        " FROM units_unit", names)
    old = stored.rename({c: f"{c}_old" for c in names if c != "code"}).with_columns(
        pl.lit(True).alias("_exists"))
    joined = target.join(old, on="code", how="left")
    exists = pl.col("_exists").fill_null(False)
    columns = [c for c in names if c != "code"]
    to_insert = joined.filter(~exists)
    to_update = joined.filter(exists & _differs(columns))

    if to_insert.height:
        insert_frame("units_unit", _unit_rows(to_insert))
    if to_update.height:
        dbio.update_from_frame("units_unit", _unit_rows(to_update), "code")
    in_file = changed.get_column("code")
    counts = Counts(read=incoming.height, inserted=new.height, updated=changed.height)
    rederived = to_update.filter(~pl.col("code").is_in(in_file.implode())).height
    return Loaded(counts=counts, final=final, inserted_keys=new.get_column("code"),
                  changed=changed, extra={"rederived": rederived})
