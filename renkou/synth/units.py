"""The administrative tree of the synthetic county and the placing of households in it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from renkou.synth import names as nm
from renkou.synth.config import (
    CITY_CODE,
    CITY_NAME,
    COUNTY_CODE,
    COUNTY_NAME,
    PROVINCE_CODE,
    PROVINCE_NAME,
    IntArr,
)

MEAN_VILLAGE = 1150  # persons; villages range ~300-3,000
MEAN_COMMUNITY = 2000
PERSONS_PER_GROUP = 170


@dataclass
class Units:
    """Flat table of units; indices refer to rows. Villages and groups carry extra columns."""

    code: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    level: list[str] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)
    urban_rural: list[str] = field(default_factory=list)
    # per village row index: dominant surname index (-1 none); per unit: address prefix
    dominant: dict[int, int] = field(default_factory=dict)
    address: list[str] = field(default_factory=list)

    def add(
        self, code: str, name: str, level: str, parent: int, ur: str = "", addr: str = ""
    ) -> int:
        self.code.append(code)
        self.name.append(name)
        self.level.append(level)
        self.parent.append(parent)
        self.urban_rural.append(ur)
        self.address.append(addr)
        return len(self.code) - 1

    def indices(self, level: str) -> IntArr:
        return np.array([i for i, lv in enumerate(self.level) if lv == level], dtype=np.int64)

    def parents(self) -> IntArr:
        return np.array(self.parent, dtype=np.int64)

    def is_urban(self) -> IntArr:
        """1 for residents' committees (居委会, urban-rural 1xx) and their groups, else 0."""
        out = np.zeros(len(self.code), dtype=np.int64)
        for i, ur in enumerate(self.urban_rural):
            if ur.startswith("1"):
                out[i] = 1
        par = self.parents()
        for i, lv in enumerate(self.level):
            if lv == "group":
                out[i] = out[par[i]]
        return out


def _unique_names(candidates: list[str], used: set[str]) -> str | None:
    for c in candidates:
        if c not in used:
            used.add(c)
            return c
    return None


def _township_names(rng: np.random.Generator, kinds: list[str]) -> list[str]:
    used: set[str] = set()
    out: list[str] = []
    streets = list(nm.STREET_NAMES)
    for kind in kinds:
        if kind == "street" and streets:
            base = streets.pop(0)
            out.append(base + "街道")
            used.add(base)
            continue
        while True:
            base = (
                nm.TOWN_FIRST[int(rng.integers(len(nm.TOWN_FIRST)))]
                + nm.TOWN_SECOND[int(rng.integers(len(nm.TOWN_SECOND)))]
            )
            if base not in used:
                used.add(base)
                break
        out.append(base + ("街道" if kind == "street" else "镇" if kind == "town" else "乡"))
    return out


def _village_name(rng: np.random.Generator, used: set[str]) -> tuple[str, int]:
    """A 村委会 name and the index of the surname it is named after (-1 if none)."""
    for _ in range(200):
        s = int(nm.draw_surnames(rng, 1)[0])
        sur = nm.SURNAMES[s]
        roll = rng.random()
        if roll < 0.35:
            base = sur + nm.VILLAGE_SUFFIX[int(rng.integers(len(nm.VILLAGE_SUFFIX)))]
        elif roll < 0.55:
            base = sur + "家"
        elif roll < 0.8:
            base = (
                nm.VILLAGE_PREFIX[int(rng.integers(len(nm.VILLAGE_PREFIX)))]
                + sur
                + nm.VILLAGE_SUFFIX[int(rng.integers(len(nm.VILLAGE_SUFFIX)))]
            )
        else:
            base, s = nm.VILLAGE_PLAIN[int(rng.integers(len(nm.VILLAGE_PLAIN)))], -1
        got = _unique_names([base + "村"], used)
        if got is not None:
            return got, s
    raise RuntimeError("ran out of village names")


def build_units(rng: np.random.Generator, persons: int, per_township: int) -> tuple[Units, IntArr]:
    """The tree for about `persons` people; returns units and each group's target population."""
    u = Units()
    prov = u.add(PROVINCE_CODE, PROVINCE_NAME, "province", -1)
    city = u.add(CITY_CODE, CITY_NAME, "city", prov)
    county = u.add(COUNTY_CODE, COUNTY_NAME, "county", city)
    n_town = max(3, round(persons / per_township))
    n_street = max(1, round(n_town * 0.15))
    n_zhen = max(1, round(n_town * 0.45))
    kinds = ["street"] * n_street + ["town"] * n_zhen + ["xiang"] * (n_town - n_street - n_zhen)
    tnames = _township_names(rng, kinds)
    tsize = rng.lognormal(0.0, 0.3, n_town)
    tsize[:n_street] *= 1.4  # the county seat's streets are the most populous
    tsize = tsize / tsize.sum() * persons
    counters = {"street": 1, "town": 100, "xiang": 200}
    group_targets: list[float] = []
    for t in range(n_town):
        kind = kinds[t]
        tcode = COUNTY_CODE[:6] + f"{counters[kind]:03d}" + "000"
        counters[kind] += 1
        ti = u.add(tcode, tnames[t], "township", county)
        # residents' committees of the county seat are larger than villages
        mean = MEAN_COMMUNITY if kind == "street" else MEAN_VILLAGE
        n_vill = max(1, round(tsize[t] / mean))
        spread, hi = (0.45, 2.4) if kind != "street" else (0.2, 1.3)
        vsize = np.clip(rng.lognormal(0.0, spread, n_vill), 0.3, hi)
        vsize = vsize / vsize.sum() * tsize[t]
        n_urban = (
            n_vill
            if kind == "street"
            else min(n_vill - 1, int(rng.integers(1, 4)))
            if kind == "town"
            else 0
        )
        used: set[str] = set()
        comm = list(nm.COMMUNITY_NAMES)
        rng.shuffle(comm)
        rural_no, urban_no = 200, 1
        for v in range(n_vill):
            if v < n_urban:
                vname = _unique_names([c + "社区" for c in comm], used) or f"第{urban_no}社区"
                ur = ("111" if rng.random() < 0.7 else "112") if kind == "street" else "121"
                vcode = tcode[:9] + f"{urban_no:03d}"
                urban_no += 1
                dom = -1
            else:
                vname, dom = _village_name(rng, used)
                first_rural = v == n_urban
                # the villagers' committee at a township's seat is a township centre (210)
                ur = "210" if kind == "xiang" and first_rural else "220"
                vcode = tcode[:9] + f"{rural_no:03d}"
                rural_no += 1
            vi = u.add(vcode, vname, "village", ti, ur, tnames[t] + vname)
            u.dominant[vi] = dom
            n_grp = int(np.clip(round(vsize[v] / PERSONS_PER_GROUP), 3, 10))
            gsize = rng.uniform(0.6, 1.4, n_grp)
            gsize = gsize / gsize.sum() * vsize[v]
            for g in range(1, n_grp + 1):
                u.add(
                    vcode + f"{g:03d}",
                    nm.ordinal_group_name(g, v < n_urban),
                    "group",
                    vi,
                    "",
                    f"{tnames[t]}{vname}{g}组",
                )
                group_targets.append(float(gsize[g - 1]))
    return u, np.asarray(np.round(group_targets), dtype=np.int64)


def place_households(
    rng: np.random.Generator,
    units: Units,
    group_targets: IntArr,
    hh_size: IntArr,
    village_share: float,
) -> IntArr:
    """Unit index of each household: groups filled to their target sizes in turn; a few
    households (collective ones) registered directly at village level."""
    groups = units.indices("group")
    order = rng.permutation(hh_size.size)
    cum = np.cumsum(hh_size[order]) - hh_size[order] / 2.0
    bounds = np.cumsum(group_targets).astype(np.float64)
    bounds = bounds / bounds[-1] * float(hh_size.sum())
    slot = np.minimum(np.searchsorted(bounds, cum, side="right"), groups.size - 1)
    unit = np.empty(hh_size.size, dtype=np.int64)
    unit[order] = groups[slot]
    at_village = rng.random(hh_size.size) < village_share
    unit[at_village] = units.parents()[unit[at_village]]
    return unit
