"""The survey's 95 % interval covers the truth in about 95 % of samples (simulation).

A synthetic population of N = 300 village groups with known births x_i (Poisson with a
gamma-distributed mean, so groups differ in size), unregistered births y_i (each group its
own under-registration probability, Beta(2, 18): about 10 %), listed persons m_i and
accurate records a_i (accuracy Beta(18, 2) per group). 2,000 samples of n = 50 groups are
drawn as the survey draws them (simple random sampling without replacement,
`random.Random(seed).sample`); each gives the ratio estimate and its 95 % interval with the
cluster-sample variance. With a fixed seed the result is reproducible.
"""

from __future__ import annotations

import random

import numpy as np

from renkou.surveys.estimate import ratio_estimate

N_GROUPS, N_SAMPLE, DRAWS = 300, 50, 2000


def _population(seed: int) -> tuple[list[int], list[int], list[int], list[int]]:
    rng = np.random.default_rng(seed)
    x = rng.poisson(rng.gamma(6.0, 3.0, N_GROUPS))
    y = rng.binomial(x, rng.beta(2, 18, N_GROUPS))
    m = rng.poisson(rng.gamma(4.0, 60.0, N_GROUPS)) + 1
    a = rng.binomial(m, rng.beta(18, 2, N_GROUPS))
    return x.tolist(), y.tolist(), m.tolist(), a.tolist()


def test_interval_coverage_is_close_to_95_percent():
    x, y, m, a = _population(seed=20261123)
    true_under = sum(y) / sum(x)
    true_accuracy = sum(a) / sum(m)
    sampler = random.Random(4242)  # noqa: S311 - simulation
    covered_under = covered_accuracy = 0
    for _ in range(DRAWS):
        groups = sampler.sample(range(N_GROUPS), N_SAMPLE)
        under = ratio_estimate([y[i] for i in groups], [x[i] for i in groups], N_GROUPS)
        accuracy = ratio_estimate([a[i] for i in groups], [m[i] for i in groups], N_GROUPS)
        assert under.low is not None
        assert under.high is not None
        assert accuracy.low is not None
        assert accuracy.high is not None
        covered_under += under.low <= true_under <= under.high
        covered_accuracy += accuracy.low <= true_accuracy <= accuracy.high
    assert 0.93 <= covered_under / DRAWS <= 0.97
    assert 0.93 <= covered_accuracy / DRAWS <= 0.97


def test_without_the_finite_population_correction_the_interval_is_too_wide():
    # Sampling half the groups: the correction (1 − 1/2) matters; leaving it out (N huge)
    # over-covers. Guards against dropping the fpc from the formula.
    x, y, _m, _a = _population(seed=7)
    truth = sum(y) / sum(x)
    sampler = random.Random(99)  # noqa: S311 - simulation
    with_fpc = without = 0
    for _ in range(1000):
        groups = sampler.sample(range(N_GROUPS), N_GROUPS // 2)
        ys, xs = [y[i] for i in groups], [x[i] for i in groups]
        e = ratio_estimate(ys, xs, N_GROUPS)
        w = ratio_estimate(ys, xs, 10**9)
        with_fpc += e.low <= truth <= e.high  # type: ignore[operator]
        without += w.low <= truth <= w.high  # type: ignore[operator]
    assert 0.93 <= with_fpc / 1000 <= 0.97
    assert without / 1000 > 0.98
