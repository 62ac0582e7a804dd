"""Breakdowns beyond the catalog, on the hand-computed county (fixture_county.py)."""

from __future__ import annotations

from datetime import date

import pytest

from renkou.core.periods import parse_period
from renkou.stats.engine import (
    births_by_mother_age,
    births_by_order_sex,
    migration,
    population_pyramid,
    women_by_children,
)
from renkou.stats.formulas import srb_interval
from tests import factories as f

YEAR = parse_period("2024")


def test_pyramid_five_year_groups(county):
    # P(2024-12-31), age on that day: 0–4 C2 M, T2 M, T1 F, C3 F, K3 F; 5–9 C1 M;
    # 15–19 K2 M, K1 F, W9 F; 20–24 W3 F; 25–29 M3 M, W11 F; 30–34 W1; 35–39 W5; 40–44 W4;
    # 45–49 W2; 50–54 P10 M; 60–64 P6 M; unknown CN F.
    rows = population_pyramid(unit=county[f.COUNTY], day=date(2024, 12, 31), five_year=True)
    by_group = {r["group"]: (r["male"], r["female"]) for r in rows}
    assert [r["group"] for r in rows][:3] == ["0–4", "5–9", "10–14"]
    assert rows[-2]["group"] == "85+"
    assert rows[-2]["age_to"] is None
    assert by_group == {
        "0–4": (2, 3), "5–9": (1, 0), "10–14": (0, 0), "15–19": (1, 2), "20–24": (0, 1),
        "25–29": (1, 1), "30–34": (0, 1), "35–39": (0, 1), "40–44": (0, 1), "45–49": (0, 1),
        "50–54": (1, 0), "55–59": (0, 0), "60–64": (1, 0), "65–69": (0, 0), "70–74": (0, 0),
        "75–79": (0, 0), "80–84": (0, 0), "85+": (0, 0), "unknown": (0, 1),
    }
    assert sum(r["total"] for r in rows) == 19


def test_pyramid_single_years_top_group_100(county):
    rows = population_pyramid(unit=county[f.VILLAGE_C], day=date(2024, 12, 31),
                              five_year=False)
    assert len(rows) == 101
    assert rows[-1]["group"] == "100+"
    ages = {r["age_from"]: (r["male"], r["female"]) for r in rows if r["total"]}
    assert ages == {15: (0, 1), 19: (0, 1), 27: (0, 1), 54: (1, 0)}  # W9 K1 W11 P10


def test_births_by_mother_age(county):
    rows = births_by_mother_age(unit=county[f.COUNTY], period=YEAR)
    births = {r["group"]: r["births"] for r in rows}
    assert births == {"<15": 0, "15–19": 0, "20–24": 1, "25–29": 0, "30–34": 1, "35–39": 2,
                      "40–44": 1, "45–49": 0, "50+": 0, "unknown": 1}  # C3 C2 T1T2 K3 C7


def test_births_by_order_and_sex_with_intervals(county):
    rows = births_by_order_sex(unit=county[f.COUNTY], period=YEAR)
    # order 1: T1 F, C7 M; order 2: C2 M, T2 M, C3 F; 3+: K3 F
    assert [(r["order"], r["male"], r["female"]) for r in rows] == [
        ("1", 1, 1), ("2", 2, 1), ("3+", 0, 1)]
    assert [r["srb"] for r in rows] == [100.0, 200.0, 0.0]
    assert (rows[1]["srb_lo"], rows[1]["srb_hi"]) == srb_interval(2, 1)
    assert rows[2]["srb_lo"] == pytest.approx(0.0)
    assert rows[2]["srb_hi"] is not None


def test_women_by_children(county):
    # WRA on 2024-12-31 and their children born by then: W1 C1 C2 (CN's birth date is
    # unknown: not counted) → 2; W5 T1 T2 → 2; W3 C3 → 1; W4 K1 K2 K3 → 3; W2 K1 W9 W11 → 0.
    rows = women_by_children(unit=county[f.COUNTY], day=date(2024, 12, 31))
    assert [(r["children"], r["women"]) for r in rows] == [("0", 4), ("1", 1), ("2", 2),
                                                           ("3+", 1)]
    assert rows[0]["share"] == 50.0
    # On 2024-01-01 W4 had K1 and K2 only, W3 and W5 none; W5 was in B then.
    rows = women_by_children(unit=county[f.VILLAGE_A], day=date(2024, 1, 1))
    assert [(r["children"], r["women"]) for r in rows] == [("0", 2), ("1", 1), ("2", 1),
                                                           ("3+", 0)]


def test_migration_inside_and_across_the_area(county):
    # W5: move_out B1 + move_in A1 on 2024-07-01 (inside the county); P6 out and back on
    # different days (outside both times); P8 out, P10 in (outside).
    county_moves = migration(unit=county[f.COUNTY], period=YEAR)
    assert county_moves == {
        "move_in": 3, "move_out": 3, "move_in_within": 1, "move_in_area": 0,
        "move_in_outside": 2, "move_out_within": 1, "move_out_area": 0,
        "move_out_outside": 2, "net": 0, "net_outside": 0}
    a = migration(unit=county[f.VILLAGE_A], period=YEAR)
    assert (a["move_in"], a["move_in_area"], a["move_out"]) == (1, 1, 0)
    b = migration(unit=county[f.VILLAGE_B], period=YEAR)
    assert (b["move_out"], b["move_out_area"], b["move_out_outside"], b["move_in_outside"]
            ) == (2, 1, 1, 1)
    assert b["net"] == -1
