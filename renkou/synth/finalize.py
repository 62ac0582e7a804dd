"""From the simulated population to the registry's view: heads and relations, names,
ethnicity, identity numbers, addresses, and the stable ordering of households and persons."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from renkou.synth import idnumbers
from renkou.synth import names as nm
from renkou.synth.config import (
    COUNTY_PREFIX,
    ETHNICITY_CODES,
    ETHNICITY_WEIGHTS,
    MS_NEVER,
    OTHER_COUNTIES,
    OTHER_COUNTY_WEIGHTS,
    REL_DAUGHTER,
    REL_DAUGHTER_IN_LAW,
    REL_FATHER,
    REL_FATHER_IN_LAW,
    REL_GRANDCHILD,
    REL_HEAD,
    REL_MOTHER,
    REL_MOTHER_IN_LAW,
    REL_OTHER,
    REL_SIBLING,
    REL_SON,
    REL_SON_IN_LAW,
    REL_SPOUSE,
    BoolArr,
    BytesArr,
    IntArr,
    StrArr,
    SynthParams,
    age_on,
    ymd,
)
from renkou.synth.events import MAR_FROM_OUTSIDE, Timeline
from renkou.synth.moves import HH_IN, HouseholdMoves
from renkou.synth.people import (
    ANCHOR,
    ANCHOR_SPOUSE,
    ATT_CHILD,
    GRANDCHILD,
    OTHER,
    ROOT_CHILD,
    ROOT_MAN,
    ROOT_WOMAN,
    Pop,
)
from renkou.synth.units import Units


def relations(pop: Pop, n_hh: int, end_day: int) -> StrArr:
    """GB/T 4761 relation to the head. The older generation heads the household while the man
    is under 72 (a woman alone: under 65); otherwise the married son (or son-in-law) does."""
    age = age_on(pop.bd, end_day)
    hh = pop.hh
    has_rm = np.zeros(n_hh, dtype=bool)
    rm_age = np.zeros(n_hh, dtype=np.int64)
    rw_age = np.zeros(n_hh, dtype=np.int64)
    has_anchor = np.zeros(n_hh, dtype=bool)
    anchor_female = np.zeros(n_hh, dtype=bool)
    rm = pop.role == ROOT_MAN
    has_rm[hh[rm]] = True
    rm_age[hh[rm]] = age[rm]
    rw = pop.role == ROOT_WOMAN
    rw_age[hh[rw]] = age[rw]
    an = pop.role == ANCHOR
    has_anchor[hh[an]] = True
    anchor_female[hh[an]] = pop.sex[an] == 2
    old_heads = ~has_anchor | np.where(has_rm, rm_age < 72, rw_age < 65)
    old = old_heads[hh]
    male = pop.sex == 1
    fem_a = anchor_female[hh]
    role = pop.role
    child = np.where(male, REL_SON, REL_DAUGHTER)
    rel = np.full(pop.n, REL_OTHER, dtype="<U2")
    # the older generation heads
    rel[old & (role == ROOT_MAN)] = REL_HEAD
    rel[old & (role == ROOT_WOMAN)] = np.where(
        has_rm[hh[old & (role == ROOT_WOMAN)]], REL_SPOUSE, REL_HEAD
    )
    sel = old & np.isin(role, (ROOT_CHILD, ANCHOR))
    rel[sel] = child[sel]
    sel = old & (role == ANCHOR_SPOUSE)
    rel[sel] = np.where(male[sel], REL_SON_IN_LAW, REL_DAUGHTER_IN_LAW)
    rel[old & np.isin(role, (ATT_CHILD, GRANDCHILD))] = REL_GRANDCHILD
    # the younger couple heads: the man is head, his wife spouse
    young = ~old
    sel = young & np.isin(role, (ANCHOR, ANCHOR_SPOUSE))
    rel[sel] = np.where(male[sel], REL_HEAD, REL_SPOUSE)
    sel = young & (role == ATT_CHILD)
    rel[sel] = child[sel]
    sel = young & (role == ROOT_MAN)
    rel[sel] = np.where(fem_a[sel], REL_FATHER_IN_LAW, REL_FATHER)
    sel = young & (role == ROOT_WOMAN)
    rel[sel] = np.where(fem_a[sel], REL_MOTHER_IN_LAW, REL_MOTHER)
    sel = young & (role == ROOT_CHILD)
    rel[sel] = np.where(fem_a[sel], REL_OTHER, REL_SIBLING)
    rel[role == OTHER] = REL_OTHER
    return rel


@dataclass
class Registry:
    """Person and household columns in output order (indices refer to these orders)."""

    hh_of: IntArr  # household index per person
    name: StrArr
    sex: IntArr
    bd: IntArr
    id_number: BytesArr  # S18; meaningless where id_empty
    id_empty: BoolArr
    ethnicity: StrArr
    relation: StrArr
    ms: IntArr
    mother: IntArr
    father: IntArr
    hh_unit: IntArr
    hh_door: IntArr
    hh_address: StrArr
    perm: IntArr  # new index -> simulation index

    @property
    def n(self) -> int:
        return int(self.sex.size)

    def id_str(self, i: int) -> str:
        return "" if self.id_empty[i] else self.id_number[i].decode()


def _surnames(rng: np.random.Generator, pop: Pop, units: Units, hh_unit: IntArr) -> IntArr:
    """Family-line surnames, clustered by village (李家村 has many 李), spouses' own."""
    par = units.parents()
    village = np.where(np.array(units.level)[hh_unit] == "group", par[hh_unit], hh_unit)
    dom = np.array([units.dominant.get(v, -1) for v in range(len(units.code))], dtype=np.int64)
    hh_sur = nm.draw_surnames(rng, hh_unit.size)
    use_dom = (dom[village] >= 0) & (rng.random(hh_unit.size) < 0.35)
    hh_sur[use_dom] = dom[village][use_dom]
    sur = hh_sur[pop.hh]
    # wives (and widows, divorcees) keep their own surname
    married_in = (pop.role == ANCHOR_SPOUSE) | ((pop.role == ROOT_WOMAN) & (pop.ms != MS_NEVER))
    own = np.flatnonzero(married_in)
    sur[own] = nm.draw_surnames(rng, own.size)
    kids = np.flatnonzero(pop.father >= 0)
    sur[kids] = sur[pop.father[kids]]  # fathers are adults: already final
    return sur


def _ethnicity(rng: np.random.Generator, pop: Pop, n_hh: int) -> IntArr:
    p = np.array(ETHNICITY_WEIGHTS) / sum(ETHNICITY_WEIGHTS)
    eth = rng.choice(len(ETHNICITY_CODES), size=n_hh, p=p)[pop.hh]
    own = np.flatnonzero(
        (pop.role == ANCHOR_SPOUSE) | ((pop.role == ROOT_WOMAN) & (pop.spouse >= 0))
    )
    eth[own] = rng.choice(len(ETHNICITY_CODES), size=own.size, p=p)
    return np.asarray(eth, dtype=np.int64)


def _id_numbers(
    rng: np.random.Generator,
    pop: Pop,
    tl: Timeline,
    hm: HouseholdMoves,
    end_day: int,
    p: SynthParams,
) -> tuple[BytesArr, BoolArr]:
    """First registered here unless born elsewhere or moved in from outside the county."""
    other = np.array([int(c) for c in OTHER_COUNTIES], dtype=np.int64)
    ow = np.array(OTHER_COUNTY_WEIGHTS, dtype=np.float64)
    elsewhere = ~pop.window_born & (rng.random(pop.n) < 0.03)
    elsewhere |= (hm.kind[pop.hh] == HH_IN) & (pop.bd < hm.date[pop.hh])
    elsewhere |= tl.marriage_kind == -MAR_FROM_OUTSIDE
    prefix = np.full(pop.n, int(COUNTY_PREFIX), dtype=np.int64)
    prefix[elsewhere] = other[rng.choice(other.size, size=int(elsewhere.sum()), p=ow / ow.sum())]
    # young children often have no number in the ledger yet
    age = age_on(pop.bd, end_day)
    factor = np.select([age < 1, age < 3, age < 6], [15.0, 6.0, 2.5], 0.85)
    empty = rng.random(pop.n) < p.id_empty_share * factor
    wrong = ~empty & (rng.random(pop.n) < p.id_wrong_share)
    ids, _ = idnumbers.generate(rng, prefix, pop.bd, pop.sex, wrong)
    return ids, empty


def build_registry(
    rng: np.random.Generator,
    pop: Pop,
    tl: Timeline,
    hm: HouseholdMoves,
    units: Units,
    hh_unit: IntArr,
    end_day: int,
    p: SynthParams,
) -> Registry:
    n_hh = hh_unit.size
    rel = relations(pop, n_hh, end_day)
    sur = _surnames(rng, pop, units, hh_unit)
    eth = _ethnicity(rng, pop, n_hh)
    ids, empty = _id_numbers(rng, pop, tl, hm, end_day, p)

    # order: households by unit (tree order) then at random; persons by relation, then age
    hh_key = rng.permutation(n_hh)
    hh_order = np.lexsort((hh_key, hh_unit))
    hh_rank = np.empty(n_hh, dtype=np.int64)
    hh_rank[hh_order] = np.arange(n_hh)
    perm = np.lexsort((pop.bd, rel.astype(np.int64), hh_rank[pop.hh]))
    inv = np.empty(pop.n, dtype=np.int64)
    inv[perm] = np.arange(pop.n)

    def remap(a: IntArr) -> IntArr:
        return np.where(a >= 0, inv[np.maximum(a, 0)], -1)

    new_unit = hh_unit[hh_order]
    # door numbers along each unit, with the odd gap of a demolished house
    door = np.ones(n_hh, dtype=np.int64) + (rng.random(n_hh) < 0.1)
    starts = np.r_[True, new_unit[1:] != new_unit[:-1]]
    csum = np.cumsum(door)
    door_no = csum - (csum - door)[np.flatnonzero(starts)][np.cumsum(starts) - 1]
    prefix_addr = np.array(units.address)[new_unit]
    addr = np.strings.add(np.strings.add(prefix_addr, door_no.astype("U")), "号")
    sex = pop.sex[perm]
    bd = pop.bd[perm]
    # given names are drawn in output order: no reordering of a million strings needed
    given = nm.draw_given_names(rng, sex, ymd(bd)[0])
    surname = np.array(nm.SURNAMES)[sur[perm]]
    return Registry(
        hh_of=hh_rank[pop.hh][perm],
        name=np.strings.add(surname, given),
        sex=sex,
        bd=bd,
        id_number=ids[perm],
        id_empty=empty[perm],
        ethnicity=np.array(ETHNICITY_CODES)[eth[perm]],
        relation=rel[perm],
        ms=pop.ms[perm],
        mother=remap(pop.mother)[perm],
        father=remap(pop.father)[perm],
        hh_unit=new_unit,
        hh_door=door_no,
        hh_address=addr,
        perm=perm,
    )
