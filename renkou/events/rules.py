"""The counting rules of SPEC §2, once, as pure functions.

A person's registration is a list of spells: registered in `unit` on every day t with
start ≤ t < end, where "on day t" means at the end of day t, after that day's events.
Births open and deaths close a spell on their own day: a child born on t counts on t, a
person who died on t does not. Marital status is a list of spells in the same form.
Everything that counts people (population on a day, statistics) reads these spells.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

MOVE_IN = "move_in"
MOVE_OUT = "move_out"
# SPEC §2: on one day a move_out applies before a move_in.
_MOVE_RANK = {MOVE_OUT: 0, MOVE_IN: 1}


@dataclass(frozen=True)
class MoveEvent:
    type: str  # move_in or move_out
    date: date
    unit_code: str
    event_id: str = ""


@dataclass(frozen=True)
class Spell:
    unit_code: str
    start: date | None  # None: from before the data begins
    end: date | None  # None: open


def _clip(unit: str, start: date | None, end: date | None, birth: date | None,
          death: date | None) -> Spell | None:
    if birth is not None and (start is None or start < birth):
        start = birth
    if death is not None and (end is None or end > death):
        end = death
    if start is not None and end is not None and end <= start:
        return None
    return Spell(unit, start, end)


def registration_spells(*, household_unit: str, birth_date: date | None,
                        death_date: date | None, moves: Iterable[MoveEvent]) -> list[Spell]:
    """Spells of registration for one person (SPEC §2)."""
    ordered = sorted(moves, key=lambda m: (m.date, _MOVE_RANK[m.type], m.event_id))
    if not ordered:
        spell = _clip(household_unit, None, None, birth_date, death_date)
        return [spell] if spell else []
    spells: list[Spell] = []
    first = ordered[0]
    # Before the first move: registered in the unit left if it is a move_out, else nowhere.
    current: str | None = first.unit_code if first.type == MOVE_OUT else None
    since: date | None = None
    for move in ordered:
        if current is not None:
            spell = _clip(current, since, move.date, birth_date, death_date)
            if spell:
                spells.append(spell)
        current = move.unit_code if move.type == MOVE_IN else None
        since = move.date
    if current is not None:
        spell = _clip(current, since, None, birth_date, death_date)
        if spell:
            spells.append(spell)
    return _merge(spells)


def _merge(spells: Sequence[Spell]) -> list[Spell]:
    """Join back-to-back spells in one unit (a same-day out-and-in of the same unit)."""
    merged: list[Spell] = []
    for spell in spells:
        if merged and merged[-1].unit_code == spell.unit_code and merged[-1].end == spell.start:
            merged[-1] = Spell(spell.unit_code, merged[-1].start, spell.end)
        else:
            merged.append(spell)
    return merged


@dataclass(frozen=True)
class MaritalEvent:
    type: str  # marriage or divorce
    date: date
    event_id: str = ""


@dataclass(frozen=True)
class MaritalSpellRow:
    status: str
    start: date | None
    end: date | None


MARRIED = "20"
NEVER_MARRIED = "10"
DIVORCED = "40"


def marital_spells(events: Iterable[MaritalEvent]) -> list[MaritalSpellRow]:
    """Status spells for a person with marriage/divorce events (SPEC §2).

    Before the first event the status is never-married if that event is a marriage, married
    if it is a divorce; after each event, married or divorced. A person with no such events
    has no spells: their status is persons.csv's marital_status on every day.
    """
    ordered = sorted(events, key=lambda e: (e.date, e.event_id))
    if not ordered:
        return []
    rows: list[MaritalSpellRow] = []
    status = NEVER_MARRIED if ordered[0].type == "marriage" else MARRIED
    since: date | None = None
    for event in ordered:
        if since is None or event.date > since:
            rows.append(MaritalSpellRow(status, since, event.date))
        status = MARRIED if event.type == "marriage" else DIVORCED
        since = event.date
    rows.append(MaritalSpellRow(status, since, None))
    return rows


def status_on(spells: Sequence[MaritalSpellRow], recorded_status: str, day: date) -> str:
    """Marital status at the end of `day`."""
    for spell in spells:
        if (spell.start is None or spell.start <= day) and (spell.end is None or day < spell.end):
            return spell.status
    return recorded_status


def covers(spell_start: date | None, spell_end: date | None, day: date) -> bool:
    return (spell_start is None or spell_start <= day) and (spell_end is None or day < spell_end)
