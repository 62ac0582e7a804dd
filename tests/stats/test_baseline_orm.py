"""The plain-ORM baseline (benchmark) is a second implementation: same numbers."""

from __future__ import annotations

from renkou.core.periods import parse_period
from renkou.stats.baseline_orm import baseline_indicators
from renkou.stats.engine import compute_indicators_many
from tests import factories as f


def test_baseline_equals_engine(county):
    periods = [parse_period(c) for c in ("2023", "2024", "2024Oct", "2024Q4", "202412",
                                         "202602", "202603")]
    for level in ("village", "group", None):
        engine = compute_indicators_many(unit=county[f.COUNTY], periods=periods,
                                         by_level=level)
        baseline = baseline_indicators(unit=county[f.COUNTY], periods=periods,
                                       by_level=level)
        assert engine == baseline, level
