"""Breakdowns beyond the catalog, over the same fact tables as the indicators.

population_pyramid, births_by_mother_age, births_by_order_sex, women_by_children, migration:
each a small query on the cached facts, returning plain dicts ready for a report or JSON.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from renkou.core.periods import Period
from renkou.stats import formulas, sql
from renkou.stats.facts import get_store
from renkou.stats.scoping import day_number, output_units
from renkou.units.models import Unit

__all__ = [
    "births_by_mother_age",
    "births_by_order_sex",
    "migration",
    "population_pyramid",
    "women_by_children",
]


def _age_group(age: int | None, five_year: bool) -> tuple[str, int | None, int | None]:
    """(label, from, to) of the group holding `age`: 0–4 … 80–84, 85+ or 0 … 99, 100+."""
    if age is None:
        return "unknown", None, None
    if five_year:
        if age >= 85:
            return "85+", 85, None
        low = age - age % 5
        return f"{low}–{low + 4}", low, low + 4
    if age >= 100:
        return "100+", 100, None
    return str(age), age, age


def population_pyramid(*, unit: Unit, day: date, five_year: bool,
                       using: str = "default") -> list[dict[str, Any]]:
    """Persons in P(day) under `unit` by age (completed years on `day`) and sex.

    Every group from 0 up to the top group (85+ or 100+) is listed, empty ones included,
    then "unknown" (no birth date) if anyone has none. Keys: group, age_from, age_to
    (None for the open top group), male, female, total.
    """
    store = get_store(using)
    q_map = output_units(store, unit).q_map
    rows = store.query(sql.pyramid_sql(day_number(day), day.year, day.month * 100 + day.day),
                       q_map=q_map)
    counts: dict[str, dict[int, int]] = defaultdict(lambda: {1: 0, 2: 0})
    for age, sex, n in rows.iter_rows():
        label, _low, _high = _age_group(age, five_year)
        if sex in (1, 2):
            counts[label][int(sex)] += int(n)
    top = 85 if five_year else 100
    step = 5 if five_year else 1
    groups = [_age_group(age, five_year) for age in range(0, top + 1, step)]
    if "unknown" in counts:
        groups.append(("unknown", None, None))
    return [
        {"group": label, "age_from": low, "age_to": high, "male": counts[label][1],
         "female": counts[label][2], "total": counts[label][1] + counts[label][2]}
        for label, low, high in groups
    ]


_MOTHER_GROUPS = ("<15", "15–19", "20–24", "25–29", "30–34", "35–39", "40–44", "45–49",
                  "50+", "unknown")


def _mother_group(age: int | None) -> str:
    if age is None:
        return "unknown"
    if age < 15:
        return "<15"
    if age >= 50:
        return "50+"
    low = age - age % 5
    return f"{low}–{low + 4}"


def _birth_rows(unit: Unit, period: Period, using: str) -> list[tuple[Any, ...]]:
    store = get_store(using)
    q_map = output_units(store, unit).q_map
    statement = sql.births_detail_sql(day_number(period.start), day_number(period.end))
    return list(store.query(statement, q_map=q_map).iter_rows())


def births_by_mother_age(*, unit: Unit, period: Period, using: str = "default"
                         ) -> list[dict[str, Any]]:
    """Births in [a, b] in U by the mother's age at the birth: <15, 15–19 … 45–49, 50+,
    unknown (no mother, or her birth date unknown). Keys: group, births, male, female."""
    counts = {g: {"births": 0, "male": 0, "female": 0} for g in _MOTHER_GROUPS}
    for mother_age, _order, sex, n in _birth_rows(unit, period, using):
        row = counts[_mother_group(mother_age)]
        row["births"] += int(n)
        if sex == 1:
            row["male"] += int(n)
        elif sex == 2:
            row["female"] += int(n)
    return [{"group": g, **counts[g]} for g in _MOTHER_GROUPS]


def births_by_order_sex(*, unit: Unit, period: Period, using: str = "default"
                        ) -> list[dict[str, Any]]:
    """Births in [a, b] in U by birth order (1, 2, 3+) and sex, with the sex ratio and its
    95 % Wilson interval per order. Keys: order, births, male, female, srb, srb_lo, srb_hi."""
    counts = {o: {"births": 0, "male": 0, "female": 0} for o in ("1", "2", "3+")}
    for _age, order, sex, n in _birth_rows(unit, period, using):
        if order is None or order < 1:
            continue
        row = counts["3+" if order >= 3 else str(order)]
        row["births"] += int(n)
        if sex == 1:
            row["male"] += int(n)
        elif sex == 2:
            row["female"] += int(n)
    result: list[dict[str, Any]] = []
    for order, row in counts.items():
        low, high = formulas.srb_interval(row["male"], row["female"])
        result.append({"order": order, **row, "srb": formulas.srb(row["male"], row["female"]),
                       "srb_lo": low, "srb_hi": high})
    return result


def women_by_children(*, unit: Unit, day: date, using: str = "default"
                      ) -> list[dict[str, Any]]:
    """Women 15–49 in P(day) under U by their number of live-born children in the registry
    (persons whose mother_id is her, born on or before `day`): 0, 1, 2, 3+.
    Keys: children, women, share (percentage of all these women, None if there are none)."""
    store = get_store(using)
    q_map = output_units(store, unit).q_map
    counts = {"0": 0, "1": 0, "2": 0, "3+": 0}
    for children, women in store.query(sql.women_children_sql(day_number(day)),
                                       q_map=q_map).iter_rows():
        counts["3+" if children >= 3 else str(children)] += int(women)
    total = sum(counts.values())
    return [{"children": k, "women": v, "share": formulas.percentage(v, total)}
            for k, v in counts.items()]


def migration(*, unit: Unit, period: Period, using: str = "default") -> dict[str, Any]:
    """Moves in and out of U in [a, b], split by where the other end lies.

    A move_out and a move_in of one person on one date is a move inside the area (the
    registry's whole territory). `*_within` moves have both ends under U (they change no
    total of U, only its parts), `*_area` moves the other end elsewhere in the area, and
    `*_outside` moves come from / go to outside the area (no same-day counterpart).
    """
    store = get_store(using)
    q_map = output_units(store, unit).q_map
    statement = sql.migration_sql(day_number(period.start), day_number(period.end))
    peers = {0: "outside", 1: "within", 2: "area"}
    result: dict[str, Any] = {f"{direction}_{where}": 0 for direction in ("move_in", "move_out")
                              for where in ("within", "area", "outside")}
    for event_type, peer, n in store.query(statement, q_map=q_map).iter_rows():
        result[f"{event_type}_{peers[int(peer)]}"] += int(n)
    result["move_in"] = sum(result[f"move_in_{w}"] for w in ("within", "area", "outside"))
    result["move_out"] = sum(result[f"move_out_{w}"] for w in ("within", "area", "outside"))
    result["net"] = result["move_in"] - result["move_out"]
    result["net_outside"] = result["move_in_outside"] - result["move_out_outside"]
    return result
