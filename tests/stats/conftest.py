"""Fixtures of the statistics tests: the hand-computed county, a fresh engine cache."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from renkou.stats.facts import cache_clear
from renkou.units.models import Unit
from tests.stats import fixture_county


@pytest.fixture(autouse=True)
def _fresh_engine_cache() -> Iterator[None]:
    # Test databases are rolled back between tests; never let one test see another's facts.
    cache_clear()
    yield
    cache_clear()


@pytest.fixture
def county(units: dict[str, Any]) -> dict[str, Unit]:
    """The county of fixture_county.py, built; returns every unit by code (D included)."""
    fixture_county.build()
    return {u.code: u for u in Unit.objects.all()}
