"""Scoped reads of households and persons. Views never build querysets themselves."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from renkou.core.audit import Actor, audit_log
from renkou.core.errors import NotFound
from renkou.core.scope import REGISTRY_READERS, unit_scope_q, user_units
from renkou.registry.models import Household, Person


def persons_for_user(*, user: Any) -> QuerySet[Person]:
    """Persons whose household lies in the user's units (nothing for anyone else)."""
    units = user_units(user, REGISTRY_READERS)
    return Person.objects.filter(unit_scope_q(units, "household__unit__"))


def households_for_user(*, user: Any) -> QuerySet[Household]:
    units = user_units(user, REGISTRY_READERS)
    return Household.objects.filter(unit_scope_q(units, "unit__"))


def persons_list_for_user(*, user: Any, query: str = "", limit: int = 50) -> list[Person]:
    qs = persons_for_user(user=user).select_related("household")
    if query:
        qs = qs.filter(name__startswith=query) | qs.filter(id_number=query) | qs.filter(
            id=query)
    return list(qs.order_by("id")[:limit])


def person_get_for_user(*, user: Any, person_id: str, actor: Actor) -> Person:
    """One person's record; the read itself is audited. Out of scope looks like not found."""
    with transaction.atomic():
        person = (persons_for_user(user=user).select_related("household", "household__unit")
                  .filter(id=person_id).first())
        if person is None:
            raise NotFound()
        audit_log(actor=actor, action="person.view", object_type="person",
                  object_id=person.id, unit_code=person.household.unit_id)
    return person


def household_get_for_user(*, user: Any, household_id: str, actor: Actor) -> Household:
    with transaction.atomic():
        household = households_for_user(user=user).filter(id=household_id).first()
        if household is None:
            raise NotFound()
        audit_log(actor=actor, action="household.view", object_type="household",
                  object_id=household.id, unit_code=household.unit_id)
    return household
