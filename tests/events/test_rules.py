"""SPEC §2 counting rules, on the pure functions (every rule, with its corner)."""

from __future__ import annotations

from datetime import date

from renkou.events.rules import (
    MaritalEvent,
    MoveEvent,
    Spell,
    marital_spells,
    registration_spells,
    status_on,
)

D = date


def registered_on(spells: list[Spell], day: date) -> str | None:
    hits = [s.unit_code for s in spells
            if (s.start is None or s.start <= day) and (s.end is None or day < s.end)]
    assert len(hits) <= 1
    return hits[0] if hits else None


def test_no_moves_registered_in_household_unit_from_birth_until_death():
    spells = registration_spells(household_unit="G1", birth_date=D(2000, 5, 1),
                                 death_date=D(2020, 3, 4), moves=[])
    assert spells == [Spell("G1", D(2000, 5, 1), D(2020, 3, 4))]
    assert registered_on(spells, D(2000, 4, 30)) is None
    assert registered_on(spells, D(2000, 5, 1)) == "G1"  # born on t counts on t
    assert registered_on(spells, D(2020, 3, 3)) == "G1"
    assert registered_on(spells, D(2020, 3, 4)) is None  # died on t does not count on t


def test_unknown_birth_date_counts_from_before_the_data():
    spells = registration_spells(household_unit="G1", birth_date=None, death_date=None,
                                 moves=[])
    assert spells == [Spell("G1", None, None)]


def test_first_move_out_means_registered_before_in_that_unit():
    moves = [MoveEvent("move_out", D(2022, 6, 1), "G2")]
    spells = registration_spells(household_unit="G9", birth_date=D(1980, 1, 1),
                                 death_date=None, moves=moves)
    assert registered_on(spells, D(2022, 5, 31)) == "G2"
    assert registered_on(spells, D(2022, 6, 1)) is None  # move_out on t: gone on t


def test_first_move_in_means_not_registered_before():
    moves = [MoveEvent("move_in", D(2022, 6, 1), "G2")]
    spells = registration_spells(household_unit="G2", birth_date=D(1980, 1, 1),
                                 death_date=None, moves=moves)
    assert registered_on(spells, D(2022, 5, 31)) is None
    assert registered_on(spells, D(2022, 6, 1)) == "G2"


def test_move_inside_area_same_day_out_then_in():
    # A move inside the area is a move_out and a move_in on the same date; the move_out
    # applies first, so at the end of that day the person is in the new unit, and in the
    # old unit the day before: counted exactly once on every day.
    moves = [MoveEvent("move_in", D(2023, 2, 10), "G2", "e2"),
             MoveEvent("move_out", D(2023, 2, 10), "G1", "e1")]
    spells = registration_spells(household_unit="G2", birth_date=D(1990, 1, 1),
                                 death_date=None, moves=moves)
    assert registered_on(spells, D(2023, 2, 9)) == "G1"
    assert registered_on(spells, D(2023, 2, 10)) == "G2"
    assert spells == [Spell("G1", D(1990, 1, 1), D(2023, 2, 10)), Spell("G2", D(2023, 2, 10), None)]


def test_move_out_and_back():
    moves = [MoveEvent("move_out", D(2021, 1, 5), "G1", "a"),
             MoveEvent("move_in", D(2022, 7, 1), "G1", "b")]
    spells = registration_spells(household_unit="G1", birth_date=D(1970, 1, 1),
                                 death_date=None, moves=moves)
    assert registered_on(spells, D(2021, 1, 4)) == "G1"
    assert registered_on(spells, D(2021, 1, 5)) is None
    assert registered_on(spells, D(2022, 6, 30)) is None
    assert registered_on(spells, D(2022, 7, 1)) == "G1"


def test_same_unit_out_and_in_on_one_day_stays_registered():
    moves = [MoveEvent("move_out", D(2021, 1, 5), "G1", "a"),
             MoveEvent("move_in", D(2021, 1, 5), "G1", "b")]
    spells = registration_spells(household_unit="G1", birth_date=D(1970, 1, 1),
                                 death_date=None, moves=moves)
    assert spells == [Spell("G1", D(1970, 1, 1), None)]


def test_birth_and_death_same_day_never_counted():
    spells = registration_spells(household_unit="G1", birth_date=D(2024, 3, 3),
                                 death_date=D(2024, 3, 3), moves=[])
    assert spells == []


def test_death_after_move_out_changes_nothing():
    moves = [MoveEvent("move_out", D(2021, 1, 5), "G1")]
    spells = registration_spells(household_unit="G1", birth_date=D(1950, 1, 1),
                                 death_date=D(2023, 1, 1), moves=moves)
    assert spells == [Spell("G1", D(1950, 1, 1), D(2021, 1, 5))]


def test_marital_status_from_events():
    events = [MaritalEvent("marriage", D(2015, 5, 1)), MaritalEvent("divorce", D(2020, 8, 8))]
    spells = marital_spells(events)
    assert status_on(spells, "40", D(2015, 4, 30)) == "10"  # first later event is a marriage
    assert status_on(spells, "40", D(2015, 5, 1)) == "20"
    assert status_on(spells, "40", D(2020, 8, 7)) == "20"
    assert status_on(spells, "40", D(2020, 8, 8)) == "40"


def test_marital_status_first_event_divorce_means_married_before():
    spells = marital_spells([MaritalEvent("divorce", D(2019, 1, 1))])
    assert status_on(spells, "40", D(2018, 12, 31)) == "20"


def test_marital_status_without_events_is_persons_csv():
    assert status_on(marital_spells([]), "30", D(2000, 1, 1)) == "30"
