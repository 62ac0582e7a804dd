"""spells_rebuild (set-based for persons without moves) equals the pure rules, person by
person: full rebuilds and rebuilds of a few persons, on random persons and events."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest

from renkou.events.models import Event, MaritalSpell, RegistrationSpell
from renkou.events.rules import (
    MaritalEvent,
    MoveEvent,
    Spell,
    marital_spells,
    registration_spells,
)
from renkou.events.spells import spells_rebuild
from renkou.registry.models import Household, Person
from tests import factories as f

pytestmark = pytest.mark.django_db

REGISTRATION_UNITS = [f.VILLAGE_A, f.GROUP_A1, f.GROUP_A2, f.VILLAGE_B, f.GROUP_B1,
                      f.VILLAGE_C, f.GROUP_C1]


def _day(rng: random.Random) -> date:
    return date(2000, 1, 1) + timedelta(days=rng.randrange(0, 9000))


def _random_registry(rng: random.Random, persons: int) -> None:
    households = [Household(id=f"H{i}", unit_id=rng.choice(REGISTRATION_UNITS))
                  for i in range(persons // 3 + 1)]
    Household.objects.bulk_create(households)
    people, events = [], []
    for i in range(persons):
        birth = None if rng.random() < 0.1 else _day(rng)
        people.append(Person(id=f"P{i:04d}", household_id=rng.choice(households).id,
                             name="某", sex=rng.choice([1, 2]), birth_date=birth,
                             marital_status="10"))
        kinds: list[str] = []
        if rng.random() < 0.3:
            kinds += rng.choices(["move_in", "move_out"], k=rng.randrange(1, 5))
        if rng.random() < 0.2:
            kinds.append("death")
        if rng.random() < 0.05:
            kinds.append("death")  # a second death: the first one counts
        if rng.random() < 0.25:
            kinds += rng.choices(["marriage", "divorce"], k=rng.randrange(1, 3))
        for kind in kinds:
            # Same-day events, deaths on the birth day and before it all happen here.
            day = birth if birth is not None and rng.random() < 0.1 else _day(rng)
            spouse = f"P{rng.randrange(persons):04d}" if kind in ("marriage", "divorce") \
                and rng.random() < 0.7 else None
            events.append(Event(id=f"E{len(events):05d}", type=kind, person_id=f"P{i:04d}",
                                date=day, unit_id=rng.choice(REGISTRATION_UNITS),
                                source="village", spouse_id=spouse))
    Person.objects.bulk_create(people)
    Event.objects.bulk_create(events)


def _expected_registration() -> set[tuple[str, Spell]]:
    moves: dict[str, list[MoveEvent]] = defaultdict(list)
    deaths: dict[str, date] = {}
    for event in Event.objects.all():
        if event.type == "death":
            deaths[event.person_id] = min(event.date, deaths.get(event.person_id, event.date))
        elif event.type in ("move_in", "move_out"):
            moves[event.person_id].append(MoveEvent(event.type, event.date, event.unit_id,
                                                    event.id))
    expected = set()
    for person in Person.objects.select_related("household"):
        for spell in registration_spells(household_unit=person.household.unit_id,
                                         birth_date=person.birth_date,
                                         death_date=deaths.get(person.id),
                                         moves=moves.get(person.id, ())):
            expected.add((person.id, spell))
    return expected


def _expected_marital() -> set[tuple[str, str, date | None, date | None]]:
    by_person: dict[str, list[MaritalEvent]] = defaultdict(list)
    for event in Event.objects.filter(type__in=["marriage", "divorce"]):
        for pid in (event.person_id, event.spouse_id):
            if pid:
                by_person[pid].append(MaritalEvent(event.type, event.date, event.id))
    return {(pid, s.status, s.start, s.end) for pid, evs in by_person.items()
            for s in marital_spells(evs)}


def _stored() -> tuple[set[tuple[str, Spell]], set[tuple[str, str, date | None, date | None]]]:
    registration = {(s.person_id, Spell(s.unit_id, s.start, s.end))
                    for s in RegistrationSpell.objects.all()}
    marital = {(s.person_id, s.status, s.start, s.end) for s in MaritalSpell.objects.all()}
    return registration, marital


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_full_rebuild_equals_the_rules(units: Any, seed: int) -> None:
    _random_registry(random.Random(seed), 300)
    written = spells_rebuild(None)
    registration, marital = _stored()
    assert registration == _expected_registration()
    assert written == len(registration) == RegistrationSpell.objects.count()
    assert marital == _expected_marital()


def test_partial_rebuild_equals_the_rules(units: Any) -> None:
    rng = random.Random(7)
    _random_registry(rng, 200)
    spells_rebuild(None)
    # Change some persons' events behind the spells' back, then rebuild only them.
    changed = sorted({e.person_id for e in Event.objects.order_by("?")[:40]})
    Event.objects.filter(person_id__in=changed).update(date=date(2010, 6, 1))
    Household.objects.filter(members__id__in=changed).update(unit_id=f.GROUP_C1)
    affected = sorted(set(changed) | set(Person.objects.filter(
        household__unit_id=f.GROUP_C1).values_list("id", flat=True)))
    spouses = set(Event.objects.filter(person_id__in=changed)
                  .exclude(spouse_id=None).values_list("spouse_id", flat=True))
    spells_rebuild(sorted(set(affected) | spouses))
    registration, marital = _stored()
    assert registration == _expected_registration()
    assert marital == _expected_marital()


def test_rebuild_of_many_persons_uses_a_staging_table(units: Any) -> None:
    _random_registry(random.Random(11), 700)
    spells_rebuild(None)
    Event.objects.filter(type="death").delete()
    spells_rebuild(list(Person.objects.values_list("id", flat=True)))  # > 500 ids
    registration, marital = _stored()
    assert registration == _expected_registration()
    assert marital == _expected_marital()


def _registry(people: list[tuple[str, str, date | None]],
              events: list[tuple[str, str, date, str | None]]) -> None:
    """people: (id, unit of the household, birth); events: (type, person, date, spouse)."""
    for pid, unit, birth in people:
        Household.objects.create(id=f"H-{pid}", unit_id=unit)
        Person.objects.create(id=pid, household_id=f"H-{pid}", name="某", sex=1,
                              birth_date=birth, marital_status="10")
    for number, (kind, pid, day, spouse) in enumerate(events):
        # Move events name the unit moved into or left; the others, the household's.
        unit = {"move_in": f.VILLAGE_B, "move_out": f.GROUP_A1}.get(kind, f.VILLAGE_A)
        Event.objects.create(id=f"E{number:02d}", type=kind, person_id=pid, date=day,
                             unit_id=unit, source="village", spouse_id=spouse)


def test_hand_computed_spells_from_sql_and_from_the_rules(units: Any) -> None:
    """A fixture with every kind of history; the SQL path (persons without moves) and the
    rules path (persons with moves) must give these spells, worked out by hand."""
    d = date
    _registry(
        [("A", f.VILLAGE_A, d(1980, 1, 1)),   # never moves, alive
         ("B", f.VILLAGE_A, d(1950, 3, 1)),   # never moves, dies (two death records)
         ("C", f.GROUP_A1, None),             # no birth date, moves out then back in
         ("D", f.VILLAGE_C, d(2000, 1, 1)),   # dies on the birth day: no spell at all
         ("E", f.VILLAGE_A, d(1990, 6, 1)),   # moves in, dies later
         ("F", f.VILLAGE_A, d(1985, 2, 2))],  # married to A, then divorced
        [("death", "B", d(2021, 5, 5), None), ("death", "B", d(2022, 1, 1), None),
         ("move_out", "C", d(2019, 1, 1), None), ("move_in", "C", d(2020, 7, 1), None),
         ("death", "D", d(2000, 1, 1), None),
         ("move_in", "E", d(2018, 3, 3), None), ("death", "E", d(2023, 9, 9), None),
         ("marriage", "A", d(2010, 10, 1), "F"), ("divorce", "F", d(2015, 4, 4), "A")])
    written = spells_rebuild(None)

    registration, marital = _stored()
    assert registration == {
        ("A", Spell(f.VILLAGE_A, d(1980, 1, 1), None)),
        ("B", Spell(f.VILLAGE_A, d(1950, 3, 1), d(2021, 5, 5))),
        ("C", Spell(f.GROUP_A1, None, d(2019, 1, 1))),
        ("C", Spell(f.VILLAGE_B, d(2020, 7, 1), None)),
        ("E", Spell(f.VILLAGE_B, d(2018, 3, 3), d(2023, 9, 9))),
        ("F", Spell(f.VILLAGE_A, d(1985, 2, 2), None)),
    }
    assert written == 6
    assert registration == _expected_registration()
    assert marital == {
        ("A", "10", None, d(2010, 10, 1)), ("A", "20", d(2010, 10, 1), d(2015, 4, 4)),
        ("A", "40", d(2015, 4, 4), None),
        ("F", "10", None, d(2010, 10, 1)), ("F", "20", d(2010, 10, 1), d(2015, 4, 4)),
        ("F", "40", d(2015, 4, 4), None),
    } == _expected_marital()

    # A rebuild of two persons (inline ids) leaves the others' spells as they were.
    Event.objects.filter(person_id="B").delete()
    Event.objects.create(id="E99", type="move_out", person_id="A", date=d(2024, 2, 2),
                         unit_id=f.VILLAGE_A, source="village")
    assert spells_rebuild(["A", "B"]) == 2
    registration, _ = _stored()
    assert ("A", Spell(f.VILLAGE_A, d(1980, 1, 1), d(2024, 2, 2))) in registration
    assert ("B", Spell(f.VILLAGE_A, d(1950, 3, 1), None)) in registration
    assert registration == _expected_registration()


def _frames() -> tuple[Any, Any]:
    """The registry as a first import holds it: text frames of persons and events."""
    import polars as pl

    persons = pl.DataFrame(
        [(p.id, p.household.unit_id, p.birth_date.isoformat() if p.birth_date else None)
         for p in Person.objects.select_related("household")],
        schema={"person_id": pl.String, "unit_code": pl.String, "birth_date": pl.String},
        orient="row")
    events = pl.DataFrame(
        [(e.id, e.type, e.person_id, e.spouse_id, e.date.isoformat(), e.unit_id)
         for e in Event.objects.all()],
        schema=dict.fromkeys(["event_id", "type", "person_id", "spouse_id", "date",
                              "unit_code"], pl.String), orient="row")
    return persons, events


@pytest.mark.parametrize(("seed", "non_movers_in_sql"), [(4, False), (5, False), (6, True),
                                                        (7, True)])
def test_first_load_from_frames_equals_the_rules(units: Any, seed: int,
                                                 non_movers_in_sql: bool) -> None:
    from renkou.events.spells import spell_frames, spells_write_all

    _random_registry(random.Random(seed), 300)
    persons, events = _frames()
    frames = spell_frames(persons, events, movers_only=non_movers_in_sql)
    written = spells_write_all(frames)
    registration, marital = _stored()
    assert registration == _expected_registration()
    assert written == len(registration) == RegistrationSpell.objects.count()
    assert marital == _expected_marital()
    assert MaritalSpell.objects.count() == len(marital)
