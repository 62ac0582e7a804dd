"""Vital events inside the window: marriages, births, divorces and deaths.

The stock population is the state at the end date; events are drawn so that this state is what
they lead to (a couple married in the window had no children before it, a mother gives birth only
while married and registered here, nobody acts after death …). Counts per year are set exactly
from the rates, so crude rates are on target even for small counties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from renkou.synth.config import (
    DAYS_PER_YEAR,
    MS_DIVORCED,
    MS_MARRIED,
    MS_NEVER,
    MS_WIDOWED,
    BoolArr,
    FloatArr,
    IntArr,
    SynthParams,
    add_years,
    age_on,
    crude_birth_rate,
    crude_death_rate,
    mortality,
    shift_years,
    to_days,
    uniform_days,
    weighted_sample,
)
from renkou.synth.people import (
    ANCHOR,
    ANCHOR_SPOUSE,
    ATT_CHILD,
    GRANDCHILD,
    ROOT_CHILD,
    ROOT_WOMAN,
    Pop,
)

# Kinds of marriage (one event row per couple).
MAR_WITHIN, MAR_FROM_OUTSIDE, MAR_SPOUSE_ELSEWHERE, MAR_OUT = 1, 2, 3, 4


@dataclass
class Window:
    start: int
    end: int
    years: list[tuple[int, int, int]]  # (first day, last day, calendar year of the middle)

    @staticmethod
    def of(end: date, years: int) -> Window:
        start_d = shift_years(end, -years) + (date(2000, 1, 2) - date(2000, 1, 1))
        bounds = []
        for i in range(years):
            a = shift_years(start_d, i)
            b = shift_years(start_d, i + 1)
            mid = a + (b - a) / 2
            bounds.append((to_days(a), to_days(b) - 1, mid.year))
        return Window(start=to_days(start_d), end=to_days(end), years=bounds)


@dataclass
class Timeline:
    """Dated facts per person (-1 = none), filled in stages."""

    n: int
    marriage: IntArr = field(init=False)
    marriage_kind: IntArr = field(init=False)
    move_in: IntArr = field(init=False)  # individual move into the household
    move_in_from: IntArr = field(init=False)  # origin unit inside the county, -1 outside
    move_out: IntArr = field(init=False)  # individual move out of the county
    death: IntArr = field(init=False)
    divorce: IntArr = field(init=False)
    divorce_spouse: IntArr = field(init=False)
    birth_order: IntArr = field(init=False)
    busy: BoolArr = field(init=False)  # has individual events: its household does not move

    def __post_init__(self) -> None:
        for name in (
            "marriage",
            "marriage_kind",
            "move_in",
            "move_in_from",
            "move_out",
            "death",
            "divorce",
            "divorce_spouse",
            "birth_order",
        ):
            setattr(self, name, np.full(self.n, -1, dtype=np.int64))
        self.busy = np.zeros(self.n, dtype=bool)

    def grow(self, k: int) -> None:
        for name in (
            "marriage",
            "marriage_kind",
            "move_in",
            "move_in_from",
            "move_out",
            "death",
            "divorce",
            "divorce_spouse",
            "birth_order",
        ):
            setattr(self, name, np.r_[getattr(self, name), np.full(k, -1, dtype=np.int64)])
        self.busy = np.r_[self.busy, np.zeros(k, dtype=bool)]
        self.n += k


def _per_year(rate: float, population: float, first: int, last: int) -> int:
    return round(rate * population * (last - first + 1) / DAYS_PER_YEAR / 1000.0)


def _split(total: int, shares: tuple[float, ...]) -> list[int]:
    out = [round(total * s) for s in shares[:-1]]
    return [*out, max(total - sum(out), 0)]


def _wed(
    rng: np.random.Generator,
    pop: Pop,
    tl: Timeline,
    win: Window,
    wife: IntArr,
    mdate: IntArr,
    kind: IntArr,
    hh_unit: IntArr,
    group_units: IntArr,
) -> None:
    """Record the marriages of registered couples and the move of the spouse who comes in."""
    husband = pop.spouse[wife]
    # the spouse who moves in: not the one of the family line (anchor / root man)
    wife_moves = (pop.role[wife] != ANCHOR) & (
        (pop.role[husband] == ANCHOR) | (rng.random(wife.size) < 0.95)
    )
    incoming = np.where(wife_moves, wife, husband)
    resident = np.where(wife_moves, husband, wife)
    delay = np.where(rng.random(wife.size) < 0.5, 0, rng.integers(1, 31, wife.size))
    tl.marriage[resident] = tl.marriage[incoming] = mdate
    tl.marriage_kind[resident] = kind
    tl.marriage_kind[incoming] = -kind  # the non-reporting side of the same event
    tl.move_in[incoming] = np.minimum(mdate + delay, win.end)
    within = kind == MAR_WITHIN
    inc = incoming[within]
    # origin: another group of the county
    origin = group_units[rng.integers(0, group_units.size, inc.size)]
    same = origin == hh_unit[pop.hh[inc]]
    origin[same] = group_units[(np.searchsorted(group_units, origin[same]) + 1) % group_units.size]
    tl.move_in_from[inc] = origin
    tl.busy[wife] = tl.busy[husband] = True


def marriages(
    rng: np.random.Generator,
    pop: Pop,
    tl: Timeline,
    win: Window,
    p: SynthParams,
    population: float,
    hh_unit: IntArr,
    group_units: IntArr,
) -> None:
    """Couples married inside the window, and the moves that bring the spouse in or take a
    daughter out. Couples too young to have married before the window married inside it;
    the others are chosen among couples without children."""
    has_child = np.zeros(pop.n, dtype=bool)
    has_child[pop.mother[pop.mother >= 0]] = True
    has_child[pop.father[pop.father >= 0]] = True
    all_wives = np.flatnonzero((pop.sex == 2) & (pop.spouse >= 0))
    w_lower = np.maximum(
        add_years(pop.bd[all_wives], 20), add_years(pop.bd[pop.spouse[all_wives]], 22)
    )
    must = w_lower > win.start
    wives = all_wives[~must & ~has_child[all_wives] & ~has_child[pop.spouse[all_wives]]]
    must_wives = all_wives[must]
    must_wdate = uniform_days(rng, w_lower[must], np.full(must_wives.size, win.end))
    must_wkind = np.where(rng.random(must_wives.size) < 0.5 / 0.74, MAR_WITHIN, MAR_FROM_OUTSIDE)
    men = np.flatnonzero((pop.sex == 1) & (pop.ms == MS_MARRIED) & (pop.spouse < 0))
    m_lower = add_years(pop.bd[men], 22)
    lone_men = men[(m_lower <= win.start) & ~has_child[men]]
    must_men = men[m_lower > win.start]
    must_mdate = uniform_days(rng, m_lower[m_lower > win.start], np.full(must_men.size, win.end))
    daughters = np.flatnonzero(
        (pop.sex == 2)
        & (pop.ms == MS_NEVER)
        & np.isin(pop.role, (ROOT_CHILD, ATT_CHILD, GRANDCHILD))
    )
    used = np.zeros(pop.n, dtype=bool)
    for first, last, _year in win.years:
        total = _per_year(p.marriages_per_1000, population, first, last)
        n_within, n_out_in, n_else, n_out = _split(total, (0.5, 0.24, 0.14, 0.12))
        # couples both registered here: the young ones first, then others to the year's count
        sel = (must_wdate >= first) & (must_wdate <= last)
        _wed(
            rng,
            pop,
            tl,
            win,
            must_wives[sel],
            must_wdate[sel],
            must_wkind[sel],
            hh_unit,
            group_units,
        )
        for kind, k in ((MAR_WITHIN, n_within), (MAR_FROM_OUTSIDE, n_out_in)):
            k = max(k - int((must_wkind[sel] == kind).sum()), 0)
            cand = wives[~used[wives]]
            hus = pop.spouse[cand]
            lower = np.maximum(
                add_years(pop.bd[cand], 20), add_years(pop.bd[hus], 22)
            )  # legal ages
            m = uniform_days(rng, np.maximum(lower, first), np.full(cand.size, last))
            age = (m - pop.bd[cand]) / DAYS_PER_YEAR
            w = np.where(m <= last, np.exp(-0.5 * ((age - 26.0) / 3.5) ** 2), 0.0)
            pick = weighted_sample(rng, w, k)
            used[cand[pick]] = True
            _wed(
                rng,
                pop,
                tl,
                win,
                cand[pick],
                m[pick],
                np.full(pick.size, kind),
                hh_unit,
                group_units,
            )
        # a man whose wife's registration stays in her home county
        sel = (must_mdate >= first) & (must_mdate <= last)
        cand = lone_men[~used[lone_men]]
        m = uniform_days(
            rng, np.maximum(add_years(pop.bd[cand], 22), first), np.full(cand.size, last)
        )
        age = (m - pop.bd[cand]) / DAYS_PER_YEAR
        k = max(n_else - int(sel.sum()), 0)
        pick = weighted_sample(
            rng, np.where(m <= last, np.exp(-0.5 * ((age - 28.0) / 4.0) ** 2), 0.0), k
        )
        used[cand[pick]] = True
        grooms = np.r_[must_men[sel], cand[pick]]
        tl.marriage[grooms] = np.r_[must_mdate[sel], m[pick]]
        tl.marriage_kind[grooms] = MAR_SPOUSE_ELSEWHERE
        tl.busy[grooms] = True
        # a daughter who marries out of the county and moves to her husband's place
        cand = daughters[~used[daughters]]
        m = uniform_days(
            rng, np.maximum(add_years(pop.bd[cand], 20), first), np.full(cand.size, last)
        )
        age = (m - pop.bd[cand]) / DAYS_PER_YEAR
        pick = weighted_sample(
            rng, np.where(m <= last, np.exp(-0.5 * ((age - 25.0) / 3.0) ** 2), 0.0), n_out
        )
        d = cand[pick]
        used[d] = True
        tl.marriage[d] = m[pick]
        tl.marriage_kind[d] = MAR_OUT
        out = m[pick] + rng.integers(3, 91, d.size)  # the transfer follows the wedding
        tl.move_out[d] = np.where(out <= win.end, out, -1)
        pop.ms[d] = MS_MARRIED
        tl.busy[d] = True


def _birth_weight(age: FloatArr, mean: float) -> FloatArr:
    return np.asarray(np.exp(-0.5 * ((age - mean) / 4.5) ** 2))


def births(
    rng: np.random.Generator, pop: Pop, tl: Timeline, win: Window, p: SynthParams, population: float
) -> int:
    """Children born inside the window, appended to `pop`; returns how many."""
    n0 = pop.n
    parity = np.bincount(pop.mother[pop.mother >= 0], minlength=n0).astype(np.int64)
    last_birth = np.full(n0, -(10**6), dtype=np.int64)
    np.maximum.at(last_birth, pop.mother[pop.mother >= 0], pop.bd[pop.mother >= 0])
    women = np.flatnonzero((pop.sex == 2) & (pop.ms == MS_MARRIED) & (tl.marriage_kind != MAR_OUT))
    mothers: list[IntArr] = []
    dates: list[IntArr] = []
    orders: list[IntArr] = []
    for first, last, year in win.years:
        rate = crude_birth_rate(year)
        total = _per_year(rate, population, first, last)
        for order, k, mean, (lo_age, hi_age) in zip(
            (1, 2, 3),
            _split(total, (0.45, 0.40, 0.15)),
            (26.5, 30.5, 33.0),
            ((20, 40), (21, 44), (23, 45)),
            strict=True,
        ):
            t = uniform_days(rng, np.full(women.size, first), np.full(women.size, last))
            age = (t - pop.bd[women]) / DAYS_PER_YEAR
            par_ok = parity[women] == order - 1 if order < 3 else parity[women] >= 2
            married_in = tl.marriage[women]
            ok = (
                par_ok
                & (age >= lo_age)
                & (age <= hi_age)
                & (t - last_birth[women] >= 540)
                & ((married_in < 0) | (t >= married_in + 240))
                & (t >= tl.move_in[women])
            )
            w = np.where(ok, _birth_weight(age, mean), 0.0)
            if order == 1:
                w *= np.where(married_in >= 0, 4.0, 1.0)  # newly-weds have most first births
            else:
                gap = (t - last_birth[women]) / DAYS_PER_YEAR
                w *= np.exp(-0.5 * ((gap - 4.0) / 2.5) ** 2)
                # fourth and later children are rare
                w *= 0.2 ** np.maximum(parity[women] - 2, 0)
            pick = weighted_sample(rng, w, k)
            mo, td = women[pick], t[pick]
            parity[mo] += 1
            last_birth[mo] = td
            mothers.append(mo)
            dates.append(td)
            orders.append(parity[mo].copy())
    mo = np.concatenate(mothers)
    td = np.concatenate(dates)
    border = np.concatenate(orders)
    k = mo.size
    srb = np.select([border == 1, border == 2], [106.0, 110.0], 118.0)
    sex = np.where(rng.random(k) < srb / (100.0 + srb), 1, 2).astype(np.int64)
    role = np.where(pop.role[mo] == ROOT_WOMAN, ROOT_CHILD, ATT_CHILD)
    kids = Pop(
        bd=td,
        sex=sex,
        ms=np.full(k, MS_NEVER, dtype=np.int64),
        spouse=np.full(k, -1, dtype=np.int64),
        mother=mo,
        father=pop.spouse[mo].copy(),
        role=role.astype(np.int64),
        hh=pop.hh[mo].copy(),
        window_born=np.ones(k, dtype=bool),
    )
    pop.extend(kids)
    tl.grow(k)
    tl.birth_order[n0:] = border
    assert np.isin(pop.role[mo], (ROOT_WOMAN, ANCHOR, ANCHOR_SPOUSE)).all()
    return k


def divorces(
    rng: np.random.Generator, pop: Pop, tl: Timeline, win: Window, p: SynthParams, population: float
) -> None:
    """Divorces of people divorced at the end date; half the pairs are both registered here."""
    age_end = age_on(pop.bd, win.end)
    # married (before the window) at a legal age
    of_age = add_years(pop.bd, 22) <= win.start
    cand = (pop.ms == MS_DIVORCED) & (age_end >= 24) & (age_end <= 58) & ~tl.busy & of_age
    adult = add_years(pop.bd, 21)
    for first, last, _ in win.years:
        total = _per_year(p.divorces_per_1000, population, first, last)
        lo = np.maximum(adult, first)
        t = uniform_days(rng, lo, np.full(pop.n, last))
        ok = cand & (lo <= last)
        men = weighted_sample(rng, (ok & (pop.sex == 1)).astype(np.float64), total // 2)
        women = weighted_sample(rng, (ok & (pop.sex == 2)).astype(np.float64), men.size)
        men = men[: women.size]
        men, women = men[np.argsort(pop.bd[men])], women[np.argsort(pop.bd[women])]
        ok[men] = ok[women] = False
        singles = weighted_sample(rng, ok.astype(np.float64), total - men.size)
        # a couple divorces on one day: the later of their two candidate dates
        d_pair = np.maximum(t[men], t[women])
        tl.divorce[men] = tl.divorce[women] = d_pair
        tl.divorce_spouse[men] = women
        tl.divorce_spouse[women] = men
        tl.divorce[singles] = t[singles]
        chosen = np.r_[men, women, singles]
        cand[chosen] = False
        tl.busy[chosen] = True


def deaths(
    rng: np.random.Generator, pop: Pop, tl: Timeline, win: Window, population: float
) -> None:
    """Deaths by age-specific risk, after each person's own last event; widows the spouse."""
    lower = pop.bd.copy()
    for arr in (tl.marriage, tl.move_in, tl.divorce):
        lower = np.maximum(lower, arr)
    kids = np.flatnonzero(pop.window_born)
    for parent in (pop.mother[kids], pop.father[kids]):
        ok = parent >= 0
        np.maximum.at(lower, parent[ok], pop.bd[kids][ok])
    lower += 1
    alive = tl.marriage_kind != MAR_OUT
    for first, last, year in win.years:
        rate = crude_death_rate(year)
        total = _per_year(rate, population, first, last)
        t = uniform_days(rng, np.maximum(lower, first), np.full(pop.n, last))
        age = (t - pop.bd) / DAYS_PER_YEAR
        # men die about a quarter more often than women of the same age
        w = np.where(alive & (t <= last), mortality(age) * np.where(pop.sex == 1, 1.25, 1.0), 0.0)
        pick = weighted_sample(rng, w, total)
        tl.death[pick] = t[pick]
        alive[pick] = False
    dead = np.flatnonzero(tl.death >= 0)
    sp = pop.spouse[dead]
    has = sp >= 0
    d, s = dead[has], sp[has]
    # the spouse is widowed unless they died first
    widowed = (tl.death[s] < 0) | (tl.death[s] > tl.death[d])
    pop.ms[s[widowed]] = MS_WIDOWED
