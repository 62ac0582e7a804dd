"""Shared fixtures: a unit tree and named personas per role and unit."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories as f


@pytest.fixture
def units(db: Any) -> dict[str, Any]:
    return f.make_units()


@pytest.fixture
def personas(units: dict[str, Any]) -> dict[str, Any]:
    """village worker in 李家村, another in 王庄村, a township clerk of 城关镇, a county
    administrator, a service provider in 城关镇 and an auditor of the county."""
    return {
        "village_worker_a": f.make_user("vw_a", f.VILLAGE_A, "village_worker"),
        "village_worker_c": f.make_user("vw_c", f.VILLAGE_C, "village_worker"),
        "township_clerk_1": f.make_user("tc_1", f.TOWNSHIP_1, "township_clerk"),
        "county_admin": f.make_user("ca", f.COUNTY, "county_admin",
                                    can_export_personal_data=True),
        "service_provider_1": f.make_user("sp_1", f.TOWNSHIP_1, "service_provider"),
        "auditor": f.make_user("au", f.COUNTY, "auditor"),
    }


@pytest.fixture(autouse=True)
def _fresh_stats_cache() -> Any:
    """The statistics engine caches facts per process, keyed by data version and a
    fingerprint; on SQLite a rolled-back test can reuse ids, so start every test clean."""
    from renkou.stats.facts import cache_clear

    cache_clear()
    yield
    cache_clear()
