"""Realistic data problems for --errors, each one recorded in truth/.

- duplicates: migrants registered a second time in another village or township, with the same
  or a misheard name, a mistyped or missing identity number, a birth date off by a day or month;
- births the registry missed but a hospital notified (hospital_births.csv);
- marriages the registry missed but civil affairs recorded (civil_marriages.csv);
- every wrong identity number (truth/id_number_errors.csv).

All of it stays a valid import: unique ids, known codes, resolvable references, ISO dates.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np

from renkou.synth import idnumbers
from renkou.synth import names as nm
from renkou.synth import writer as w
from renkou.synth.config import (
    COUNTY_NAME,
    DAYS_PER_YEAR,
    EPOCH,
    MS_NEVER,
    OTHER_COUNTIES,
    REL_HEAD,
    REL_NON_RELATIVE,
    BoolArr,
    IntArr,
    SynthParams,
    shift_years,
    to_days,
    weighted_sample,
    ymd,
)
from renkou.synth.generate import County
from renkou.synth.moves import T_BIRTH, T_MARRIAGE

README = """Ground truth of the synthetic county (generated with --errors)
================================================================

These files say which data problems were planted, so that duplicate detection and
reconciliation can be scored. They are NOT part of the interchange format.

duplicates.csv        person_id_a, person_id_b, kind
    person_id_b is a second registration of the human person_id_a (a migrant registered again
    in another village or township). kind lists what differs, joined by "+":
    exact (nothing), homophone (a character of the name replaced by one that sounds alike),
    id_swap (two adjacent digits of the identity number swapped), id_missing (no number),
    birth_day / birth_month (birth date off by one day / one month).

hospital_births.csv   record_id, person_id, status
    For every record of ../hospital_births.csv: the registered child (status matched) or
    empty (status unregistered: a birth missing from persons.csv and events.csv).

civil_marriages.csv   record_id, wife_id, husband_id, status
    For every record of ../civil_marriages.csv: the registry persons (empty when the spouse is
    not in the registry) and status matched (the marriage event exists) or unregistered (the
    registry has no such marriage; the couple are still recorded as never married).

id_number_errors.csv  person_id, id_number, kind
    One row per problem of a non-empty identity number in persons.csv: check (wrong check
    character), birth_date (digits 7-14 disagree with birth_date), sex (17th digit parity
    disagrees with sex). Duplicates with a swapped or stale number appear here too.

External lists: mother/husband/wife names and numbers there carry occasional typos
(homophones, swapped digits, missing numbers), as real hospital and civil-affairs lists do.
"""


def _ext_rng(seed: int) -> np.random.Generator:
    # independent stream: the registry itself is identical with and without --errors
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 0x5EED])))


def _maybe_homophone(rng: np.random.Generator, name: str, share: float) -> str:
    if rng.random() < share:
        return nm.homophone_variant(rng, name) or name
    return name


def _maybe_id_typo(rng: np.random.Generator, id_number: str, swap: float, missing: float) -> str:
    roll = rng.random()
    if id_number and roll < swap:
        return idnumbers.swap_adjacent(rng, id_number)
    if roll < swap + missing:
        return ""
    return id_number


def _shift_month(day: int, months: int) -> int:
    d = EPOCH + timedelta(days=day)
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    return to_days(date(y, m, min(d.day, 28)))


def _outsiders(rng: np.random.Generator, sex: IntArr, around: IntArr) -> list[tuple[str, str]]:
    """Names and identity numbers of spouses registered in other counties."""
    if sex.size == 0:
        return []
    bd = np.asarray(around + rng.normal(0, 2.5, sex.size) * DAYS_PER_YEAR, dtype=np.int64)
    sur = np.array(nm.SURNAMES)[nm.draw_surnames(rng, sex.size)]
    given = nm.draw_given_names(rng, sex, ymd(bd)[0])
    counties = np.array([int(c) for c in OTHER_COUNTIES], dtype=np.int64)
    prefix = counties[rng.integers(0, counties.size, sex.size)]
    num, _ = idnumbers.generate(rng, prefix, bd, sex, np.zeros(sex.size, dtype=bool))
    return [(str(a) + str(b), n.decode()) for a, b, n in zip(sur, given, num, strict=True)]


def _elsewhere(
    rng: np.random.Generator,
    pick: IntArr,
    town: IntArr,
    village: IntArr,
    far: BoolArr,
    cand_town: IntArr,
    cand_village: IntArr,
) -> IntArr:
    """For each duplicate a random candidate (index into `pick`) in another township (where
    `far`) or at least another village than the original's."""
    k = town.size
    out = rng.integers(0, pick.size, k)
    for _ in range(100):
        bad = np.where(far, cand_town[out] == town, cand_village[out] == village)
        if not bad.any():
            break
        out[bad] = rng.integers(0, pick.size, int(bad.sum()))
    return out


def _duplicates(rng: np.random.Generator, c: County, p: SynthParams) -> list[tuple[int, int, str]]:
    """Append second registrations to the registry; returns (original, duplicate, kind)."""
    r, u = c.reg, c.units
    n0, hh0 = r.n, r.hh_unit.size
    par = u.parents()
    level = np.array(u.level)
    hh_village = np.where(level[r.hh_unit] == "group", par[r.hh_unit], r.hh_unit)
    hh_town = par[hh_village]
    groups = u.indices("group")
    age = (c.window.end - r.bd) / DAYS_PER_YEAR
    ok = r.bd < c.window.start - 62  # a shifted birth date must stay before the window
    # mostly working-age migrants
    weight = np.where(ok, np.exp(-0.5 * ((age - 32.0) / 12.0) ** 2) + 0.05, 0.0)
    orig = np.sort(weighted_sample(rng, weight, round(p.duplicate_share * n0)))
    k = orig.size
    o_hh = r.hh_of[orig]
    far = rng.random(k) < 0.7
    if np.unique(hh_town).size < 2:
        far[:] = False
    own_household = rng.random(k) < 0.75
    g = groups[
        _elsewhere(rng, groups, hh_town[o_hh], hh_village[o_hh], far, par[par[groups]], par[groups])
    ]
    lodge = _elsewhere(
        rng, np.arange(hh0), hh_town[o_hh], hh_village[o_hh], far, hh_town, hh_village
    )
    new_hh_unit: list[int] = []
    new_door: list[int] = []
    new_addr: list[str] = []
    rows: dict[str, list[object]] = {f: [] for f in ("hh", "name", "bd", "id", "empty", "rel")}
    doors = np.zeros(len(u.code), dtype=np.int64)  # highest door number in each unit
    np.maximum.at(doors, r.hh_unit, r.hh_door)
    out: list[tuple[int, int, str]] = []
    for j, o in enumerate(orig.tolist()):
        parts: list[str] = []
        name = str(r.name[o])
        if rng.random() < 0.35:
            var = nm.homophone_variant(rng, name)
            if var is not None:
                name = var
                parts.append("homophone")
        idn = r.id_str(o)
        roll = rng.random()
        if idn and roll < 0.2:
            idn = idnumbers.swap_adjacent(rng, idn)
            parts.append("id_swap")
        elif roll < 0.45:
            idn = ""
            parts.append("id_missing")
        bd = int(r.bd[o])
        roll = rng.random()
        if roll < 0.15:
            bd += 1 if rng.random() < 0.5 else -1
            parts.append("birth_day")
        elif roll < 0.3:
            bd = _shift_month(bd, 1 if rng.random() < 0.5 else -1)
            parts.append("birth_month")
        if own_household[j]:
            unit = int(g[j])
            doors[unit] += 1
            new_hh_unit.append(unit)
            new_door.append(int(doors[unit]))
            new_addr.append(f"{u.address[unit]}{int(doors[unit])}号")
            hh, rel = hh0 + len(new_hh_unit) - 1, REL_HEAD
        else:
            hh, rel = int(lodge[j]), REL_NON_RELATIVE  # a lodger in another family
        for f, v in (
            ("hh", hh),
            ("name", name),
            ("bd", bd),
            ("id", idn),
            ("empty", not idn),
            ("rel", rel),
        ):
            rows[f].append(v)
        out.append((o, n0 + j, "+".join(parts) or "exact"))
    _append(c, orig, rows, new_hh_unit, new_door, new_addr)
    return out


def _append(
    c: County,
    orig: IntArr,
    rows: dict[str, list[object]],
    hh_unit: list[int],
    door: list[int],
    addr: list[str],
) -> None:
    """Add the duplicate persons (and their new one-person households) to the registry."""
    r = c.reg
    k = orig.size
    r.hh_of = np.r_[r.hh_of, np.array(rows["hh"], dtype=np.int64)]
    r.name = np.r_[r.name, np.array(rows["name"], dtype=str)]
    r.sex = np.r_[r.sex, r.sex[orig]]
    r.bd = np.r_[r.bd, np.array(rows["bd"], dtype=np.int64)]
    ids = np.array([str(x).encode() if x else b"0" * 18 for x in rows["id"]], dtype="S18")
    r.id_number = np.r_[r.id_number, ids]
    r.id_empty = np.r_[r.id_empty, np.array(rows["empty"], dtype=bool)]
    r.ethnicity = np.r_[r.ethnicity, r.ethnicity[orig]]
    r.relation = np.r_[r.relation, np.array(rows["rel"], dtype=str)]
    r.ms = np.r_[r.ms, r.ms[orig]]
    r.mother = np.r_[r.mother, np.full(k, -1, dtype=np.int64)]
    r.father = np.r_[r.father, np.full(k, -1, dtype=np.int64)]
    r.hh_unit = np.r_[r.hh_unit, np.array(hh_unit, dtype=np.int64)]
    r.hh_door = np.r_[r.hh_door, np.array(door, dtype=np.int64)]
    r.hh_address = np.r_[r.hh_address, np.array(addr, dtype=str)]


def _hospital_births(
    rng: np.random.Generator, c: County, p: SynthParams, since: int
) -> tuple[dict[str, list[object]], list[tuple[str, int]]]:
    """Hospital birth notifications of the last years: most registered births, plus births the
    registry never recorded. Returns the file's columns and (record, child or -1) pairs."""
    r, e, u = c.reg, c.events, c.units
    births = np.flatnonzero((e.type == T_BIRTH) & (e.date >= since))
    births = births[rng.random(births.size) < p.hospital_coverage]
    kids = e.person[births]
    total_births = int((e.type == T_BIRTH).sum())
    k_missing = max(1, round(p.unregistered_birth_share * total_births))
    # mothers of the missing births: married women of childbearing age, between their children
    last_child = np.full(r.n, -(10**6), dtype=np.int64)
    has_m = r.mother >= 0
    np.maximum.at(last_child, r.mother[has_m], r.bd[has_m])
    day = rng.integers(since, c.window.end + 1, r.n)
    age = (day - r.bd) / DAYS_PER_YEAR
    gone = (c.tl.death >= 0) | (c.tl.move_out >= 0)
    ok = (r.sex == 2) & (r.ms == 20) & (age >= 21) & (age <= 40) & (day - last_child > 700) & ~gone
    mothers = weighted_sample(
        rng, np.where(ok, np.exp(-0.5 * ((age - 29.0) / 5.0) ** 2), 0.0), k_missing
    )
    town_of = u.parents()
    recs: list[tuple[int, int, int, int, int]] = []  # date, sex, mother, household, child
    for kid in kids.tolist():
        recs.append((int(r.bd[kid]), int(r.sex[kid]), int(r.mother[kid]), int(r.hh_of[kid]), kid))
    for m in mothers.tolist():
        sex = 1 if rng.random() < 110 / 210 else 2
        recs.append((int(day[m]), sex, m, int(r.hh_of[m]), -1))
    recs.sort(key=lambda x: (x[0], x[3], x[4]))
    cols: dict[str, list[object]] = {k: [] for k in w.HOSPITAL_COLUMNS}
    pairs: list[tuple[str, int]] = []
    for i, (d, sex, m, hh, kid) in enumerate(recs, start=1):
        rid = f"HB{i:06d}"
        unit = int(r.hh_unit[hh])
        township = unit
        while u.level[township] != "township":
            township = int(town_of[township])
        roll = rng.random()
        hospital = (
            COUNTY_NAME + nm.HOSPITALS[int(rng.integers(3))]
            if roll < 0.6
            else u.name[township] + "卫生院"
            if roll < 0.85
            else nm.HOSPITALS[3 + int(rng.integers(2))]
        )
        cols["record_id"].append(rid)
        cols["birth_date"].append(d)
        cols["child_sex"].append(sex)
        cols["mother_name"].append(_maybe_homophone(rng, str(r.name[m]), 0.03) if m >= 0 else "")
        cols["mother_id_number"].append(
            _maybe_id_typo(rng, r.id_str(m), 0.02, 0.03) if m >= 0 else ""
        )
        cols["hospital"].append(hospital)
        cols["address"].append(str(r.hh_address[hh]))
        pairs.append((rid, kid))
    return cols, pairs


def _civil_marriages(
    rng: np.random.Generator, c: County, p: SynthParams, since: int
) -> tuple[dict[str, list[object]], list[tuple[str, int, int, str]]]:
    """Civil-affairs marriage records of the last years, plus marriages the registry missed."""
    r, e, tl = c.reg, c.events, c.tl
    rows = np.flatnonzero((e.type == T_MARRIAGE) & (e.date >= since))
    rows = rows[rng.random(rows.size) < p.civil_marriage_coverage]
    recs: list[tuple[int, int, int, str]] = []  # date, wife, husband, status
    for ev in rows.tolist():
        a, b = int(e.person[ev]), int(e.spouse[ev])
        wife, husband = (a, b) if r.sex[a] == 2 else (b, a)
        recs.append((int(e.date[ev]), wife, husband, "matched"))
    # couples married at civil affairs whom the registry still has as never married
    k = max(1, round(p.missing_marriage_share * max(len(recs), 1)))
    day = rng.integers(since, c.window.end + 1, r.n)
    age = (day - r.bd) / DAYS_PER_YEAR
    free = (r.ms == MS_NEVER) & (c.tl.death < 0) & (c.tl.move_out < 0) & (tl.marriage < 0)
    men = weighted_sample(
        rng, np.where(free & (r.sex == 1) & (age >= 23) & (age <= 34), 1.0, 0.0), k
    )
    women = weighted_sample(
        rng, np.where(free & (r.sex == 2) & (age >= 21) & (age <= 31), 1.0, 0.0), men.size
    )
    men, women = men[np.argsort(r.bd[men])], women[np.argsort(r.bd[women])]
    for m, f in zip(men[: women.size].tolist(), women.tolist(), strict=False):
        recs.append((int(max(day[m], day[f])), f, m, "unregistered"))
    recs.sort(key=lambda x: (x[0], x[1], x[2]))
    cols: dict[str, list[object]] = {k2: [] for k2 in w.MARRIAGE_COLUMNS}
    truth: list[tuple[str, int, int, str]] = []
    office = COUNTY_NAME + "民政局婚姻登记处"
    # spouses not in the registry: about 2.3 years older (husband) or younger (wife)
    missing = [
        (1, wife) if husband < 0 else (2, husband)
        for _, wife, husband, _ in recs
        if husband < 0 or wife < 0
    ]
    m_sex = np.array([sx for sx, _ in missing], dtype=np.int64)
    m_around = np.array([int(r.bd[o]) for _, o in missing], dtype=np.int64)
    outsiders = iter(_outsiders(rng, m_sex, m_around + np.where(m_sex == 1, -840, 840)))
    for i, (d, wife, husband, status) in enumerate(recs, start=1):
        rid = f"CM{i:06d}"
        names_ids = []
        for person in (husband, wife):
            if person >= 0:
                names_ids.append(
                    (
                        _maybe_homophone(rng, str(r.name[person]), 0.02),
                        _maybe_id_typo(rng, r.id_str(person), 0.01, 0.01),
                    )
                )
            else:
                names_ids.append(next(outsiders))
        cols["record_id"].append(rid)
        cols["date"].append(d)
        cols["husband_name"].append(names_ids[0][0])
        cols["husband_id_number"].append(names_ids[0][1])
        cols["wife_name"].append(names_ids[1][0])
        cols["wife_id_number"].append(names_ids[1][1])
        cols["office"].append(office)
        truth.append((rid, wife, husband, status))
    return cols, truth


def apply_errors(c: County, seed: int, out: Path, p: SynthParams) -> dict[str, int]:
    """Plant the problems, write the external lists and truth/; the registry files are written
    afterwards by the caller from the modified county."""
    rng = _ext_rng(seed)
    since = to_days(shift_years(EPOCH + timedelta(days=c.window.end), -p.external_years)) + 1
    since = max(since, c.window.start)
    hosp, hosp_pairs = _hospital_births(rng, c, p, since)
    civil, civil_truth = _civil_marriages(rng, c, p, since)
    dups = _duplicates(rng, c, p)
    truth = out / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    counts["hospital_births.csv"] = w.write(
        out / "hospital_births.csv",
        w.HOSPITAL_COLUMNS,
        {
            **hosp,
            "birth_date": w.dates(np.array(hosp["birth_date"], dtype=np.int64)),
            "mother_name": w.strings([str(x) for x in hosp["mother_name"]]),
            "mother_id_number": w.strings([str(x) for x in hosp["mother_id_number"]]),
        },
    )
    counts["civil_marriages.csv"] = w.write(
        out / "civil_marriages.csv",
        w.MARRIAGE_COLUMNS,
        {
            **civil,
            "date": w.dates(np.array(civil["date"], dtype=np.int64)),
            "husband_id_number": w.strings([str(x) for x in civil["husband_id_number"]]),
            "wife_id_number": w.strings([str(x) for x in civil["wife_id_number"]]),
        },
    )
    counts["truth/duplicates.csv"] = w.write(
        truth / "duplicates.csv",
        ("person_id_a", "person_id_b", "kind"),
        {
            "person_id_a": w.ids("P", np.array([a for a, _, _ in dups], dtype=np.int64), 7),
            "person_id_b": w.ids("P", np.array([b for _, b, _ in dups], dtype=np.int64), 7),
            "kind": [k for _, _, k in dups],
        },
    )
    counts["truth/hospital_births.csv"] = w.write(
        truth / "hospital_births.csv",
        ("record_id", "person_id", "status"),
        {
            "record_id": [rid for rid, _ in hosp_pairs],
            "person_id": w.ids("P", np.array([k for _, k in hosp_pairs], dtype=np.int64), 7),
            "status": ["matched" if k >= 0 else "unregistered" for _, k in hosp_pairs],
        },
    )
    counts["truth/civil_marriages.csv"] = w.write(
        truth / "civil_marriages.csv",
        ("record_id", "wife_id", "husband_id", "status"),
        {
            "record_id": [t[0] for t in civil_truth],
            "wife_id": w.ids("P", np.array([t[1] for t in civil_truth], dtype=np.int64), 7),
            "husband_id": w.ids("P", np.array([t[2] for t in civil_truth], dtype=np.int64), 7),
            "status": [t[3] for t in civil_truth],
        },
    )
    r = c.reg
    probs = idnumbers.problems(r.id_number, r.id_empty, r.bd, r.sex)
    bad = [(i, k) for i, ks in enumerate(probs) for k in ks]
    counts["truth/id_number_errors.csv"] = w.write(
        truth / "id_number_errors.csv",
        ("person_id", "id_number", "kind"),
        {
            "person_id": w.ids("P", np.array([i for i, _ in bad], dtype=np.int64), 7),
            "id_number": [r.id_str(i) for i, _ in bad],
            "kind": [k for _, k in bad],
        },
    )
    (truth / "README.txt").write_text(README, encoding="utf-8")
    return counts
