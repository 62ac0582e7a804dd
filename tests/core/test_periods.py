"""Periods (SPEC §3) and ages in completed years (SPEC §2)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest

from renkou.core.periods import (
    MAX_YEAR,
    MIN_YEAR,
    Period,
    PeriodKind,
    age_on,
    months_of,
    nth_birthday,
    parse_period,
)

ONE_DAY = timedelta(days=1)


# --- parse_period ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "start", "end", "kind", "days", "label"),
    [
        # 2024 is a leap year: 366 days.
        ("2024", date(2024, 1, 1), date(2024, 12, 31), PeriodKind.YEAR, 366, "2024年"),
        ("2023", date(2023, 1, 1), date(2023, 12, 31), PeriodKind.YEAR, 365, "2023年"),
        # Q1 2024: 31 + 29 + 31 = 91; Q2: 30 + 31 + 30 = 91; Q3: 31 + 31 + 30 = 92;
        # Q4: 31 + 30 + 31 = 92 (sum 366). Q1 2023: 31 + 28 + 31 = 90.
        ("2024Q1", date(2024, 1, 1), date(2024, 3, 31), PeriodKind.QUARTER, 91, "2024年第1季度"),
        ("2024Q2", date(2024, 4, 1), date(2024, 6, 30), PeriodKind.QUARTER, 91, "2024年第2季度"),
        ("2024Q3", date(2024, 7, 1), date(2024, 9, 30), PeriodKind.QUARTER, 92, "2024年第3季度"),
        ("2024Q4", date(2024, 10, 1), date(2024, 12, 31), PeriodKind.QUARTER, 92, "2024年第4季度"),
        ("2023Q1", date(2023, 1, 1), date(2023, 3, 31), PeriodKind.QUARTER, 90, "2023年第1季度"),
        ("202403", date(2024, 3, 1), date(2024, 3, 31), PeriodKind.MONTH, 31, "2024年3月"),
        ("202402", date(2024, 2, 1), date(2024, 2, 29), PeriodKind.MONTH, 29, "2024年2月"),
        ("202302", date(2023, 2, 1), date(2023, 2, 28), PeriodKind.MONTH, 28, "2023年2月"),
        # 1900 is divisible by 100 and not by 400: common year. 2000 is divisible by 400.
        ("190002", date(1900, 2, 1), date(1900, 2, 28), PeriodKind.MONTH, 28, "1900年2月"),
        ("200002", date(2000, 2, 1), date(2000, 2, 29), PeriodKind.MONTH, 29, "2000年2月"),
        ("202411", date(2024, 11, 1), date(2024, 11, 30), PeriodKind.MONTH, 30, "2024年11月"),
        ("202412", date(2024, 12, 1), date(2024, 12, 31), PeriodKind.MONTH, 31, "2024年12月"),
        # Statistical year 2024Oct: 2024-10-01 … 2025-09-30, no 29 February inside → 365 days;
        # shown as the 2025 statistical year.
        (
            "2024Oct",
            date(2024, 10, 1),
            date(2025, 9, 30),
            PeriodKind.STAT_YEAR,
            365,
            "2025统计年度",
        ),
        # 2023Oct contains 2024-02-29 → 366 days.
        (
            "2023Oct",
            date(2023, 10, 1),
            date(2024, 9, 30),
            PeriodKind.STAT_YEAR,
            366,
            "2024统计年度",
        ),
        # The example in DOMAIN.md: 2008-10-01 … 2009-09-30.
        (
            "2008Oct",
            date(2008, 10, 1),
            date(2009, 9, 30),
            PeriodKind.STAT_YEAR,
            365,
            "2009统计年度",
        ),
    ],
)
def test_parse_period(
    code: str, start: date, end: date, kind: PeriodKind, days: int, label: str
) -> None:
    period = parse_period(code)
    assert period == Period(code=code, start=start, end=end, kind=kind)
    assert period.days == days
    assert period.label_zh == label
    assert period.day_before_start == start - ONE_DAY
    assert str(period) == code


def test_day_before_start_crosses_year_ends() -> None:
    assert parse_period("2024").day_before_start == date(2023, 12, 31)
    assert parse_period("2024Oct").day_before_start == date(2024, 9, 30)
    assert parse_period("202403").day_before_start == date(2024, 2, 29)
    assert parse_period("2023Q2").day_before_start == date(2023, 3, 31)


@pytest.mark.parametrize(
    ("code", "year_long"),
    [("2024", True), ("2024Oct", True), ("2024Q1", False), ("202403", False)],
)
def test_is_year_long(code: str, year_long: bool) -> None:
    assert parse_period(code).is_year_long is year_long


@pytest.mark.parametrize(
    ("code", "canonical"),
    [
        ("2024oct", "2024Oct"),
        ("2024OCT", "2024Oct"),
        ("2024q3", "2024Q3"),
        (" 2024 ", "2024"),
        ("202403\n", "202403"),
    ],
)
def test_parse_period_normalises_case_and_space(code: str, canonical: str) -> None:
    assert parse_period(code) == parse_period(canonical)
    assert parse_period(code).code == canonical


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("2024Q5", "quarter must be 1–4"),
        ("2024Q0", "quarter must be 1–4"),
        ("202413", "month must be 01–12"),
        ("202400", "month must be 01–12"),
        ("1899", "year must be between 1900 and 2999"),
        ("3000Oct", "year must be between 1900 and 2999"),
        ("2024oCt", "expected YYYY"),  # mixed case is not accepted
        ("2024Sep", "expected YYYY"),
        ("2024Q12", "expected YYYY"),
        ("2024Q", "expected YYYY"),
        ("2024-03", "expected YYYY"),
        ("2024 03", "expected YYYY"),
        ("20243", "expected YYYY"),
        ("24", "expected YYYY"),
        ("", "expected YYYY"),
        ("abc", "expected YYYY"),
        ("２０２４", "expected YYYY"),  # full-width digits
        ("2024W1", "expected YYYY"),  # DHIS2 weeks are not reporting periods here
    ],
)
def test_parse_period_rejects(code: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as excinfo:
        parse_period(code)
    assert repr(code) in str(excinfo.value)


def test_year_bounds() -> None:
    assert parse_period(str(MIN_YEAR)).start == date(1900, 1, 1)
    assert parse_period(f"{MAX_YEAR}Oct").end == date(3000, 9, 30)


def test_period_refuses_end_before_start() -> None:
    with pytest.raises(ValueError, match="ends"):
        Period("x", date(2024, 2, 1), date(2024, 1, 31), PeriodKind.MONTH)


def test_contains_includes_both_ends() -> None:
    period = parse_period("2024Oct")
    assert period.contains(date(2024, 10, 1))
    assert period.contains(date(2025, 9, 30))
    assert not period.contains(date(2024, 9, 30))
    assert not period.contains(date(2025, 10, 1))


# --- months_of ----------------------------------------------------------------------------------


def test_months_of_year() -> None:
    assert [m.code for m in months_of(parse_period("2024"))] == [
        f"2024{m:02d}" for m in range(1, 13)
    ]


def test_months_of_stat_year_run_october_to_september() -> None:
    assert [m.code for m in months_of(parse_period("2024Oct"))] == [
        "202410",
        "202411",
        "202412",
        "202501",
        "202502",
        "202503",
        "202504",
        "202505",
        "202506",
        "202507",
        "202508",
        "202509",
    ]


def test_months_of_quarter_and_month() -> None:
    assert [m.code for m in months_of(parse_period("2024Q2"))] == ["202404", "202405", "202406"]
    assert months_of(parse_period("202402")) == [parse_period("202402")]


def test_months_tile_every_period_exactly() -> None:
    # For every period of 1999–2026: months are consecutive, start at the period's start, end at
    # its end, and are the same objects parse_period gives for their codes.
    for year in range(1999, 2027):
        codes = [str(year), f"{year}Oct"] + [f"{year}Q{q}" for q in range(1, 5)]
        for code in codes:
            period = parse_period(code)
            months = months_of(period)
            assert len(months) == (12 if period.is_year_long else 3)
            assert months[0].start == period.start
            assert months[-1].end == period.end
            for before, after in zip(months, months[1:], strict=False):
                assert after.start == before.end + ONE_DAY
            assert all(m == parse_period(m.code) for m in months)
            assert sum(m.days for m in months) == period.days
            expected_days = 366 if calendar.isleap(year) else 365
            if period.kind is PeriodKind.YEAR:
                assert period.days == expected_days


# --- age_on and nth_birthday ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        # Born on 29 February 2004 (leap year).
        (date(2004, 2, 29), date(2004, 2, 29), 0),
        (date(2004, 2, 29), date(2005, 2, 28), 0),  # 2005 is common: no 29 February …
        (date(2004, 2, 29), date(2005, 3, 1), 1),  # … so the birthday is 1 March
        (date(2004, 2, 29), date(2008, 2, 28), 3),
        (date(2004, 2, 29), date(2008, 2, 29), 4),  # 2008 is a leap year
        (date(2004, 2, 29), date(2008, 3, 1), 4),
        # Born 29 February 1896: 1900 is a common year, so the 4th birthday is 1 March 1900.
        (date(1896, 2, 29), date(1900, 2, 28), 3),
        (date(1896, 2, 29), date(1900, 3, 1), 4),
        # Ordinary birthday: 2024 − 1990 = 34, minus 1 the day before.
        (date(1990, 6, 15), date(2024, 6, 14), 33),
        (date(1990, 6, 15), date(2024, 6, 15), 34),
        # 31 December → 1 January: a day apart, not a year.
        (date(2023, 12, 31), date(2024, 1, 1), 0),
        (date(2023, 12, 31), date(2024, 12, 31), 1),
        # Before birth: −1 in the year before.
        (date(2000, 5, 1), date(2000, 4, 30), -1),
        (date(2000, 5, 1), date(1999, 5, 1), -1),
    ],
)
def test_age_on(birth: date, day: date, age: int) -> None:
    assert age_on(birth, day) == age


@pytest.mark.parametrize(
    ("birth", "years", "expected"),
    [
        (date(2004, 2, 29), 0, date(2004, 2, 29)),
        (date(2004, 2, 29), 1, date(2005, 3, 1)),
        (date(2004, 2, 29), 4, date(2008, 2, 29)),
        (date(2004, 2, 29), 96, date(2100, 3, 1)),  # 2100 is not a leap year
        (date(2000, 2, 29), 100, date(2100, 3, 1)),
        (date(1896, 2, 29), 4, date(1900, 3, 1)),
        (date(1990, 6, 15), 15, date(2005, 6, 15)),
        (date(1990, 6, 15), 50, date(2040, 6, 15)),
        (date(2023, 2, 28), 1, date(2024, 2, 28)),  # 28 February stays 28 February
        (date(2023, 3, 1), 1, date(2024, 3, 1)),
    ],
)
def test_nth_birthday(birth: date, years: int, expected: date) -> None:
    assert nth_birthday(birth, years) == expected


def test_nth_birthday_refuses_negative_years() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        nth_birthday(date(2000, 1, 1), -1)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_nth_birthday_is_the_first_day_of_that_age_exhaustively() -> None:
    # Property (hypothesis is not in the environment, so every day of 1999–2005 instead,
    # which includes the leap days 2000-02-29 and 2004-02-29):
    #   age_on(b, nth_birthday(b, n)) == n  and  age_on(b, nth_birthday(b, n) − 1 day) == n − 1
    ages = (0, 1, 2, 3, 4, 5, 14, 15, 49, 50, 64, 96, 100)
    for birth in _days(date(1999, 1, 1), date(2005, 12, 31)):
        for n in ages:
            day = nth_birthday(birth, n)
            assert age_on(birth, day) == n, (birth, n)
            assert age_on(birth, day - ONE_DAY) == n - 1, (birth, n)


def _is_birthday(birth: date, day: date) -> bool:
    """Independent statement of SPEC §2: a year older on the birthday, or on 1 March when
    the birthday is 29 February and the year has none."""
    if (day.month, day.day) == (birth.month, birth.day):
        return True
    return (
        (birth.month, birth.day) == (2, 29)
        and (day.month, day.day) == (3, 1)
        and not (calendar.isleap(day.year))
    )


@pytest.mark.parametrize(
    ("first_birth", "last_birth", "walk_years"),
    [
        (date(2003, 12, 20), date(2004, 3, 10), 5),  # around 2004-02-29
        (date(1896, 2, 27), date(1896, 3, 2), 9),  # through the common year 1900
        (date(2010, 6, 28), date(2010, 7, 3), 5),
    ],
)
def test_age_on_agrees_with_a_day_by_day_walk(
    first_birth: date, last_birth: date, walk_years: int
) -> None:
    for birth in _days(first_birth, last_birth):
        age = 0
        day = birth
        while day < birth.replace(day=1, month=1, year=birth.year + walk_years):
            assert age_on(birth, day) == age, (birth, day)
            day += ONE_DAY
            if _is_birthday(birth, day):
                age += 1
                assert nth_birthday(birth, age) == day, (birth, age)
