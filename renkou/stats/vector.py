"""`formulas.py` over arrays: every indicator of many rows at once.

The engine computes thousands of rows per call (every village × 13 periods); calling the
scalar formulas per row costs more than the counting. These are the same expressions, in the
same order of operations, on float64 arrays — IEEE arithmetic (and sqrt) is correctly
rounded, so every value is bit-for-bit the one `engine.indicator_values` (which calls
formulas.py) gives; tests/stats/test_vector.py checks that on random and edge inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from renkou.stats.catalog import ASFR_AGES, CODES
from renkou.stats.formulas import SRB_Z

__all__ = ["indicator_columns"]

Array = np.ndarray[Any, Any]
Column = tuple[Array, Array]  # values, defined?


def _f(values: Array) -> Array:
    return values.astype(np.float64)


def _per_thousand(numerator: Array, denominator: Array, when: Array) -> Column:
    ok = when & (denominator != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _f(numerator) / np.where(ok, denominator, 1.0) * 1000, ok


def _ratio_per_hundred(q: Array) -> Column:
    ok = q < 1
    with np.errstate(divide="ignore", invalid="ignore"):
        return 100 * q / np.where(ok, 1 - q, 1.0), ok


def _srb_interval(males: Array, females: Array) -> tuple[Column, Column]:
    n = _f(males + females)
    some = n > 0
    n1 = np.where(some, n, 1.0)
    p = _f(males) / n1
    z = SRB_Z
    z2 = z * z
    denominator = 1 + z2 / n1
    centre = (p + z2 / (2 * n1)) / denominator
    half_width = z / denominator * np.sqrt(p * (1 - p) / n1 + z2 / (4 * n1 * n1))
    low = np.where(males == 0, 0.0, np.maximum(0.0, centre - half_width))
    high = np.where(females == 0, 1.0, np.minimum(1.0, centre + half_width))
    (lo, lo_ok), (hi, hi_ok) = _ratio_per_hundred(low), _ratio_per_hundred(high)
    return (lo, lo_ok & some), (hi, hi_ok & some)


def indicator_columns(yearly: Array, s: Mapping[str, Array], e: Mapping[str, Array],
                      f: Mapping[str, Array]) -> dict[str, list[float | int | None]]:
    """Every catalog indicator (catalog order) for N rows: stock measures on a − 1 (`s`) and
    on b (`e`), flows (`f`), int64 arrays of length N; `yearly` says if the row's period is
    year-long. Values are Python ints / floats, None where undefined."""
    true = np.ones_like(yearly, dtype=bool)
    births, males, females = f["births"], f["births_m"], f["births_f"]
    pop_avg = _f(s["pop"] + e["pop"]) / 2
    cbr = _per_thousand(births, pop_avg, yearly)
    cdr = _per_thousand(f["deaths"], pop_avg, yearly)
    with np.errstate(divide="ignore", invalid="ignore"):
        srb = (_f(males) / np.where(females != 0, females, 1) * 100, females != 0)
    srb_lo, srb_hi = _srb_interval(males, females)
    wra_avg = _f(s["wra"] + e["wra"]) / 2
    asfr = {x: _per_thousand(f[f"b{x}"], _f(s[f"w{x}"] + e[f"w{x}"]) / 2, yearly)
            for x in ASFR_AGES}
    total = np.zeros(len(yearly), dtype=np.float64)
    all_ok = yearly.copy()
    for value, ok in asfr.values():
        total = total + value
        all_ok &= ok
    with np.errstate(divide="ignore", invalid="ignore"):
        timely = (_f(f["timely"]) / np.where(births != 0, births, 1) * 100, births != 0)
    columns: dict[str, Column] = {
        "POP_START": (s["pop"], true), "POP_END": (e["pop"], true), "POP_AVG": (pop_avg, true),
        "BIRTHS": (births, true), "BIRTHS_M": (males, true), "BIRTHS_F": (females, true),
        "BIRTHS_O1": (f["births_o1"], true), "BIRTHS_O2": (f["births_o2"], true),
        "BIRTHS_O3P": (f["births_o3p"], true), "DEATHS": (f["deaths"], true),
        "MOVE_IN": (f["move_in"], true), "MOVE_OUT": (f["move_out"], true),
        "MARRIAGES": (f["marriages"], true),
        "CBR": cbr, "CDR": cdr, "RNI": (cbr[0] - cdr[0], cbr[1] & cdr[1]),
        "SRB": srb, "SRB_LO": srb_lo, "SRB_HI": srb_hi,
        "WRA": (e["wra"], true), "MWRA": (e["mwra"], true),
        "GFR": _per_thousand(births, wra_avg, yearly),
        **{f"ASFR_{x}": asfr[x] for x in ASFR_AGES},
        "TFR": (5 * total / 1000, all_ok),
        "REG_TIMELY": timely,
    }
    result: dict[str, list[float | int | None]] = {}
    for code in CODES:
        values, ok = columns[code]
        column: list[float | int | None] = values.tolist()
        for i in np.flatnonzero(~ok).tolist():
            column[i] = None
        result[code] = column
    return result
