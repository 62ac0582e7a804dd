"""Keep the derived spell tables in step with persons and events (SPEC §2 via rules.py).

Most people never move. Their one spell — the household's unit, from birth until death —
is what `rules.registration_spells` returns for a person without move events, and the
database writes it for all of them with one INSERT … SELECT (a million rows never travel
to Python and back). Everyone with a move event, and everyone with a marriage or divorce,
still goes through the pure rules one by one. tests/exchange/test_spells.py holds the two
paths equal.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

import polars as pl

from renkou.core.bulk import date_text, execute, insert_frame, quote, read_text_frame
from renkou.events.models import MaritalSpell, RegistrationSpell
from renkou.events.rules import (
    MaritalEvent,
    MoveEvent,
    marital_spells,
    registration_spells,
)

_SPELL_SCHEMA = pl.Schema({"person_id": pl.String(), "unit_code": pl.String(),
                           "start": pl.Date(), "end": pl.Date()})
_MARITAL_SCHEMA = pl.Schema({"person_id": pl.String(), "status": pl.String(),
                             "start": pl.Date(), "end": pl.Date()})
_REG = RegistrationSpell._meta.db_table
_MAR = MaritalSpell._meta.db_table
# Up to this many persons go into the SQL as parameters; more, through a temporary table.
_INLINE_IDS = 500
_STAGING = "renkou_spell_persons"
_MOVE_TYPES = "('move_in', 'move_out')"

@contextmanager
def _scope(ids: list[str] | None) -> Iterator[tuple[str, list[Any]]]:
    """An `IN (…)` clause (and its parameters) selecting these persons."""
    if ids is None:
        yield "", []
    elif len(ids) <= _INLINE_IDS:
        yield f"IN ({', '.join(['%s'] * len(ids))})", list(ids)
    else:
        execute(f"DROP TABLE IF EXISTS {_STAGING}")
        execute(f"CREATE TEMPORARY TABLE {_STAGING} (id varchar(40) PRIMARY KEY)")
        insert_frame(_STAGING, pl.DataFrame({"id": ids}, schema={"id": pl.String}))
        yield f"IN (SELECT id FROM {_STAGING})", []
        execute(f"DROP TABLE {_STAGING}")


def _clause(column: str, scope: str, *, first: bool = False) -> str:
    if not scope:
        return ""
    return f"{'WHERE' if first else 'AND'} {column} {scope}"


def spells_rebuild(person_ids: Sequence[str] | None = None) -> int:
    """Recompute registration and marital spells for these persons (None: everyone).

    Call inside the transaction that changed the persons or their events. Returns the
    number of registration spells written.
    """
    ids = None if person_ids is None else sorted(set(person_ids))
    if ids is not None and not ids:
        return 0
    with _scope(ids) as (scope, params):
        marital = _marital(scope, params)
        execute(f"DELETE FROM {_REG} {_clause('person_id', scope, first=True)}",  # noqa: S608
                params)
        execute(f"DELETE FROM {_MAR} {_clause('person_id', scope, first=True)}",  # noqa: S608
                params)
        written = _registration(scope, params)
        insert_frame(_MAR, marital.sort("person_id", "start", nulls_last=False))
    return written


class SpellFrames(NamedTuple):
    """Spells computed from frames, ready to write (`spells_write_all`)."""

    registration: pl.DataFrame
    marital: pl.DataFrame
    # Registration spells of movers only: the database writes the non-movers' itself.
    movers_only: bool


def spell_frames(persons: pl.DataFrame, events: pl.DataFrame, *, movers_only: bool = False
                 ) -> SpellFrames:
    """Registration and marital spells of every person of a registry, from frames: persons
    (person_id, unit_code of the household, birth_date) and every event (event_id, type,
    person_id, spouse_id, date, unit_code), dates as ISO text. Pure: no database, so it can
    run in a thread while the import's connection works.

    With `movers_only`, the registration spells of persons with move events only; the
    non-movers' are then written by the database from the registry as written
    (`_non_movers`) — for SQLite, whose `executemany` of a million spells costs twice that
    `INSERT … SELECT`."""
    people = persons.select("person_id", "unit_code",
                            pl.col("birth_date").str.to_date(strict=False))
    dated = events.with_columns(pl.col("date").str.to_date(strict=False))
    for_registration = (dated.filter(pl.col("type").is_in(["death", "move_in", "move_out"]))
                        .select("event_id", "type", "person_id", "date", "unit_code"))
    if movers_only:
        movers = (for_registration.filter(pl.col("type").is_in(["move_in", "move_out"]))
                  .select("person_id").unique())
        people = people.join(movers, on="person_id", how="semi")
        for_registration = for_registration.join(movers, on="person_id", how="semi")
    registration = registration_frame(people, for_registration)
    unions = dated.filter(pl.col("type").is_in(["marriage", "divorce"]))
    sides = [unions.filter(pl.col(column).is_not_null() & (pl.col(column) != ""))
             .select("event_id", "type", pl.col(column).alias("person_id"), "date")
             for column in ("person_id", "spouse_id")]
    return SpellFrames(
        registration.sort("person_id", "start", nulls_last=False),
        marital_frame(pl.concat(sides)).sort("person_id", "start", nulls_last=False),
        movers_only)


def spells_write_all(frames: SpellFrames) -> int:
    """Write the spells of every person of a registry whose spell tables are empty, from
    `spell_frames` (a first import holds the registry as frames); with `movers_only`, the
    non-movers' by SQL. The rows equal what `spells_rebuild(None)` writes
    (tests/exchange/test_spells.py); the number of registration spells."""
    simple = _non_movers("", []) if frames.movers_only else 0
    written = insert_frame(_REG, frames.registration)
    insert_frame(_MAR, frames.marital)
    return simple + written


def _registration(scope: str, params: list[Any]) -> int:
    """Write the registration spells of the persons in `scope`; return how many."""
    movers = f"SELECT person_id FROM events_event WHERE type IN {_MOVE_TYPES}"
    # Persons with move events go through the rules one by one (a few percent of a county).
    persons = read_text_frame(
        f"SELECT p.id, h.unit_code, {date_text('p.birth_date')} "  # noqa: S608
        "FROM registry_person p JOIN registry_household h ON h.id = p.household_id "
        f"WHERE p.id IN ({movers} {_clause('person_id', scope)}) {_clause('p.id', scope)}",
        ["person_id", "unit_code", "birth_date"], params * 2)
    events = read_text_frame(
        f"SELECT id, type, person_id, {date_text('date')}, unit_code "  # noqa: S608
        "FROM events_event WHERE type IN ('death', 'move_in', 'move_out') "
        f"AND person_id IN ({movers} {_clause('person_id', scope)}) "
        f"{_clause('person_id', scope)}",
        ["event_id", "type", "person_id", "date", "unit_code"], params * 2)
    moved = registration_frame(
        persons.with_columns(pl.col("birth_date").str.to_date()),
        events.with_columns(pl.col("date").str.to_date()))
    simple = _non_movers(scope, params)
    insert_frame(_REG, moved.sort("person_id", "start", nulls_last=False))
    return simple + moved.height


def _non_movers(scope: str, params: list[Any]) -> int:
    """Write the spells of the persons in `scope` without move events; return how many.

    Each has one spell — the household's unit from birth until the first death
    (rules._clip with both ends open; none if death is not after birth) — which the
    database writes itself: nothing of a million rows travels to Python and back.
    No ORDER BY: the plans scan persons in storage order (an import writes them sorted by
    id), so the person index is still built from presorted rows, without a sort that
    spills a million rows to disk."""
    movers = f"SELECT person_id FROM events_event WHERE type IN {_MOVE_TYPES}"
    return execute(
        f"INSERT INTO {_REG} (person_id, unit_code, start, {quote('end')}) "  # noqa: S608
        "SELECT p.id, h.unit_code, p.birth_date, d.death_date "
        "FROM registry_person p JOIN registry_household h ON h.id = p.household_id "
        "LEFT JOIN (SELECT person_id, MIN(date) AS death_date FROM events_event "
        f"WHERE type = 'death' {_clause('person_id', scope)} GROUP BY person_id) d "
        "ON d.person_id = p.id "
        f"WHERE p.id NOT IN ({movers} {_clause('person_id', scope)}) "
        "AND (p.birth_date IS NULL OR d.death_date IS NULL OR d.death_date > p.birth_date) "
        f"{_clause('p.id', scope)}", params * 3)


def _marital(scope: str, params: list[Any]) -> pl.DataFrame:
    """Marital spells of everyone with a marriage or divorce, as either partner."""
    names = ["event_id", "type", "person_id", "date"]
    sides = []
    for column in ("person_id", "spouse_id"):
        sides.append(read_text_frame(
            f"SELECT id, type, {quote(column)}, {date_text('date')} "  # noqa: S608
            "FROM events_event WHERE type IN ('marriage', 'divorce') "
            f"AND {quote(column)} IS NOT NULL {_clause(quote(column), scope)}", names, params))
    return marital_frame(pl.concat(sides).with_columns(pl.col("date").str.to_date()))


def registration_frame(persons: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """Spells for `persons` (person_id, unit_code, birth_date) from their death and move
    events (event_id, type, person_id, date, unit_code)."""
    deaths = (events.filter(pl.col("type") == "death").group_by("person_id")
              .agg(pl.col("date").min().alias("death_date")))
    moves = events.filter(pl.col("type").is_in(["move_in", "move_out"]))
    movers = moves.select("person_id").unique()
    people = persons.join(deaths, on="person_id", how="left")

    # No move events: registered in the household's unit from birth until death, which is
    # rules._clip with both ends open; a person who died on the birth day has no spell.
    simple = (people.join(movers, on="person_id", how="anti")
              .select("person_id", "unit_code", pl.col("birth_date").alias("start"),
                      pl.col("death_date").alias("end"))
              .filter(pl.col("start").is_null() | pl.col("end").is_null()
                      | (pl.col("end") > pl.col("start"))))

    moving = people.join(movers, on="person_id", how="semi")
    ordered = (moves.join(movers, on="person_id", how="semi").sort("person_id")
               .select("person_id", "type", "date", "unit_code", "event_id"))
    by_person = {pid: [MoveEvent(kind, day, code, eid) for _, kind, day, code, eid in group]
                 for pid, group in groupby(ordered.iter_rows(), key=itemgetter(0))}
    rows: list[tuple[str, str, date | None, date | None]] = []
    for pid, unit, birth, death in moving.select("person_id", "unit_code", "birth_date",
                                                 "death_date").iter_rows():
        spells = registration_spells(household_unit=unit, birth_date=birth, death_date=death,
                                     moves=by_person[pid])
        rows.extend((pid, s.unit_code, s.start, s.end) for s in spells)
    moved = pl.DataFrame(rows, schema=_SPELL_SCHEMA, orient="row")
    return pl.concat([simple.cast(_SPELL_SCHEMA), moved])


def marital_frame(events: pl.DataFrame) -> pl.DataFrame:
    """Marital spells from marriage/divorce rows (event_id, type, person_id, date), where
    person_id is either partner."""
    rows: list[tuple[str, str, date | None, date | None]] = []
    ordered = events.sort("person_id").select("person_id", "type", "date", "event_id")
    for pid, group in groupby(ordered.iter_rows(), key=itemgetter(0)):
        spells = marital_spells(MaritalEvent(kind, day, eid) for _, kind, day, eid in group)
        rows.extend((pid, s.status, s.start, s.end) for s in spells)
    return pl.DataFrame(rows, schema=_MARITAL_SCHEMA, orient="row")
