"""The synthetic county: determinism, format, referential integrity and demographic realism.

Plain pytest tests (no database). Checks are computed from the written files with small
independent implementations of the SPEC rules, not with the generator's own code.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from renkou.synth import generate_county
from renkou.synth.units import build_units

PERSONS = 5000
END = date(2025, 12, 31)
START = date(2021, 1, 1)

HEADERS = {
    "orgunits.csv": "code,name,level,parent_code,urban_rural_code",
    "households.csv": "household_id,unit_code,address",
    "persons.csv": "person_id,household_id,name,sex,birth_date,id_number,ethnicity,relation,"
    "marital_status,mother_id,father_id",
    "events.csv": "event_id,type,person_id,date,recorded_date,unit_code,source,spouse_id,birth_order",
    "hospital_births.csv": "record_id,birth_date,child_sex,mother_name,mother_id_number,hospital,address",
    "civil_marriages.csv": "record_id,date,husband_name,husband_id_number,wife_name,wife_id_number,office",
}
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RELATIONS = {"02", "10", "20", "28", "30", "38", "40", "51", "52", "55", "56", "70", "80", "99"}
UR_CODES = {"111", "112", "121", "210", "220"}
SOURCES = {"village", "hospital", "civil_affairs", "police", "survey", "other"}


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


class Extract:
    def __init__(self, d: Path) -> None:
        self.dir = d
        self.units = {r["code"]: r for r in read(d / "orgunits.csv")}
        self.households = {r["household_id"]: r for r in read(d / "households.csv")}
        self.persons = {r["person_id"]: r for r in read(d / "persons.csv")}
        self.events = read(d / "events.csv")
        self.by_person: dict[str, list[dict[str, str]]] = defaultdict(list)
        for e in self.events:
            self.by_person[e["person_id"]].append(e)
            if e["spouse_id"] and e["type"] in ("marriage", "divorce"):
                self.by_person[e["spouse_id"]].append(e)

    def moves(self, pid: str) -> list[dict[str, str]]:
        # on one day a move_out applies before a move_in (SPEC §2)
        mv = [
            e
            for e in self.by_person[pid]
            if e["type"] in ("move_in", "move_out") and e["person_id"] == pid
        ]
        return sorted(mv, key=lambda e: (e["date"], e["type"] == "move_in"))

    def death(self, pid: str) -> str | None:
        return next((e["date"] for e in self.by_person[pid] if e["type"] == "death"), None)

    def registered_unit(self, pid: str, day: str) -> str | None:
        """Independent SPEC §2 registration state at the end of `day` (unit or None)."""
        p = self.persons[pid]
        if p["birth_date"] > day:
            return None
        death = self.death(pid)
        if death is not None and death <= day:
            return None
        moves = self.moves(pid)
        home = self.households[p["household_id"]]["unit_code"]
        if not moves:
            return home
        before = [e for e in moves if e["date"] <= day]
        if before:
            return before[-1]["unit_code"] if before[-1]["type"] == "move_in" else None
        return moves[0]["unit_code"] if moves[0]["type"] == "move_out" else None


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Extract:
    d = tmp_path_factory.mktemp("county")
    generate_county(persons=PERSONS, seed=11, out_dir=d)
    return Extract(d)


@pytest.fixture(scope="module")
def county_errors(tmp_path_factory: pytest.TempPathFactory) -> Extract:
    d = tmp_path_factory.mktemp("county_errors")
    generate_county(persons=PERSONS, seed=11, out_dir=d, errors=True)
    return Extract(d)


def age(birth: str, on: date) -> int:
    b = date.fromisoformat(birth)
    return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


def check_char(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


# --- determinism and format ------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_county(persons=2000, seed=5, out_dir=a, errors=True)
    generate_county(persons=2000, seed=5, out_dir=b, errors=True)
    generate_county(persons=2000, seed=6, out_dir=c, errors=True)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert len(files) == 11  # 6 csv + truth: 4 csv and README.txt
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    assert (a / "persons.csv").read_bytes() != (c / "persons.csv").read_bytes()
    assert (a / "events.csv").read_bytes() != (c / "events.csv").read_bytes()


def test_errors_do_not_change_the_registry_part(county: Extract, county_errors: Extract) -> None:
    # the planted problems are added on top of the same county
    base = (county.dir / "events.csv").read_bytes()
    assert (county_errors.dir / "events.csv").read_bytes() == base
    plain = (county.dir / "persons.csv").read_text(encoding="utf-8").splitlines()
    err = (county_errors.dir / "persons.csv").read_text(encoding="utf-8").splitlines()
    assert err[: len(plain)] == plain


def test_headers_exactly_as_spec(county_errors: Extract) -> None:
    for name, header in HEADERS.items():
        raw = (county_errors.dir / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), name
        assert raw.decode("utf-8").split("\n", 1)[0] == header, name


def test_return_value_counts_rows(tmp_path: Path) -> None:
    counts = generate_county(persons=1000, seed=2, out_dir=tmp_path)
    assert set(counts) == {"orgunits.csv", "households.csv", "persons.csv", "events.csv"}
    for name, n in counts.items():
        assert len(read(tmp_path / name)) == n
    assert 950 <= counts["persons.csv"] <= 1050


# --- units -----------------------------------------------------------------------------------


def test_unit_tree(county: Extract) -> None:
    levels = Counter(u["level"] for u in county.units.values())
    assert levels["province"] == levels["city"] == levels["county"] == 1
    assert levels["township"] >= 3
    for code, u in county.units.items():
        if u["level"] == "province":
            assert u["parent_code"] == ""
            continue
        parent = county.units[u["parent_code"]]
        if u["level"] == "group":
            assert len(code) == 15
            assert code[:12] == parent["code"]
            assert parent["level"] == "village"
            assert u["urban_rural_code"] == ""
            continue
        assert len(code) == 12
        assert code.isdigit()
        if u["level"] == "township":
            num = int(code[6:9])
            kind = (
                "street"
                if u["name"].endswith("街道")
                else "town"
                if u["name"].endswith("镇")
                else "xiang"
            )
            assert {
                "street": 1 <= num <= 99,
                "town": 100 <= num <= 199,
                "xiang": 200 <= num <= 399,
            }[kind]
        if u["level"] == "village":
            num, ur = int(code[9:12]), u["urban_rural_code"]
            assert ur in UR_CODES
            assert (1 <= num <= 199) == ur.startswith("1")
            assert (200 <= num <= 399) == ur.startswith("2")
            assert code[:9] == parent["code"][:9]


def test_unit_sizes_for_a_million() -> None:
    import numpy as np

    units, targets = build_units(np.random.Generator(np.random.PCG64(1)), 1_000_000, 50_000)
    assert 15 <= units.level.count("township") <= 25
    par = units.parents()
    groups = units.indices("group")
    per_village = Counter(par[groups].tolist())
    assert all(3 <= n <= 10 for n in per_village.values())
    village_size: Counter[int] = Counter()
    for g, t in zip(groups.tolist(), targets.tolist(), strict=True):
        village_size[int(par[g])] += t
    sizes = sorted(village_size.values())
    assert sizes[len(sizes) // 20] >= 250
    assert sizes[-len(sizes) // 20] <= 3200


def test_households_registered_at_group_or_village(county: Extract) -> None:
    levels = Counter(county.units[h["unit_code"]]["level"] for h in county.households.values())
    assert set(levels) <= {"group", "village"}
    assert levels["group"] > 0.9 * len(county.households)
    for h in county.households.values():
        assert h["address"].endswith("号")
        unit = county.units[h["unit_code"]]
        if unit["level"] == "group":
            village = county.units[unit["parent_code"]]
            assert village["name"] + str(int(h["unit_code"][-3:])) + "组" in h["address"]


# --- references and codes --------------------------------------------------------------------


def check_references(x: Extract) -> None:
    for pid, p in x.persons.items():
        assert p["household_id"] in x.households
        assert p["sex"] in ("1", "2")
        assert p["marital_status"] in ("10", "20", "30", "40")
        assert p["relation"] in RELATIONS
        assert len(p["ethnicity"]) == 2
        assert p["ethnicity"].isdigit()
        date.fromisoformat(p["birth_date"])
        assert p["id_number"] == "" or len(p["id_number"]) == 18
        for parent in (p["mother_id"], p["father_id"]):
            assert parent == "" or (parent in x.persons and parent != pid)
        if p["mother_id"]:
            assert x.persons[p["mother_id"]]["sex"] == "2"
        if p["father_id"]:
            assert x.persons[p["father_id"]]["sex"] == "1"
    ids = [e["event_id"] for e in x.events]
    assert len(ids) == len(set(ids))
    for e in x.events:
        assert e["person_id"] in x.persons
        assert e["spouse_id"] == "" or e["spouse_id"] in x.persons
        assert x.units[e["unit_code"]]["level"] in ("group", "village")
        assert e["source"] in SOURCES
        assert date.fromisoformat(e["date"]) <= date.fromisoformat(e["recorded_date"]) <= END
        assert START <= date.fromisoformat(e["date"]) <= END
        assert e["birth_order"] == "" or (e["type"] == "birth" and int(e["birth_order"]) >= 1)
    for h in x.households.values():
        assert h["unit_code"] in x.units
    heads = Counter(p["household_id"] for p in x.persons.values() if p["relation"] == "02")
    assert all(n == 1 for n in heads.values())


def test_references_resolve(county: Extract) -> None:
    check_references(county)


def test_references_resolve_with_errors(county_errors: Extract) -> None:
    check_references(county_errors)


# --- identity numbers ------------------------------------------------------------------------


def test_identity_numbers(county: Extract) -> None:
    persons = list(county.persons.values())
    filled = [p for p in persons if p["id_number"]]
    assert 0.01 <= 1 - len(filled) / len(persons) <= 0.04  # ~2 % empty
    assert len({p["id_number"] for p in filled}) == len(filled)
    wrong = 0
    for p in filled:
        n = p["id_number"]
        ok = check_char(n[:17]) == n[17]
        ok &= n[6:14] == p["birth_date"].replace("-", "")
        ok &= (int(n[16]) % 2 == 1) == (p["sex"] == "1")
        wrong += not ok
    assert 0 < wrong <= 0.012 * len(filled)  # ~0.5 % configured
    local = sum(p["id_number"].startswith("410325") for p in filled)
    assert 0.85 < local / len(filled) < 0.995


def test_young_children_more_often_without_number(county: Extract) -> None:
    babies = [p for p in county.persons.values() if age(p["birth_date"], END) < 1]
    adults = [p for p in county.persons.values() if age(p["birth_date"], END) >= 18]
    share = lambda ps: sum(not p["id_number"] for p in ps) / len(ps)  # noqa: E731
    assert share(babies) > 3 * share(adults)


# --- demography ------------------------------------------------------------------------------


def living_at(x: Extract, day: str) -> list[str]:
    return [pid for pid in x.persons if x.registered_unit(pid, day) is not None]


def test_age_structure_like_census(county: Extract) -> None:
    alive = living_at(county, END.isoformat())
    ages = [age(county.persons[p]["birth_date"], END) for p in alive]
    n = len(ages)
    assert abs(sum(a < 15 for a in ages) / n - 0.1795) < 0.02
    assert abs(sum(15 <= a < 60 for a in ages) / n - 0.6335) < 0.025
    assert abs(sum(a >= 60 for a in ages) / n - 0.1870) < 0.02
    male = sum(county.persons[p]["sex"] == "1" for p in alive) / n
    assert 0.495 < male < 0.53


def test_household_size(county: Extract) -> None:
    sizes = Counter(p["household_id"] for p in county.persons.values())
    mean = sum(sizes.values()) / len(county.households)
    assert 2.6 <= mean <= 3.1
    dist = Counter(sizes.values())
    assert 0.15 < dist[1] / len(sizes) < 0.35


def test_crude_birth_and_death_rates_per_year(county: Extract) -> None:
    for year in range(2021, 2026):
        pop_start = len(living_at(county, f"{year - 1}-12-31"))
        pop_end = len(living_at(county, f"{year}-12-31"))
        avg = (pop_start + pop_end) / 2
        births = sum(
            e["type"] == "birth" and e["date"].startswith(str(year)) for e in county.events
        )
        deaths = sum(
            e["type"] == "death" and e["date"].startswith(str(year)) for e in county.events
        )
        assert 6 <= births / avg * 1000 <= 9, (year, births, avg)
        assert 5 <= deaths / avg * 1000 <= 9, (year, deaths, avg)


def test_marriages_and_divorces_per_year(county: Extract) -> None:
    pop = len(living_at(county, "2023-06-30"))
    per_year = Counter(e["date"][:4] for e in county.events if e["type"] == "marriage")
    for year in range(2021, 2026):
        assert 4.5 <= per_year[str(year)] / pop * 1000 <= 7
    divorces = sum(e["type"] == "divorce" for e in county.events)
    assert 0 < divorces < sum(per_year.values()) / 2


def test_every_window_birth_has_exactly_one_birth_event(county: Extract) -> None:
    births = Counter(e["person_id"] for e in county.events if e["type"] == "birth")
    for pid, p in county.persons.items():
        inside = p["birth_date"] >= START.isoformat()
        assert births[pid] == (1 if inside else 0), pid
    for e in county.events:
        if e["type"] == "birth":
            assert e["date"] == county.persons[e["person_id"]]["birth_date"]


def test_births_order_and_mothers(county: Extract) -> None:
    births = [e for e in county.events if e["type"] == "birth"]
    known = [e for e in births if e["birth_order"]]
    assert 0.6 < len(known) / len(births) < 0.8
    orders = Counter(min(int(e["birth_order"]), 3) for e in known)
    assert 0.3 < orders[1] / len(known) < 0.6
    assert 0.25 < orders[2] / len(known) < 0.55
    assert 0.04 < orders[3] / len(known) < 0.3
    boys = sum(county.persons[e["person_id"]]["sex"] == "1" for e in births)
    assert 0.45 < boys / len(births) < 0.6
    for pid, p in county.persons.items():
        if p["mother_id"]:
            a = age(
                county.persons[p["mother_id"]]["birth_date"], date.fromisoformat(p["birth_date"])
            )
            assert 16 <= a <= 47, pid
    for e in births:
        mother = county.persons[e["person_id"]]["mother_id"]
        assert mother, e
        assert 18 <= age(county.persons[mother]["birth_date"], date.fromisoformat(e["date"])) <= 46


def test_timeliness_and_sources(county: Extract) -> None:
    delays = [
        (date.fromisoformat(e["recorded_date"]) - date.fromisoformat(e["date"])).days
        for e in county.events
    ]
    late = sum(d > 30 for d in delays) / len(delays)
    assert 0.06 < late < 0.18
    births = [e for e in county.events if e["type"] == "birth"]
    by_source = Counter(e["source"] for e in births)
    assert by_source["village"] > by_source["hospital"] > by_source["police"]
    marriages = Counter(e["source"] for e in county.events if e["type"] == "marriage")
    assert marriages["civil_affairs"] > 0.6 * sum(marriages.values())


# --- consistency of the registration and marital state ---------------------------------------


def test_last_move_in_is_household_unit(county: Extract) -> None:
    moved = 0
    for pid, p in county.persons.items():
        moves = county.moves(pid)
        if moves and moves[-1]["type"] == "move_in":
            moved += 1
            assert county.households[p["household_id"]]["unit_code"] == moves[-1]["unit_code"], pid
    assert moved > 0


def test_moves_inside_the_county_are_paired(county: Extract) -> None:
    pairs = 0
    for pid in county.persons:
        moves = county.moves(pid)
        for a, b in zip(moves, moves[1:], strict=False):
            if a["type"] == "move_out" and b["type"] == "move_in" and a["date"] == b["date"]:
                pairs += 1
                assert a["unit_code"] != b["unit_code"]
        # never two move_ins or two move_outs in a row
        types = [m["type"] for m in moves]
        assert all(x != y for x, y in zip(types, types[1:], strict=False)), pid
    assert pairs > 0
    alone_out = sum(
        1 for pid in county.persons if (m := county.moves(pid)) and m[-1]["type"] == "move_out"
    )
    alone_in = sum(
        1
        for pid in county.persons
        if (m := county.moves(pid)) and len(m) == 1 and m[0]["type"] == "move_in"
    )
    assert alone_out > 0
    assert alone_in > 0


def test_registered_where_events_happen(county: Extract) -> None:
    for e in county.events:
        pid = e["person_id"]
        if e["type"] in ("birth", "death", "marriage", "divorce"):
            # registered in the event's unit at the end of that day (a death: the day before)
            day = e["date"]
            if e["type"] == "death":
                prev = date.fromordinal(date.fromisoformat(day).toordinal() - 1).isoformat()
                assert county.registered_unit(pid, prev) == e["unit_code"], e
            else:
                assert county.registered_unit(pid, day) == e["unit_code"], e


def test_nothing_happens_after_death_or_leaving(county: Extract) -> None:
    for pid in county.persons:
        evs = [e for e in county.by_person[pid] if e["person_id"] == pid]
        death = county.death(pid)
        if death:
            assert all(e["date"] <= death for e in evs), pid
            assert sum(e["type"] == "death" for e in evs) == 1
        moves = county.moves(pid)
        if moves and moves[-1]["type"] == "move_out":
            assert all(e["date"] <= moves[-1]["date"] for e in evs), pid
    for e in county.events:
        if e["type"] == "birth":
            mother = county.persons[e["person_id"]]["mother_id"]
            d = county.death(mother)
            assert d is None or d >= e["date"]


def test_marital_status_consistent_with_events(county: Extract) -> None:
    for pid, p in county.persons.items():
        evs = sorted(
            (e for e in county.by_person[pid] if e["type"] in ("marriage", "divorce")),
            key=lambda e: e["date"],
        )
        ms = p["marital_status"]
        if not evs:
            continue
        assert age(p["birth_date"], date.fromisoformat(evs[0]["date"])) >= 20
        if evs[-1]["type"] == "divorce":
            assert ms == "40", pid
        else:
            assert ms in ("20", "30"), pid
    for pid, p in county.persons.items():
        if age(p["birth_date"], END) < 20:
            assert p["marital_status"] == "10"
        # ever married without a marriage in the window: married before it, at a legal age
        married_here = any(e["type"] == "marriage" for e in county.by_person[pid])
        if p["marital_status"] != "10" and not married_here:
            assert age(p["birth_date"], START) >= (22 if p["sex"] == "1" else 20), pid
    # a living spouse of someone who died married is widowed (or the pair is registered apart)
    for e in county.events:
        if e["type"] == "marriage" and e["spouse_id"]:
            a, b = county.persons[e["person_id"]], county.persons[e["spouse_id"]]
            assert {a["sex"], b["sex"]} == {"1", "2"}
            assert a["household_id"] == b["household_id"]


def test_relations_are_plausible(county: Extract) -> None:
    members: dict[str, list[dict[str, str]]] = defaultdict(list)
    for p in county.persons.values():
        members[p["household_id"]].append(p)
    rel = Counter(p["relation"] for p in county.persons.values())
    assert rel["20"] > 0
    assert rel["30"] > 0
    assert rel["40"] > 0
    assert rel["38"] > 0
    for hid, ps in members.items():
        head = next(p for p in ps if p["relation"] == "02")
        for p in ps:
            r = p["relation"]
            if r in ("20", "30"):
                assert head["person_id"] in (p["mother_id"], p["father_id"]), hid
                assert p["sex"] == ("1" if r == "20" else "2")
            if r == "10":
                assert p["sex"] != head["sex"]
                assert p["marital_status"] != "10"
            if r == "51":
                assert head["father_id"] == p["person_id"], hid
            if r == "52":
                assert head["mother_id"] == p["person_id"], hid
            if r == "40" and p["mother_id"]:
                assert county.persons[p["mother_id"]]["relation"] in ("30", "38"), hid


# --- planted errors --------------------------------------------------------------------------


def test_truth_files_reference_existing_records(county_errors: Extract) -> None:
    x = county_errors
    t = x.dir / "truth"
    assert (t / "README.txt").read_text(encoding="utf-8").strip()
    dups = read(t / "duplicates.csv")
    assert 0.02 < len(dups) / len(x.persons) < 0.04
    for d in dups:
        a, b = x.persons[d["person_id_a"]], x.persons[d["person_id_b"]]
        assert a["household_id"] != b["household_id"]
        assert a["sex"] == b["sex"]
        assert d["kind"]
    hosp = {r["record_id"]: r for r in read(x.dir / "hospital_births.csv")}
    truth_h = read(t / "hospital_births.csv")
    assert set(hosp) == {r["record_id"] for r in truth_h}
    unregistered = [r for r in truth_h if r["status"] == "unregistered"]
    assert unregistered
    assert all(r["person_id"] == "" for r in unregistered)
    for r in truth_h:
        if r["status"] == "matched":
            child = x.persons[r["person_id"]]
            assert child["birth_date"] == hosp[r["record_id"]]["birth_date"]
    births = sum(e["type"] == "birth" for e in x.events)
    assert 0.01 < len(unregistered) / births < 0.06
    for r in hosp.values():
        date.fromisoformat(r["birth_date"])
        assert r["child_sex"] in ("1", "2")
        assert r["hospital"]
    civil = {r["record_id"]: r for r in read(x.dir / "civil_marriages.csv")}
    truth_c = read(t / "civil_marriages.csv")
    assert set(civil) == {r["record_id"] for r in truth_c}
    statuses = Counter(r["status"] for r in truth_c)
    assert statuses["matched"] > 0
    assert statuses["unregistered"] > 0
    for r in truth_c:
        for key in ("wife_id", "husband_id"):
            assert r[key] == "" or r[key] in x.persons
        if r["status"] == "unregistered":
            assert x.persons[r["wife_id"]]["marital_status"] == "10"
    errors = read(t / "id_number_errors.csv")
    assert errors
    assert {e["kind"] for e in errors} <= {"check", "birth_date", "sex"}
    for e in errors:
        assert x.persons[e["person_id"]]["id_number"] == e["id_number"]
