"""Every SPEC §3 indicator on the hand-computed county of fixture_county.py.

The expected numbers below are written by hand (the working is in the comments), not taken
from a run, so the SQLite and the PostgreSQL runs of this file check the same values.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from renkou.core.errors import ValidationError
from renkou.core.periods import parse_period
from renkou.events.population import population_on
from renkou.stats.catalog import CODES
from renkou.stats.engine import compute_indicators, compute_indicators_many, monthly_series
from tests import factories as f
from tests.stats.fixture_county import VILLAGE_D

N = None
YEAR = parse_period("2024")  # a − 1 = 2023-12-31, b = 2024-12-31

# Registered on 2023-12-31 (a − 1) and 2024-12-31 (b):
#   A1: W1 C1 CN H1 W2        → W1 C1 CN C2 W2 W5 T1 T2   (H1 died, W5 moved in, 3 born)
#   A2: W3 W4 K2              → W3 C3 W4 K2 K3            (2 born)
#   B1: M3 P6 W5              → M3 P6                     (W5 moved to A1; P6 out and back;
#                                                          C7 born and died within 2024)
#   C1: K1 P8 W9 W11          → K1 W9 P10 W11             (P8 left the area, P10 came in)
# Women 15–49 (age on the day, group): a − 1: W1 33, W2 47, W3 23, W4 43 in A; W5 38 in B;
#   K1 18, W11 26 in C (W9 is 14).  b: W1 34, W2 48, W3 24, W4 44, W5 39 in A; K1 19,
#   W9 15, W11 27 in C.
# Married on b: W1 (persons.csv 20, no events), W3 (marriage 2024-03-01), W5 (persons.csv);
#   W4 divorced on 2024-06-01 (persons.csv says 20: the event wins).
# Births 2024 (event unit; sex; order; mother's age at the birth; days to record):
#   A: C2 M order 2 (rank: C1 2015, C2, CN unknown date last) W1 33, 10 d
#      T1 F order 1, T2 M order 2 (same date: by person id) W5 39, 4 d
#      C3 F order 2 (given; rank would be 1) W3 24, 56 d (late)
#      K3 F order 3 (K1 2005 registered in C, K2 2008, K3) W4 43, 6 d
#   B: C7 M order 1 (no mother: not in any ASFR numerator) 30 d (timely: ≤ 30)
EXPECTED_2024: dict[str, dict[str, Any]] = {
    "410325100201": {  # 李家村 A
        "POP_START": 8, "POP_END": 13, "POP_AVG": 10.5,
        "BIRTHS": 5, "BIRTHS_M": 2, "BIRTHS_F": 3,
        "BIRTHS_O1": 1, "BIRTHS_O2": 3, "BIRTHS_O3P": 1,
        "DEATHS": 1, "MOVE_IN": 1, "MOVE_OUT": 0, "MARRIAGES": 1,
        "CBR": 5 / 10.5 * 1000,  # 476.1905
        "CDR": 1 / 10.5 * 1000,  # 95.2381
        "RNI": 5 / 10.5 * 1000 - 1 / 10.5 * 1000,  # 380.9524
        "SRB": 2 / 3 * 100,  # 66.6667
        # Wilson, p = 2/5, n = 5, z = 1.959964: centre 0.4613, half-width 0.3436 →
        # p ∈ [0.1176, 0.7693] → 100·p/(1 − p) = 13.3300 … 333.4178
        "SRB_LO": 13.32995718402061, "SRB_HI": 333.4177584435347,
        "WRA": 5, "MWRA": 3,  # W1 W2 W3 W4 W5; married W1 W3 W5
        "GFR": 5 / ((4 + 5) / 2) * 1000,  # 1111.1111
        # Women by group (a − 1 / b): 20–24 W3/W3, 30–34 W1/W1, 35–39 –/W5, 40–44 W4/W4,
        # 45–49 W2/W2; 15–19 and 25–29 none → null, so TFR is null.
        "ASFR_15": N, "ASFR_20": 1000.0, "ASFR_25": N, "ASFR_30": 1000.0,
        "ASFR_35": 2 / 0.5 * 1000, "ASFR_40": 1000.0, "ASFR_45": 0.0, "TFR": N,
        "REG_TIMELY": 80.0,  # 4 of 5 (C3 late)
    },
    "410325100202": {  # 张庄村 B
        "POP_START": 3, "POP_END": 2, "POP_AVG": 2.5,
        "BIRTHS": 1, "BIRTHS_M": 1, "BIRTHS_F": 0,
        "BIRTHS_O1": 1, "BIRTHS_O2": 0, "BIRTHS_O3P": 0,
        "DEATHS": 1, "MOVE_IN": 1, "MOVE_OUT": 2, "MARRIAGES": 0,  # in: P6; out: W5, P6
        "CBR": 400.0, "CDR": 400.0, "RNI": 0.0,  # 1 / 2.5 × 1000
        "SRB": N,  # no girls
        # p = 1, n = 1: centre 0.7935, half-width 0.2065 → low 0.2065 → 26.0318; high p = 1
        "SRB_LO": 26.031776752029895, "SRB_HI": N,
        "WRA": 0, "MWRA": 0,
        "GFR": 2000.0,  # 1 / ((1 + 0) / 2) × 1000: C7's birth counts although no mother
        "ASFR_15": N, "ASFR_20": N, "ASFR_25": N, "ASFR_30": N,
        "ASFR_35": 0.0,  # W5 38 on a − 1 only: 0 / 0.5
        "ASFR_40": N, "ASFR_45": N, "TFR": N,
        "REG_TIMELY": 100.0,
    },
    "410325200201": {  # 王庄村 C
        "POP_START": 4, "POP_END": 4, "POP_AVG": 4.0,
        "BIRTHS": 0, "BIRTHS_M": 0, "BIRTHS_F": 0,
        "BIRTHS_O1": 0, "BIRTHS_O2": 0, "BIRTHS_O3P": 0,
        "DEATHS": 0, "MOVE_IN": 1, "MOVE_OUT": 1, "MARRIAGES": 0,
        "CBR": 0.0, "CDR": 0.0, "RNI": 0.0,
        "SRB": N, "SRB_LO": N, "SRB_HI": N,
        "WRA": 3, "MWRA": 0,  # K1 19, W9 15, W11 27
        "GFR": 0.0,  # 0 / ((2 + 3) / 2)
        "ASFR_15": 0.0,  # K1 / K1 W9: 0 / 1.5
        "ASFR_20": N, "ASFR_25": 0.0, "ASFR_30": N, "ASFR_35": N, "ASFR_40": N,
        "ASFR_45": N, "TFR": N,
        "REG_TIMELY": N,  # no births
    },
    VILLAGE_D: {  # 赵庄村: nobody; every rate has a zero denominator → null, no error
        "POP_START": 0, "POP_END": 0, "POP_AVG": 0.0,
        "BIRTHS": 0, "BIRTHS_M": 0, "BIRTHS_F": 0,
        "BIRTHS_O1": 0, "BIRTHS_O2": 0, "BIRTHS_O3P": 0,
        "DEATHS": 0, "MOVE_IN": 0, "MOVE_OUT": 0, "MARRIAGES": 0,
        "CBR": N, "CDR": N, "RNI": N, "SRB": N, "SRB_LO": N, "SRB_HI": N,
        "WRA": 0, "MWRA": 0, "GFR": N,
        "ASFR_15": N, "ASFR_20": N, "ASFR_25": N, "ASFR_30": N, "ASFR_35": N,
        "ASFR_40": N, "ASFR_45": N, "TFR": N, "REG_TIMELY": N,
    },
    f.COUNTY: {
        # The move W5 B1 → A1 is a move_out and a move_in inside the county: it shifts one
        # person between villages and changes nothing at county level.
        "POP_START": 15, "POP_END": 19, "POP_AVG": 17.0,
        "BIRTHS": 6, "BIRTHS_M": 3, "BIRTHS_F": 3,
        "BIRTHS_O1": 2, "BIRTHS_O2": 3, "BIRTHS_O3P": 1,  # T1 C7 / C2 T2 C3 / K3
        "DEATHS": 2, "MOVE_IN": 3, "MOVE_OUT": 3, "MARRIAGES": 1,
        "CBR": 6 / 17 * 1000,  # 352.9412
        "CDR": 2 / 17 * 1000,  # 117.6471
        "RNI": 6 / 17 * 1000 - 2 / 17 * 1000,  # 235.2941
        "SRB": 100.0,
        # p = 1/2, n = 6: centre 0.5, half-width 0.3124 → 0.1876 … 0.8124 → 23.0945 … 433.0027
        "SRB_LO": 23.094543395025127, "SRB_HI": 433.0027153580412,
        "WRA": 8, "MWRA": 3,
        "GFR": 6 / ((7 + 8) / 2) * 1000,  # 800.0
        # Groups (a − 1 / b): 15–19 K1 / K1 W9, 20–24 W3 / W3, 25–29 W11 / W11,
        # 30–34 W1 / W1, 35–39 W5 / W5, 40–44 W4 / W4, 45–49 W2 / W2.
        "ASFR_15": 0.0, "ASFR_20": 1000.0, "ASFR_25": 0.0, "ASFR_30": 1000.0,
        "ASFR_35": 2000.0, "ASFR_40": 1000.0, "ASFR_45": 0.0,
        "TFR": 25.0,  # 5 × 5000 / 1000
        "REG_TIMELY": 5 / 6 * 100,  # 83.3333
    },
}


def values_of(unit_code: str, rows: list[Any]) -> dict[str, Any]:
    return next(r.values for r in rows if r.unit_code == unit_code)


def assert_values(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    assert list(actual) == list(CODES)  # every catalog code, in catalog order
    for code, want in expected.items():
        got = actual[code]
        if want is None:
            assert got is None, code
        elif isinstance(want, int) and not isinstance(want, bool):
            assert got == want, (code, got, want)
            assert isinstance(got, int), (code, got)
        else:
            assert got == pytest.approx(want, rel=1e-12, abs=1e-9), (code, got, want)


def test_every_indicator_by_village_including_an_empty_village(county):
    rows = compute_indicators(unit=county[f.COUNTY], period=YEAR, by_level="village")
    assert [r.unit_code for r in rows] == [
        "410325100201", "410325100202", "410325200201", VILLAGE_D]  # by code, D empty
    assert [r.unit_name for r in rows] == ["李家村", "张庄村", "王庄村", "赵庄村"]
    for code in ("410325100201", "410325100202", "410325200201", VILLAGE_D):
        assert_values(values_of(code, rows), EXPECTED_2024[code])


def test_every_indicator_for_the_county(county):
    [row] = compute_indicators(unit=county[f.COUNTY], period=YEAR)
    assert row.unit_code == f.COUNTY
    assert row.unit_name == "嵩县"
    assert_values(row.values, EXPECTED_2024[f.COUNTY])


def test_township_is_the_sum_of_its_villages(county):
    [row] = compute_indicators(unit=county[f.TOWNSHIP_1], period=YEAR)
    a, b = EXPECTED_2024["410325100201"], EXPECTED_2024["410325100202"]
    for code in ("POP_START", "POP_END", "BIRTHS", "BIRTHS_M", "BIRTHS_F", "BIRTHS_O1",
                 "BIRTHS_O2", "BIRTHS_O3P", "DEATHS", "MOVE_IN", "MOVE_OUT", "MARRIAGES",
                 "WRA", "MWRA"):
        assert row.values[code] == a[code] + b[code], code


def test_by_group_counts_people_by_their_group(county):
    rows = compute_indicators(unit=county[f.COUNTY], period=YEAR, by_level="group")
    assert [r.unit_code for r in rows] == [f.GROUP_A1, f.GROUP_A2, f.GROUP_B1, f.GROUP_C1]
    assert [(r.values["POP_START"], r.values["POP_END"]) for r in rows] == [
        (5, 8), (3, 5), (3, 2), (4, 4)]
    # births are counted by the event's unit: C2 T1 T2 in A1, C3 K3 in A2, C7 in B1
    assert [r.values["BIRTHS"] for r in rows] == [3, 2, 1, 0]


def test_population_matches_population_on(county):
    for code in (f.COUNTY, f.TOWNSHIP_1, f.VILLAGE_A, f.GROUP_A2, f.VILLAGE_C, VILLAGE_D):
        [row] = compute_indicators(unit=county[code], period=YEAR)
        assert row.values["POP_START"] == population_on(county[code], date(2023, 12, 31))
        assert row.values["POP_END"] == population_on(county[code], date(2024, 12, 31))


def test_statistical_year_has_rates(county):
    # 2024Oct = 2024-10-01 … 2025-09-30; a − 1 = 2024-09-30.
    # P(a − 1): A1 W1 C1 CN C2 W2 W5 (H1 died 08-01), A2 W3 W4 K2 K3, B1 M3 P6 C7 (C7 dies
    # 10-10), C1 K1 W9 W11 P10 (P8 gone) = 17; P(b) = 19 (no event after 2024-12-31).
    # Births in the period: C3, T1, T2; deaths: C7.
    # WRA a − 1: W1 34 W2 48 W5 39 W3 24 W4 44 K1 19 W9 15 W11 27 = 8;
    # WRA b (2025-09-30): W1 35 W2 49 W5 40 W3 25 W4 45 K1 20 W9 16 W11 28 = 8.
    # Groups (a − 1 / b): 15–19 K1 W9 / W9; 20–24 W3 / K1; 25–29 W11 / W3 W11;
    #   30–34 W1 / –; 35–39 W5 / W1; 40–44 W4 / W5; 45–49 W2 / W4 W2.
    # Births by mother's age: T1 T2 → 35–39 (W5 39); C3 → 20–24 (W3 24).
    [row] = compute_indicators(unit=county[f.COUNTY], period=parse_period("2024Oct"))
    assert_values(row.values, {
        "POP_START": 17, "POP_END": 19, "POP_AVG": 18.0, "BIRTHS": 3, "DEATHS": 1,
        "CBR": 3 / 18 * 1000, "CDR": 1 / 18 * 1000, "RNI": 3 / 18 * 1000 - 1 / 18 * 1000,
        "WRA": 8, "MWRA": 3, "GFR": 375.0,  # 3 / 8 × 1000
        "ASFR_15": 0.0, "ASFR_20": 1000.0, "ASFR_25": 0.0, "ASFR_30": 0.0,
        "ASFR_35": 2000.0, "ASFR_40": 0.0, "ASFR_45": 0.0,
        "TFR": 15.0,  # 5 × 3000 / 1000
        "REG_TIMELY": 2 / 3 * 100,
    })


@pytest.mark.parametrize("code", ["202412", "2024Q4"])
def test_rates_are_null_for_a_month_and_a_quarter(county, code):
    [row] = compute_indicators(unit=county[f.COUNTY], period=parse_period(code))
    for rate in ("CBR", "CDR", "RNI", "GFR", "ASFR_15", "ASFR_20", "ASFR_25", "ASFR_30",
                 "ASFR_35", "ASFR_40", "ASFR_45", "TFR"):
        assert row.values[rate] is None, rate
    # Non-rates still have values: 2024Q4 births C3 T1 T2 (C3 late), death C7.
    expected = {"202412": (2, 0, 100.0, 19), "2024Q4": (3, 1, 2 / 3 * 100, 19)}[code]
    assert (row.values["BIRTHS"], row.values["DEATHS"]) == expected[:2]
    assert row.values["REG_TIMELY"] == pytest.approx(expected[2])
    assert row.values["POP_END"] == expected[3]
    assert row.values["SRB"] is not None or code == "2024Q4"


def test_29_february_birthday_turns_on_1_march(county):
    # W2 born 1976-02-29: 49 on 2026-02-28 (the end of 202602), 50 on 2026-03-01.
    many = compute_indicators_many(unit=county[f.VILLAGE_A], periods=[
        parse_period("202602"), parse_period("202603")])
    assert many["202602"][0].values["WRA"] == 5  # W1 35, W2 49, W3 26, W4 45, W5 40
    assert many["202603"][0].values["WRA"] == 4  # W2 is 50 since 1 March
    assert many["202603"][0].values["POP_START"] == 13


def test_marital_status_from_events_and_from_persons_csv(county):
    # b = 2023-12-31: W3's persons.csv says 20, but her first marital event (a marriage on
    # 2024-03-01) is later → never married on b. W4's divorce is later → married on b.
    # W1 has no events → persons.csv 20. W5 (in B1 then) has no events → 20.
    [row] = compute_indicators(unit=county[f.COUNTY], period=parse_period("2023"))
    assert row.values["WRA"] == 7  # W1 W2 W3 W4 W5 K1 W11 (W9 is 14)
    assert row.values["MWRA"] == 3  # W1 W4 W5


def test_many_periods_equal_one_by_one(county):
    periods = [parse_period("2024Oct"), *(parse_period(f"2024{m:02d}") for m in (10, 11, 12)),
               *(parse_period(f"2025{m:02d}") for m in range(1, 10))]
    many = compute_indicators_many(unit=county[f.COUNTY], periods=periods, by_level="village")
    assert list(many) == [p.code for p in periods]
    for period in periods:
        one = compute_indicators(unit=county[f.COUNTY], period=period, by_level="village")
        assert many[period.code] == one


def test_monthly_series(county):
    series = monthly_series(unit=county[f.COUNTY], code="BIRTHS", start_month="202401",
                            end_month="202412")
    assert series == [("202401", 0), ("202402", 1), ("202403", 1), ("202404", 0),
                      ("202405", 1), ("202406", 0), ("202407", 0), ("202408", 0),
                      ("202409", 0), ("202410", 0), ("202411", 1), ("202412", 2)]
    assert monthly_series(unit=county[f.COUNTY], code="CBR", start_month="202412",
                          end_month="202501") == [("202412", None), ("202501", None)]
    with pytest.raises(ValidationError):
        monthly_series(unit=county[f.COUNTY], code="NOPE", start_month="202401",
                       end_month="202402")


def test_level_above_the_unit_is_refused(county):
    with pytest.raises(ValidationError):
        compute_indicators(unit=county[f.VILLAGE_A], period=YEAR, by_level="township")
    with pytest.raises(ValidationError):
        compute_indicators(unit=county[f.VILLAGE_A], period=YEAR, by_level="hamlet")


def test_srb_interval_60_boys_50_girls(units):
    # p = 60/110; Wilson 95 %: 0.4524 … 0.6354 → 100·p/(1 − p) = 82.6 … 174.3
    household = f.make_household("HX", f.GROUP_C1)
    for i in range(110):
        pid = f"X{i:03d}"
        f.make_person(pid, household, sex=1 if i < 60 else 2, birth=date(2024, 6, 1))
        f.make_event(f"EX{i:03d}", "birth", pid, date(2024, 6, 1), f.GROUP_C1)
    from renkou.core.audit import data_version_bump
    from renkou.events.spells import spells_rebuild
    spells_rebuild()
    data_version_bump()
    [row] = compute_indicators(unit=units[f.COUNTY], period=YEAR)
    assert row.values["SRB"] == 120.0
    assert round(row.values["SRB_LO"], 1) == 82.6
    assert round(row.values["SRB_HI"], 1) == 174.3
    assert row.values["BIRTHS_O1"] == 110  # unknown mothers → order 1
    assert row.values["ASFR_15"] is None
    assert row.values["GFR"] is None
