"""Writes of the unit hierarchy: derive path, depth and ancestor columns from parents."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from renkou.units.models import ANCESTOR_LEVELS, LEVEL_ORDER


@dataclass
class UnitRow:
    code: str
    name: str
    level: str
    parent_code: str
    urban_rural_code: str


def derive_hierarchy(rows: Iterable[UnitRow],
                     existing: Mapping[str, UnitRow] | None = None) -> dict[str, dict[str, object]]:
    """Compute path, depth and ancestor codes for every row (rows may come in any order).

    `existing` supplies parents already in the database. Raises ValueError on a cycle.
    """
    by_code: dict[str, UnitRow] = dict(existing or {})
    for row in rows:
        by_code[row.code] = row
    derived: dict[str, dict[str, object]] = {}

    def resolve(code: str, seen: tuple[str, ...]) -> dict[str, object]:
        if code in derived:
            return derived[code]
        if code in seen:
            raise ValueError(f"cycle in unit parents at {code}")
        row = by_code[code]
        info: dict[str, object] = {f"{lvl}_code": "" for lvl in ANCESTOR_LEVELS}
        if row.parent_code and row.parent_code in by_code:
            parent = resolve(row.parent_code, (*seen, code))
            info.update({k: v for k, v in parent.items() if k.endswith("_code")})
            info["path"] = f"{parent['path']}/{code}"
            info["depth"] = int(str(parent["depth"])) + 1
        else:
            info["path"] = code
            info["depth"] = 0
        if row.level in ANCESTOR_LEVELS:
            info[f"{row.level}_code"] = code
        derived[code] = info
        return info

    for code in sorted(by_code):
        resolve(code, ())
    return derived


def level_rank(level: str) -> int:
    return LEVEL_ORDER.index(level)
