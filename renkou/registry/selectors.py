"""Scoped reads of households and persons. Views never build querysets themselves.

Every function here takes the user and filters by the units the user belongs to
(renkou.core.scope). A record outside those units is indistinguishable from one that does not
exist: the caller gets NotFound, or simply no row, never PermissionDenied.
Reads of one person's or one household's record are audited (who, when, from where).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from renkou.core.audit import Actor, audit_log
from renkou.core.errors import NotFound
from renkou.core.scope import REGISTRY_READERS, unit_scope_q, user_units
from renkou.registry.idnumber import normalise
from renkou.registry.models import Household, Person
from renkou.units.models import Unit

# Longest query we search for: longer ones cannot match a name, an id or an ID number.
MAX_QUERY_LENGTH = 64
# GB/T 4761: 01 self, 02 household head.
# The list page counts matches up to this many, then says "more than".
COUNT_CAP = 10_000
HEAD_RELATIONS = frozenset({"01", "02"})


def persons_for_user(*, user: Any) -> QuerySet[Person]:
    """Persons whose household lies in the user's units (nothing for anyone else)."""
    units = user_units(user, REGISTRY_READERS)
    return Person.objects.filter(unit_scope_q(units, "household__unit__"))


def households_for_user(*, user: Any) -> QuerySet[Household]:
    units = user_units(user, REGISTRY_READERS)
    return Household.objects.filter(unit_scope_q(units, "unit__"))


def _search_q(query: str) -> Q:
    """Name prefix, exact person id, or exact identity number (full-width digits, a lower
    case x and spaces are normalised as in the registry)."""
    condition = Q(name__startswith=query) | Q(id=query)
    id_number = normalise(query)
    if id_number:
        condition |= Q(id_number=id_number)
    return condition


def persons_list_for_user(*, user: Any, query: str = "", limit: int = 50) -> list[Person]:
    qs = persons_for_user(user=user).select_related("household", "household__unit")
    query = query.strip()[:MAX_QUERY_LENGTH]
    if query:
        qs = qs.filter(_search_q(query))
    return list(qs.order_by("id")[:limit])


@dataclass(frozen=True)
class PersonPage:
    """One page of a registry search."""

    persons: list[Person]
    total: int
    page: int
    page_size: int
    query: str
    capped: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.page_size + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.page_size)


def persons_search_for_user(*, user: Any, query: str = "", page: int = 1,
                            page_size: int = 50, actor: Actor | None = None) -> PersonPage:
    """A page of the persons the user may see, optionally filtered by `query`.

    Three queries whatever the page size: memberships, count, page. A non-empty query is
    audited as `person.list` (looking someone up by ID number is a read of personal data).

    The count stops at COUNT_CAP (`capped` tells): an exact count of a whole county on every
    page view would cost more than the page itself.
    """
    query = query.strip()[:MAX_QUERY_LENGTH]
    qs = persons_for_user(user=user)
    if query:
        qs = qs.filter(_search_q(query))
    total = qs.order_by()[:COUNT_CAP + 1].count()
    capped = total > COUNT_CAP
    total = min(total, COUNT_CAP)
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    start = (page - 1) * page_size
    persons = list(qs.select_related("household", "household__unit")
                   .order_by("id")[start:start + page_size])
    if query and actor is not None:
        audit_log(actor=actor, action="person.list", object_type="person",
                  detail={"q": query, "results": total,
                          "shown": [p.id for p in persons]})
    return PersonPage(persons=persons, total=total, page=page, page_size=page_size,
                      query=query, capped=capped)


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


@dataclass(frozen=True)
class Relatives:
    """A person's parents and children, as far as the user may see them.

    A parent outside the user's units is reported only as "outside your units" (`None` with
    the `_hidden` flag), never by name.
    """

    mother: Person | None
    father: Person | None
    mother_hidden: bool
    father_hidden: bool
    children: list[Person]


def person_relatives_for_user(*, user: Any, person: Person) -> Relatives:
    """Parents and children of `person` that lie in the user's units (one query)."""
    parent_ids = [pid for pid in (person.mother_id, person.father_id) if pid]
    condition = Q(mother_id=person.id) | Q(father_id=person.id)
    if parent_ids:
        condition |= Q(id__in=parent_ids)
    visible = {p.id: p for p in persons_for_user(user=user).filter(condition)
               .select_related("household").order_by("birth_date", "id")}
    children = [p for p in visible.values()
                if person.id in (p.mother_id, p.father_id) and p.id not in parent_ids]
    mother = visible.get(person.mother_id) if person.mother_id else None
    father = visible.get(person.father_id) if person.father_id else None
    return Relatives(mother=mother, father=father,
                     mother_hidden=bool(person.mother_id) and mother is None,
                     father_hidden=bool(person.father_id) and father is None,
                     children=children)


def household_get_for_user(*, user: Any, household_id: str, actor: Actor) -> Household:
    with transaction.atomic():
        household = (households_for_user(user=user).select_related("unit")
                     .filter(id=household_id).first())
        if household is None:
            raise NotFound()
        audit_log(actor=actor, action="household.view", object_type="household",
                  object_id=household.id, unit_code=household.unit_id)
    return household


def _member_order(person: Person) -> tuple[int, str, date, str]:
    head = person.relation in HEAD_RELATIONS
    return (0 if head else 1, person.relation or "99", person.birth_date or date.max, person.id)


@dataclass(frozen=True)
class HouseholdDetail:
    household: Household
    members: list[Person]


def household_detail_for_user(*, user: Any, household_id: str,
                              actor: Actor) -> HouseholdDetail:
    """A household and its members (head first, then by relation code and age).

    Audited as `household.view` with the ids of the members shown. A person's scope is their
    household's unit, so every member of a visible household is visible.
    """
    with transaction.atomic():
        household = (households_for_user(user=user).select_related("unit")
                     .filter(id=household_id).first())
        if household is None:
            raise NotFound()
        members = sorted(Person.objects.filter(household_id=household.id), key=_member_order)
        audit_log(actor=actor, action="household.view", object_type="household",
                  object_id=household.id, unit_code=household.unit_id,
                  detail={"members": [m.id for m in members]})
    return HouseholdDetail(household=household, members=members)


def households_count_for_unit(*, user: Any, unit: Unit) -> int:
    """Households registered in `unit` or below, if the user may see that unit (else 0)."""
    scoped = households_for_user(user=user)
    return scoped.filter(unit_scope_q([unit], "unit__")).count()


def households_count_by_level(*, user: Any, unit: Unit, level: str) -> dict[str, int]:
    """Households under `unit` grouped by the unit of `level` they lie in (one query).

    Only households the user may see are counted."""
    column = "unit__code" if level == "group" else f"unit__{level}_code"
    rows = (households_for_user(user=user).filter(unit_scope_q([unit], "unit__"))
            .order_by().values_list(column).annotate(n=Count("id")))
    return {str(code): int(n) for code, n in rows if code}
