"""Indicator arithmetic (SPEC §3), checked against hand computations."""

from __future__ import annotations

import math

import pytest

from renkou.stats.formulas import (
    SRB_Z,
    percentage,
    rate_per_thousand,
    rni,
    srb,
    srb_interval,
    tfr,
)

Z2 = SRB_Z * SRB_Z  # 1.959964² = 3.841458879…


# --- rate_per_thousand, rni ----------------------------------------------------------------------


def test_rate_per_thousand() -> None:
    # 25 births, average population 2990: 25 / 2990 × 1000 = 8.361204… ‰ (the SPEC's example value).
    assert rate_per_thousand(25, 2990) == pytest.approx(8.361204013, abs=1e-9)
    # 3 / 1500.5 × 1000 = 1.999333…: half-persons appear in POP_AVG.
    assert rate_per_thousand(3, 1500.5) == pytest.approx(1.999333555, abs=1e-9)
    assert rate_per_thousand(0, 1000) == 0.0


@pytest.mark.parametrize("denominator", [0, 0.0, None])
def test_rate_with_zero_or_unknown_denominator_is_none(denominator: float | None) -> None:
    assert rate_per_thousand(5, denominator) is None
    assert rate_per_thousand(0, denominator) is None


def test_rni() -> None:
    # 8.52 ‰ − 7.07 ‰ = 1.45 ‰
    assert rni(8.52, 7.07) == pytest.approx(1.45)
    assert rni(6.39, 7.87) == pytest.approx(-1.48)
    assert rni(None, 7.0) is None
    assert rni(8.0, None) is None


# --- srb ---------------------------------------------------------------------------------------


def test_srb() -> None:
    assert srb(60, 50) == pytest.approx(120.0)  # 60 / 50 × 100
    assert srb(106, 100) == pytest.approx(106.0)
    assert srb(0, 7) == 0.0
    assert srb(7, 0) is None
    assert srb(0, 0) is None


# --- srb_interval ------------------------------------------------------------------------------


def _wilson_bounds_by_quadratic(males: int, females: int) -> tuple[float, float]:
    """Wilson bounds as the two roots q of (p − q)² = z²·q(1 − q)/n, i.e.
    (1 + z²/n)·q² − (2p + z²/n)·q + p² = 0 — a different route from centre ± half-width."""
    n = males + females
    p = males / n
    a = 1 + Z2 / n
    b = -(2 * p + Z2 / n)
    c = p * p
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


def test_srb_interval_spec_example() -> None:
    # 60 boys, 50 girls: n = 110, p = 60/110 = 0.545454…
    #   z²/n = 3.841459 / 110 = 0.0349224;  1 + z²/n = 1.0349224
    #   centre = (0.545454 + 0.0174612) / 1.0349224 = 0.543921
    #   p(1−p)/n = 0.2479339 / 110 = 0.00225394;  z²/(4n²) = 3.841459 / 48400 = 0.00007937
    #   half = 1.959964 / 1.0349224 × √0.00233331 = 1.893826 × 0.0483044 = 0.091480
    #   q_lo = 0.452441 → 100 × 0.452441 / 0.547559 = 82.63
    #   q_hi = 0.635401 → 100 × 0.635401 / 0.364599 = 174.27
    low, high = srb_interval(60, 50)
    assert low is not None
    assert high is not None
    assert round(low, 1) == 82.6
    assert round(high, 1) == 174.3

    q_lo, q_hi = _wilson_bounds_by_quadratic(60, 50)
    assert low == pytest.approx(100 * q_lo / (1 - q_lo), abs=1e-6)
    assert high == pytest.approx(100 * q_hi / (1 - q_hi), abs=1e-6)
    # And the interval contains the point estimate 120.
    assert low < 120.0 < high


@pytest.mark.parametrize(
    ("males", "females"),
    [(1, 1), (1, 9), (9, 1), (155, 145), (512, 488), (5120, 4870), (3, 200), (1, 100000)],
)
def test_srb_interval_matches_quadratic_roots(males: int, females: int) -> None:
    low, high = srb_interval(males, females)
    q_lo, q_hi = _wilson_bounds_by_quadratic(males, females)
    assert low == pytest.approx(100 * q_lo / (1 - q_lo), rel=1e-9, abs=1e-9)
    assert high == pytest.approx(100 * q_hi / (1 - q_hi), rel=1e-9, abs=1e-9)


def test_srb_interval_no_boys() -> None:
    # p = 0: q_lo = 0 → 0; q_hi = (z²/n) / (1 + z²/n) = z² / (n + z²), so
    # q_hi / (1 − q_hi) = z²/n and the bound is 100·z²/n = 100 × 3.841459 / 10 = 38.41459.
    low, high = srb_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(100 * Z2 / 10, abs=1e-9)
    assert high == pytest.approx(38.41459, abs=1e-5)


def test_srb_interval_no_girls() -> None:
    # p = 1: the upper bound is q = 1, an infinite ratio → None. By symmetry with the case
    # above, q_lo = n / (n + z²) and the bound is 100·n/z² = 100 × 10 / 3.841459 = 260.3178.
    low, high = srb_interval(10, 0)
    assert high is None
    assert low == pytest.approx(100 * 10 / Z2, abs=1e-9)
    assert low == pytest.approx(260.3178, abs=1e-4)


def test_srb_interval_without_births() -> None:
    assert srb_interval(0, 0) == (None, None)


@pytest.mark.parametrize(("males", "females"), [(60, 50), (155, 145), (3, 17), (1, 1)])
def test_srb_interval_is_symmetric_in_the_sexes(males: int, females: int) -> None:
    # Swapping boys and girls maps q to 1 − q, and the ratio r = 100q/(1−q) to 10000/r:
    # low(m, f) × high(f, m) = 100 × 100.
    low, high = srb_interval(males, females)
    swapped_low, swapped_high = srb_interval(females, males)
    assert low is not None
    assert high is not None
    assert swapped_low is not None
    assert swapped_high is not None
    assert low * swapped_high == pytest.approx(10000)
    assert high * swapped_low == pytest.approx(10000)


def test_srb_interval_township_width() -> None:
    # DOMAIN.md: "a township with 300 births has an interval of about ±20" around ~107.
    low, high = srb_interval(155, 145)
    assert low is not None
    assert high is not None
    point = srb(155, 145)
    assert point is not None
    assert low < point < high
    # 155 boys, 145 girls: SRB 106.9, interval 85.3 … 134.0, i.e. −21.6 / +27.1
    # (the map q/(1 − q) stretches the upper side).
    assert 15 < point - low < 30
    assert 15 < high - point < 30


def test_srb_interval_custom_z() -> None:
    # A wider z gives a wider interval; z = 0 collapses it onto the point estimate 120.
    narrow = srb_interval(60, 50, z=1.0)
    zero = srb_interval(60, 50, z=0.0)
    wide = srb_interval(60, 50)
    assert narrow[0] is not None
    assert wide[0] is not None
    assert narrow[1] is not None
    assert wide[1] is not None
    assert wide[0] < narrow[0]
    assert narrow[1] < wide[1]
    assert zero == pytest.approx((120.0, 120.0))


# --- tfr, percentage ---------------------------------------------------------------------------


def test_tfr() -> None:
    # ASFR 15…45 per 1000 women: 5 + 60 + 80 + 40 + 10 + 2 + 0.5 = 197.5
    # TFR = 5 × 197.5 / 1000 = 0.9875 children per woman.
    assert tfr([5, 60, 80, 40, 10, 2, 0.5]) == pytest.approx(0.9875)
    # 2.1 children per woman: Σ ASFR = 420 (e.g. 60 in each of the seven groups).
    assert tfr([60.0] * 7) == pytest.approx(2.1)
    assert tfr([0.0] * 7) == 0.0


def test_tfr_is_none_when_any_asfr_is_none_or_there_are_none() -> None:
    assert tfr([5, 60, None, 40, 10, 2, 0.5]) is None
    assert tfr([None] * 7) is None
    assert tfr([]) is None


def test_percentage() -> None:
    assert percentage(3, 4) == pytest.approx(75.0)  # 3 / 4 × 100
    assert percentage(1, 3) == pytest.approx(33.333333333)
    assert percentage(0, 5) == 0.0
    assert percentage(5, 5) == 100.0
    assert percentage(0, 0) is None
    assert percentage(3, 0) is None
