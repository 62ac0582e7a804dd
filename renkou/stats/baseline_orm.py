"""The plain Django ORM version of the indicators: the benchmark's baseline.

What a Django developer would write without the engine: for every output unit and every
period, one ORM `count()` per stock measure and day and per event type, and a loop over the
births (one query per birth for a derived birth order). It reads the same spell tables and
gives the same numbers as the engine (tests check that), only much more slowly; it is kept
for the benchmark (PERFORMANCE.md: every figure next to its baseline) and as an independent
second implementation of SPEC §3 for the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q

from renkou.core.periods import Period, age_on
from renkou.events.models import Event, MaritalSpell, RegistrationSpell
from renkou.registry.models import Person
from renkou.stats.catalog import ASFR_AGES
from renkou.stats.engine import IndicatorRow, indicator_values
from renkou.units.models import Unit
from renkou.units.selectors import under_q, units_under

__all__ = ["baseline_indicators"]


def _years_before(day: date, years: int) -> date:
    """The latest birth date with age_on(birth, day) ≥ years (29 Feb → 28 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)


def _registered(unit: Unit, day: date) -> Q:
    return (under_q(unit, "unit__") & (Q(start__isnull=True) | Q(start__lte=day))
            & (Q(end__isnull=True) | Q(end__gt=day)))


def _women(unit: Unit, day: date, low: int, high: int) -> Q:
    """Women registered under `unit` on `day` aged low … high."""
    return (_registered(unit, day) & Q(person__sex=2)
            & Q(person__birth_date__lte=_years_before(day, low))
            & Q(person__birth_date__gt=_years_before(day, high + 1)))


def _married_on(day: date) -> Q:
    covering = MaritalSpell.objects.filter(
        Q(person_id=OuterRef("person_id")),
        Q(start__isnull=True) | Q(start__lte=day), Q(end__isnull=True) | Q(end__gt=day))
    any_spell = MaritalSpell.objects.filter(person_id=OuterRef("person_id"))
    return (Exists(covering.filter(status="20"))
            | (~Exists(any_spell) & Q(person__marital_status="20")))


def _stock(unit: Unit, day: date) -> dict[str, int]:
    spells = RegistrationSpell.objects
    counts = {
        "pop": spells.filter(_registered(unit, day)).count(),
        "wra": spells.filter(_women(unit, day, 15, 49)).count(),
        "mwra": spells.filter(_women(unit, day, 15, 49)).filter(_married_on(day)).count(),
    }
    for x in ASFR_AGES:
        counts[f"w{x}"] = spells.filter(_women(unit, day, x, x + 4)).count()
    return counts


def _birth_order(event: Event) -> int:
    if event.birth_order is not None:
        return event.birth_order
    child = Person.objects.filter(id=event.person_id).first()
    if child is None or child.mother_id is None:
        return 1
    siblings = Person.objects.filter(mother_id=child.mother_id)
    if child.birth_date is None:
        earlier = siblings.filter(Q(birth_date__isnull=False)
                                  | Q(birth_date__isnull=True, id__lt=child.id))
    else:
        earlier = siblings.filter(Q(birth_date__lt=child.birth_date)
                                  | Q(birth_date=child.birth_date, id__lt=child.id))
    return earlier.count() + 1


def _flows(unit: Unit, period: Period) -> dict[str, int]:
    events = Event.objects.filter(under_q(unit, "unit__"), date__gte=period.start,
                                  date__lte=period.end)
    counts = {m: 0 for m in ("births", "births_m", "births_f", "births_o1", "births_o2",
                             "births_o3p", "timely", *(f"b{x}" for x in ASFR_AGES))}
    for event in events.filter(type="birth").select_related("person", "person__mother"):
        counts["births"] += 1
        child = event.person
        if child.sex == 1:
            counts["births_m"] += 1
        elif child.sex == 2:
            counts["births_f"] += 1
        order = _birth_order(event)
        if order == 1:
            counts["births_o1"] += 1
        elif order == 2:
            counts["births_o2"] += 1
        elif order >= 3:
            counts["births_o3p"] += 1
        if (event.recorded_date is not None
                and event.recorded_date - event.date <= timedelta(days=30)):
            counts["timely"] += 1
        mother = child.mother
        if mother is not None and mother.birth_date is not None:
            age = age_on(mother.birth_date, event.date)
            for x in ASFR_AGES:
                if x <= age <= x + 4:
                    counts[f"b{x}"] += 1
    counts["deaths"] = events.filter(type="death").count()
    counts["move_in"] = events.filter(type="move_in").count()
    counts["move_out"] = events.filter(type="move_out").count()
    counts["marriages"] = events.filter(type="marriage").count()
    return counts


def baseline_indicators(*, unit: Unit, periods: Sequence[Period],
                        by_level: str | None = None) -> dict[str, list[IndicatorRow]]:
    """Same contract as engine.compute_indicators_many, with plain ORM queries."""
    targets = [unit] if by_level is None else list(units_under(unit, level=by_level)
                                                   .order_by("code"))
    result: dict[str, list[IndicatorRow]] = {}
    for period in periods:
        rows: list[IndicatorRow] = []
        for target in targets:
            start = _stock(target, period.day_before_start)
            end = _stock(target, period.end)
            values = indicator_values(period, start, end, _flows(target, period))
            rows.append(IndicatorRow(target.code, target.name, values))
        result[period.code] = rows
    return result
