"""Reporting periods (SPEC §3, codes as in DHIS2) and ages in completed years.

Pure module: no Django, no database.

=========  ====================  ================================  ==============
code       kind                  days (both ends included)         label_zh
=========  ====================  ================================  ==============
2024       calendar year         2024-01-01 … 2024-12-31           2024年
2024Q1     quarter               2024-01-01 … 2024-03-31           2024年第1季度
202403     month                 2024-03-01 … 2024-03-31           2024年3月
2024Oct    statistical year      2024-10-01 … 2025-09-30           2025统计年度
=========  ====================  ================================  ==============

The family-planning statistical year is named after the calendar year in which it *ends*
(2024Oct is the 2025 statistical year), while its DHIS2 code names the year it starts.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "Period",
    "PeriodKind",
    "age_on",
    "months_of",
    "nth_birthday",
    "parse_period",
]

# A registry of living people has no use for earlier periods; the bounds also keep every
# derived date (day_before_start, a stat year's end) inside datetime.date's range.
MIN_YEAR = 1900
MAX_YEAR = 2999

_ONE_DAY = timedelta(days=1)
_STAT_YEAR_START_MONTH = 10  # 1 October … 30 September


class PeriodKind(StrEnum):
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"
    STAT_YEAR = "stat_year"


@dataclass(frozen=True, slots=True)
class Period:
    """A span of whole days, ``start`` and ``end`` both included."""

    code: str
    start: date
    end: date
    kind: PeriodKind

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(
                f"period {self.code!r} ends ({self.end}) before it starts ({self.start})"
            )

    def __str__(self) -> str:
        return self.code

    @property
    def is_year_long(self) -> bool:
        """Rates (CBR, CDR, GFR, ASFR, TFR …) are defined only for year-long periods."""
        return self.kind in (PeriodKind.YEAR, PeriodKind.STAT_YEAR)

    @property
    def day_before_start(self) -> date:
        """The day whose end-of-day population is the period's starting population."""
        return self.start - _ONE_DAY

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def label_zh(self) -> str:
        """The name users see: 2024年, 2024年第1季度, 2024年3月, 2025统计年度."""
        match self.kind:
            case PeriodKind.YEAR:
                return f"{self.start.year}年"
            case PeriodKind.QUARTER:
                return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
            case PeriodKind.MONTH:
                return f"{self.start.year}年{self.start.month}月"
            case PeriodKind.STAT_YEAR:
                # Named after the year it ends in.
                return f"{self.end.year}统计年度"


def _year(code: str, year: int) -> Period:
    return Period(code, date(year, 1, 1), date(year, 12, 31), PeriodKind.YEAR)


def _quarter(year: int, quarter: int) -> Period:
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    end = date(year, last_month, calendar.monthrange(year, last_month)[1])
    return Period(f"{year}Q{quarter}", date(year, first_month, 1), end, PeriodKind.QUARTER)


def _month(year: int, month: int) -> Period:
    end = date(year, month, calendar.monthrange(year, month)[1])
    return Period(f"{year}{month:02d}", date(year, month, 1), end, PeriodKind.MONTH)


def _stat_year(year: int) -> Period:
    start = date(year, _STAT_YEAR_START_MONTH, 1)
    end = date(year + 1, _STAT_YEAR_START_MONTH, 1) - _ONE_DAY
    return Period(f"{year}Oct", start, end, PeriodKind.STAT_YEAR)


# Whole-string patterns (fullmatch); [0-9] rather than \d, which also matches non-ASCII digits.
_RE_YEAR = re.compile(r"([0-9]{4})")
_RE_QUARTER = re.compile(r"([0-9]{4})[Qq]([0-9])")
_RE_MONTH = re.compile(r"([0-9]{4})([0-9]{2})")
# "Oct" as DHIS2 writes it; "OCT" and "oct" are accepted and normalised to "Oct".
_RE_STAT_YEAR = re.compile(r"([0-9]{4})(Oct|OCT|oct)")

_EXPECTED = "expected YYYY, YYYYQ1…YYYYQ4, YYYYMM or YYYYOct (e.g. 2024, 2024Q1, 202403, 2024Oct)"


def _check_year(code: str, year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(
            f"invalid period code {code!r}: year must be between {MIN_YEAR} and {MAX_YEAR}"
        )


def parse_period(code: str) -> Period:
    """Parse a period code; the returned ``code`` is canonical (e.g. "2024oct" → "2024Oct").

    Raises ValueError with an English message naming the code and what was expected.
    """
    text = code.strip()
    if match := _RE_YEAR.fullmatch(text):
        year = int(match[1])
        _check_year(code, year)
        return _year(str(year), year)
    if match := _RE_QUARTER.fullmatch(text):
        year, quarter = int(match[1]), int(match[2])
        _check_year(code, year)
        if not 1 <= quarter <= 4:
            raise ValueError(f"invalid period code {code!r}: quarter must be 1–4")
        return _quarter(year, quarter)
    if match := _RE_MONTH.fullmatch(text):
        year, month = int(match[1]), int(match[2])
        _check_year(code, year)
        if not 1 <= month <= 12:
            raise ValueError(f"invalid period code {code!r}: month must be 01–12")
        return _month(year, month)
    if match := _RE_STAT_YEAR.fullmatch(text):
        year = int(match[1])
        _check_year(code, year)
        return _stat_year(year)
    raise ValueError(f"invalid period code {code!r}: {_EXPECTED}")


def months_of(period: Period) -> list[Period]:
    """The month periods making up ``period`` in order (a month is made of itself)."""
    months: list[Period] = []
    day = period.start.replace(day=1)
    while day <= period.end:
        months.append(_month(day.year, day.month))
        # First of next month.
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def age_on(birth: date, day: date) -> int:
    """Age in completed years at the end of ``day``.

    Someone born on 29 February turns a year older on 1 March in common years (SPEC §2):
    comparing (month, day) pairs gives exactly that, since (2, 28) < (2, 29) < (3, 1).
    Before ``birth`` the result is negative (−1 during the year before), which keeps
    ``age_on(b, nth_birthday(b, n) - 1 day) == n - 1`` true for n = 0 as well.
    """
    not_yet = (day.month, day.day) < (birth.month, birth.day)
    return day.year - birth.year - int(not_yet)


def nth_birthday(birth: date, years: int) -> date:
    """The first day on which ``age_on(birth, day) == years``.

    For 29 February births that is 1 March in common years. The statistics engine turns
    "aged x … x+4 on day t" into the exact date bounds ``nth_birthday`` gives.
    """
    if years < 0:
        raise ValueError(f"years must be non-negative, got {years}")
    year = birth.year + years
    if birth.month == 2 and birth.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return date(year, birth.month, birth.day)
