"""Recording vital events. Each service validates, writes the event, updates the person and
household it concerns (with history), refreshes the derived spells, audits and bumps the
data version, in one transaction."""

from __future__ import annotations

import uuid
from datetime import date

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from renkou.core.audit import Actor, audit_log, data_version_bump
from renkou.core.errors import NotFound, ValidationError
from renkou.events.models import Event, EventType, Source
from renkou.events.spells import spells_rebuild
from renkou.registry import services as registry
from renkou.registry.models import Household, Person
from renkou.units.models import Unit


def new_event_id() -> str:
    return "W" + uuid.uuid4().hex[:15].upper()


def _person(person_id: str) -> Person:
    person = Person.objects.select_for_update().filter(id=person_id).first()
    if person is None:
        raise NotFound()
    return person


def _check_dates(day: date, recorded: date | None) -> date:
    today = timezone.localdate()
    if day > today:
        raise ValidationError(_("The event date %(day)s is in the future."), day=day)
    recorded = recorded or today
    if recorded < day:
        raise ValidationError(_("The recorded date is before the event date."))
    return recorded


def _check_source(source: str) -> None:
    if source not in Source.values:
        raise ValidationError(_("Unknown source %(source)s."), source=source)


def _event_unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None or unit.level not in ("village", "group"):
        raise ValidationError(_("Events are registered in a village or village group; "
                                "%(code)s is not one."), code=code)
    return unit


def _check_alive(person: Person, day: date) -> None:
    death = Event.objects.filter(person=person, type=EventType.DEATH).order_by("date").first()
    if death is not None and death.date <= day:
        raise ValidationError(_("%(name)s died on %(death)s."), name=person.name,
                              death=death.date)
    if person.birth_date is not None and day < person.birth_date:
        raise ValidationError(_("The event is dated before %(name)s was born."),
                              name=person.name)


def _save_event(*, actor: Actor, event: Event, persons: list[str]) -> Event:
    event.full_clean(exclude=["person", "spouse", "unit", "created_batch"])
    event.save(force_insert=True)
    audit_log(actor=actor, action=f"event.{event.type}", object_type="event",
              object_id=event.id, unit_code=event.unit_id,
              detail={"person_id": event.person_id, "date": event.date.isoformat()})
    spells_rebuild(persons)
    from renkou.quality.services import rules_run

    rules_run(person_ids=persons)  # e.g. an event after a death, a marriage before birth
    data_version_bump()
    return event


@transaction.atomic
def event_record_birth(*, actor: Actor, child_id: str, household_id: str, name: str,
                       sex: int, birth_date: date, recorded_date: date | None = None,
                       source: str = Source.VILLAGE, mother_id: str | None = None,
                       father_id: str | None = None, id_number: str = "",
                       ethnicity: str = "", relation: str = "",
                       birth_order: int | None = None, event_id: str | None = None) -> Event:
    """Register a newborn in a household and record the birth where the household is."""
    recorded = _check_dates(birth_date, recorded_date)
    _check_source(source)
    if birth_order is not None and birth_order < 1:
        raise ValidationError(_("The birth order must be 1 or more."))
    household = Household.objects.filter(id=household_id).first()
    if household is None:
        raise ValidationError(_("Unknown household %(id)s."), id=household_id)
    if mother_id:
        mother = _person(mother_id)
        _check_alive(mother, birth_date)
    registry.person_register(
        actor=actor, person_id=child_id, household_id=household_id, name=name, sex=sex,
        birth_date=birth_date, id_number=id_number, ethnicity=ethnicity, relation=relation,
        marital_status="10", mother_id=mother_id, father_id=father_id)
    event = Event(id=event_id or new_event_id(), type=EventType.BIRTH, person_id=child_id,
                  date=birth_date, recorded_date=recorded, unit_id=household.unit_id,
                  source=source, birth_order=birth_order)
    return _save_event(actor=actor, event=event, persons=[child_id])


def _person_event(*, actor: Actor, etype: str, person_id: str, day: date,
                  recorded_date: date | None, source: str, unit_code: str | None,
                  event_id: str | None) -> Event:
    """An event about one living person, registered where they live unless told otherwise."""
    recorded = _check_dates(day, recorded_date)
    _check_source(source)
    person = _person(person_id)
    _check_alive(person, day)
    unit = _event_unit(unit_code or person.household.unit_id)
    event = Event(id=event_id or new_event_id(), type=etype, person_id=person.id, date=day,
                  recorded_date=recorded, unit=unit, source=source)
    return _save_event(actor=actor, event=event, persons=[person.id])


@transaction.atomic
def event_record_death(*, actor: Actor, person_id: str, date_of_death: date,
                       recorded_date: date | None = None, source: str = Source.VILLAGE,
                       unit_code: str | None = None, event_id: str | None = None) -> Event:
    return _person_event(actor=actor, etype=EventType.DEATH, person_id=person_id,
                         day=date_of_death, recorded_date=recorded_date, source=source,
                         unit_code=unit_code, event_id=event_id)


def _marital_event(*, actor: Actor, etype: str, person_id: str, spouse_id: str | None,
                   day: date, recorded_date: date | None, source: str, unit_code: str | None,
                   event_id: str | None) -> Event:
    recorded = _check_dates(day, recorded_date)
    _check_source(source)
    person = _person(person_id)
    _check_alive(person, day)
    spouse = None
    if spouse_id:
        if spouse_id == person_id:
            raise ValidationError(_("A person cannot marry themselves."))
        spouse = _person(spouse_id)
        _check_alive(spouse, day)
    unit = _event_unit(unit_code or person.household.unit_id)
    event = Event(id=event_id or new_event_id(), type=etype, person_id=person.id, date=day,
                  recorded_date=recorded, unit=unit, source=source,
                  spouse_id=spouse.id if spouse else None)
    status = "20" if etype == EventType.MARRIAGE else "40"
    concerned = [person.id] + ([spouse.id] if spouse else [])
    for pid in concerned:
        # The recorded status follows the latest event (SPEC §2 reads it only without events).
        newest = (Event.objects.filter(type__in=[EventType.MARRIAGE, EventType.DIVORCE])
                  .filter(Q(person_id=pid) | Q(spouse_id=pid))
                  .aggregate(newest=Max("date"))["newest"])
        if newest is None or newest <= day:
            registry.person_update(actor=actor, person_id=pid, marital_status=status)
    return _save_event(actor=actor, event=event, persons=concerned)


@transaction.atomic
def event_record_marriage(*, actor: Actor, person_id: str, spouse_id: str | None,
                          date_of_marriage: date, recorded_date: date | None = None,
                          source: str = Source.CIVIL_AFFAIRS, unit_code: str | None = None,
                          event_id: str | None = None) -> Event:
    return _marital_event(actor=actor, etype=EventType.MARRIAGE, person_id=person_id,
                          spouse_id=spouse_id, day=date_of_marriage,
                          recorded_date=recorded_date, source=source, unit_code=unit_code,
                          event_id=event_id)


@transaction.atomic
def event_record_divorce(*, actor: Actor, person_id: str, spouse_id: str | None,
                         date_of_divorce: date, recorded_date: date | None = None,
                         source: str = Source.CIVIL_AFFAIRS, unit_code: str | None = None,
                         event_id: str | None = None) -> Event:
    return _marital_event(actor=actor, etype=EventType.DIVORCE, person_id=person_id,
                          spouse_id=spouse_id, day=date_of_divorce,
                          recorded_date=recorded_date, source=source, unit_code=unit_code,
                          event_id=event_id)


@transaction.atomic
def event_record_move_out(*, actor: Actor, person_id: str, date_of_move: date,
                          recorded_date: date | None = None, source: str = Source.VILLAGE,
                          unit_code: str | None = None, event_id: str | None = None) -> Event:
    """The person leaves the area (their household stays as their last one)."""
    return _person_event(actor=actor, etype=EventType.MOVE_OUT, person_id=person_id,
                         day=date_of_move, recorded_date=recorded_date, source=source,
                         unit_code=unit_code, event_id=event_id)


@transaction.atomic
def event_record_move_in(*, actor: Actor, person_id: str, household_id: str,
                         date_of_move: date, recorded_date: date | None = None,
                         source: str = Source.VILLAGE, event_id: str | None = None) -> Event:
    """The person (already in the registry) comes to live in `household_id`'s unit."""
    recorded = _check_dates(date_of_move, recorded_date)
    _check_source(source)
    person = _person(person_id)
    _check_alive(person, date_of_move)
    household = Household.objects.filter(id=household_id).first()
    if household is None:
        raise ValidationError(_("Unknown household %(id)s."), id=household_id)
    if person.household_id != household.id:
        registry.person_update(actor=actor, person_id=person.id, household_id=household.id)
    event = Event(id=event_id or new_event_id(), type=EventType.MOVE_IN, person_id=person.id,
                  date=date_of_move, recorded_date=recorded, unit_id=household.unit_id,
                  source=source)
    return _save_event(actor=actor, event=event, persons=[person.id])


@transaction.atomic
def event_record_move_within(*, actor: Actor, person_id: str, household_id: str,
                             date_of_move: date, recorded_date: date | None = None,
                             source: str = Source.VILLAGE) -> tuple[Event, Event]:
    """A move inside the area: a move_out and a move_in on the same date (SPEC §1)."""
    person = _person(person_id)
    old_unit = person.household.unit_id
    out = event_record_move_out(actor=actor, person_id=person_id, date_of_move=date_of_move,
                                recorded_date=recorded_date, source=source,
                                unit_code=old_unit)
    into = event_record_move_in(actor=actor, person_id=person_id, household_id=household_id,
                                date_of_move=date_of_move, recorded_date=recorded_date,
                                source=source)
    return out, into


