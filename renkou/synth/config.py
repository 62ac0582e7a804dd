"""Parameters, demographic tables and shared helpers of the synthetic county generator.

All rates are per year. The tables are deliberately plain data so that a statistician can read
and adjust them without touching the generator logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

IntArr = npt.NDArray[np.int64]
FloatArr = npt.NDArray[np.float64]
BoolArr = npt.NDArray[np.bool_]
StrArr = npt.NDArray[np.str_]
BytesArr = npt.NDArray[np.bytes_]

EPOCH = date(1970, 1, 1)
DAYS_PER_YEAR = 365.2425

# The synthetic county: real-looking codes, fictional county name (the data are invented).
PROVINCE_CODE, PROVINCE_NAME = "410000000000", "河南省"
CITY_CODE, CITY_NAME = "410300000000", "洛阳市"
COUNTY_PREFIX = "410325"
COUNTY_CODE, COUNTY_NAME = COUNTY_PREFIX + "000000", "嵩阳县"

# Birth counties of people born or registered elsewhere (first six ID digits).
# fmt: off
OTHER_COUNTIES: tuple[str, ...] = (
    "410322", "410323", "410324", "410326", "410327", "410328", "410329", "410381",
    "411025", "411323", "411381", "411421", "411522", "411621", "411721", "410482",
    "130181", "340321", "370826", "420116", "510921", "320382", "441302", "610125",
)
# fmt: on
# Probability weights of OTHER_COUNTIES: neighbours in the same province are most common.
# fmt: off
OTHER_COUNTY_WEIGHTS: tuple[float, ...] = (
    8, 8, 7, 7, 6, 6, 6, 5, 3, 3, 3, 3, 3, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1,
)
# fmt: on

# Relation to household head, GB/T 4761-2008.
REL_HEAD, REL_SPOUSE, REL_SON, REL_DAUGHTER = "02", "10", "20", "30"
REL_SON_IN_LAW, REL_DAUGHTER_IN_LAW, REL_GRANDCHILD = "28", "38", "40"
REL_FATHER, REL_MOTHER, REL_FATHER_IN_LAW, REL_MOTHER_IN_LAW = "51", "52", "55", "56"
REL_SIBLING, REL_OTHER, REL_NON_RELATIVE = "70", "80", "99"

# Marital status, GB/T 2261.2 first digit.
MS_NEVER, MS_MARRIED, MS_WIDOWED, MS_DIVORCED = 10, 20, 30, 40

# Ethnicity, GB 3304 two-digit codes: Han, Hui (the largest minority in Henan), a few others.
ETHNICITY_CODES: tuple[str, ...] = ("01", "03", "02", "11", "08", "15")
ETHNICITY_WEIGHTS: tuple[float, ...] = (0.9855, 0.0105, 0.001, 0.001, 0.001, 0.001)

EVENT_TYPES: tuple[str, ...] = ("birth", "death", "marriage", "divorce", "move_in", "move_out")
SOURCES: tuple[str, ...] = ("village", "hospital", "civil_affairs", "police", "survey", "other")

# Relative size of each birth cohort (people per birth year, 2020-census shape). The bulges of
# 1962-1975 and 1985-1991, the 1959-61 famine trough, the low cohorts around 2000-2005 and the
# short two-child peak of 2016-17 are what a county statistician expects to see.
# fmt: off
COHORT_SIZE: dict[int, float] = {
    1915: 0.05, 1920: 0.15, 1925: 0.5, 1930: 1.4, 1935: 2.8, 1940: 4.8, 1945: 7.2, 1950: 12.5,
    1953: 15.0, 1956: 15.2, 1958: 14.0, 1960: 11.0, 1961: 10.5, 1962: 19.5, 1963: 24.5, 1965: 23.5,
    1968: 25.0, 1970: 24.0, 1972: 22.5, 1975: 21.0, 1977: 18.0, 1980: 18.5, 1982: 20.0, 1985: 21.5,
    1987: 25.5, 1989: 25.5, 1991: 21.0, 1993: 18.0, 1996: 16.0, 1999: 14.5, 2002: 14.0, 2005: 15.5,
    2008: 16.5, 2011: 17.0, 2014: 17.5, 2016: 18.8, 2017: 17.9, 2018: 15.6, 2019: 14.7, 2020: 12.0,
    2021: 10.6, 2022: 9.6, 2023: 9.0, 2024: 9.5, 2025: 8.8,
}
# fmt: on

# Target shares of the living registered population at the end date (2020 census).
TARGET_SHARE_0_14 = 0.1795
TARGET_SHARE_60P = 0.1870

# Crude birth / death rates (per 1000 per year) by calendar year for this rural county: a little
# above the national rate, clamped to a plausible band for years outside the table.
# fmt: off
CBR_BY_YEAR: dict[int, float] = {
    2016: 12.8, 2017: 12.4, 2018: 10.9, 2019: 10.2, 2020: 8.9, 2021: 8.1, 2022: 7.6, 2023: 7.1,
    2024: 7.5, 2025: 7.0,
}
# fmt: on
# fmt: off
CDR_BY_YEAR: dict[int, float] = {
    2019: 6.9, 2020: 7.0, 2021: 7.0, 2022: 7.3, 2023: 7.6, 2024: 7.2, 2025: 7.2,
}
# fmt: on

# Sex ratio at birth (boys per 100 girls) by birth year: it rose to ~116 around 2005.
# fmt: off
SRB_BY_YEAR: dict[int, float] = {
    1950: 105.0, 1980: 107.0, 1995: 112.0, 2005: 116.0, 2015: 112.0, 2020: 110.0, 2025: 109.0,
}
# fmt: on


# Annual mortality hazard by age (Gompertz above 40, small floor for children).
def mortality(age: FloatArr) -> FloatArr:
    """Annual death hazard at (fractional) age; only relative values matter."""
    adult = 7e-4 * np.exp(0.095 * (age - 40.0))
    child = np.where(age < 1.0, 4e-3, 3e-4)
    return np.maximum(np.minimum(adult, 0.45), child)


@dataclass(frozen=True)
class SynthParams:
    """Tunable shares of the generator (defaults give a realistic county)."""

    id_empty_share: float = 0.02
    id_wrong_share: float = 0.005
    duplicate_share: float = 0.03
    unregistered_birth_share: float = 0.03
    hospital_coverage: float = 0.85
    civil_marriage_coverage: float = 0.95
    missing_marriage_share: float = 0.03
    external_years: int = 2
    village_level_household_share: float = 0.04
    late_record_share: float = 0.12
    birth_order_known_share: float = 0.70
    marriages_per_1000: float = 5.6
    divorces_per_1000: float = 1.1
    internal_moves_per_1000: float = 3.0
    household_out_per_1000: float = 1.5
    individual_out_per_1000: float = 2.5
    household_in_per_1000: float = 2.0
    persons_per_township: int = 50_000


# --- date helpers (dates are int64 days since 1970-01-01) --------------------------------------


def to_days(d: date) -> int:
    return (d - EPOCH).days


def shift_years(d: date, years: int) -> date:
    """Same month/day `years` later (29 February → 28 February)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def ymd(days: IntArr) -> tuple[IntArr, IntArr, IntArr]:
    """Year, month, day arrays of day numbers."""
    d = days.astype("datetime64[D]")
    y = d.astype("datetime64[Y]")
    m = d.astype("datetime64[M]")
    year = y.astype(np.int64) + 1970
    month = (m - y.astype("datetime64[M]")).astype(np.int64) + 1
    day = (d - m.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def age_on(birth: IntArr, on: IntArr | int) -> IntArr:
    """Completed years at day `on` (29 February birthdays count on 1 March in common years)."""
    by, bm, bd = ymd(birth)
    on_arr = np.broadcast_to(np.asarray(on, dtype=np.int64), birth.shape)
    ty, tm, td = ymd(on_arr)
    before = (tm < bm) | ((tm == bm) & (td < bd))
    return np.asarray(ty - by - before.astype(np.int64), dtype=np.int64)


def add_years(days: IntArr, years: int) -> IntArr:
    """The day a person born on `days` turns `years` (29 February: 1 March in common years)."""
    d = days.astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    y = d.astype("datetime64[Y]")
    out = (y + years).astype("datetime64[M]") + (m - y.astype("datetime64[M]"))
    return np.asarray(out.astype("datetime64[D]") + (d - m.astype("datetime64[D]")), dtype=np.int64)


def year_start(year: IntArr | int) -> IntArr:
    y = np.asarray(year, dtype=np.int64)
    return np.asarray((y - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64))


def interp_table(table: dict[int, float], years: IntArr | FloatArr) -> FloatArr:
    """Linear interpolation in a {year: value} table, constant outside it."""
    keys = np.array(sorted(table), dtype=np.float64)
    vals = np.array([table[int(k)] for k in keys], dtype=np.float64)
    return np.asarray(np.interp(np.asarray(years, dtype=np.float64), keys, vals))


def crude_birth_rate(year: int) -> float:
    """Births per 1000 per year in calendar `year` (table, clamped to a plausible band)."""
    return float(np.clip(interp_table(CBR_BY_YEAR, np.array([year]))[0], 6.6, 13.0))


def crude_death_rate(year: int) -> float:
    """Deaths per 1000 per year in calendar `year`."""
    return float(interp_table(CDR_BY_YEAR, np.array([year]))[0])


def weighted_sample(rng: np.random.Generator, weights: FloatArr, k: int) -> IntArr:
    """k indices without replacement, probability ∝ weight (Efraimidis–Spirakis keys)."""
    pos = np.flatnonzero(weights > 0)
    k = min(k, pos.size)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    keys = rng.exponential(size=pos.size) / weights[pos]
    chosen = np.argpartition(keys, k - 1)[:k] if k < pos.size else np.arange(pos.size)
    chosen = chosen[np.argsort(keys[chosen], kind="stable")]
    return np.asarray(pos[chosen], dtype=np.int64)


def uniform_days(rng: np.random.Generator, lo: IntArr, hi: IntArr) -> IntArr:
    """A uniform day in [lo, hi] for each pair (hi >= lo)."""
    span = np.maximum(hi - lo + 1, 1)
    return np.asarray(lo + np.floor(rng.random(lo.shape) * span).astype(np.int64), dtype=np.int64)
