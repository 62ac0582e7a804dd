"""Migration inside the window and the assembly of the event table.

Whole households move (into the county, out of it, or from a village to the county seat) and
young people move out alone (study, work). Every move is dated so that the registration state the
events imply (SPEC §2) ends in the household's unit: a household that moved inside the county is
registered in its new unit, one that left keeps its last unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from renkou.synth.config import (
    DAYS_PER_YEAR,
    MS_NEVER,
    SOURCES,
    BoolArr,
    FloatArr,
    IntArr,
    SynthParams,
    uniform_days,
    weighted_sample,
)
from renkou.synth.events import (
    MAR_FROM_OUTSIDE,
    MAR_OUT,
    MAR_SPOUSE_ELSEWHERE,
    MAR_WITHIN,
    Timeline,
    Window,
)
from renkou.synth.people import ATT_CHILD, GRANDCHILD, OTHER, ROOT_CHILD, Pop

HH_STAY, HH_INTERNAL, HH_OUT, HH_IN = 0, 1, 2, 3
BIG = 10**9
T_BIRTH, T_DEATH, T_MARRIAGE, T_DIVORCE, T_MOVE_IN, T_MOVE_OUT = range(6)


@dataclass
class HouseholdMoves:
    kind: IntArr
    date: IntArr
    old_unit: IntArr


def _take(rng: np.random.Generator, weight: FloatArr, size: IntArr, target: float) -> IntArr:
    """Households in weighted random order until their members reach `target` persons."""
    order = weighted_sample(rng, weight, int((weight > 0).sum()))
    cum = np.cumsum(size[order])
    return order[: int(np.searchsorted(cum, target)) + 1] if order.size else order


def household_moves(
    rng: np.random.Generator,
    pop: Pop,
    tl: Timeline,
    win: Window,
    p: SynthParams,
    population: float,
    n_hh: int,
    hh_unit: IntArr,
    urban: IntArr,
    rural_groups: IntArr,
) -> HouseholdMoves:
    kind = np.zeros(n_hh, dtype=np.int64)
    date = np.full(n_hh, -1, dtype=np.int64)
    old = np.full(n_hh, -1, dtype=np.int64)
    busy = np.zeros(n_hh, dtype=bool)
    busy[pop.hh[tl.busy]] = True
    size = np.bincount(pop.hh, minlength=n_hh).astype(np.int64)
    first_ev = np.full(n_hh, BIG, dtype=np.int64)
    last_ev = np.full(n_hh, -BIG, dtype=np.int64)
    first_death = np.full(n_hh, BIG, dtype=np.int64)
    wb = np.flatnonzero(pop.window_born)
    dd = np.flatnonzero(tl.death >= 0)
    for idx, day in ((wb, pop.bd[wb]), (dd, tl.death[dd])):
        np.minimum.at(first_ev, pop.hh[idx], day)
        np.maximum.at(last_ev, pop.hh[idx], day)
    np.minimum.at(first_death, pop.hh[dd], tl.death[dd])
    living = np.bincount(pop.hh[tl.death < 0], minlength=n_hh)
    years = len(win.years)
    u_w = 1.0 + 2.0 * urban[hh_unit]

    # into the county (more often to the county seat): before any event of the household
    hi = np.minimum(first_ev - 1, win.end)
    w = np.where(~busy & (hi >= win.start + 30), u_w, 0.0)
    chosen = _take(rng, w, size, p.household_in_per_1000 * population * years / 1000)
    kind[chosen] = HH_IN
    date[chosen] = uniform_days(rng, np.full(chosen.size, win.start), hi[chosen])

    # out of the county: after every event of the household
    lo = np.maximum(last_ev + 1, win.start)
    w = np.where(~busy & (kind == HH_STAY) & (lo <= win.end) & (living > 0), 1.0, 0.0)
    chosen = _take(rng, w, size, p.household_out_per_1000 * population * years / 1000)
    kind[chosen] = HH_OUT
    date[chosen] = uniform_days(rng, lo[chosen], np.full(chosen.size, win.end))

    # from a village to a town or the county seat: before any death in the household
    hi = np.minimum(first_death - 1, win.end)
    w = np.where(~busy & (kind == HH_STAY) & (hi >= win.start), 1.0 + 4.0 * urban[hh_unit], 0.0)
    chosen = _take(rng, w, size, p.internal_moves_per_1000 * population * years / 1000)
    kind[chosen] = HH_INTERNAL
    date[chosen] = uniform_days(rng, np.full(chosen.size, win.start), hi[chosen])
    origin = rural_groups[rng.integers(0, rural_groups.size, chosen.size)]
    same = origin == hh_unit[chosen]
    origin[same] = rural_groups[
        (np.searchsorted(rural_groups, origin[same]) + 1) % rural_groups.size
    ]
    old[chosen] = origin
    return HouseholdMoves(kind=kind, date=date, old_unit=old)


def individual_moves_out(
    rng: np.random.Generator,
    pop: Pop,
    tl: Timeline,
    win: Window,
    p: SynthParams,
    population: float,
    hm: HouseholdMoves,
) -> None:
    """Young unmarried people whose registration follows them to study or work elsewhere."""
    total = round(p.individual_out_per_1000 * population * len(win.years) / 1000)
    t = uniform_days(rng, np.full(pop.n, win.start), np.full(pop.n, win.end))
    age = (t - pop.bd) / DAYS_PER_YEAR
    ok = (
        np.isin(pop.role, (ROOT_CHILD, ATT_CHILD, GRANDCHILD, OTHER))
        & (pop.ms == MS_NEVER)
        & ~pop.window_born
        & (tl.death < 0)
        & (tl.move_out < 0)
        & ~tl.busy
        & (hm.kind[pop.hh] == HH_STAY)
        & (age >= 18)
        & (age < 30)
    )
    w = np.where(ok, np.exp(-0.5 * ((age - 20.0) / 3.0) ** 2), 0.0)
    pick = weighted_sample(rng, w, total)
    tl.move_out[pick] = t[pick]
    tl.busy[pick] = True


@dataclass
class EventTable:
    type: IntArr
    person: IntArr
    date: IntArr
    recorded: IntArr
    unit: IntArr
    source: IntArr
    spouse: IntArr
    birth_order: IntArr


def unit_at(pop: Pop, hm: HouseholdMoves, hh_unit: IntArr, person: IntArr, day: IntArr) -> IntArr:
    """The unit of the person's household on a day (before an internal move: the old unit)."""
    h = pop.hh[person]
    before = (hm.kind[h] == HH_INTERNAL) & (day < hm.date[h])
    return np.where(before, hm.old_unit[h], hh_unit[h])


def _sources(rng: np.random.Generator, n: int, shares: dict[str, float]) -> IntArr:
    names = list(shares)
    prob = np.array([shares[k] for k in names])
    codes = np.array([SOURCES.index(k) for k in names])
    return np.asarray(codes[rng.choice(len(names), size=n, p=prob / prob.sum())], dtype=np.int64)


SOURCE_SHARES: dict[int, dict[str, float]] = {
    T_BIRTH: {"village": 0.6, "hospital": 0.3, "police": 0.07, "other": 0.03},
    T_DEATH: {"village": 0.7, "police": 0.15, "hospital": 0.1, "other": 0.05},
    T_MARRIAGE: {"civil_affairs": 0.85, "village": 0.15},
    T_DIVORCE: {"civil_affairs": 0.8, "village": 0.2},
    T_MOVE_IN: {"village": 0.6, "police": 0.4},
    T_MOVE_OUT: {"village": 0.6, "police": 0.4},
}


def build_events(
    rng: np.random.Generator,
    pop: Pop,
    tl: Timeline,
    hm: HouseholdMoves,
    hh_unit: IntArr,
    win: Window,
    p: SynthParams,
) -> EventTable:
    parts: list[tuple[int, IntArr, IntArr, IntArr, IntArr]] = []  # type, person, date, unit, spouse

    def add(
        t: int,
        person: IntArr,
        day: IntArr,
        unit: IntArr | None = None,
        spouse: IntArr | None = None,
    ) -> None:
        u = unit_at(pop, hm, hh_unit, person, day) if unit is None else unit
        s = np.full(person.size, -1, dtype=np.int64) if spouse is None else spouse
        parts.append((t, person, day, u, s))

    wb = np.flatnonzero(pop.window_born)
    add(T_BIRTH, wb, pop.bd[wb])
    dead = np.flatnonzero(tl.death >= 0)
    add(T_DEATH, dead, tl.death[dead])
    # marriages: reported by the resident spouse, one row per couple
    rep = np.flatnonzero(tl.marriage_kind > 0)
    couple = np.isin(tl.marriage_kind[rep], (MAR_WITHIN, MAR_FROM_OUTSIDE))
    add(T_MARRIAGE, rep, tl.marriage[rep], spouse=np.where(couple, pop.spouse[rep], -1))
    div = np.flatnonzero((tl.divorce >= 0) & ((tl.divorce_spouse < 0) | (pop.sex == 1)))
    add(T_DIVORCE, div, tl.divorce[div], spouse=tl.divorce_spouse[div])
    # individual moves: spouses moving in, people moving out
    inc = np.flatnonzero(tl.move_in >= 0)
    add(T_MOVE_IN, inc, tl.move_in[inc])
    within = inc[tl.move_in_from[inc] >= 0]
    add(T_MOVE_OUT, within, tl.move_in[within], unit=tl.move_in_from[within])
    gone = np.flatnonzero(tl.move_out >= 0)
    add(T_MOVE_OUT, gone, tl.move_out[gone])
    # whole households: every member registered at the time of the move
    h = pop.hh
    mdate = hm.date[h]
    present = (mdate >= 0) & ((tl.death < 0) | (tl.death > mdate))
    for kind, born_ok in (
        (HH_IN, pop.bd < mdate),
        (HH_OUT, pop.bd <= mdate),
        (HH_INTERNAL, pop.bd < mdate),
    ):
        mem = np.flatnonzero(present & born_ok & (hm.kind[h] == kind))
        if kind == HH_INTERNAL:
            add(T_MOVE_OUT, mem, mdate[mem], unit=hm.old_unit[h[mem]])
            add(T_MOVE_IN, mem, mdate[mem], unit=hh_unit[h[mem]])
        else:
            add(T_MOVE_IN if kind == HH_IN else T_MOVE_OUT, mem, mdate[mem])

    etype = np.concatenate([np.full(x[1].size, x[0], dtype=np.int64) for x in parts])
    person = np.concatenate([x[1] for x in parts])
    day = np.concatenate([x[2] for x in parts])
    unit = np.concatenate([x[3] for x in parts])
    spouse = np.concatenate([x[4] for x in parts])
    n = etype.size
    late = rng.random(n) < p.late_record_share
    delay = np.where(
        late, rng.integers(31, 366, n), np.minimum(rng.exponential(6.0, n), 30).astype(np.int64)
    )
    recorded = np.minimum(day + delay, win.end)
    source = np.zeros(n, dtype=np.int64)
    for t, shares in SOURCE_SHARES.items():
        sel = np.flatnonzero(etype == t)
        source[sel] = _sources(rng, sel.size, shares)
    order = np.full(n, -1, dtype=np.int64)
    births_sel = etype == T_BIRTH
    known = rng.random(n) < p.birth_order_known_share
    order[births_sel & known] = tl.birth_order[person[births_sel & known]]
    return EventTable(
        type=etype,
        person=person,
        date=day,
        recorded=recorded,
        unit=unit,
        source=source,
        spouse=spouse,
        birth_order=order,
    )


def mark_spouse_elsewhere(tl: Timeline) -> BoolArr:
    """People married in the window to someone not in the registry (for the external lists)."""
    return np.asarray(np.isin(tl.marriage_kind, (MAR_SPOUSE_ELSEWHERE, MAR_OUT)))
