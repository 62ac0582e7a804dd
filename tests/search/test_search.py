"""The search table: built in bulk, kept current by the registry and event services and by
imports, and searched by name, pinyin, ID number (whole or tail) and ids, within the user's
units only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from renkou.core.audit import cli_actor
from renkou.core.models import AuditEvent
from renkou.events import services as events
from renkou.exchange.services import import_directory
from renkou.registry import services as registry
from renkou.search.models import SearchEntry
from renkou.search.selectors import normalise_query, search_for_user
from renkou.search.services import search_rebuild, search_refresh
from tests import factories as f
from tests.web.data import make_people

ACTOR = cli_actor()


@pytest.fixture
def people(units):
    residents = make_people()
    search_rebuild()
    return residents


def _ids(user, query, **kwargs):
    return [h.person_id for h in search_for_user(user=user, query=query, **kwargs).hits]


def test_rebuild_writes_one_row_per_person_with_keys(people):
    assert SearchEntry.objects.count() == 7
    row = SearchEntry.objects.get(person_id="P-A1")
    assert (row.name, row.initials, row.pinyin) == ("李建国", "ljg", "lijianguo")
    assert row.id_reversed == people["a_head"].id_number[::-1]
    assert row.unit_code == f.GROUP_A1
    assert search_rebuild() == 7  # again: same rows, no duplicates
    assert SearchEntry.objects.count() == 7


@pytest.mark.parametrize(("query", "expected"), [
    ("李", ["P-A3", "P-A1", "P-A4"]),      # name prefix, in code-point order: 小 建 思
    ("李小", ["P-A3"]),
    ("建国", []),                           # a prefix, not a substring
    ("ljg", ["P-A1"]),                      # pinyin initials
    ("LJG", ["P-A1"]),
    ("ｌｊｇ", ["P-A1"]),                   # full-width letters
    ("l", ["P-A1", "P-A4", "P-A3"]),        # li jianguo < li sisi < li xiaoming
    ("lixiao", ["P-A3"]),                   # full pinyin prefix
    ("lixiaoming", ["P-A3"]),
    ("wxy", ["P-A2"]),
    ("lsx", []),
    ("H-A1", ["P-A1", "P-A2", "P-A3"]),     # household id: its members
    ("h-a1", ["P-A1", "P-A2", "P-A3"]),
    ("P-A2", ["P-A2"]),                     # person id
    ("P-C1", []),                           # another township's person: not there
    ("欧阳", []),
])
def test_search_as_village_worker(personas, people, query, expected):
    assert _ids(personas["village_worker_a"], query) == expected


def test_id_number_whole_and_tail(personas, people):
    user = personas["village_worker_a"]
    number = people["a_wife"].id_number
    assert _ids(user, number) == ["P-A2"]
    assert _ids(user, " " + number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
                + " ") == ["P-A2"]
    for tail in (number[-4:], number[-6:]):
        assert "P-A2" in _ids(user, tail)
    # every hit of a tail search ends with the tail
    for hit in search_for_user(user=user, query=number[-4:]).hits:
        assert hit.id_number.endswith(number[-4:])
    assert _ids(user, number[-3:]) == []  # fewer than 4 digits: ids only


def test_scope_by_role(personas, people):
    assert _ids(personas["village_worker_c"], "欧阳") == ["P-C1", "P-C2"]
    assert _ids(personas["village_worker_c"], "李") == []
    assert _ids(personas["township_clerk_1"], "z") == ["P-B1"]  # zhang weidong
    assert _ids(personas["township_clerk_1"], "zwd") == ["P-B1"]  # initials only
    assert _ids(personas["township_clerk_1"], "zh") == ["P-B1"]  # start of full pinyin
    assert _ids(personas["township_clerk_1"], "zhangw") == ["P-B1"]
    assert _ids(personas["county_admin"], "oynn") == ["P-C1"]  # initials with vowels
    assert _ids(personas["county_admin"], "ouyangx") == ["P-C2"]  # ouyang xiaobao
    assert sorted(_ids(personas["county_admin"], "oy")) == ["P-C1", "P-C2"]
    group_worker = f.make_user("vw_g2", f.GROUP_A2, "village_worker")
    assert _ids(group_worker, "李") == ["P-A4"]


def test_pages(personas, people):
    household = f.make_household("H-A9", f.GROUP_A1)
    for n in range(45):
        f.make_person(f"Q-{n:03d}", household, name=f"孙{n:02d}")
    search_refresh([f"Q-{n:03d}" for n in range(45)])
    user = personas["village_worker_a"]
    first = search_for_user(user=user, query="孙", page_size=20)
    assert [h.person_id for h in first.hits] == [f"Q-{n:03d}" for n in range(20)]
    assert first.has_next
    assert not first.has_previous
    third = search_for_user(user=user, query="孙", page=3, page_size=20)
    assert [h.person_id for h in third.hits] == [f"Q-{n:03d}" for n in range(40, 45)]
    assert not third.has_next
    assert (third.first_index, third.last_index) == (41, 45)


def test_search_is_audited(personas, people):
    search_for_user(user=personas["village_worker_a"], query="ljg", actor=ACTOR)
    event = AuditEvent.objects.get(action="person.search")
    assert event.detail == {"q": "ljg", "kind": "initials", "page": 1, "shown": ["P-A1"]}


def test_normalise_query():
    assert normalise_query(" Ｚ Ｓ ") == "zs"
    assert normalise_query("４１０３２５") == "410325"
    assert normalise_query("张 三") == "张三"


def test_services_keep_the_table_current(personas, people):
    user = personas["village_worker_a"]
    registry.person_update(actor=ACTOR, person_id="P-A3", name="曾小明")
    assert _ids(user, "zxm") == ["P-A3"]  # surname reading: zeng
    assert _ids(user, "lxm") == []
    events.event_record_birth(actor=ACTOR, child_id="P-NEW", household_id="H-A1",
                              name="李单单", sex=2, birth_date=date(2024, 5, 1),
                              mother_id="P-A2", father_id="P-A1")
    assert _ids(user, "ldd") == ["P-NEW"]
    # a move to a household in another township: out of this worker's search, into theirs
    events.event_record_move_within(actor=ACTOR, person_id="P-A3", household_id="H-C1",
                                    date_of_move=date(2024, 6, 1))
    assert _ids(user, "zxm") == []
    assert _ids(personas["village_worker_c"], "zxm") == ["P-A3"]
    # a household re-registered in another village takes its members along
    registry.household_update(actor=ACTOR, household_id="H-A2", unit_code=f.GROUP_B1)
    assert _ids(user, "lss") == []
    assert _ids(personas["township_clerk_1"], "lss") == ["P-A4"]
    row = SearchEntry.objects.get(person_id="P-A4")
    assert row.unit_code == f.GROUP_B1


def test_failed_write_leaves_the_table_alone(personas, people):
    from renkou.core.errors import ValidationError

    with pytest.raises(ValidationError):
        events.event_record_birth(actor=ACTOR, child_id="P-BAD", household_id="H-A1",
                                  name="李坏", sex=1, birth_date=date(2024, 5, 1),
                                  mother_id="P-A1")  # a man as mother
    assert not SearchEntry.objects.filter(person_id="P-BAD").exists()


def _write(directory: Path, name: str, text: str) -> None:
    (directory / f"{name}.csv").write_text(text, encoding="utf-8")


def test_import_fills_and_updates_the_table(units, personas, tmp_path):
    _write(tmp_path, "households", "household_id,unit_code,address\n"
                                   f"H1,{f.GROUP_A1},一组\nH2,{f.GROUP_C1},王庄\n")
    _write(tmp_path, "persons",
           "person_id,household_id,name,sex,birth_date,id_number,ethnicity,relation,"
           "marital_status,mother_id,father_id\n"
           "X1,H1,曾一,1,1980-01-02,,01,02,20,,\n"
           "X2,H2,单二,2,1982-03-04,,01,02,20,,\n")
    assert import_directory(directory=tmp_path, actor=ACTOR).ok
    assert SearchEntry.objects.count() == 2
    assert _ids(personas["village_worker_a"], "zy") == ["X1"]
    assert _ids(personas["village_worker_c"], "se") == ["X2"]
    # a later extract renames one person and moves the other's household
    _write(tmp_path, "households", "household_id,unit_code,address\n"
                                   f"H1,{f.GROUP_A1},一组\nH2,{f.GROUP_A2},李家村\n")
    _write(tmp_path, "persons",
           "person_id,household_id,name,sex,birth_date,id_number,ethnicity,relation,"
           "marital_status,mother_id,father_id\n"
           "X1,H1,解一,1,1980-01-02,,01,02,20,,\n"
           "X2,H2,单二,2,1982-03-04,,01,02,20,,\n"
           "X3,H1,曾三,2,2010-03-04,,01,30,10,,X1\n")
    assert import_directory(directory=tmp_path, actor=ACTOR).ok
    assert SearchEntry.objects.count() == 3
    user = personas["village_worker_a"]
    assert _ids(user, "xy") == ["X1"]
    assert _ids(user, "zy") == []
    assert _ids(user, "se") == ["X2"]
    assert _ids(user, "曾") == ["X3"]
    assert _ids(personas["village_worker_c"], "se") == []


def test_first_import_builds_the_rows_a_rebuild_from_the_registry_builds(
        units, tmp_path, monkeypatch):
    from renkou.search import services as search_services

    _write(tmp_path, "households", "household_id,unit_code,address\n"
                                   f"H1,{f.GROUP_A1},一组\nH2,{f.VILLAGE_C},王庄\n")
    _write(tmp_path, "persons",
           "person_id,household_id,name,sex,birth_date,id_number,ethnicity,relation,"
           "marital_status,mother_id,father_id\n"
           "X2,H2,单 二,2,1982-03-04, 11010519491231002x ,01,02,20,,\n"
           "X1,H1,曾一,1,1980-01-02,,01,02,20,,\n"
           "X3,H1,欧阳小明,1,2001-05-06,110105010506001,01,30,10,,X1\n")

    def registry_read() -> None:
        raise AssertionError("a first import builds the rows from its own frames")

    with monkeypatch.context() as patch:
        patch.setattr(search_services, "_distinct_names", registry_read)
        assert import_directory(directory=tmp_path, actor=ACTOR).ok
    fields = ["person_id", "unit_code", "name", "initials", "pinyin", "id_reversed"]
    from_frames = list(SearchEntry.objects.order_by("person_id").values_list(*fields))
    assert search_rebuild() == 3
    assert list(SearchEntry.objects.order_by("person_id").values_list(*fields)) == from_frames
    assert from_frames[1] == ("X2", f.VILLAGE_C, "单 二", "se", "shaner",
                              "X20013219491501011")
