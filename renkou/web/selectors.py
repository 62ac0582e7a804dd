"""Read models for pages that combine several apps (the registry's own reads are in
renkou.registry.selectors). Views call these; they never build querysets.

Home page: the user's units and a few headline counts for each. Counts come from the records (population from registration spells, households, open data
quality findings), never from typed-in totals. They are cached per unit, day and registry data
version, so a page view costs one query for the version while nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from renkou.core.audit import data_version_get
from renkou.core.models import Membership
from renkou.events.models import Event, EventType
from renkou.events.population import population_by_level, population_on
from renkou.quality.models import Finding, FindingStatus
from renkou.registry.models import Person
from renkou.registry.selectors import (
    households_count_by_level,
    households_count_for_unit,
    persons_for_user,
)
from renkou.units.models import LEVEL_ORDER, Unit
from renkou.units.selectors import under_q

CACHE_SECONDS = 600


@dataclass(frozen=True)
class SubUnitRow:
    code: str
    name: str
    population: int
    households: int


@dataclass(frozen=True)
class UnitSummary:
    unit: Unit
    roles: list[str]
    day: date
    population: int
    households: int
    open_findings: int
    child_level: str | None
    children: list[SubUnitRow] = field(default_factory=list)


def child_level(level: str) -> str | None:
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


def open_findings_count(unit: Unit) -> int:
    """Open data-quality findings about records registered in `unit` or below."""
    codes = Unit.objects.filter(under_q(unit)).values("code")
    return Finding.objects.filter(status=FindingStatus.OPEN, unit_code__in=codes).count()


def _unit_figures(user: Any, unit: Unit, day: date) -> dict[str, Any]:
    level = child_level(unit.level)
    children: list[SubUnitRow] = []
    if level is not None:
        population = population_by_level(unit, day, level)
        households = households_count_by_level(user=user, unit=unit, level=level)
        names = dict(Unit.objects.filter(code__in=list(population)).values_list("code", "name"))
        children = [SubUnitRow(code=code, name=names.get(code, code), population=count,
                               households=households.get(code, 0))
                    for code, count in population.items()]
    return {
        "population": population_on(unit, day),
        "households": households_count_for_unit(user=user, unit=unit),
        "open_findings": open_findings_count(unit),
        "child_level": level,
        "children": children,
    }


def home_summaries(*, user: Any, day: date | None = None) -> list[UnitSummary]:
    """One summary per unit the user belongs to (with every role held there)."""
    day = day or timezone.localdate()
    roles_by_unit: dict[str, list[str]] = {}
    units: dict[str, Unit] = {}
    memberships = (Membership.objects.filter(user=user).select_related("unit")
                   .order_by("unit__path", "role"))
    for membership in memberships:
        units[membership.unit_id] = membership.unit
        roles_by_unit.setdefault(membership.unit_id, []).append(membership.get_role_display())
    if not units:
        return []
    version = data_version_get()
    summaries = []
    for code, unit in units.items():
        # Households are counted through the user's scope, so the key includes the user.
        key = f"renkou:home:{user.pk}:{code}:{day.isoformat()}:{version}"
        figures: dict[str, Any] | None = cache.get(key)
        if figures is None:
            figures = _unit_figures(user, unit, day)
            cache.set(key, figures, CACHE_SECONDS)
        summaries.append(UnitSummary(unit=unit, roles=roles_by_unit[code], day=day, **figures))
    return summaries


@dataclass(frozen=True)
class EventRow:
    event: Event
    other: Person | None  # the spouse in a marriage or divorce, if the user may see them
    other_hidden: bool  # there is a spouse, outside the user's units


def person_events(*, user: Any, person: Person) -> list[EventRow]:
    """Vital events of a person already obtained through a scoped, audited selector (as the
    person or as the spouse of a marriage/divorce), oldest first. The other spouse is named
    only if the user may see them (two queries)."""
    events = list(Event.objects.filter(Q(person_id=person.id) | Q(spouse_id=person.id))
                  .select_related("unit").order_by("date", "id"))
    others = {e.spouse_id if e.person_id == person.id else e.person_id for e in events}
    others.discard(None)
    visible = ({p.id: p for p in persons_for_user(user=user).filter(id__in=others)}
               if others else {})
    rows = []
    for event in events:
        other_id = event.spouse_id if event.person_id == person.id else event.person_id
        other = visible.get(other_id) if other_id else None
        rows.append(EventRow(event=event, other=other,
                             other_hidden=bool(other_id) and other is None))
    return rows


def death_date(*, person: Person, events: list[EventRow]) -> date | None:
    """The date of the person's own death event among `events`, if any."""
    for row in events:
        if row.event.type == EventType.DEATH and row.event.person_id == person.id:
            return row.event.date
    return None
