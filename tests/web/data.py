"""A small registry spread over three villages in two townships, for scope and page tests.

Each village's people carry names, ID numbers, person ids and household ids that occur
nowhere else, so a test can search for them and look for them in any page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from renkou.registry.idnumber import check_character
from tests import factories as f


def id_number(county: str, birth: date, sequence: int) -> str:
    first17 = f"{county}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


@dataclass(frozen=True)
class Resident:
    person_id: str
    name: str
    id_number: str
    household_id: str
    village: str


def make_people() -> dict[str, Resident]:
    """Households and persons in 李家村 (A, two groups), 张庄村 (B) and 王庄村 (C)."""
    residents: dict[str, Resident] = {}

    def add(key: str, pid: str, hid: str, village: str, name: str, sex: int, birth: date,
            seq: int, relation: str, **extra: str) -> None:
        number = id_number("410325", birth, seq)
        person = f.make_person(pid, hid, sex=sex, birth=birth, name=name, id_number=number,
                               marital_status=extra.pop("marital", "10"), **extra)
        person.relation = relation
        person.save(update_fields=["relation"])
        residents[key] = Resident(pid, name, number, hid, village)

    f.make_household("H-A1", f.GROUP_A1, "李家村一组 1 号")
    f.make_household("H-A2", f.GROUP_A2, "李家村二组 7 号")
    f.make_household("H-B1", f.GROUP_B1, "张庄村一组 3 号")
    f.make_household("H-C1", f.GROUP_C1, "王庄村一组 9 号")
    # village C first: A's people refer to them
    add("c_head", "P-C1", "H-C1", f.VILLAGE_C, "欧阳娜娜", 2, date(1985, 3, 4), 2, "02",
        marital="20")
    add("c_child", "P-C2", "H-C1", f.VILLAGE_C, "欧阳小宝", 1, date(2012, 6, 1), 11, "20",
        mother="P-C1")
    add("a_head", "P-A1", "H-A1", f.VILLAGE_A, "李建国", 1, date(1970, 5, 6), 13, "02",
        marital="20")
    add("a_wife", "P-A2", "H-A1", f.VILLAGE_A, "王秀英", 2, date(1972, 8, 9), 24, "10",
        marital="20")
    add("a_son", "P-A3", "H-A1", f.VILLAGE_A, "李小明", 1, date(1998, 1, 2), 35, "20",
        mother="P-A2", father="P-A1")
    # her mother lives in village C
    add("a_daughter", "P-A4", "H-A2", f.VILLAGE_A, "李思思", 2, date(2005, 2, 3), 46, "02",
        mother="P-C1")
    add("b_head", "P-B1", "H-B1", f.VILLAGE_B, "张伟东", 1, date(1980, 10, 11), 57, "02")
    f.make_event("E-1", "birth", "P-A3", date(1998, 1, 2), f.GROUP_A1, birth_order=1)
    f.make_event("E-2", "marriage", "P-A1", date(1996, 4, 1), f.GROUP_A1, spouse="P-A2",
                 source="civil_affairs")
    f.make_event("E-3", "marriage", "P-C1", date(2010, 5, 1), f.GROUP_C1, spouse="P-B1",
                 source="civil_affairs")
    return residents


# Who may see whom (persona → villages whose people they see).
VISIBLE_VILLAGES: dict[str, set[str]] = {
    "village_worker_a": {f.VILLAGE_A},
    "village_worker_c": {f.VILLAGE_C},
    "township_clerk_1": {f.VILLAGE_A, f.VILLAGE_B},
    "county_admin": {f.VILLAGE_A, f.VILLAGE_B, f.VILLAGE_C},
    "service_provider_1": {f.VILLAGE_A, f.VILLAGE_B},
    "auditor": {f.VILLAGE_A, f.VILLAGE_B, f.VILLAGE_C},
}
