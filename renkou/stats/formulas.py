"""Arithmetic of the indicators in SPEC §3, kept apart from the counting.

Pure module: the engine counts with SQL and hands the counts to these functions. Every
function returns ``None`` where the indicator is undefined (a zero denominator, a missing
input): SPEC §3 wants null there, "not 0 and not an error".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = [
    "SRB_Z",
    "percentage",
    "rate_per_thousand",
    "rni",
    "srb",
    "srb_interval",
    "tfr",
]

# Two-sided 95 % normal quantile, the value SPEC §3 fixes for SRB_LO / SRB_HI.
SRB_Z = 1.959964

# ASFRs cover five-year age groups: each woman spends five years in each.
_AGE_GROUP_WIDTH = 5


def rate_per_thousand(numerator: float, denominator: float | None) -> float | None:
    """``numerator / denominator × 1000`` (CBR, CDR, GFR, ASFR); None for a 0 or unknown
    denominator."""
    if denominator is None or denominator == 0:
        return None
    return numerator / denominator * 1000


def rni(cbr: float | None, cdr: float | None) -> float | None:
    """Rate of natural increase, CBR − CDR (‰); None when either rate is undefined."""
    if cbr is None or cdr is None:
        return None
    return cbr - cdr


def srb(males: int, females: int) -> float | None:
    """Sex ratio at birth: boys per 100 girls; None when there are no girls."""
    if females == 0:
        return None
    return males / females * 100


def _ratio_per_hundred(q: float) -> float | None:
    # p/(1 − p) turns a share of boys into boys per girl; p = 1 has no finite ratio.
    if q >= 1:
        return None
    return 100 * q / (1 - q)


def srb_interval(males: int, females: int, z: float = SRB_Z) -> tuple[float | None, float | None]:
    """95 % interval for the sex ratio at birth (SRB_LO, SRB_HI).

    The Wilson score interval for p = males / (males + females), each bound q mapped to
    100·q/(1 − q). Wilson rather than Wald because it stays inside [0, 1] and behaves for the
    small counts of a village or township. No births → (None, None); no girls → the upper
    bound is infinite → None.
    """
    n = males + females
    if n == 0:
        return None, None
    p = males / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half_width = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # Exact bounds are 0 with no boys and 1 with no girls; rounding must not cross them.
    low = 0.0 if males == 0 else max(0.0, centre - half_width)
    high = 1.0 if females == 0 else min(1.0, centre + half_width)
    return _ratio_per_hundred(low), _ratio_per_hundred(high)


def tfr(asfrs: Sequence[float | None]) -> float | None:
    """Total fertility rate from five-year ASFRs (per 1000 women): 5 × Σ ASFR / 1000.

    None if any ASFR is None, or if there are none at all.
    """
    if not asfrs:
        return None
    total = 0.0
    for asfr in asfrs:
        if asfr is None:
            return None
        total += asfr
    return _AGE_GROUP_WIDTH * total / 1000


def percentage(part: int, whole: int) -> float | None:
    """``part / whole × 100`` (0–100); None when ``whole`` is 0."""
    if whole == 0:
        return None
    return part / whole * 100
