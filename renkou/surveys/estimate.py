"""Ratio estimator for a simple random sample of clusters (village groups), with its
standard variance and a t interval. Pure functions: the service and the coverage test use
the same code.

n clusters are drawn without replacement from N. In cluster i, y_i counts the cases
(e.g. births not in the registry) and x_i the base (births that exist). Then

    R̂ = Σ y_i / Σ x_i
    v(R̂) = (1 − n/N) / (n · x̄²) · Σ (y_i − R̂ x_i)² / (n − 1),   x̄ = Σ x_i / n
    95 % CI = R̂ ± t(0.975; n − 1) · √v(R̂), cut to [0, 1] for a proportion.

(Cochran, Sampling Techniques, 3rd ed., §6.3 and §9.2: the ratio estimator's linearised
variance; 1 − n/N is the finite population correction.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import t as student_t


@dataclass(frozen=True)
class RatioEstimate:
    ratio: float | None
    se: float | None
    low: float | None
    high: float | None
    n: int
    population_clusters: int
    cases: float
    base: float

    def as_dict(self) -> dict[str, float | int | None]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 6)

        return {"estimate": r(self.ratio), "se": r(self.se), "ci_low": r(self.low),
                "ci_high": r(self.high), "clusters": self.n,
                "population_clusters": self.population_clusters,
                "cases": self.cases, "base": self.base}


def ratio_estimate(y: Sequence[float], x: Sequence[float], population_clusters: int, *,
                   confidence: float = 0.95, proportion: bool = True) -> RatioEstimate:
    """R̂ = Σy/Σx over the sampled clusters with the cluster-sample variance (see above).

    Undefined (None) when Σx = 0; the interval needs n ≥ 2.
    """
    n = len(y)
    if n != len(x):
        raise ValueError("y and x must have one value per cluster")
    total_y, total_x = float(sum(y)), float(sum(x))
    if n == 0 or total_x == 0:
        return RatioEstimate(None, None, None, None, n, population_clusters, total_y, total_x)
    ratio = total_y / total_x
    if n < 2:
        return RatioEstimate(ratio, None, None, None, n, population_clusters, total_y, total_x)
    mean_x = total_x / n
    fpc = 1 - n / population_clusters if population_clusters else 1.0
    residuals = sum((yi - ratio * xi) ** 2 for yi, xi in zip(y, x, strict=True))
    variance = max(fpc, 0.0) / (n * mean_x**2) * residuals / (n - 1)
    se = math.sqrt(variance)
    half = float(student_t.ppf(0.5 + confidence / 2, n - 1)) * se
    low, high = ratio - half, ratio + half
    if proportion:
        low, high = max(low, 0.0), min(high, 1.0)
    return RatioEstimate(ratio, se, low, high, n, population_clusters, total_y, total_x)
