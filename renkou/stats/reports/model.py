"""The data a report is made of, independent of how it is printed (PDF, Excel, screen).

A report is a list of tables; a table has columns (each bound to one catalog indicator, so
its heading, unit and number format come from renkou.stats.catalog) and rows (one per unit,
the unit's own total last). Cells keep the engine's exact value; what a reader sees of it
(rounded, "—" for null, "<5" when suppressed for publication) is decided by `Cell.text`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal

from renkou.stats.catalog import Indicator, Kind, by_code

Lang = Literal["zh", "en"]
Number = float | int | None

# Shown for a null value (a rate of a month, a rate with a zero denominator).
DASH = "—"
# Shown instead of a count of 1–4 (or a value that would give one back) in a public report.
SMALL = "<5"
# Shown for a cell hidden so that a suppressed cell cannot be recovered from the total.
HIDDEN = "×"
SMALL_LIMIT = 5


@dataclass(frozen=True, slots=True)
class Text:
    """A piece of report text in both languages (reports are printed in either)."""

    zh: str
    en: str

    def get(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.zh


class Mark(StrEnum):
    """Why a cell is not shown as its value in a public report."""

    NONE = ""
    SMALL = "small"  # a count of 1–4, or a value computed from one
    HIDDEN = "hidden"  # complementary suppression: hides a SMALL cell from subtraction


def excel_format(ind: Indicator) -> str:
    """Excel number format of an indicator: counts #,##0, rates 0.00, percentages 0.0."""
    if ind.kind is Kind.COUNT:
        return "#,##0"
    if ind.kind is Kind.MEAN:
        return "#,##0." + "0" * ind.decimals
    return "0." + "0" * ind.decimals if ind.decimals else "0"


def format_value(value: Number, ind: Indicator) -> str:
    """The value as printed: thousands separators for counts, catalog decimals otherwise."""
    if value is None:
        return DASH
    if ind.kind is Kind.COUNT:
        return f"{int(value):,}"
    return f"{float(value):,.{ind.decimals}f}"


@dataclass(frozen=True, slots=True)
class Column:
    """One column: an indicator of the catalog (heading and number format from there)."""

    code: str

    @property
    def indicator(self) -> Indicator:
        return by_code(self.code)

    def header(self, lang: Lang) -> str:
        ind = self.indicator
        name = ind.name_en if lang == "en" else ind.name_zh
        if ind.kind is Kind.COUNT or not ind.unit:
            return name
        return f"{name} ({ind.unit})" if lang == "en" else f"{name}（{ind.unit}）"

    @property
    def excel_format(self) -> str:
        return excel_format(self.indicator)


@dataclass(slots=True)
class Cell:
    value: Number
    mark: Mark = Mark.NONE

    def text(self, ind: Indicator) -> str:
        if self.mark is Mark.SMALL:
            return SMALL
        if self.mark is Mark.HIDDEN:
            return HIDDEN
        return format_value(self.value, ind)


@dataclass(slots=True)
class Row:
    unit_code: str
    unit_name: str
    cells: dict[str, Cell]
    is_total: bool = False

    def value(self, code: str) -> Number:
        return self.cells[code].value


def row_label(row: Row, lang: Lang) -> str:
    """The printed name of a row; the unit's own row is marked as the total."""
    if row.is_total:
        return f"{row.unit_name}（合计）" if lang == "zh" else f"{row.unit_name} (total)"
    return row.unit_name


@dataclass(slots=True)
class Table:
    """One theme (人口, 出生 …) or one section of a bulletin."""

    key: str
    title: Text
    columns: list[Column]
    rows: list[Row]
    footnotes: list[Text] = field(default_factory=list)
    # Heading of the first (unit name) column.
    label_header: Text = field(default_factory=lambda: Text("单位", "Unit"))

    def title_for(self, lang: Lang) -> str:
        return self.title.get(lang)


@dataclass(slots=True)
class Report:
    """The annual statistical report of a unit (年报)."""

    title: str
    unit_code: str
    unit_name: str
    unit_level: str
    row_level: str
    period_code: str
    period_label: str
    period_start: str
    period_end: str
    generated_at: datetime
    lang: Lang
    public: bool
    tables: list[Table]
    # Roll-up checks that failed: (table key, indicator code, sum of rows, unit total).
    rollup_errors: list[tuple[str, str, float, float]] = field(default_factory=list)
