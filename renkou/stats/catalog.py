"""The indicator catalog: every SPEC §3 indicator, once, in SPEC order.

The engine, the `indicators` command, reports and the web app all read this list; nothing
else spells out an indicator's name, unit or formula. Codes and order are the SPEC §3 JSON
contract. Names are given in both languages (the catalog is data, not UI text; `label()`
picks one for the active language).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import get_language

__all__ = [
    "ASFR_AGES",
    "CATALOG",
    "CODES",
    "COUNT_CODES",
    "Indicator",
    "Kind",
    "by_code",
]


class Kind(StrEnum):
    COUNT = "count"  # integer number of persons or events
    MEAN = "mean"  # average of two counts (POP_AVG)
    RATE = "rate"  # per 1000 per year; null unless the period is year-long
    RATIO = "ratio"  # SRB and its bounds: boys per 100 girls
    PERCENT = "percent"  # 0–100
    TOTAL = "total"  # TFR: children per woman


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    formula: str
    unit: str
    kind: Kind
    decimals: int

    @property
    def is_rate(self) -> bool:
        """Per-year rates (CBR CDR RNI GFR ASFR_* TFR): null for periods not year-long."""
        return self.kind in (Kind.RATE, Kind.TOTAL)

    @property
    def is_count(self) -> bool:
        return self.kind is Kind.COUNT

    def label(self, language: str | None = None) -> str:
        """The name in `language` (default: the active one); Chinese unless English."""
        lang = (language or get_language() or "zh-hans").lower()
        return self.name_en if lang.startswith("en") else self.name_zh


# Lower bounds of the five-year age groups of ASFR_15 … ASFR_45.
ASFR_AGES: tuple[int, ...] = (15, 20, 25, 30, 35, 40, 45)

_PERSONS = "人"
_EVENTS = "例"
_PER_MILLE = "‰"

_I = Indicator
CATALOG: tuple[Indicator, ...] = (
    _I("POP_START", "期初人口", "Population at start", "P(a − 1 day)",
       _PERSONS, Kind.COUNT, 0),
    _I("POP_END", "期末人口", "Population at end", "P(b)", _PERSONS, Kind.COUNT, 0),
    _I("POP_AVG", "平均人口", "Average population", "(POP_START + POP_END) / 2",
       _PERSONS, Kind.MEAN, 1),
    _I("BIRTHS", "出生人数", "Births", "birth events dated in [a, b] registered in U",
       _PERSONS, Kind.COUNT, 0),
    _I("BIRTHS_M", "出生男婴", "Births, boys", "BIRTHS with child's sex = 1",
       _PERSONS, Kind.COUNT, 0),
    _I("BIRTHS_F", "出生女婴", "Births, girls", "BIRTHS with child's sex = 2",
       _PERSONS, Kind.COUNT, 0),
    _I("BIRTHS_O1", "一孩出生", "Births, first order",
       "BIRTHS of order 1 (birth_order, else rank among the mother's children; "
       "unknown mother → 1)", _PERSONS, Kind.COUNT, 0),
    _I("BIRTHS_O2", "二孩出生", "Births, second order", "BIRTHS of order 2",
       _PERSONS, Kind.COUNT, 0),
    _I("BIRTHS_O3P", "三孩及以上出生", "Births, third order and higher",
       "BIRTHS of order ≥ 3", _PERSONS, Kind.COUNT, 0),
    _I("DEATHS", "死亡人数", "Deaths", "death events dated in [a, b] registered in U",
       _PERSONS, Kind.COUNT, 0),
    _I("MOVE_IN", "迁入人数", "Moves in", "move_in events dated in [a, b] in U",
       _PERSONS, Kind.COUNT, 0),
    _I("MOVE_OUT", "迁出人数", "Moves out", "move_out events dated in [a, b] in U",
       _PERSONS, Kind.COUNT, 0),
    _I("MARRIAGES", "结婚对数", "Marriages", "marriage events dated in [a, b] in U",
       "对", Kind.COUNT, 0),
    _I("CBR", "出生率", "Crude birth rate", "BIRTHS / POP_AVG × 1000",
       _PER_MILLE, Kind.RATE, 2),
    _I("CDR", "死亡率", "Crude death rate", "DEATHS / POP_AVG × 1000",
       _PER_MILLE, Kind.RATE, 2),
    _I("RNI", "自然增长率", "Rate of natural increase", "CBR − CDR",
       _PER_MILLE, Kind.RATE, 2),
    _I("SRB", "出生人口性别比", "Sex ratio at birth", "BIRTHS_M / BIRTHS_F × 100",
       "男/百女", Kind.RATIO, 1),
    _I("SRB_LO", "性别比95%置信下限", "SRB 95% lower bound",
       "Wilson score interval for BIRTHS_M / BIRTHS (z = 1.959964), mapped by 100·p/(1 − p)",
       "男/百女", Kind.RATIO, 1),
    _I("SRB_HI", "性别比95%置信上限", "SRB 95% upper bound",
       "Wilson score interval for BIRTHS_M / BIRTHS (z = 1.959964), mapped by 100·p/(1 − p)",
       "男/百女", Kind.RATIO, 1),
    _I("WRA", "育龄妇女", "Women of reproductive age", "women aged 15–49 counted in P(b)",
       _PERSONS, Kind.COUNT, 0),
    _I("MWRA", "已婚育龄妇女", "Married women of reproductive age",
       "of WRA, married on b", _PERSONS, Kind.COUNT, 0),
    _I("GFR", "一般生育率", "General fertility rate",
       "BIRTHS / ((WRA on a − 1 day + WRA on b) / 2) × 1000", _PER_MILLE, Kind.RATE, 2),
    *(
        _I(f"ASFR_{x}", f"{x}–{x + 4}岁年龄别生育率", f"Age-specific fertility rate {x}–{x + 4}",
           f"births to known mothers aged {x}–{x + 4} at the birth / women aged {x}–{x + 4} "
           "(mean of a − 1 day and b) × 1000", _PER_MILLE, Kind.RATE, 2)
        for x in ASFR_AGES
    ),
    _I("TFR", "总和生育率", "Total fertility rate", "5 × Σ ASFR / 1000",
       "孩/妇女", Kind.TOTAL, 3),
    _I("REG_TIMELY", "出生登记及时率", "Timely birth registration",
       "100 × BIRTHS with recorded_date − date ≤ 30 days / BIRTHS", "%", Kind.PERCENT, 1),
)

CODES: tuple[str, ...] = tuple(ind.code for ind in CATALOG)
COUNT_CODES: tuple[str, ...] = tuple(ind.code for ind in CATALOG if ind.is_count)
_BY_CODE = {ind.code: ind for ind in CATALOG}


def by_code(code: str) -> Indicator:
    """The indicator named `code`; KeyError if there is none."""
    return _BY_CODE[code]
