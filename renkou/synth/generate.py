"""generate_county: the whole pipeline from parameters to the interchange files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from renkou.synth import writer as w
from renkou.synth.config import (
    EVENT_TYPES,
    SOURCES,
    SynthParams,
    crude_birth_rate,
)
from renkou.synth.events import Timeline, Window, births, deaths, divorces, marriages
from renkou.synth.finalize import Registry, build_registry
from renkou.synth.moves import EventTable, build_events, household_moves, individual_moves_out
from renkou.synth.people import build_families, sample_stock
from renkou.synth.units import Units, build_units, place_households

REGISTERED_SHARE = 0.995  # stock registered on an average day (in-movers arrive, others leave)


@dataclass
class County:
    """Everything written, in output order (indices: persons, households, units, events)."""

    units: Units
    reg: Registry
    events: EventTable
    window: Window
    tl: Timeline


def _stock_size(persons: int, win: Window) -> int:
    """Stock persons such that stock + the window's births ≈ persons."""
    stock = persons
    for _ in range(4):
        pop = stock * REGISTERED_SHARE
        b = 0
        for first, last, year in win.years:
            b += round(crude_birth_rate(year) * pop * (last - first + 1) / 365.2425 / 1000.0)
        stock = persons - b
    return max(stock, 1)


def simulate(persons: int, seed: int, years: int, end_date: date, p: SynthParams) -> County:
    rng = np.random.Generator(np.random.PCG64(seed))
    win = Window.of(end_date, years)
    units, targets = build_units(rng, persons, p.persons_per_township)
    n_stock = _stock_size(persons, win)
    births_share = (persons - n_stock) / max(n_stock, 1)
    bd, sex = sample_stock(rng, n_stock, win.start, end_date, years, births_share)
    pop = build_families(rng, bd, sex, win.end, win.start).pop
    n_hh = int(pop.hh.max()) + 1
    hh_size = np.bincount(pop.hh, minlength=n_hh).astype(np.int64)
    hh_unit = place_households(rng, units, targets, hh_size, p.village_level_household_share)
    groups = units.indices("group")
    urban = units.is_urban()
    population = n_stock * REGISTERED_SHARE

    tl = Timeline(pop.n)
    marriages(rng, pop, tl, win, p, population, hh_unit, groups)
    births(rng, pop, tl, win, p, population)
    divorces(rng, pop, tl, win, p, population)
    deaths(rng, pop, tl, win, population)
    rural_groups = groups[urban[groups] == 0]
    hm = household_moves(
        rng,
        pop,
        tl,
        win,
        p,
        population,
        n_hh,
        hh_unit,
        urban,
        rural_groups if rural_groups.size else groups,
    )
    individual_moves_out(rng, pop, tl, win, p, population, hm)
    ev = build_events(rng, pop, tl, hm, hh_unit, win, p)
    reg = build_registry(rng, pop, tl, hm, units, hh_unit, win.end, p)
    # events in date order, persons and spouses by their new indices
    inv = np.empty(pop.n, dtype=np.int64)
    inv[reg.perm] = np.arange(pop.n)
    person = inv[ev.person]
    spouse = np.where(ev.spouse >= 0, inv[np.maximum(ev.spouse, 0)], -1)
    order = np.lexsort((person, ev.type, ev.date))
    events = EventTable(
        type=ev.type[order],
        person=person[order],
        date=ev.date[order],
        recorded=ev.recorded[order],
        unit=ev.unit[order],
        source=ev.source[order],
        spouse=spouse[order],
        birth_order=ev.birth_order[order],
    )
    # the timeline, too, in the new person order (errors.py reads it)
    for name in (
        "marriage",
        "marriage_kind",
        "move_in",
        "move_in_from",
        "move_out",
        "death",
        "divorce",
        "birth_order",
    ):
        setattr(tl, name, getattr(tl, name)[reg.perm])
    tl.divorce_spouse = np.where(tl.divorce_spouse >= 0, inv[np.maximum(tl.divorce_spouse, 0)], -1)[
        reg.perm
    ]
    tl.busy = tl.busy[reg.perm]
    return County(units=units, reg=reg, events=events, window=win, tl=tl)


def write_registry(county: County, out: Path) -> dict[str, int]:
    u, r, e = county.units, county.reg, county.events
    code = np.array(u.code, dtype=object)
    par = u.parents()
    counts: dict[str, int] = {}
    counts["orgunits.csv"] = w.write(
        out / "orgunits.csv",
        w.ORGUNIT_COLUMNS,
        {
            "code": u.code,
            "name": u.name,
            "level": u.level,
            "parent_code": w.strings([u.code[i] if i >= 0 else "" for i in par.tolist()]),
            "urban_rural_code": w.strings(u.urban_rural),
        },
    )
    n_hh = r.hh_unit.size
    counts["households.csv"] = w.write(
        out / "households.csv",
        w.HOUSEHOLD_COLUMNS,
        {
            "household_id": w.ids("H", np.arange(n_hh), 6),
            "unit_code": code[r.hh_unit].tolist(),
            "address": w.strings(r.hh_address),
        },
    )
    n = r.sex.size
    counts["persons.csv"] = w.write(
        out / "persons.csv",
        w.PERSON_COLUMNS,
        {
            "person_id": w.ids("P", np.arange(n), 7),
            "household_id": w.ids("H", r.hh_of, 6),
            "name": w.strings(r.name),
            "sex": r.sex,
            "birth_date": w.dates(r.bd),
            "id_number": w.ascii_bytes(r.id_number, r.id_empty),
            "ethnicity": w.strings(r.ethnicity),
            "relation": w.strings(r.relation),
            "marital_status": r.ms,
            "mother_id": w.ids("P", r.mother, 7),
            "father_id": w.ids("P", r.father, 7),
        },
    )
    types = np.array(EVENT_TYPES, dtype=object)
    sources = np.array(SOURCES, dtype=object)
    counts["events.csv"] = w.write(
        out / "events.csv",
        w.EVENT_COLUMNS,
        {
            "event_id": w.ids("E", np.arange(e.type.size), 7),
            "type": types[e.type].tolist(),
            "person_id": w.ids("P", e.person, 7),
            "date": w.dates(e.date),
            "recorded_date": w.dates(e.recorded),
            "unit_code": code[e.unit].tolist(),
            "source": sources[e.source].tolist(),
            "spouse_id": w.ids("P", e.spouse, 7),
            "birth_order": w.ints(e.birth_order),
        },
    )
    return counts


def generate_county(
    *,
    persons: int,
    seed: int,
    out_dir: Path,
    errors: bool = False,
    years: int = 5,
    end_date: date = date(2025, 12, 31),
    params: SynthParams | None = None,
) -> dict[str, int]:
    """Write a synthetic county (orgunits, households, persons, events; with `errors` also the
    external lists and the truth/ folder) to `out_dir`; returns the row count of each file.

    Deterministic: the same arguments give byte-identical files."""
    if persons < 100:
        raise ValueError("persons must be at least 100")
    if not 1 <= years <= 30:
        raise ValueError("years must be between 1 and 30")
    if end_date.year < 1990:
        # day numbers of window events must stay positive (-1 marks "none")
        raise ValueError("end_date must be in 1990 or later")
    p = params or SynthParams()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    county = simulate(persons, seed, years, end_date, p)
    counts: dict[str, int] = {}
    if errors:
        from renkou.synth.errors import apply_errors

        counts.update(apply_errors(county, seed, out_dir, p))
    counts.update(write_registry(county, out_dir))
    return dict(sorted(counts.items()))
