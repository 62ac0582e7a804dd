"""Read model of the reports page: which units, periods and levels a user may choose, and
the indicator table for one choice. Every figure comes from renkou.stats.engine; the files
are the stats app's own exporters (renkou.stats.export, renkou.stats.reports).

Statistics are aggregates, not personal data: choosing and exporting them is not audited
(person-level drill-down is, in renkou.stats.selectors).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from renkou.core.errors import NotFound, ValidationError
from renkou.core.periods import Period, parse_period
from renkou.stats import engine, export
from renkou.stats.catalog import Indicator, by_code
from renkou.stats.engine import IndicatorRow
from renkou.stats.reports import annual_pdf, annual_xlsx, build_annual_report
from renkou.units.models import LEVEL_ORDER, Level, Unit
from renkou.units.selectors import units_under
from renkou.web.dashboard import (
    dashboard_unit_for_user,
    dashboard_units_for_user,
    reference_day,
    stat_year_of,
)

# The columns on screen (the files carry every catalog indicator).
SCREEN_CODES: tuple[str, ...] = (
    "POP_START", "POP_END", "BIRTHS", "BIRTHS_M", "BIRTHS_F", "DEATHS", "MOVE_IN",
    "MOVE_OUT", "MARRIAGES", "CBR", "CDR", "RNI", "SRB", "GFR", "TFR", "REG_TIMELY",
)
EXPORT_FORMATS: tuple[str, ...] = ("xlsx", "report-xlsx", "report-pdf")
YEARS_OFFERED = 6


@dataclass(frozen=True)
class PeriodGroup:
    label: str
    periods: list[Period]


@dataclass(frozen=True)
class ReportTable:
    unit: Unit
    period: Period
    level: str | None
    columns: list[Indicator]
    rows: list[IndicatorRow]  # one per unit of `level` (or the unit itself without one)
    total: IndicatorRow | None  # the unit itself, under the rows of a level

    @property
    def all_rows(self) -> list[IndicatorRow]:
        return [*self.rows, *([self.total] if self.total else [])]


def report_units_for_user(user: Any) -> list[Unit]:
    """Units the user may report on: their own and those below, down to villages."""
    seen: dict[str, Unit] = {}
    for own in dashboard_units_for_user(user):
        seen.setdefault(own.code, own)
        if own.level != "group":
            for unit in units_under(own).exclude(level="group"):
                seen.setdefault(unit.code, unit)
    return sorted(seen.values(), key=lambda u: u.path)


def report_unit_for_user(*, user: Any, code: str | None) -> Unit:
    """The chosen unit if it is one the user may report on (else NotFound, like a missing
    one); without a code, the user's highest unit."""
    return dashboard_unit_for_user(user=user, code=code)


def period_choices(today: date | None = None) -> list[PeriodGroup]:
    """Statistical years, calendar years, quarters and months, newest first, from the year
    of the latest records back YEARS_OFFERED years."""
    last = reference_day(today)
    top = last.year
    stat_top = top if last.month >= 10 else top - 1
    years = range(top, top - YEARS_OFFERED, -1)
    quarters = [parse_period(f"{y}Q{q}") for y in years for q in (4, 3, 2, 1)]
    months = [parse_period(f"{y}{m:02d}") for y in years for m in range(12, 0, -1)]
    return [
        PeriodGroup(str(_("Statistical years")),
                    [parse_period(f"{y}Oct") for y in range(stat_top, stat_top - YEARS_OFFERED,
                                                            -1)]),
        PeriodGroup(str(_("Calendar years")), [parse_period(str(y)) for y in years]),
        PeriodGroup(str(_("Quarters")), [p for p in quarters if p.start <= last]),
        PeriodGroup(str(_("Months")), [p for p in months if p.start <= last]),
    ]


def default_period(today: date | None = None) -> Period:
    """The latest statistical year that is over (reports are for whole years)."""
    last = reference_day(today)
    year = stat_year_of(last)
    return year if last >= year.end else parse_period(f"{year.start.year - 1}Oct")


def parse_report_period(raw: str | None) -> Period:
    if not raw:
        return default_period()
    try:
        return parse_period(raw)
    except ValueError as exc:
        raise ValidationError(_("Unknown period %(period)s."), period=raw) from exc


def level_choices(unit: Unit) -> list[tuple[str, str]]:
    """('', this unit only) and every level below `unit`."""
    below = LEVEL_ORDER[LEVEL_ORDER.index(unit.level) + 1:]
    return [("", str(_("This unit only"))), *((lv, str(Level(lv).label)) for lv in below)]


def parse_level(raw: str | None, unit: Unit) -> str | None:
    if not raw:
        return None
    if raw not in {lv for lv, _label in level_choices(unit)}:
        raise ValidationError(_("Level %(level)s is not below the unit %(unit)s."),
                              level=raw, unit=unit.name)
    return raw


def report_table(*, unit: Unit, period: Period, level: str | None) -> ReportTable:
    """The indicators of `unit` for `period`, by `level` below it if given (with the unit's
    own row as the total): one engine call per shape, never one per unit."""
    periods = engine.compute_indicators_many(unit=unit, periods=[period], by_level=level)
    rows = periods[period.code]
    total = None
    if level is not None:
        total = engine.compute_indicators(unit=unit, period=period)[0]
    return ReportTable(unit=unit, period=period, level=level,
                       columns=[by_code(code) for code in SCREEN_CODES], rows=rows,
                       total=total)


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_export(*, unit: Unit, period: Period, level: str | None, kind: str,
                  lang: str) -> ExportFile:
    """The chosen table as an indicator workbook (as `renkou indicators --format xlsx`), or
    the unit's annual report (rows for the level just below, as `renkou report`) in Excel
    or PDF."""
    stem = f"renkou-{unit.code}-{period.code}"
    if kind == "xlsx":
        buffer = io.BytesIO()
        export.write_xlsx(buffer, period, report_table(unit=unit, period=period,
                                                       level=level).all_rows)
        return ExportFile(buffer.getvalue(), f"{stem}{'-' + level if level else ''}.xlsx",
                          XLSX)
    if kind in ("report-xlsx", "report-pdf"):
        report = build_annual_report(unit=unit, period=period,
                                     lang="en" if lang.startswith("en") else "zh")
        if kind == "report-xlsx":
            return ExportFile(annual_xlsx(report), f"{stem}-report.xlsx", XLSX)
        return ExportFile(annual_pdf(report), f"{stem}-report.pdf", "application/pdf")
    raise NotFound()

