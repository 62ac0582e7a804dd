"""A report asked for after a write includes it: the fact cache follows the data version."""

from __future__ import annotations

from datetime import date

from renkou.core.audit import data_version_bump
from renkou.core.periods import parse_period
from renkou.events.spells import spells_rebuild
from renkou.stats import facts
from renkou.stats.engine import compute_indicators
from tests import factories as f

YEAR = parse_period("2024")


def births(unit) -> int:
    [row] = compute_indicators(unit=unit, period=YEAR)
    value = row.values["BIRTHS"]
    assert isinstance(value, int)
    return value


def test_new_birth_is_counted_after_the_version_bump(county):
    unit = county[f.COUNTY]
    assert births(unit) == 6
    store = facts.get_store()
    assert births(unit) == 6
    assert facts.get_store() is store
    f.make_person("NEW1", "HC1", sex=2, birth=date(2024, 7, 7), mother="W11")
    f.make_event("ENEW1", "birth", "NEW1", date(2024, 7, 7), f.GROUP_C1)
    spells_rebuild(["NEW1"])
    data_version_bump()
    assert births(unit) == 7
    assert facts.get_store() is not store
    [row] = compute_indicators(unit=unit, period=YEAR)
    assert row.values["POP_END"] == 20
    assert row.values["ASFR_25"] == 1000.0


def test_a_write_that_forgot_to_bump_is_still_seen(county):
    unit = county[f.COUNTY]
    assert births(unit) == 6
    f.make_person("NEW2", "HC1", sex=1, birth=date(2024, 8, 8))
    f.make_event("ENEW2", "birth", "NEW2", date(2024, 8, 8), f.GROUP_C1)
    spells_rebuild(["NEW2"])  # new spell ids change the fingerprint
    assert births(unit) == 7
    f.make_event("ENEW3", "death", "NEW2", date(2024, 9, 9), f.GROUP_C1)  # no rebuild either
    [row] = compute_indicators(unit=unit, period=YEAR)
    assert row.values["DEATHS"] == 3  # the event count is in the fingerprint
