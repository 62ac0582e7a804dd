"""Drill-down: the persons behind a count, scoped to the user's units and audited."""

from __future__ import annotations

import pytest

from renkou.core.audit import cli_actor
from renkou.core.errors import PermissionDenied, ValidationError
from renkou.core.models import AuditEvent
from renkou.core.periods import parse_period
from renkou.stats.engine import persons_behind
from renkou.stats.selectors import persons_behind_for_user
from tests import factories as f

YEAR = parse_period("2024")


@pytest.mark.parametrize(("unit", "code", "ids"), [
    (f.VILLAGE_A, "POP_START", ["C1", "CN", "H1", "K2", "W1", "W2", "W3", "W4"]),
    (f.VILLAGE_A, "POP_END", ["C1", "C2", "C3", "CN", "K2", "K3", "T1", "T2", "W1", "W2",
                              "W3", "W4", "W5"]),
    (f.COUNTY, "WRA", ["K1", "W1", "W11", "W2", "W3", "W4", "W5", "W9"]),
    (f.COUNTY, "MWRA", ["W1", "W3", "W5"]),
    (f.COUNTY, "BIRTHS", ["C2", "C3", "C7", "K3", "T1", "T2"]),
    (f.COUNTY, "BIRTHS_M", ["C2", "C7", "T2"]),
    (f.COUNTY, "BIRTHS_F", ["C3", "K3", "T1"]),
    (f.COUNTY, "BIRTHS_O1", ["C7", "T1"]),
    (f.COUNTY, "BIRTHS_O2", ["C2", "C3", "T2"]),
    (f.COUNTY, "BIRTHS_O3P", ["K3"]),
    (f.COUNTY, "DEATHS", ["C7", "H1"]),
    (f.VILLAGE_B, "MOVE_OUT", ["P6", "W5"]),
    (f.COUNTY, "MOVE_IN", ["P10", "P6", "W5"]),
    (f.COUNTY, "MARRIAGES", ["M3", "W3"]),  # the event's person and the spouse
])
def test_persons_behind_each_count(county, unit, code, ids):
    assert persons_behind(unit=county[unit], period=YEAR, code=code) == ids


def test_a_rate_has_no_persons_behind_it(county):
    with pytest.raises(ValidationError):
        persons_behind(unit=county[f.COUNTY], period=YEAR, code="CBR")


def test_village_worker_sees_own_village_and_is_audited(county, personas):
    user = personas["village_worker_a"]
    ids = persons_behind_for_user(user=user, unit=county[f.VILLAGE_A], period=YEAR,
                                  code="DEATHS", actor=cli_actor(user))
    assert ids == ["H1"]
    audit = AuditEvent.objects.get(action="stats.drilldown")
    assert (audit.username, audit.unit_code, audit.object_id) == ("vw_a", f.VILLAGE_A,
                                                                  "DEATHS")
    assert audit.detail == {"period": "2024", "code": "DEATHS", "persons": 1}


@pytest.mark.parametrize(("persona", "unit"), [
    ("village_worker_c", f.VILLAGE_A),  # another village
    ("village_worker_a", f.COUNTY),  # above their village
    ("township_clerk_1", f.VILLAGE_C),  # another township
])
def test_refused_outside_the_users_units(county, personas, persona, unit):
    user = personas[persona]
    with pytest.raises(PermissionDenied):
        persons_behind_for_user(user=user, unit=county[unit], period=YEAR, code="BIRTHS",
                                actor=cli_actor(user))
    assert not AuditEvent.objects.filter(action="stats.drilldown").exists()


def test_county_administrator_sees_the_county(county, personas):
    user = personas["county_admin"]
    assert persons_behind_for_user(user=user, unit=county[f.COUNTY], period=YEAR,
                                   code="MARRIAGES", actor=cli_actor(user)) == ["M3", "W3"]
