"""Writes to households and persons. Each write validates first, keeps before/after in
RecordChange, logs an AuditEvent, refreshes derived spells and findings, and bumps the data
version — all in one transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renkou.core.audit import Actor, audit_log, data_version_bump
from renkou.core.errors import NotFound, ValidationError
from renkou.registry.models import Household, MaritalStatus, Person, RecordChange
from renkou.units.models import Unit

HOUSEHOLD_FIELDS = ("unit_code", "address")
PERSON_FIELDS = ("household_id", "name", "sex", "birth_date", "id_number", "ethnicity",
                 "relation", "marital_status", "mother_id", "father_id")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def household_snapshot(household: Household) -> dict[str, str]:
    return {"unit_code": _text(household.unit_id), "address": household.address}


def person_snapshot(person: Person) -> dict[str, str]:
    return {
        "household_id": _text(person.household_id), "name": person.name,
        "sex": _text(person.sex), "birth_date": _text(person.birth_date),
        "id_number": person.id_number, "ethnicity": person.ethnicity,
        "relation": person.relation, "marital_status": person.marital_status,
        "mother_id": _text(person.mother_id), "father_id": _text(person.father_id),
    }


def record_change(*, actor: Actor, model: str, object_id: str, action: str,
                  before: dict[str, str] | None, after: dict[str, str] | None) -> RecordChange:
    return RecordChange.objects.create(
        at=timezone.now(), user_id=actor.user_id, username=actor.username,
        origin=actor.origin, model=model, object_id=object_id, action=action,
        before=before, after=after)


def _require_unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise ValidationError(_("Unknown unit code %(code)s."), code=code)
    if unit.level not in ("village", "group"):
        raise ValidationError(_("A household must be registered in a village or village "
                                "group, not %(code)s."), code=code)
    return unit


def _validate_person(fields: dict[str, Any], person_id: str) -> None:
    if not str(fields.get("name", "")).strip():
        raise ValidationError(_("The name is required."))
    if fields.get("sex") not in (1, 2):
        raise ValidationError(_("Sex must be 1 (male) or 2 (female)."))
    status = fields.get("marital_status", "")
    if status and status not in MaritalStatus.values:
        raise ValidationError(_("Unknown marital status %(value)s."), value=status)
    relation = fields.get("relation", "")
    if relation and not (len(relation) == 2 and relation.isdigit()):
        raise ValidationError(_("The relation must be a two-digit code."))
    birth = fields.get("birth_date")
    if birth is not None and birth > timezone.localdate():
        raise ValidationError(_("The birth date is in the future."))
    if not Household.objects.filter(id=fields["household_id"]).exists():
        raise ValidationError(_("Unknown household %(id)s."), id=fields["household_id"])
    for parent_field in ("mother_id", "father_id"):
        parent_id = fields.get(parent_field)
        if not parent_id:
            continue
        if parent_id == person_id:
            raise ValidationError(_("A person cannot be their own parent."))
        parent = Person.objects.filter(id=parent_id).first()
        if parent is None:
            raise ValidationError(_("Unknown parent %(id)s."), id=parent_id)
        if parent_field == "mother_id" and parent.sex != 2:
            raise ValidationError(_("The mother must be a woman."))
        if parent_field == "father_id" and parent.sex != 1:
            raise ValidationError(_("The father must be a man."))


def _after_person_write(*, person: Person) -> None:
    from renkou.events.spells import spells_rebuild
    from renkou.quality.services import rules_run
    from renkou.search.services import search_refresh

    spells_rebuild([person.id])
    search_refresh([person.id])  # the search table row (name, pinyin, unit) follows the write
    rules_run(person_ids=[person.id])  # every consistency rule, for what this write touches
    data_version_bump()


@transaction.atomic
def household_create(*, actor: Actor, household_id: str, unit_code: str,
                     address: str = "") -> Household:
    if not household_id.strip():
        raise ValidationError(_("The household id is required."))
    if Household.objects.filter(id=household_id).exists():
        raise ValidationError(_("Household %(id)s exists already."), id=household_id)
    unit = _require_unit(unit_code)
    household = Household.objects.create(id=household_id, unit=unit, address=address)
    record_change(actor=actor, model="household", object_id=household.id, action="create",
                  before=None, after=household_snapshot(household))
    audit_log(actor=actor, action="household.create", object_type="household",
              object_id=household.id, unit_code=unit.code)
    data_version_bump()
    return household


@transaction.atomic
def household_update(*, actor: Actor, household_id: str, unit_code: str | None = None,
                     address: str | None = None) -> Household:
    household = Household.objects.select_for_update().filter(id=household_id).first()
    if household is None:
        raise NotFound()
    before = household_snapshot(household)
    if unit_code is not None:
        household.unit = _require_unit(unit_code)
    if address is not None:
        household.address = address
    after = household_snapshot(household)
    if after == before:
        return household
    household.save()
    record_change(actor=actor, model="household", object_id=household.id, action="update",
                  before=before, after=after)
    audit_log(actor=actor, action="household.update", object_type="household",
              object_id=household.id, unit_code=household.unit_id,
              detail={"changed": sorted(k for k in after if after[k] != before[k])})
    # Members without move events are registered where their household is.
    from renkou.events.spells import spells_rebuild

    spells_rebuild(list(household.members.values_list("id", flat=True)))
    from renkou.search.services import search_refresh_households

    search_refresh_households([household.id])
    data_version_bump()
    return household


@transaction.atomic
def person_register(*, actor: Actor, person_id: str, household_id: str, name: str, sex: int,
                    birth_date: date | None, id_number: str = "", ethnicity: str = "",
                    relation: str = "", marital_status: str = "10",
                    mother_id: str | None = None, father_id: str | None = None) -> Person:
    """Add a person to the registry (not a birth: use event_record_birth for a newborn)."""
    if not person_id.strip():
        raise ValidationError(_("The person id is required."))
    if Person.objects.filter(id=person_id).exists():
        raise ValidationError(_("Person %(id)s exists already."), id=person_id)
    fields: dict[str, Any] = {
        "household_id": household_id, "name": name.strip(), "sex": sex,
        "birth_date": birth_date, "id_number": id_number.strip().upper(),
        "ethnicity": ethnicity, "relation": relation, "marital_status": marital_status,
        "mother_id": mother_id or None, "father_id": father_id or None,
    }
    _validate_person(fields, person_id)
    person = Person.objects.create(id=person_id, **fields)
    record_change(actor=actor, model="person", object_id=person.id, action="create",
                  before=None, after=person_snapshot(person))
    audit_log(actor=actor, action="person.create", object_type="person", object_id=person.id,
              unit_code=person.household.unit_id)
    _after_person_write(person=person)
    return person


@transaction.atomic
def person_update(*, actor: Actor, person_id: str, **changes: Any) -> Person:
    """Change any of PERSON_FIELDS; a no-op change writes nothing."""
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s"), fields=", ".join(sorted(unknown)))
    person = Person.objects.select_for_update().filter(id=person_id).first()
    if person is None:
        raise NotFound()
    before = person_snapshot(person)
    fields = {name: getattr(person, name) for name in PERSON_FIELDS}
    fields.update(changes)
    _validate_person(fields, person_id)
    for name, value in changes.items():
        setattr(person, name, value)
    after = person_snapshot(person)
    if after == before:
        return person
    person.save()
    record_change(actor=actor, model="person", object_id=person.id, action="update",
                  before=before, after=after)
    audit_log(actor=actor, action="person.update", object_type="person", object_id=person.id,
              unit_code=person.household.unit_id,
              detail={"changed": sorted(k for k in after if after[k] != before[k])})
    _after_person_write(person=person)
    return person


def person_state_at(*, person_id: str, at: datetime) -> dict[str, str] | None:
    """The person's record as it stood at `at` (None if it did not exist yet).

    Changes store full before/after snapshots, so the state at `at` is the `after` of the
    last change made at or before `at`, or the `before` of the first change after it.
    """
    person = Person.objects.filter(id=person_id).first()
    changes = list(RecordChange.objects.filter(model="person", object_id=person_id)
                   .order_by("at", "id"))
    earlier = [c for c in changes if c.at <= at]
    if earlier:
        last = earlier[-1]
        return None if last.action == "delete" else last.after
    later = [c for c in changes if c.at > at]
    if later:
        first = later[0]
        return None if first.action == "create" else first.before
    if person is None:
        return None
    if person.created_batch is not None and person.created_batch.started_at > at:
        return None
    return person_snapshot(person)
