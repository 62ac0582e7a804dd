"""Extraction helpers: day numbers and birthdays agree with renkou.core.periods."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from renkou.core.periods import nth_birthday
from renkou.stats.facts import anchor_days, days_from_civil, nth_birthday_days
from renkou.stats.scoping import day_number


def test_day_numbers_and_birthdays_match_the_periods_module():
    births = [date(1876, 2, 29), date(1900, 2, 28), date(1899, 12, 31), date(1969, 12, 31),
              date(1970, 1, 1), date(1976, 2, 29), date(2000, 2, 29), date(2024, 2, 29),
              date(2023, 3, 1)]
    day = date(1890, 1, 1)
    while day < date(2030, 1, 1):  # every 7th day across leap and century years
        births.append(day)
        day += timedelta(days=7)
    y = np.array([b.year for b in births])
    m = np.array([b.month for b in births])
    d = np.array([b.day for b in births])
    assert days_from_civil(y, m, d).tolist() == [day_number(b) for b in births]
    for years in (15, 20, 45, 50):
        assert nth_birthday_days(y, m, d, years).tolist() == [
            day_number(nth_birthday(b, years)) for b in births]


def test_anchor_days_are_31_december_around_the_events():
    first, last = day_number(date(2021, 3, 5)), day_number(date(2025, 6, 30))
    assert anchor_days(first, last) == [day_number(date(y, 12, 31)) for y in range(2020, 2027)]
    old = anchor_days(day_number(date(1950, 1, 1)), last)
    assert old[0] == day_number(date(2005, 12, 31))  # at most 20 years back
