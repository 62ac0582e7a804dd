"""The statistics engine: every SPEC §3 indicator for any unit(s) and period(s).

Counting happens in a few vectorised queries over the fact tables (`facts.py`, SQL in
`sql.py`); the arithmetic of the rates is `formulas.py` (applied to all rows at once by
`vector.py`, bit-for-bit the same). One call computes all periods × all output units at
once: the stock measures on the boundary days (a − 1 and b of each period), and the flows
per period.

    compute_indicators(unit=…, period=…, by_level=None) -> [IndicatorRow]
    compute_indicators_many(unit=…, periods=[…], by_level=…) -> {period code: [IndicatorRow]}

The breakdowns (pyramid, births by mother's age / by order and sex, women by children,
migration) live in `breakdowns.py` and are re-exported here.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from django.utils.translation import gettext_lazy as _

from renkou.core.errors import ValidationError
from renkou.core.periods import Period, PeriodKind, parse_period
from renkou.stats import formulas, sql
from renkou.stats.breakdowns import (
    births_by_mother_age,
    births_by_order_sex,
    migration,
    population_pyramid,
    women_by_children,
)
from renkou.stats.catalog import ASFR_AGES, CODES, by_code
from renkou.stats.facts import FactStore, get_store
from renkou.stats.scoping import day_number, output_units
from renkou.stats.vector import indicator_columns
from renkou.units.models import Unit

__all__ = [
    "IndicatorRow",
    "Value",
    "births_by_mother_age",
    "births_by_order_sex",
    "compute_indicators",
    "compute_indicators_many",
    "indicator_values",
    "migration",
    "monthly_series",
    "persons_behind",
    "population_pyramid",
    "women_by_children",
]

Value = float | int | None


@dataclass(frozen=True)
class IndicatorRow:
    unit_code: str
    unit_name: str
    values: dict[str, float | int | None]


def compute_indicators(*, unit: Unit, period: Period, by_level: str | None = None,
                       using: str = "default") -> list[IndicatorRow]:
    """Every catalog indicator for `unit` (one row) or each unit of `by_level` under it."""
    return compute_indicators_many(unit=unit, periods=[period], by_level=by_level,
                                   using=using)[period.code]


def compute_indicators_many(*, unit: Unit, periods: Sequence[Period],
                            by_level: str | None = None, using: str = "default"
                            ) -> dict[str, list[IndicatorRow]]:
    """Same as compute_indicators for several periods in one pass (keyed by period code)."""
    store = get_store(using)
    outputs = output_units(store, unit, by_level)
    if not periods:
        return {}
    n_out = len(outputs.codes)
    days = sorted({day_number(p.day_before_start) for p in periods}
                  | {day_number(p.end) for p in periods})
    day_index = {d: k for k, d in enumerate(days)}
    stock = _stock(store, outputs.q_map, days, n_out)
    flows = _flows(store, outputs.q_map, periods, n_out)
    # One row per (period, output unit), period-major; then every indicator as a column.
    first = stock[[day_index[day_number(p.day_before_start)] for p in periods]]
    last = stock[[day_index[day_number(p.end)] for p in periods]]
    first, last = first.reshape(-1, first.shape[-1]), last.reshape(-1, last.shape[-1])
    flat_flows = flows.reshape(-1, flows.shape[-1])
    yearly = np.repeat(np.array([p.is_year_long for p in periods], dtype=bool), n_out)
    columns = indicator_columns(
        yearly,
        {m: first[:, j] for j, m in enumerate(sql.STOCK_MEASURES)},
        {m: last[:, j] for j, m in enumerate(sql.STOCK_MEASURES)},
        {m: flat_flows[:, j] for j, m in enumerate(sql.FLOW_MEASURES)},
    )
    values = [dict(zip(CODES, row, strict=True))
              for row in zip(*(columns[code] for code in CODES), strict=True)]
    result: dict[str, list[IndicatorRow]] = {}
    for k, period in enumerate(periods):
        result[period.code] = [
            IndicatorRow(code, name, values[k * n_out + i])
            for i, (code, name) in enumerate(zip(outputs.codes, outputs.names, strict=True))
        ]
    return result


def _stock(store: FactStore, q_map: pa.Table, days: list[int], n_out: int
           ) -> np.ndarray[Any, np.dtype[np.int64]]:
    """stock[k, out, measure] on the sorted boundary days."""
    shape = (n_out, len(sql.STOCK_MEASURES))
    base = np.zeros(shape, dtype=np.int64)
    steps = np.zeros((len(days), *shape), dtype=np.int64)
    anchor = bisect.bisect_right(store.anchors, days[0]) - 1  # last anchor ≤ first day
    with store.cursor(q_map=q_map) as cur:
        if anchor >= 0:
            rows = cur.execute(sql.stock_anchor_sql(anchor)).fetchnumpy()
            after = store.anchors[anchor]
            source = "f_recent" if days[-1] <= store.anchors[-1] else "f_point"
        else:  # a period before every anchor: sum all points up to the first day
            rows = cur.execute(sql.stock_before_sql(days[0])).fetchnumpy()
            after, source = days[0], "f_point"
        base[_ints(rows["out_key"]), _ints(rows["m"])] = _ints(rows["n"])
        rows = cur.execute(sql.stock_steps_sql(source, after, days)).fetchnumpy()
        steps[_ints(rows["k"]), _ints(rows["out_key"]), _ints(rows["m"])] = _ints(rows["n"])
    stock: np.ndarray[Any, np.dtype[np.int64]] = np.cumsum(steps, axis=0) + base
    return stock


def _flows(store: FactStore, q_map: pa.Table, periods: Sequence[Period], n_out: int
           ) -> np.ndarray[Any, np.dtype[np.int64]]:
    """flows[k, out, measure] for period k: the sum of the segments between period ends."""
    starts = [day_number(p.start) for p in periods]
    stops = [day_number(p.end) + 1 for p in periods]
    bounds = sorted(set(starts) | set(stops))
    n_measures = len(sql.FLOW_MEASURES)
    segments = np.zeros((len(bounds), n_out, n_measures), dtype=np.int64)
    rows = store.query_numpy(sql.flow_segments_sql(bounds), q_map=q_map)
    s, out = _ints(rows["s"]), _ints(rows["out_key"])
    for j, m in enumerate(sql.FLOW_MEASURES):
        segments[s + 1, out, j] = _ints(rows[m])
    running = np.cumsum(segments, axis=0)  # running[i] = events before bounds[i]
    index = {b: i for i, b in enumerate(bounds)}
    flows: np.ndarray[Any, np.dtype[np.int64]] = np.stack(
        [running[index[b]] - running[index[a]] for a, b in zip(starts, stops, strict=True)])
    return flows


def _ints(column: Any) -> np.ndarray[Any, np.dtype[np.int64]]:
    """A SUM column as int64 (DuckDB returns HUGEINT sums as float64 / masked arrays)."""
    array = np.ma.filled(column, 0) if isinstance(column, np.ma.MaskedArray) else column
    return np.asarray(array).astype(np.int64)


def indicator_values(period: Period, s: Mapping[str, int], e: Mapping[str, int],
                     f: Mapping[str, int]) -> dict[str, Value]:
    """Every catalog value of one row (catalog order) from its counts: the stock measures
    (sql.STOCK_MEASURES) on a − 1 (`s`) and on b (`e`), and the flows (sql.FLOW_MEASURES)."""
    births, males, females = f["births"], f["births_m"], f["births_f"]
    pop_avg = (s["pop"] + e["pop"]) / 2
    yearly = period.is_year_long
    cbr = formulas.rate_per_thousand(births, pop_avg) if yearly else None
    cdr = formulas.rate_per_thousand(f["deaths"], pop_avg) if yearly else None
    srb_lo, srb_hi = formulas.srb_interval(males, females)
    asfr: dict[str, Value] = {}
    for x in ASFR_AGES:
        women = (s[f"w{x}"] + e[f"w{x}"]) / 2
        asfr[f"ASFR_{x}"] = formulas.rate_per_thousand(f[f"b{x}"], women) if yearly else None
    values: dict[str, Value] = {
        "POP_START": s["pop"],
        "POP_END": e["pop"],
        "POP_AVG": pop_avg,
        "BIRTHS": births,
        "BIRTHS_M": males,
        "BIRTHS_F": females,
        "BIRTHS_O1": f["births_o1"],
        "BIRTHS_O2": f["births_o2"],
        "BIRTHS_O3P": f["births_o3p"],
        "DEATHS": f["deaths"],
        "MOVE_IN": f["move_in"],
        "MOVE_OUT": f["move_out"],
        "MARRIAGES": f["marriages"],
        "CBR": cbr,
        "CDR": cdr,
        "RNI": formulas.rni(cbr, cdr),
        "SRB": formulas.srb(males, females),
        "SRB_LO": srb_lo,
        "SRB_HI": srb_hi,
        "WRA": e["wra"],
        "MWRA": e["mwra"],
        "GFR": (formulas.rate_per_thousand(births, (s["wra"] + e["wra"]) / 2)
                if yearly else None),
        **asfr,
        "TFR": formulas.tfr(list(asfr.values())) if yearly else None,
        "REG_TIMELY": formulas.percentage(f["timely"], births),
    }
    return {code: values[code] for code in CODES}


def monthly_series(*, unit: Unit, code: str, start_month: str, end_month: str,
                   using: str = "default") -> list[tuple[str, float | int | None]]:
    """(month code, value) of one indicator for every month from start to end, inclusive."""
    by_code_or_error(code)
    first, last = _month(start_month), _month(end_month)
    if last.start < first.start:
        raise ValidationError(_("The last month %(end)s is before the first %(start)s."),
                              start=start_month, end=end_month)
    months: list[Period] = []
    year, month = first.start.year, first.start.month
    while (year, month) <= (last.start.year, last.start.month):
        months.append(parse_period(f"{year}{month:02d}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    rows = compute_indicators_many(unit=unit, periods=months, using=using)
    return [(p.code, rows[p.code][0].values[code]) for p in months]


def _month(code: str) -> Period:
    try:
        period = parse_period(code)
    except ValueError as exc:
        raise ValidationError(_("Unknown period %(period)s."), period=code) from exc
    if period.kind is not PeriodKind.MONTH:
        raise ValidationError(_("%(period)s is not a month (YYYYMM)."), period=code)
    return period


def by_code_or_error(code: str) -> None:
    try:
        by_code(code)
    except KeyError:
        raise ValidationError(_("Unknown indicator %(code)s."), code=code) from None


# Drill-down: which stock measure (and on which day) or which events a count is made of.
_STOCK_CODES = {"POP_START": ("pop", True), "POP_END": ("pop", False),
                "WRA": ("wra", False), "MWRA": ("mwra", False)}
_BIRTH_CODES = {"BIRTHS": "1 = 1", "BIRTHS_M": "b.sex = 1", "BIRTHS_F": "b.sex = 2",
                "BIRTHS_O1": "b.birth_order = 1", "BIRTHS_O2": "b.birth_order = 2",
                "BIRTHS_O3P": "b.birth_order >= 3"}
_EVENT_CODES = {"DEATHS": "death", "MOVE_IN": "move_in", "MOVE_OUT": "move_out",
                "MARRIAGES": "marriage"}


def persons_behind(*, unit: Unit, period: Period, code: str, using: str = "default"
                   ) -> list[str]:
    """The person ids behind a count (sorted, each once): persons counted in a population,
    the children born, the deceased, the movers, both spouses of a marriage."""
    by_code_or_error(code)
    store = get_store(using)
    q_map = output_units(store, unit).q_map
    first, last = day_number(period.start), day_number(period.end)
    if code in _STOCK_CODES:
        measure, at_start = _STOCK_CODES[code]
        day = day_number(period.day_before_start) if at_start else last
        statement = sql.stock_persons_sql(measure, day)
    elif code in _BIRTH_CODES:
        statement = sql.birth_persons_sql(_BIRTH_CODES[code], first, last)
    elif code in _EVENT_CODES:
        statement = sql.event_persons_sql(_EVENT_CODES[code], first, last)
    else:
        raise ValidationError(_("%(code)s is not a count of persons or events."), code=code)
    with store.cursor(q_map=q_map) as cur:
        return [str(row[0]) for row in cur.execute(statement).fetchall()]
