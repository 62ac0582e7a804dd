"""Recording vital events through services updates person, household, spells and audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from renkou.core.audit import Actor
from renkou.core.errors import ValidationError
from renkou.core.models import AuditEvent
from renkou.events import services as ev
from renkou.events.models import Event
from renkou.events.population import population_by_level, population_on
from renkou.events.spells import spells_rebuild
from renkou.registry.models import Person, RecordChange
from tests import factories as f

ACTOR = Actor(user=None, origin="test")


@pytest.fixture
def family(units):
    h1 = f.make_household("H1", f.GROUP_A1)
    f.make_household("H2", f.GROUP_B1)
    f.make_person("M", h1, sex=2, birth=date(1995, 4, 1), name="李梅", marital_status="20")
    f.make_person("F", h1, sex=1, birth=date(1993, 7, 9), name="王强", marital_status="20")
    spells_rebuild()
    return units


def test_birth_adds_child_to_population_from_birth_day(family):
    before = population_on(family[f.VILLAGE_A], date(2024, 3, 1))
    ev.event_record_birth(actor=ACTOR, child_id="C1", household_id="H1", name="王小明", sex=1,
                          birth_date=date(2024, 3, 1), recorded_date=date(2024, 3, 20),
                          mother_id="M", father_id="F", event_id="E-B1")
    assert population_on(family[f.VILLAGE_A], date(2024, 2, 29)) == before
    assert population_on(family[f.VILLAGE_A], date(2024, 3, 1)) == before + 1
    event = Event.objects.get(id="E-B1")
    assert (event.type, event.unit_id, event.person_id) == ("birth", f.GROUP_A1, "C1")
    assert Person.objects.get(id="C1").mother_id == "M"
    assert AuditEvent.objects.filter(action="event.birth", object_id="E-B1").count() == 1


def test_death_removes_person_on_that_day(family):
    ev.event_record_death(actor=ACTOR, person_id="F", date_of_death=date(2024, 5, 5))
    village = family[f.VILLAGE_A]
    assert population_on(village, date(2024, 5, 4)) == 2
    assert population_on(village, date(2024, 5, 5)) == 1
    with pytest.raises(ValidationError):
        ev.event_record_death(actor=ACTOR, person_id="F", date_of_death=date(2024, 6, 1))


def test_move_within_area_shifts_villages_not_county(family):
    county = family[f.COUNTY]
    ev.event_record_move_within(actor=ACTOR, person_id="M", household_id="H2",
                                date_of_move=date(2024, 6, 1))
    day_before, day = date(2024, 5, 31), date(2024, 6, 1)
    assert population_on(county, day_before) == population_on(county, day) == 2
    by_village = population_by_level(family[f.TOWNSHIP_1], day, "village")
    assert by_village == {f.VILLAGE_A: 1, f.VILLAGE_B: 1}
    assert population_by_level(family[f.TOWNSHIP_1], day_before, "village") == {
        f.VILLAGE_A: 2, f.VILLAGE_B: 0}
    assert Person.objects.get(id="M").household_id == "H2"
    change = RecordChange.objects.get(model="person", object_id="M")
    assert change.before["household_id"] == "H1"
    assert change.after["household_id"] == "H2"


def test_marriage_updates_both_people_with_history(units):
    h = f.make_household("H9", f.GROUP_C1)
    f.make_person("A", h, sex=1, birth=date(1998, 1, 1), marital_status="10")
    f.make_person("B", h, sex=2, birth=date(1999, 1, 1), marital_status="10")
    ev.event_record_marriage(actor=ACTOR, person_id="A", spouse_id="B",
                             date_of_marriage=date(2024, 10, 1))
    assert set(Person.objects.filter(id__in=["A", "B"]).values_list("marital_status",
                                                                      flat=True)) == {"20"}
    assert RecordChange.objects.filter(model="person", action="update").count() == 2


def test_future_dates_and_unknown_source_are_refused(family):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError):
        ev.event_record_death(actor=ACTOR, person_id="F", date_of_death=tomorrow)
    with pytest.raises(ValidationError):
        ev.event_record_death(actor=ACTOR, person_id="F", date_of_death=date(2024, 1, 1),
                              source="rumour")
    assert not Event.objects.exists()
