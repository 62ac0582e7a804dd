"""Small builders for test data: a unit tree, households, persons, events, personas."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model

from renkou.core.models import Membership
from renkou.events.models import Event
from renkou.registry.models import Household, Person
from renkou.units.models import Unit
from renkou.units.services import UnitRow, derive_hierarchy

# province 41 → city 4103 → county 410325 → townships 100, 200 → villages → groups
UNIT_ROWS = [
    UnitRow("410000000000", "河南省", "province", "", ""),
    UnitRow("410300000000", "洛阳市", "city", "410000000000", ""),
    UnitRow("410325000000", "嵩县", "county", "410300000000", ""),
    UnitRow("410325100000", "城关镇", "township", "410325000000", ""),
    UnitRow("410325200000", "王庄乡", "township", "410325000000", ""),
    UnitRow("410325100201", "李家村", "village", "410325100000", "220"),
    UnitRow("410325100202", "张庄村", "village", "410325100000", "220"),
    UnitRow("410325200201", "王庄村", "village", "410325200000", "210"),
    UnitRow("410325100201001", "李家村第一村民小组", "group", "410325100201", ""),
    UnitRow("410325100201002", "李家村第二村民小组", "group", "410325100201", ""),
    UnitRow("410325100202001", "张庄村第一村民小组", "group", "410325100202", ""),
    UnitRow("410325200201001", "王庄村第一村民小组", "group", "410325200201", ""),
]

VILLAGE_A = "410325100201"
GROUP_A1 = "410325100201001"
GROUP_A2 = "410325100201002"
VILLAGE_B = "410325100202"
GROUP_B1 = "410325100202001"
VILLAGE_C = "410325200201"
GROUP_C1 = "410325200201001"
TOWNSHIP_1 = "410325100000"
TOWNSHIP_2 = "410325200000"
COUNTY = "410325000000"


def make_units() -> dict[str, Unit]:
    derived = derive_hierarchy(UNIT_ROWS)
    units: dict[str, Unit] = {}
    for row in sorted(UNIT_ROWS, key=lambda r: int(str(derived[r.code]["depth"]))):
        info = derived[row.code]
        units[row.code] = Unit.objects.create(
            code=row.code, name=row.name, level=row.level,
            parent_id=row.parent_code or None, urban_rural_code=row.urban_rural_code,
            **info,
        )
    return units


def make_household(hid: str, unit_code: str, address: str = "") -> Household:
    return Household.objects.create(id=hid, unit_id=unit_code, address=address)


def make_person(pid: str, household: Household | str, *, sex: int = 1,
                birth: date | None = date(1990, 1, 1), name: str = "张三",
                marital_status: str = "10", mother: str | None = None,
                father: str | None = None, id_number: str = "") -> Person:
    hid = household if isinstance(household, str) else household.id
    return Person.objects.create(id=pid, household_id=hid, name=name, sex=sex,
                                 birth_date=birth, marital_status=marital_status,
                                 mother_id=mother, father_id=father, id_number=id_number)


def make_event(eid: str, etype: str, person: str, day: date, unit: str, *,
               recorded: date | None = None, spouse: str | None = None,
               birth_order: int | None = None, source: str = "village") -> Event:
    return Event.objects.create(id=eid, type=etype, person_id=person, date=day,
                                recorded_date=recorded or day, unit_id=unit, source=source,
                                spouse_id=spouse, birth_order=birth_order)


def make_user(username: str, unit_code: str, role: str, **extra: Any) -> Any:
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    Membership.objects.create(user=user, unit_id=unit_code, role=role, **extra)
    return user
