"""Keep the derived spell tables in step with persons and events (SPEC §2 via rules.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import polars as pl

from renkou.core.bulk import delete_where_in, execute, insert_frame, read_frame
from renkou.events.models import MaritalSpell, RegistrationSpell
from renkou.events.rules import (
    MaritalEvent,
    MoveEvent,
    marital_spells,
    registration_spells,
)

_SPELL_SCHEMA = {"person_id": pl.String, "unit_code": pl.String, "start": pl.Date,
                 "end": pl.Date}
_MARITAL_SCHEMA = {"person_id": pl.String, "status": pl.String, "start": pl.Date,
                   "end": pl.Date}


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _id_filter(column: str, person_ids: Sequence[str] | None) -> tuple[str, list[str]]:
    if person_ids is None:
        return "", []
    marks = ", ".join(["%s"] * len(person_ids))
    return f" AND {column} IN ({marks})", list(person_ids)


def spells_rebuild(person_ids: Sequence[str] | None = None) -> int:
    """Recompute registration and marital spells for these persons (None: everyone).

    Call inside the transaction that changed the persons or their events.
    """
    if person_ids is not None:
        total = 0
        for start in range(0, len(person_ids), 900):
            total += _rebuild_chunk(list(person_ids[start:start + 900]))
        return total
    return _rebuild_chunk(None)


def _rebuild_chunk(person_ids: list[str] | None) -> int:
    reg_table = RegistrationSpell._meta.db_table
    mar_table = MaritalSpell._meta.db_table
    if person_ids is None:
        execute(f"DELETE FROM {reg_table}")  # noqa: S608
        execute(f"DELETE FROM {mar_table}")  # noqa: S608
    else:
        delete_where_in(reg_table, "person_id", person_ids)
        delete_where_in(mar_table, "person_id", person_ids)

    where, params = _id_filter("p.id", person_ids)
    persons = read_frame(
        "SELECT p.id, h.unit_code, p.birth_date FROM registry_person p "
        f"JOIN registry_household h ON h.id = p.household_id WHERE 1=1{where}",  # noqa: S608
        params,
    )
    where_e, params_e = _id_filter("person_id", person_ids)
    events = read_frame(
        "SELECT id, type, person_id, date, unit_code FROM events_event "
        f"WHERE type IN ('death', 'move_in', 'move_out'){where_e}",  # noqa: S608
        params_e,
    )
    deaths: dict[str, date] = {}
    moves: dict[str, list[MoveEvent]] = defaultdict(list)
    for event_id, etype, pid, day, unit in events.iter_rows():
        d = _as_date(day)
        assert d is not None
        if etype == "death":
            if pid not in deaths or d < deaths[pid]:
                deaths[pid] = d
        else:
            moves[pid].append(MoveEvent(etype, d, unit, event_id))

    rows: list[tuple[str, str, date | None, date | None]] = []
    for pid, unit, birth in persons.iter_rows():
        for spell in registration_spells(household_unit=unit, birth_date=_as_date(birth),
                                         death_date=deaths.get(pid), moves=moves.get(pid, ())):
            rows.append((pid, spell.unit_code, spell.start, spell.end))
    frame = pl.DataFrame(rows, schema=_SPELL_SCHEMA, orient="row")
    insert_frame(reg_table, frame)

    where_m, params_m = _id_filter("x.pid", person_ids)
    marital = read_frame(
        "SELECT x.id, x.type, x.pid, x.date FROM ("
        "SELECT id, type, person_id AS pid, date FROM events_event "
        "WHERE type IN ('marriage', 'divorce') UNION ALL "
        "SELECT id, type, spouse_id AS pid, date FROM events_event "
        "WHERE type IN ('marriage', 'divorce') AND spouse_id IS NOT NULL) x "
        f"WHERE 1=1{where_m}",  # noqa: S608
        params_m,
    )
    by_person: dict[str, list[MaritalEvent]] = defaultdict(list)
    for event_id, etype, pid, day in marital.iter_rows():
        d = _as_date(day)
        assert d is not None
        by_person[pid].append(MaritalEvent(etype, d, event_id))
    mrows = [
        (pid, s.status, s.start, s.end)
        for pid, evs in sorted(by_person.items())
        for s in marital_spells(evs)
    ]
    insert_frame(mar_table, pl.DataFrame(mrows, schema=_MARITAL_SCHEMA, orient="row"))
    return len(rows)
