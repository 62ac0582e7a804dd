"""The stock population (everyone born before the window) and its households.

Ages are drawn first from the target pyramid, so the age structure is controlled exactly; then
couples are paired, children are given mothers of a plausible age with plausible birth spacing,
and some married sons' families are merged into their parents' household (three generations).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date

import numpy as np

from renkou.synth.config import (
    COHORT_SIZE,
    DAYS_PER_YEAR,
    MS_DIVORCED,
    MS_MARRIED,
    MS_NEVER,
    MS_WIDOWED,
    SRB_BY_YEAR,
    TARGET_SHARE_0_14,
    TARGET_SHARE_60P,
    BoolArr,
    FloatArr,
    IntArr,
    age_on,
    crude_death_rate,
    interp_table,
    mortality,
    year_start,
    ymd,
)

# Household roles (relation to the head is derived from these at the end).
ROOT_MAN, ROOT_WOMAN, ROOT_CHILD, ANCHOR, ANCHOR_SPOUSE, ATT_CHILD = 1, 2, 3, 4, 5, 6
GRANDCHILD, OTHER = 7, 8


@dataclass
class Pop:
    """Column arrays of all persons; indices are row numbers (-1 = none)."""

    bd: IntArr
    sex: IntArr
    ms: IntArr
    spouse: IntArr
    mother: IntArr
    father: IntArr
    role: IntArr
    hh: IntArr
    window_born: BoolArr

    @property
    def n(self) -> int:
        return int(self.bd.size)

    def extend(self, other: Pop) -> None:
        for f in fields(self):
            setattr(self, f.name, np.concatenate([getattr(self, f.name), getattr(other, f.name)]))


# --- age pyramid -------------------------------------------------------------------------------


def _solve_tilt(w: FloatArr, age: FloatArr, share_old: float) -> FloatArr:
    """exp(β·age) tilt on adult weights so that the 60+ share among adults is `share_old`."""
    lo, hi = -0.1, 0.1
    for _ in range(60):
        beta = (lo + hi) / 2
        t = w * np.exp(beta * (age - 15.0))
        s = t[age >= 60].sum() / t.sum()
        lo, hi = (beta, hi) if s < share_old else (lo, beta)
    return np.asarray(w * np.exp(lo * (age - 15.0)))


def sample_stock(
    rng: np.random.Generator, n: int, start: int, end: date, years: int, births_share: float
) -> tuple[IntArr, IntArr]:
    """Birth dates (before `start`) and sexes of n persons so that, after the window's births
    and deaths, the living population has the census age structure."""
    last_year = int(ymd(np.array([start - 1]))[0][0])
    by = np.arange(end.year - 100, last_year + 1)
    age = (end.year - by).astype(np.float64)
    living = interp_table(COHORT_SIZE, by)
    young = age < 15
    adult = ~young
    w = np.zeros_like(living)
    w[adult] = _solve_tilt(living[adult], age[adult], TARGET_SHARE_60P / (1 - TARGET_SHARE_0_14))
    w[adult] *= (1 - TARGET_SHARE_0_14) / w[adult].sum()
    young_share = max(TARGET_SHARE_0_14 - births_share, 0.01)
    if young.any():
        w[young] = living[young] * young_share / living[young].sum()
    # people who will die inside the window must be there at its start; the hazards are
    # scaled to the crude death rate the window will have
    m = mortality(np.maximum(age - years / 2.0, 0.0))
    cdr = crude_death_rate(end.year) / 1000.0
    inflated = w
    for _ in range(4):
        scale = cdr / float((inflated * m).sum() / inflated.sum())
        inflated = w * np.exp(years * scale * m)
    w = inflated
    p = w / w.sum()
    bd = np.empty(n, dtype=np.int64)
    todo = np.arange(n)
    while todo.size:
        y = by[rng.choice(by.size, size=todo.size, p=p)]
        y0 = year_start(y)
        bd[todo] = y0 + np.floor(rng.random(todo.size) * (year_start(y + 1) - y0)).astype(np.int64)
        todo = todo[bd[todo] >= start]
    byear = ymd(bd)[0]
    a = (end.year - byear).astype(np.float64)
    odds = interp_table(SRB_BY_YEAR, byear) / 100.0 * np.exp(-0.022 * np.maximum(a - 65.0, 0.0))
    # brides from elsewhere are registered here more often than daughters leave at marriage
    odds *= np.where((a >= 18) & (a < 35), 0.98, 1.0)
    sex = np.where(rng.random(n) < odds / (1 + odds), 1, 2).astype(np.int64)
    return bd, sex


# --- marital status ----------------------------------------------------------------------------

# Per 5-year age group from 15 (index 0 = 15-19 … 14 = 85+): never married (both sexes), and
# among ever-married men the widowed and divorced shares (2020 census pattern). Women's status
# follows from the pairing with husbands (pair_couples).
# fmt: off
_NEVER_M = (1.0, 0.9, 0.55, 0.22, 0.11, 0.07, 0.05, 0.04, 0.035, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03)
_NEVER_F = (0.99, 0.76, 0.34, 0.1, 0.04, 0.02, 0.012, 0.008, 0.006, 0.005, 0.005, 0.005, 0.005,
            0.005, 0.005)
_WID_M = (0.0, 0.0, 0.002, 0.003, 0.005, 0.008, 0.012, 0.018, 0.028, 0.045, 0.07, 0.1, 0.16, 0.25,
          0.38)
_DIV_M = (0.0, 0.003, 0.015, 0.03, 0.035, 0.035, 0.03, 0.025, 0.02, 0.015, 0.012, 0.01, 0.008,
          0.006, 0.005)
# fmt: on


def marital_status(
    rng: np.random.Generator, bd: IntArr, sex: IntArr, end_day: int, start_day: int
) -> IntArr:
    age = age_on(bd, end_day)
    g = np.clip((age - 15) // 5, 0, 14)
    male = sex == 1
    never = np.where(male, np.take(_NEVER_M, g), np.take(_NEVER_F, g))
    wid = np.where(male, np.take(_WID_M, g), 0.0)
    div = np.where(male, np.take(_DIV_M, g), 0.0)
    u = rng.random(bd.size)
    v = rng.random(bd.size)
    ms = np.full(bd.size, MS_MARRIED, dtype=np.int64)
    ms[v < wid] = MS_WIDOWED
    ms[(v >= wid) & (v < wid + div)] = MS_DIVORCED
    # a man widowed or divorced must have married before the window, at 22 or older
    young = male & (age_on(bd, start_day) < 22)
    ms[young & (ms != MS_MARRIED)] = MS_MARRIED
    ms[(u < never) | (age < 20) | (male & (age < 22))] = MS_NEVER  # legal marriage ages
    return ms


# --- parents and spouses ------------------------------------------------------------------


def match_by_age(
    rng: np.random.Generator,
    child_bd: IntArr,
    cand: IntArr,
    all_bd: IntArr,
    mean_age: Callable[[IntArr], FloatArr],
    sd: float,
    age_range: tuple[float, float],
    spacing: int,
    cap: int | IntArr,
    existing: tuple[IntArr, IntArr] | None = None,
    rounds: int = 10,
) -> IntArr:
    """A partner from `cand` for each child (index into persons, -1 if none found): a mother of
    plausible age at the birth (or a husband of plausible age difference), at most `cap` matches
    each (a number or an array over persons), births at least `spacing` days apart (also from the
    `existing` (mother, birth date) pairs)."""
    nc = child_bd.size
    got = np.full(nc, -1, dtype=np.int64)
    if cand.size == 0 or nc == 0:
        return got
    # a random fraction of a day spreads children evenly over mothers born on the same day
    key = all_bd[cand] + rng.random(cand.size)
    order = np.argsort(key, kind="stable")
    cb, ci = key[order], cand[order]
    ex_m, ex_b = (
        existing if existing is not None else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    )
    lo, hi = age_range[0] * DAYS_PER_YEAR, age_range[1] * DAYS_PER_YEAR
    child_year = ymd(child_bd)[0]
    for _ in range(rounds):
        todo = np.flatnonzero(got < 0)
        if todo.size == 0:
            break
        age = np.clip(rng.normal(mean_age(child_year[todo]), sd), age_range[0], age_range[1])
        target = child_bd[todo] - age * DAYS_PER_YEAR
        pos = np.clip(np.searchsorted(cb, target), 0, cb.size - 1)
        gap = child_bd[todo] - cb[pos]
        ok = (gap >= lo) & (gap <= hi)
        p_child, p_mother = todo[ok], ci[pos[ok]]
        acc = np.flatnonzero(got >= 0)
        n_fixed = ex_m.size + acc.size
        m_all = np.concatenate([ex_m, got[acc], p_mother])
        b_all = np.concatenate([ex_b, child_bd[acc], child_bd[p_child]])
        o = np.lexsort((b_all, m_all))
        sm, sb = m_all[o], b_all[o]
        same = np.r_[False, sm[1:] == sm[:-1]]
        close = same & (np.r_[0, np.diff(sb)] < spacing)
        conflict = close | np.r_[close[1:], False]
        _, inv, counts = np.unique(sm, return_inverse=True, return_counts=True)
        limit = cap[sm] if isinstance(cap, np.ndarray) else cap
        bad = conflict | (counts[inv] > limit)
        keep = (o >= n_fixed) & ~bad
        pidx = o[keep] - n_fixed
        got[p_child[pidx]] = p_mother[pidx]
    return got


def pair_couples(
    rng: np.random.Generator, bd: IntArr, sex: IntArr, ms: IntArr, end_day: int, start_day: int
) -> IntArr:
    """Co-registered spouse of each married person (-1: none, or registered elsewhere).

    Married men (from the census table) each look for a wife about 2.3 years younger among the
    ever-married women; a woman left without a husband is a widow, divorced, or married to
    someone registered elsewhere, in proportions that depend on her age. (Drawing both sexes'
    status independently would fix the age gap by the two distributions, not by custom.)"""
    spouse = np.full(bd.size, -1, dtype=np.int64)
    men = np.flatnonzero((ms == MS_MARRIED) & (sex == 1))
    men = men[rng.random(men.size) > 0.03]  # wife registered elsewhere
    women = np.flatnonzero((ms != MS_NEVER) & (sex == 2))
    wife = np.full(men.size, -1, dtype=np.int64)
    for sd, rounds in ((2.8, 8), (5.0, 6)):
        todo = np.flatnonzero(wife < 0)
        free = np.setdiff1d(women, wife[wife >= 0])
        wife[todo] = match_by_age(
            rng,
            bd[men[todo]],
            free,
            bd,
            lambda y: np.full(y.size, -2.3),
            sd,
            (-16.0, 6.0),
            0,
            1,
            rounds=rounds,
        )
    ok = wife >= 0
    spouse[men[ok]] = wife[ok]
    spouse[wife[ok]] = men[ok]
    ms[wife[ok]] = MS_MARRIED
    alone = women[spouse[women] < 0]
    age = age_on(bd[alone], end_day)
    u = rng.random(alone.size)
    p_wid = np.clip((age - 40.0) / 40.0, 0.03, 0.95) ** 0.8
    p_div = np.where(age < 55, 0.32, 0.08)
    ms[alone] = np.where(
        u < p_wid, MS_WIDOWED, np.where(u < p_wid + p_div, MS_DIVORCED, MS_MARRIED)
    )
    # too young at the window's start to have married before it, and no husband here
    ms[alone[age_on(bd[alone], start_day) < 20]] = MS_NEVER
    return spouse


def _mean_age_at_birth(year: IntArr) -> FloatArr:
    return np.asarray(24.5 + 0.2 * np.clip(year - 1995, 0, 25), dtype=np.float64)


def _grandmother_age(year: IntArr) -> FloatArr:
    return np.full(year.size, 52.0)


@dataclass
class Families:
    pop: Pop
    hh_count: int


def build_families(
    rng: np.random.Generator, bd: IntArr, sex: IntArr, end_day: int, start_day: int
) -> Families:
    """Couples, children with their mothers, three-generation merges, and households."""
    n = bd.size
    ms = marital_status(rng, bd, sex, end_day, start_day)
    spouse = pair_couples(rng, bd, sex, ms, end_day, start_day)
    age = age_on(bd, end_day)
    u = rng.random(n)
    p_dep = np.select([age < 18, age < 22, age < 30, age < 40], [1.0, 0.97, 0.88, 0.6], 0.35)
    dependent = (ms == MS_NEVER) & (u < p_dep)

    # family units: a couple shares one, every other non-dependent adult has their own
    fu = np.full(n, -1, dtype=np.int64)
    husbands = np.flatnonzero((spouse >= 0) & (sex == 1))
    fu[husbands] = np.arange(husbands.size)
    fu[spouse[husbands]] = fu[husbands]
    singles = np.flatnonzero((fu < 0) & ~dependent)
    fu[singles] = husbands.size + np.arange(singles.size)
    n_fu = husbands.size + singles.size

    # married sons (a few daughters with in-marrying husbands) who live with their parents
    h_age = age[husbands]
    p_merge = np.select(
        [h_age < 22, h_age < 30, h_age < 40, h_age < 50, h_age < 56],
        [0.0, 0.5, 0.38, 0.22, 0.1],
        0.0,
    )
    merging = husbands[rng.random(husbands.size) < p_merge]
    anchor = np.where(rng.random(merging.size) < 0.92, merging, spouse[merging])
    fu_is_anchor = np.zeros(n_fu, dtype=bool)
    fu_is_anchor[fu[anchor]] = True
    ever_women = np.flatnonzero((sex == 2) & (ms != MS_NEVER) & (fu >= 0))
    root_women = ever_women[~fu_is_anchor[fu[ever_women]] & (age[ever_women] >= 38)]
    a_mother = match_by_age(
        rng, bd[anchor], root_women, bd, _mean_age_at_birth, 4.0, (18.0, 45.0), 540, 1
    )
    fu_is_anchor[fu[anchor[a_mother < 0]]] = False
    anchor, a_mother = anchor[a_mother >= 0], a_mother[a_mother >= 0]

    mother = np.full(n, -1, dtype=np.int64)
    mother[anchor] = a_mother
    deps = np.flatnonzero(dependent)
    # how many children each woman has (co-resident ones are at most that many): most
    # women born since the 1970s had one or two
    byear = ymd(bd)[0]
    u = rng.random(n)
    cap = np.select(
        [byear >= 1975, byear >= 1960],
        [np.searchsorted([0.36, 0.84, 0.97], u) + 1, np.searchsorted([0.25, 0.7, 0.93], u) + 1],
        np.searchsorted([0.15, 0.45, 0.8], u) + 2,
    )
    d_mother = match_by_age(
        rng,
        bd[deps],
        ever_women,
        bd,
        _mean_age_at_birth,
        4.5,
        (18.0, 45.0),
        540,
        cap,
        existing=(a_mother, bd[anchor]),
        rounds=12,
    )
    # a second, looser pass for those left over (a later child, an older mother)
    left = np.flatnonzero(d_mother < 0)
    got = d_mother >= 0
    d_mother[left] = match_by_age(
        rng,
        bd[deps[left]],
        ever_women,
        bd,
        _mean_age_at_birth,
        6.5,
        (17.0, 45.0),
        450,
        cap + 1,
        existing=(np.r_[a_mother, d_mother[got]], np.r_[bd[anchor], bd[deps[got]]]),
        rounds=8,
    )
    mother[deps] = d_mother
    father = np.where(mother >= 0, spouse[np.maximum(mother, 0)], -1)
    father[mother < 0] = -1

    role = np.zeros(n, dtype=np.int64)
    in_anchor_fu = (fu >= 0) & fu_is_anchor[np.maximum(fu, 0)]
    role[(fu >= 0) & (sex == 1)] = ROOT_MAN
    role[(fu >= 0) & (sex == 2)] = ROOT_WOMAN
    role[in_anchor_fu] = ANCHOR_SPOUSE
    role[anchor] = ANCHOR
    has_m = deps[d_mother >= 0]
    fu[has_m] = fu[mother[has_m]]
    role[has_m] = np.where(fu_is_anchor[fu[has_m]], ATT_CHILD, ROOT_CHILD)

    # children without a mother here: left-behind grandchildren, or a relative's household
    orphans = deps[(d_mother < 0) & (age[deps] < 22)]
    root_ever = ever_women[~fu_is_anchor[fu[ever_women]]]
    gm = match_by_age(rng, bd[orphans], root_ever, bd, _grandmother_age, 7.0, (38.0, 85.0), 0, 4)
    fu[orphans[gm >= 0]] = fu[gm[gm >= 0]]
    role[orphans[gm >= 0]] = GRANDCHILD
    rest = orphans[gm < 0]
    root_fus = np.flatnonzero(~fu_is_anchor)
    fu[rest] = root_fus[rng.integers(0, root_fus.size, rest.size)]
    role[rest] = OTHER
    alone = deps[(d_mother < 0) & (age[deps] >= 22)]
    fu[alone] = n_fu + np.arange(alone.size)
    role[alone] = np.where(sex[alone] == 1, ROOT_MAN, ROOT_WOMAN)
    n_fu += alone.size
    fu_is_anchor = np.r_[fu_is_anchor, np.zeros(alone.size, dtype=bool)]

    # households: one per root family unit; an anchor's unit joins its mother's household
    fu_hh = np.full(n_fu, -1, dtype=np.int64)
    roots = np.flatnonzero(~fu_is_anchor)
    fu_hh[roots] = np.arange(roots.size)
    fu_hh[fu[anchor]] = fu_hh[fu[a_mother]]
    hh = fu_hh[fu]
    pop = Pop(
        bd=bd,
        sex=sex,
        ms=ms,
        spouse=spouse,
        mother=mother,
        father=father,
        role=role,
        hh=hh,
        window_born=np.zeros(n, dtype=bool),
    )
    return Families(pop=pop, hh_count=int(roots.size))
