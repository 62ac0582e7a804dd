"""Export the registry as the interchange files of SPEC §1.

Rows are sorted by id (orgunits by code) in polars, i.e. by Unicode code point whatever
the database's collation, and written the one way an import reads them back: UTF-8 without
a byte-order mark, "\\n" line ends, ISO dates, empty cells for NULL and ''. So import →
export → import → export gives byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from renkou.core.bulk import read_text_frame
from renkou.exchange import dbio
from renkou.exchange.spec import EVENTS, FILES, HOUSEHOLDS, ORGUNITS, PERSONS, FileSpec
from renkou.units.models import ANCESTOR_LEVELS, Unit

_ANCESTORS = [f"{level}_code" for level in ANCESTOR_LEVELS]


def _read(spec: FileSpec) -> pl.DataFrame:
    sql, names = dbio.select_sql(spec)
    return dbio.read_text(sql, names)


def _units_with_ancestors() -> pl.DataFrame:
    names = [*ORGUNITS.column_names, *_ANCESTORS]
    sql = f"SELECT {', '.join(dbio.text_expr(c, 'text') for c in names)} FROM units_unit"
    return read_text_frame(sql, names)


def _under(units: pl.DataFrame, unit: Unit) -> pl.Series:
    if unit.level in ANCESTOR_LEVELS:
        return units.filter(pl.col(f"{unit.level}_code") == unit.code).get_column("code")
    return pl.Series("code", [unit.code], dtype=pl.String)


def export_frames(unit: Unit | None = None) -> dict[str, pl.DataFrame]:
    """The four files' rows; for `unit`: its households, their persons, those persons'
    events, and every unit these name together with its ancestors (so that the files load
    into an empty database as far as units go; parents and spouses who live elsewhere are
    still referenced by id)."""
    units = _units_with_ancestors()
    households = _read(HOUSEHOLDS)
    persons = _read(PERSONS)
    events = _read(EVENTS)
    if unit is not None:
        inside = _under(units, unit)
        households = households.filter(pl.col("unit_code").is_in(inside.implode()))
        persons = persons.filter(pl.col("household_id")
                                 .is_in(households.get_column("household_id").implode()))
        events = events.filter(pl.col("person_id")
                               .is_in(persons.get_column("person_id").implode()))
        named = pl.concat([inside, households.get_column("unit_code"),
                           events.get_column("unit_code")]).unique()
        chosen = units.filter(pl.col("code").is_in(named.implode()))
        chain = pl.concat([chosen.get_column(c) for c in ["code", *_ANCESTORS]])
        units = units.filter(pl.col("code").is_in(chain.implode()))
    frames = {
        "orgunits": units.select(ORGUNITS.column_names),
        "households": households, "persons": persons, "events": events,
    }
    return {spec.name: frames[spec.name].sort(spec.key) for spec in FILES}


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    # '' and NULL are both "unknown" (SPEC §1): both become an empty, unquoted cell.
    tidy = frame.with_columns([pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c))
                               .alias(c) for c in frame.columns])
    tidy.write_csv(path, include_header=True, null_value="", quote_style="necessary",
                   line_terminator="\n")


def write_files(frames: dict[str, pl.DataFrame], directory: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for spec in (ORGUNITS, HOUSEHOLDS, PERSONS, EVENTS):
        frame = frames[spec.name]
        write_csv(frame.select(spec.column_names), directory / f"{spec.name}.csv")
        counts[spec.name] = frame.height
    return counts
