"""Plausibility per unit against neighbours and history, on a hand-built township."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command

from renkou.events.models import Event
from renkou.events.spells import spells_rebuild
from renkou.quality.plausibility import plausibility_check
from renkou.registry.models import Household, Person
from renkou.units.models import Unit
from renkou.units.services import UnitRow, derive_hierarchy

TOWNSHIP = "410325300000"
VILLAGES = [f"4103253002{i:02d}" for i in range(1, 6)]  # V1 … V5


def _units() -> None:
    rows = [UnitRow("410000000000", "河南省", "province", "", ""),
            UnitRow("410300000000", "洛阳市", "city", "410000000000", ""),
            UnitRow("410325000000", "嵩县", "county", "410300000000", ""),
            UnitRow(TOWNSHIP, "白河镇", "township", "410325000000", "")]
    rows += [UnitRow(code, f"第{i + 1}村", "village", TOWNSHIP, "220")
             for i, code in enumerate(VILLAGES)]
    derived = derive_hierarchy(rows)
    for row in sorted(rows, key=lambda r: int(str(derived[r.code]["depth"]))):
        Unit.objects.create(code=row.code, name=row.name, level=row.level,
                            parent_id=row.parent_code or None,
                            urban_rural_code=row.urban_rural_code, **derived[row.code])


@pytest.fixture
def township(db: Any) -> None:
    """Five villages of 100 adults born 1980 (aged 40–44 in 2021–2024, no moves).

    Women: 30 each, but 80 in V5. Marriages: one a year 2021–2024 in every village, but ten
    in 2024 in V3. Births: V2 has one boy in 2023, then eleven boys and one girl in 2024.
    """
    _units()
    persons: list[Person] = []
    events: list[Event] = []
    for v, code in enumerate(VILLAGES, start=1):
        Household.objects.create(id=f"H{v}", unit_id=code)
        women = 80 if v == 5 else 30
        for i in range(100):
            persons.append(Person(id=f"V{v}-{i:03d}", household_id=f"H{v}", name="某",
                                  sex=2 if i < women else 1, birth_date=date(1980, 1, 1),
                                  marital_status="10"))
        marriages = [(y, 1) for y in (2021, 2022, 2023)] + [(2024, 10 if v == 3 else 1)]
        n = 0
        for year, count in marriages:
            for _ in range(count):
                events.append(Event(id=f"M{v}-{n}", type="marriage",
                                    person_id=f"V{v}-{99 - n:03d}", date=date(year, 6, 1),
                                    recorded_date=date(year, 6, 1), unit_id=code,
                                    source="civil_affairs"))
                n += 1
    babies = [("B0", date(2023, 3, 1), 1)] + [
        (f"B{k}", date(2024, k, 10), 2 if k == 12 else 1) for k in range(1, 13)]
    for pid, born, sex in babies:
        persons.append(Person(id=pid, household_id="H2", name="婴", sex=sex, birth_date=born,
                              marital_status="10"))
        events.append(Event(id=f"E{pid}", type="birth", person_id=pid, date=born,
                            recorded_date=born, unit_id=VILLAGES[1], source="hospital"))
    Person.objects.bulk_create(persons)
    Event.objects.bulk_create(events)
    spells_rebuild()


def test_flags_and_reasons_by_hand(township):
    checks = {c.unit_code: c for c in plausibility_check(
        unit=Unit.objects.get(code=TOWNSHIP), year=2024)}
    assert list(checks) == VILLAGES  # by code, every village, never ranked
    flags = {(code, f.measure, f.against) for code, c in checks.items() for f in c.flags}
    assert flags == {
        # V2: CBR 12/107 × 1000 = 112.15 against 1/100.5 × 1000 = 9.95 last year:
        # expected births 9.95 × 107 / 1000 = 1.065, z = (12 − 1.065) / √1.065 = 10.6.
        (VILLAGES[1], "CBR", "history"),
        # V2: 11 boys, 1 girl: Wilson lower bound p = 0.6461 → SRB_LO = 182.6 > 107.
        (VILLAGES[1], "SRB", "normal"),
        # V3: 10 marriages / 100 × 1000 = 100; neighbours' median 10, spread
        # max(1.4826 × MAD 0, √(10 × 1000 / 100) = 10): |100 − 10| > 30.
        (VILLAGES[2], "MARRIAGE_RATE", "neighbours"),
        # … and the previous years pooled: 3 / 300 × 1000 = 10, z = (100 − 10) / 10 = 9.
        (VILLAGES[2], "MARRIAGE_RATE", "history"),
        # V5: 80 / 100 = 0.80 against the median 0.30; spread √(0.3 × 0.7 / 100) = 0.046.
        (VILLAGES[4], "WRA_SHARE", "neighbours"),
    }
    v2 = checks[VILLAGES[1]]
    assert v2.values["CBR"] == pytest.approx(12 / 107 * 1000)
    (cbr,) = [f for f in v2.flags if f.measure == "CBR"]
    assert cbr.reference == pytest.approx(1 / 100.5 * 1000)
    assert "z = 10.6" in cbr.reason
    v5 = checks[VILLAGES[4]]
    assert v5.flags[0].value == pytest.approx(0.8)
    assert v5.flags[0].reference == pytest.approx(0.3)
    assert checks[VILLAGES[1]].values["WRA_SHARE"] == pytest.approx(30 / 113)


def test_one_village_is_compared_with_its_siblings(township):
    checks = plausibility_check(unit=Unit.objects.get(code=VILLAGES[4]), year=2024)
    assert [(c.unit_code, [f.measure for f in c.flags]) for c in checks] == [
        (VILLAGES[4], ["WRA_SHARE"])]


def test_command_prints_json(township, capsys):
    call_command("quality", "plausibility", "--unit", TOWNSHIP, "--year", "2024",
                 "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["year"] == 2024
    assert [r["unit"] for r in data["rows"]] == [VILLAGES[1], VILLAGES[2], VILLAGES[4]]
    assert data["rows"][2]["values"]["WRA_SHARE"] == 0.8
