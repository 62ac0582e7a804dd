"""Population on day t in unit U (SPEC §2): the one counting function statistics use."""

from __future__ import annotations

from datetime import date

from django.db import connection

from renkou.units.models import ANCESTOR_LEVELS, Unit
from renkou.units.selectors import units_under


def _unit_filter(unit: Unit) -> tuple[str, str]:
    if unit.level in ANCESTOR_LEVELS:
        return f"u.{unit.level}_code = %s", unit.code
    return "u.code = %s", unit.code


def population_on(unit: Unit, day: date) -> int:
    """Persons registered in `unit` or below at the end of `day`."""
    condition, code = _unit_filter(unit)
    sql = (
        "SELECT COUNT(*) FROM events_registrationspell s "
        "JOIN units_unit u ON u.code = s.unit_code "
        f"WHERE {condition} AND (s.start IS NULL OR s.start <= %s) "  # noqa: S608
        "AND (s.\"end\" IS NULL OR s.\"end\" > %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [code, day, day])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def population_by_level(unit: Unit, day: date, level: str) -> dict[str, int]:
    """Population on `day` for every unit of `level` under `unit` (zero rows included)."""
    condition, code = _unit_filter(unit)
    column = "u.code" if level == "group" else f"u.{level}_code"
    sql = (
        f"SELECT {column}, COUNT(*) FROM events_registrationspell s "  # noqa: S608
        "JOIN units_unit u ON u.code = s.unit_code "
        f"WHERE {condition} AND (s.start IS NULL OR s.start <= %s) "
        "AND (s.\"end\" IS NULL OR s.\"end\" > %s) GROUP BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [code, day, day])
        counts = {str(k): int(v) for k, v in cursor.fetchall()}
    codes = units_under(unit, level=level).order_by("code").values_list("code", flat=True)
    return {code: counts.get(code, 0) for code in codes}
