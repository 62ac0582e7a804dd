"""Shared plumbing of the engine's queries: day numbers and the unit map (q_map)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
import pyarrow as pa
from django.utils.translation import gettext_lazy as _

from renkou.core.errors import ValidationError
from renkou.stats.facts import FactStore
from renkou.units.models import ANCESTOR_LEVELS, LEVEL_ORDER, Unit

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def day_number(day: date) -> int:
    """Days since 1970-01-01: the integer form of dates in the fact tables."""
    return day.toordinal() - _EPOCH_ORDINAL


@dataclass(frozen=True)
class OutputUnits:
    """The rows a query returns (code, name), and q_map: lowest unit → row index."""

    codes: list[str]
    names: list[str]
    q_map: pa.Table


def _under(frame: pl.DataFrame, unit: Unit) -> pl.DataFrame:
    if unit.level in ANCESTOR_LEVELS:
        return frame.filter(pl.col(f"{unit.level}_code") == unit.code)
    return frame.filter(pl.col("code") == unit.code)


def check_level(unit: Unit, by_level: str | None) -> None:
    if by_level is None:
        return
    if by_level not in LEVEL_ORDER:
        raise ValidationError(_("Unknown level %(level)s."), level=by_level)
    if LEVEL_ORDER.index(by_level) < LEVEL_ORDER.index(unit.level):
        raise ValidationError(_("Level %(level)s is not below the unit %(unit)s."),
                              level=by_level, unit=unit.code)


def output_units(store: FactStore, unit: Unit, by_level: str | None = None) -> OutputUnits:
    """Output rows for `unit` (one) or for every unit of `by_level` under it (by code)."""
    check_level(unit, by_level)
    under = _under(store.units, unit)
    if by_level is None or by_level == unit.level:
        all_keys = under.get_column("unit_key").to_list()
        return OutputUnits([unit.code], [unit.name],
                           pa.table({"unit_key": pa.array(all_keys, pa.int64()),
                                     "out_key": pa.array([0] * len(all_keys), pa.int64())}))
    outputs = under.filter(pl.col("level") == by_level).sort("code")
    codes = outputs.get_column("code").to_list()
    names = outputs.get_column("name").to_list()
    index = {code: i for i, code in enumerate(codes)}
    anc = "code" if by_level not in ANCESTOR_LEVELS else f"{by_level}_code"
    keys: list[int] = []
    outs: list[int] = []
    for key, code in under.select("unit_key", anc).iter_rows():
        if code in index:
            keys.append(key)
            outs.append(index[code])
    return OutputUnits(codes, names, pa.table({"unit_key": pa.array(keys, pa.int64()),
                                               "out_key": pa.array(outs, pa.int64())}))
