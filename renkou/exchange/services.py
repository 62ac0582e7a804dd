"""`renkou import` and `renkou export` as services: one door for the CLI and the web.

import_directory: read → validate everything → (only if there is no error) write every
file, the history, the findings, the spells, the batch and the audit row in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from renkou.core.audit import Actor, audit_log, data_version_bump
from renkou.core.bulk import execute, is_postgres
from renkou.core.indexes import indexes_deferred
from renkou.core.scratch import ScratchTables
from renkou.core.sqlite_tuning import checkpoint_after
from renkou.events.models import MaritalSpell, RegistrationSpell
from renkou.events.spells import (
    SpellFrames,
    spell_frames,
    spells_rebuild,
    spells_write_all,
)
from renkou.exchange import dbio, export, load
from renkou.exchange.findings import findings_sync
from renkou.exchange.progress import Progress
from renkou.exchange.readers import SourceSet, csv_record_lines, read_directory
from renkou.exchange.report import write_errors_csv
from renkou.exchange.spec import ERRORS_FILE, EVENTS, HOUSEHOLDS, PERSONS
from renkou.exchange.validate import Validated, validate
from renkou.registry.models import ImportBatch
from renkou.search.services import TABLE as SEARCH_TABLE
from renkou.search.services import (
    ConcurrentRebuild,
    search_analyze,
    search_frames,
    search_sync_after_import,
)
from renkou.units.models import Unit

# pg_advisory_xact_lock key: one import at a time (validation reads what the load writes).
_IMPORT_LOCK = 0x52454E4B


@dataclass
class ImportReport:
    ok: bool
    errors: pl.DataFrame
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)
    history: int = 0
    changed: int = 0
    batch_id: int | None = None
    errors_path: Path | None = None
    stale_errors_removed: bool = False
    timings: dict[str, float] = field(default_factory=dict)


def _physical_lines(errors: pl.DataFrame, source: SourceSet) -> pl.DataFrame:
    """Record numbers → line numbers for CSV files where a quoted cell spans lines."""
    for table in source.tables.values():
        if not table.multiline or table.path is None:
            continue
        starts = csv_record_lines(table.path)
        mapping = pl.DataFrame({
            "file": [table.label] * len(starts),
            "line": pl.Series(range(2, len(starts) + 2), dtype=pl.Int64),
            "_physical": pl.Series(starts, dtype=pl.Int64)})
        errors = (errors.with_row_index("_order")
                  .join(mapping, on=["file", "line"], how="left")
                  .sort("_order")
                  .with_columns(pl.coalesce("_physical", "line").alias("line"))
                  .drop("_order", "_physical"))
    return errors


def _household_units(households: load.Loaded | None, household_ids: pl.Series
                     ) -> pl.DataFrame:
    known = (households.final.select("household_id", "unit_code") if households
             else pl.DataFrame(schema={"household_id": pl.String, "unit_code": pl.String}))
    missing = household_ids.filter(~household_ids.is_in(
        known.get_column("household_id").implode()))
    stored = dbio.rows_for_keys("SELECT id, unit_code FROM registry_household",
                                ["household_id", "unit_code"], key="household_id", key_db="id",
                                keys=missing)
    return pl.concat([known, stored])


def _first_load_persons(validated: Validated, persons_before: int) -> pl.DataFrame | None:
    """When the registry is empty and the files bring households and persons: every
    incoming person with the unit of their household — exactly the registry's persons
    once written, known before anything is written."""
    frames = validated.frames
    if "persons" not in frames or "households" not in frames:
        return None
    if persons_before or dbio.table_count(HOUSEHOLDS.table):
        return None
    units = frames["households"].select("household_id", "unit_code").unique("household_id")
    return frames["persons"].select(PERSONS.column_names).join(units, on="household_id",
                                                              how="left")


def _affected_persons(loaded: dict[str, load.Loaded]) -> pl.Series:
    """Persons whose spells may have changed: new or changed persons, members of households
    that moved unit, both partners (old and new) of new or changed events."""
    parts: list[pl.Series] = []
    if "persons" in loaded:
        persons = loaded["persons"]
        parts += [persons.inserted_keys, persons.changed.get_column("person_id")]
    if "households" in loaded:
        changed = loaded["households"].changed
        moved = changed.filter(pl.col("unit_code") != pl.col("unit_code_old"))
        if moved.height:
            members = dbio.rows_for_keys(
                "SELECT id, household_id FROM registry_person", ["person_id", "household_id"],
                key="household_id", key_db="household_id",
                keys=moved.get_column("household_id"))
            parts.append(members.get_column("person_id"))
    if "events" in loaded:
        events = loaded["events"]
        ids = events.inserted_keys
        new = events.final.filter(pl.col("event_id").is_in(ids.implode()))
        parts += [new.get_column("person_id"), new.get_column("spouse_id")]
        for column in ("person_id", "person_id_old", "spouse_id", "spouse_id_old"):
            parts.append(events.changed.get_column(column))
    if not parts:
        return pl.Series("person_id", [], dtype=pl.String)
    return pl.concat([p.rename("person_id").cast(pl.String) for p in parts]).drop_nulls() \
        .unique().sort()


def _rebuild_spells(loaded: dict[str, load.Loaded], persons_before: int,
                    persons: pl.DataFrame | None, timings: dict[str, float],
                    first_load_frames: Future[SpellFrames] | None
                    ) -> int:
    """Bring the spells up to date; `persons`: the incoming persons with their household's
    unit (present when the persons file was); `first_load_frames`: on a first load, the
    spells computed from the files meanwhile (see `_write`)."""
    if not {"households", "persons", "events"} & set(loaded):
        return 0
    if persons_before == 0:
        # First load: everyone is new. Indexes are rebuilt once instead of row by row.
        tables = [RegistrationSpell._meta.db_table, MaritalSpell._meta.db_table]
        empty = dbio.table_count(tables[0]) == 0 and dbio.table_count(tables[1]) == 0
        write: Callable[[], int] = partial(spells_rebuild, None)
        if empty and persons is not None:
            # The frames in hand are the whole registry: spells without reading it back.
            events = loaded["events"].final if "events" in loaded else None
            frames = (first_load_frames.result() if first_load_frames is not None
                      else _first_load_spells(persons, events))
            write = partial(spells_write_all, frames)
        count = persons.height if persons is not None else dbio.table_count(PERSONS.table)
        with (indexes_deferred(tables, timings) if empty and count >= load.DEFER_INDEXES_AT
              else nullcontext()):
            return write()
    affected = _affected_persons(loaded)
    if affected.len() == 0:
        return 0
    return spells_rebuild(affected.to_list())


def _first_load_spells(persons: pl.DataFrame, events: pl.DataFrame | None) -> SpellFrames:
    """Every spell of a first load from its frames (`events` None: no event at all).
    PostgreSQL COPYs a million spells for half its INSERT … SELECT; SQLite's executemany
    costs twice its own, so there the database writes the non-movers' (`movers_only`)."""
    if events is None:
        events = pl.DataFrame(schema=dict.fromkeys(EVENTS.column_names, pl.String))
    return spell_frames(persons, events, movers_only=not is_postgres())


@dataclass
class _Written:
    loaded: dict[str, load.Loaded]
    history: int
    findings: dict[str, int]
    spells: int
    persons_before: int
    # Every incoming person with the unit of their household (when persons.csv was read).
    persons: pl.DataFrame | None


def _write(validated: Validated, *, batch: ImportBatch, actor: Actor, bar: Progress,
           on_first_load: Callable[[pl.DataFrame], None] | None = None) -> _Written:
    """Write every file, the history, the findings and the spells. On a first load,
    `on_first_load(persons)` (see `_first_load_persons`) is called before anything is
    written, so that derived tables can be built meanwhile."""
    frames, present = validated.frames, validated.present
    assert batch.pk is not None
    loaded: dict[str, load.Loaded] = {}
    persons_before = dbio.table_count(PERSONS.table)
    first = _first_load_persons(validated, persons_before)
    if first is not None and on_first_load is not None:
        on_first_load(first)
    spells_future: Future[SpellFrames] | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="renkou-spells") as pool:

        def compute_spells() -> None:
            # While the persons' indexes are built: the rules run in Python, and now they do
            # not stall the import's own inserts, which need the interpreter lock too.
            nonlocal spells_future
            if first is not None:
                events = (frames["events"].select(EVENTS.column_names) if "events" in frames
                          else None)
                spells_future = pool.submit(_first_load_spells, first, events)

        if "orgunits" in frames:
            bar.phase("orgunits", gettext("Writing units"))
            loaded["orgunits"] = load.load_units(frames["orgunits"], present["orgunits"],
                                                 validated.db_units)
        history = 0
        checked: pl.DataFrame | None = None
        for spec in (HOUSEHOLDS, PERSONS, EVENTS):
            if spec.name not in frames:
                continue
            bar.phase(spec.name, gettext("Writing %(file)s") % {"file": spec.name})
            result = load.load_records(
                spec, frames[spec.name], present[spec.name], batch_id=batch.pk,
                timings=bar.timings, before_indexes=compute_spells if spec is PERSONS else None)
            history += load.write_history(spec, result.changed, batch_id=batch.pk,
                                          actor=actor, at=batch.started_at)
            loaded[spec.name] = result
            if spec is PERSONS:
                if first is not None:
                    checked = first
                else:
                    units = _household_units(loaded.get("households"),
                                             result.final.get_column("household_id"))
                    checked = result.final.join(units.unique("household_id"),
                                                on="household_id", how="left")
        findings: dict[str, int] = {}
        if checked is not None:
            bar.phase("findings", gettext("Checking identity numbers"))
            findings = findings_sync(checked, batch_id=batch.pk, at=batch.started_at)
        bar.phase("spells", gettext("Rebuilding registration spells"))
        spells = _rebuild_spells(loaded, persons_before, checked, bar.timings, spells_future)
    return _Written(loaded, history, findings, spells, persons_before, checked)


def _finish(written: _Written, *, batch: ImportBatch, actor: Actor) -> dict[str, Any]:
    """Data version, audit row and the batch's final state; the batch detail."""
    loaded = written.loaded
    counts = {name: result.counts.as_dict() for name, result in loaded.items()}
    rederived = loaded["orgunits"].extra["rederived"] if "orgunits" in loaded else 0
    changed = sum(c["inserted"] + c["updated"] for c in counts.values()) + rederived
    if changed:
        data_version_bump()
    detail: dict[str, Any] = {"batch": batch.pk, "source": batch.source, "counts": counts,
                              "changed": changed, "history": written.history,
                              "findings": written.findings, "units_rederived": rederived,
                              "spells": written.spells}
    audit_log(actor=actor, action="import.run", object_type="import_batch",
              object_id=str(batch.pk), detail=detail)
    batch.finished_at = timezone.now()
    batch.status = "done"
    batch.counts = detail
    batch.save(update_fields=["finished_at", "status", "counts"])
    return detail


# First loads of at least this many persons build the search table on a second connection
# while the import writes the registry (PostgreSQL: ConcurrentRebuild; SQLite: ScratchTables).
CONCURRENT_AT = 50_000


class _SearchMeanwhile:
    """The search table of a large first load, built on a second connection while the
    import writes the registry: on PostgreSQL by `ConcurrentRebuild` (its own transaction,
    committed after the import's), on SQLite by `ScratchTables` (a scratch file, copied in
    before the import commits). Otherwise nothing: the import updates the table after its
    commit (`search_sync_after_import`)."""

    def __init__(self, source: SourceSet) -> None:
        incoming = source.tables["persons"].frame.height if "persons" in source.tables else 0
        large = incoming >= CONCURRENT_AT
        # Only an import that commits by itself: inside a caller's transaction the rows
        # are not committed yet (PostgreSQL), and SQLite attaches files only outside one.
        self.outermost = not connection.in_atomic_block
        self.scratch = (ScratchTables() if large and ScratchTables.applies()
                        and dbio.table_count(PERSONS.table) == 0
                        and dbio.table_count(HOUSEHOLDS.table) == 0 else None)
        self.concurrent: ConcurrentRebuild | None = None

    @contextmanager
    def around_transaction(self) -> Iterator[None]:
        with ExitStack() as stack:
            if self.scratch is not None:
                stack.enter_context(checkpoint_after())
                stack.enter_context(self.scratch)
            yield

    def begin(self) -> None:
        """First statement of the import's transaction (see ScratchTables)."""
        if self.scratch is not None:
            self.scratch.lock_main(ImportBatch._meta.db_table)

    def start(self, persons: pl.DataFrame) -> None:
        """`persons`: every person of the registry to be, with their household's unit."""
        if persons.height < CONCURRENT_AT or not self.outermost:
            return
        if self.scratch is not None:
            self.scratch.submit([SEARCH_TABLE], partial(search_frames, persons))
        elif is_postgres():
            self.concurrent = ConcurrentRebuild(persons)
            self.concurrent.start()

    @property
    def copies_in(self) -> bool:
        """The table is being built in a scratch file, to be copied in before the commit."""
        return self.scratch is not None and self.scratch.has(SEARCH_TABLE)

    def before_commit(self) -> bool:
        """Inside the import's transaction, at its end: True if the table is now built."""
        if self.scratch is None or not self.copies_in:
            return False
        if self.scratch.copy_in(SEARCH_TABLE) is None:
            return False
        search_analyze()
        return True

    def after_commit(self) -> bool:
        """True if the table was built meanwhile and is now committed."""
        return self.concurrent is not None and self.concurrent.finish(commit=True) is not None

    def abandon(self) -> None:
        """The import failed: a concurrent rebuild rolls back."""
        if self.concurrent is not None and not self.concurrent.finished:
            self.concurrent.finish(commit=False)


def import_directory(*, directory: Path, actor: Actor, progress: bool = False,
                     on_phase: Callable[[str, str, int, int], None] | None = None
                     ) -> ImportReport:
    """Import the interchange files in `directory` (SPEC §1), all or nothing.

    `on_phase(key, label, done, total)` is called as each phase starts (web import jobs)."""
    started = timezone.now()
    with Progress(enabled=progress, total=9, on_phase=on_phase) as bar:
        bar.phase("read", gettext("Reading files"))
        source = read_directory(directory)
        search = _SearchMeanwhile(source)
        try:
            with search.around_transaction(), transaction.atomic():
                search.begin()
                if is_postgres():
                    execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK])
                    # Hash joins over a million ids (spells, comparisons) need more than 4 MB.
                    execute("SET LOCAL work_mem = '64MB'")
                bar.phase("validate", gettext("Validating"))
                validated = validate(source)
                if not validated.ok:
                    transaction.set_rollback(True)
                    errors = _physical_lines(validated.errors, source)
                    path = directory / ERRORS_FILE
                    write_errors_csv(errors, path)
                    return ImportReport(ok=False, errors=errors, errors_path=path,
                                        timings=bar.timings)
                batch = ImportBatch.objects.create(
                    started_at=started, user_id=actor.user_id, username=actor.username,
                    origin=actor.origin, source=source.description[:500], status="running")
                written = _write(validated, batch=batch, actor=actor, bar=bar,
                                 on_first_load=search.start)
                bar.phase("finish", gettext("Finishing"))
                detail = _finish(written, batch=batch, actor=actor)
                # A phase of its own, so that its cost shows apart (bench_import.py).
                if search.copies_in:
                    bar.phase("search", gettext("Updating the name search"))
                built = search.before_commit()
        except BaseException:
            search.abandon()
            raise
        if not built:
            bar.phase("search", gettext("Updating the name search"))
            if not search.after_commit():
                # On a first load the file's persons are the registry's: the search rows
                # are built from them instead of read back.
                search_sync_after_import(
                    batch_id=batch.pk,
                    persons=written.persons if written.persons_before == 0 else None)
    stale = directory / ERRORS_FILE
    removed = stale.exists()
    if removed:
        # The errors of an earlier attempt no longer apply: do not let them mislead.
        stale.unlink()
    return ImportReport(ok=True, errors=validated.errors, counts=detail["counts"],
                        findings=written.findings, history=written.history,
                        changed=detail["changed"], batch_id=batch.pk,
                        stale_errors_removed=removed, timings=bar.timings)


def export_directory(*, directory: Path, actor: Actor, unit: Unit | None = None
                     ) -> dict[str, int]:
    """Write orgunits, households, persons and events .csv to `directory` (audited)."""
    directory.mkdir(parents=True, exist_ok=True)
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if is_postgres() and outermost:
            # One snapshot for the four reads, even while an import commits.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        frames = export.export_frames(unit)
        counts = export.write_files(frames, directory)
        audit_log(actor=actor, action="export.run", object_type="unit" if unit else "",
                  object_id=unit.code if unit else "", unit_code=unit.code if unit else "",
                  detail={"directory": str(directory), "counts": counts})
    return counts
