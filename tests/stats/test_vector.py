"""The array formulas give bit-for-bit the values of the scalar formulas (formulas.py)."""

from __future__ import annotations

import numpy as np

from renkou.core.periods import parse_period
from renkou.stats import sql
from renkou.stats.catalog import CODES
from renkou.stats.engine import indicator_values
from renkou.stats.vector import indicator_columns


def test_array_formulas_equal_scalar_formulas():
    rng = np.random.default_rng(20240229)
    n = 4000
    # Small counts (many zeros: null denominators, p = 0 or 1) and large ones.
    scale = np.where(rng.random(n) < 0.5, 3, 200_000)

    def draw() -> np.ndarray:
        return (rng.random(n) * scale).astype(np.int64)

    s = {m: draw() for m in sql.STOCK_MEASURES}
    e = {m: draw() for m in sql.STOCK_MEASURES}
    f = {m: draw() for m in sql.FLOW_MEASURES}
    f["births"] = f["births_m"] + f["births_f"]
    f["timely"] = np.minimum(f["timely"], f["births"])
    yearly = rng.random(n) < 0.7
    columns = indicator_columns(yearly, s, e, f)
    assert list(columns) == list(CODES)
    year, month = parse_period("2024"), parse_period("202403")
    for i in range(n):
        expected = indicator_values(
            year if yearly[i] else month,
            {m: int(v[i]) for m, v in s.items()}, {m: int(v[i]) for m, v in e.items()},
            {m: int(v[i]) for m, v in f.items()})
        actual = {code: columns[code][i] for code in CODES}
        assert actual == expected, i
        for code in CODES:
            assert type(actual[code]) is type(expected[code]), (i, code)
