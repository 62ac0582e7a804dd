"""Plausibility of each unit's figures for a year, against its neighbours and its own past.

Every figure comes from the statistics engine (`compute_indicators_many`, one call for the
year and the three before it); nothing is recounted here. Four measures per unit:

- women 15–49 as a share of the population (WRA / POP_END),
- marriages per 1,000 (MARRIAGES / POP_AVG × 1000),
- the sex ratio at birth with its 95 % Wilson interval (SRB_LO … SRB_HI),
- the crude birth rate (BIRTHS / POP_AVG × 1000).

Neighbours are the sibling units under the same parent. A measure is flagged against them
when it lies more than 3 spreads from their median, where the spread is the larger of the
neighbours' robust spread (1.4826 × median absolute deviation) and the unit's own sampling
error at the median (binomial for a share, Poisson for a rate), so that a small unit is not
flagged for noise. Against its own history (the three previous years pooled), a share or a
rate is flagged when it differs by more than 3 sampling errors (z test: binomial, or Poisson
births/marriages against the count the old rate predicts); for the birth rate the reference
is last year alone (a jump). The SRB is flagged when its
interval excludes the neighbours' or the past's pooled SRB, or the normal range 103–107
entirely. Flags say why in words. Units are listed by code: never ranked on births.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from renkou.core.errors import ValidationError
from renkou.core.periods import parse_period
from renkou.stats.engine import IndicatorRow, compute_indicators_many
from renkou.units.models import Unit

THRESHOLD = 3.0  # spreads / standard errors
MIN_NEIGHBOURS = 3
HISTORY_YEARS = 3
SRB_NORMAL = (103.0, 107.0)
MEASURES = ("WRA_SHARE", "MARRIAGE_RATE", "SRB", "CBR")
LEVELS = ("township", "village", "group")


@dataclass
class Flag:
    measure: str
    against: str  # neighbours, history, normal
    value: float
    reference: float
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"measure": self.measure, "against": self.against,
                "value": round(self.value, 4), "reference": round(self.reference, 4),
                "reason": self.reason}


@dataclass
class UnitCheck:
    unit_code: str
    unit_name: str
    parent_code: str
    values: dict[str, float | None]
    flags: list[Flag] = field(default_factory=list)


@dataclass(frozen=True)
class _Counts:
    """The counts behind the measures for one unit and year."""

    pop_end: int
    pop_avg: float
    wra: int
    marriages: int
    births: int
    boys: int
    girls: int

    @classmethod
    def of(cls, row: IndicatorRow) -> _Counts:
        v = row.values

        def num(code: str) -> float:
            x = v.get(code)
            return float(x) if x is not None else 0.0

        return cls(int(num("POP_END")), num("POP_AVG"), int(num("WRA")),
                   int(num("MARRIAGES")), int(num("BIRTHS")), int(num("BIRTHS_M")),
                   int(num("BIRTHS_F")))

    def __add__(self, other: _Counts) -> _Counts:
        return _Counts(self.pop_end + other.pop_end, self.pop_avg + other.pop_avg,
                       self.wra + other.wra, self.marriages + other.marriages,
                       self.births + other.births, self.boys + other.boys,
                       self.girls + other.girls)

    def wra_share(self) -> float | None:
        return self.wra / self.pop_end if self.pop_end else None

    def marriage_rate(self) -> float | None:
        return self.marriages / self.pop_avg * 1000 if self.pop_avg else None

    def cbr(self) -> float | None:
        return self.births / self.pop_avg * 1000 if self.pop_avg else None

    def srb(self) -> float | None:
        return self.boys / self.girls * 100 if self.girls else None


_EMPTY = _Counts(0, 0.0, 0, 0, 0, 0, 0)


def _sampling_se(measure: str, reference: float, counts: _Counts) -> float:
    """The unit's sampling error of `measure` if its true value were `reference`."""
    if measure == "WRA_SHARE":
        p = reference
        return math.sqrt(max(p * (1 - p), 0.0) / counts.pop_end) if counts.pop_end else math.inf
    # A per-1,000 rate of a Poisson count over pop_avg person-years.
    return math.sqrt(max(reference, 0.0) * 1000 / counts.pop_avg) if counts.pop_avg else math.inf


def _value(measure: str, counts: _Counts) -> float | None:
    return {"WRA_SHARE": counts.wra_share, "MARRIAGE_RATE": counts.marriage_rate,
            "CBR": counts.cbr, "SRB": counts.srb}[measure]()


def _label(measure: str) -> str:
    return {"WRA_SHARE": _("share of women aged 15–49"),
            "MARRIAGE_RATE": _("marriages per 1,000"),
            "CBR": _("crude birth rate"), "SRB": _("sex ratio at birth")}[measure]


def _fmt(measure: str, x: float) -> str:
    return f"{x * 100:.1f}%" if measure == "WRA_SHARE" else f"{x:.2f}"


def _neighbour_flag(measure: str, counts: _Counts, others: list[_Counts]) -> Flag | None:
    value = _value(measure, counts)
    values = [x for x in (_value(measure, o) for o in others) if x is not None]
    if value is None or len(values) < MIN_NEIGHBOURS:
        return None
    median = statistics.median(values)
    mad = statistics.median(abs(x - median) for x in values)
    spread = max(1.4826 * mad, _sampling_se(measure, median, counts))
    if spread == 0 or abs(value - median) <= THRESHOLD * spread:
        return None
    return Flag(measure, "neighbours", value, median, _(
        "%(measure)s is %(value)s; the neighbouring units' median is %(median)s "
        "(more than %(k)s spreads away)") % {
        "measure": _label(measure), "value": _fmt(measure, value),
        "median": _fmt(measure, median), "k": f"{THRESHOLD:g}"})


def _history_flag(measure: str, counts: _Counts, past: _Counts) -> Flag | None:
    value, reference = _value(measure, counts), _value(measure, past)
    if value is None or reference is None:
        return None
    se = _sampling_se(measure, reference, counts)
    if se == 0 or not math.isfinite(se):
        return None
    z = (value - reference) / se
    if abs(z) <= THRESHOLD:
        return None
    text = (_("%(measure)s is %(value)s against %(reference)s last year (z = %(z)s)")
            if measure == "CBR" else
            _("%(measure)s is %(value)s against %(reference)s in the previous years "
              "(z = %(z)s)"))
    return Flag(measure, "history", value, reference, text % {"measure": _label(measure), "value": _fmt(measure, value),
                           "reference": _fmt(measure, reference), "z": f"{z:.1f}"})


def _srb_flags(row: IndicatorRow, neighbours: _Counts, past: _Counts, others: int
               ) -> list[Flag]:
    lo, hi, srb = row.values.get("SRB_LO"), row.values.get("SRB_HI"), row.values.get("SRB")
    if lo is None or srb is None:
        return []
    low, high = float(lo), math.inf if hi is None else float(hi)
    flags: list[Flag] = []
    interval = f"{low:.1f}–{'∞' if high == math.inf else f'{high:.1f}'}"
    if high < SRB_NORMAL[0] or low > SRB_NORMAL[1]:
        flags.append(Flag("SRB", "normal", float(srb), sum(SRB_NORMAL) / 2, _(
            "the 95%% interval of the sex ratio at birth, %(interval)s, lies outside the "
            "normal range 103–107") % {"interval": interval}))
    for against, pooled in (("neighbours", neighbours), ("history", past)):
        if against == "neighbours" and others < MIN_NEIGHBOURS:
            continue
        reference = pooled.srb()
        if reference is not None and not low <= reference <= high:
            text = (_("the neighbouring units' sex ratio at birth, %(ref)s, lies outside this "
                      "unit's 95%% interval %(interval)s") if against == "neighbours" else
                    _("the sex ratio at birth of the previous years, %(ref)s, lies outside "
                      "this year's 95%% interval %(interval)s"))
            flags.append(Flag("SRB", against, float(srb), reference,
                              text % {"ref": f"{reference:.1f}", "interval": interval}))
    return flags


def plausibility_check(*, unit: Unit, year: int, level: str = "village") -> list[UnitCheck]:
    """Check every unit of `level` under `unit` (or `unit` itself if it is of that level)."""
    if level not in LEVELS:
        raise ValidationError(_("Unknown level %(level)s."), level=level)
    scope = unit
    if unit.level == level:
        if unit.parent is None:
            raise ValidationError(_("The unit has no parent, so no neighbours."))
        scope = unit.parent
    periods = [parse_period(str(y)) for y in range(year - HISTORY_YEARS, year + 1)]
    by_period = compute_indicators_many(unit=scope, periods=periods, by_level=level)
    current = by_period[str(year)]
    parents = dict(Unit.objects.filter(code__in=[r.unit_code for r in current])
                   .values_list("code", "parent_id"))
    counts = {r.unit_code: _Counts.of(r) for r in current}
    past: dict[str, _Counts] = {r.unit_code: _EMPTY for r in current}
    last = {r.unit_code: _Counts.of(r) for r in by_period[str(year - 1)]}
    for p in periods[:-1]:
        for r in by_period[p.code]:
            past[r.unit_code] = past[r.unit_code] + _Counts.of(r)
    checks: list[UnitCheck] = []
    for row in current:
        if unit.level == level and row.unit_code != unit.code:
            continue
        own = counts[row.unit_code]
        parent = str(parents.get(row.unit_code) or "")
        others = [counts[c] for c, pc in parents.items() if pc == parent and c != row.unit_code]
        check = UnitCheck(row.unit_code, row.unit_name, parent,
                          {m: _value(m, own) for m in MEASURES} | {
                              "SRB_LO": _num(row.values.get("SRB_LO")),
                              "SRB_HI": _num(row.values.get("SRB_HI"))})
        for measure in ("WRA_SHARE", "MARRIAGE_RATE", "CBR"):
            # The birth rate's history is last year (a jump); the others' the pooled years.
            history = last[row.unit_code] if measure == "CBR" else past[row.unit_code]
            for flag in (_neighbour_flag(measure, own, others),
                         _history_flag(measure, own, history)):
                if flag is not None:
                    check.flags.append(flag)
        pooled = _EMPTY
        for other in others:
            pooled = pooled + other
        check.flags.extend(_srb_flags(row, pooled, past[row.unit_code], len(others)))
        checks.append(check)
    return checks


def _num(x: Any) -> float | None:
    return None if x is None else float(x)
