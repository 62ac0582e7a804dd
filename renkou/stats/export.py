"""Indicator rows as the SPEC §3 JSON document, CSV (UTF-8 with BOM) or an .xlsx workbook."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import IO, Any

import xlsxwriter

from renkou.core.periods import Period
from renkou.stats.catalog import CATALOG, CODES, Kind
from renkou.stats.engine import IndicatorRow

__all__ = ["csv_text", "json_document", "output_value", "write_xlsx"]

# Values keep full precision in the engine; documents carry 6 decimals (SPEC asks for ≥ 4).
OUTPUT_DECIMALS = 6


def output_value(value: float | int | None) -> float | int | None:
    if isinstance(value, float):
        return round(value, OUTPUT_DECIMALS)
    return value


def json_document(period: Period, rows: Sequence[IndicatorRow]) -> dict[str, Any]:
    """The SPEC §3 shape: period, from, to, rows of {unit, name, values} (catalog order)."""
    return {
        "period": period.code,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "rows": [
            {"unit": row.unit_code, "name": row.unit_name,
             "values": {code: output_value(row.values.get(code)) for code in CODES}}
            for row in rows
        ],
    }


def csv_text(rows: Sequence[IndicatorRow]) -> str:
    """One line per unit: unit, name, then every catalog code (header first, BOM in front)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["unit", "name", *CODES])
    for row in rows:
        values = [output_value(row.values.get(code)) for code in CODES]
        writer.writerow([row.unit_code, row.unit_name,
                         *("" if v is None else v for v in values)])
    return buffer.getvalue()


def write_xlsx(target: str | IO[bytes], period: Period, rows: Sequence[IndicatorRow]) -> None:
    """A workbook with one sheet: a Chinese header row, a code row, then one row per unit;
    panes frozen on the headers and the unit columns; number formats from the catalog."""
    workbook = xlsxwriter.Workbook(target, {"in_memory": True})
    sheet = workbook.add_worksheet(period.code)
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    code_format = workbook.add_format({"font_color": "#666666"})
    formats: dict[int, Any] = {}
    for decimals in {ind.decimals for ind in CATALOG}:
        pattern = "0" if decimals == 0 else "0." + "0" * decimals
        formats[decimals] = workbook.add_format({"num_format": pattern})
    sheet.write_row(0, 0, ["单位代码", "单位名称",
                           *(f"{ind.name_zh}({ind.unit})" for ind in CATALOG)], bold)
    sheet.write_row(1, 0, ["unit", "name", *CODES], code_format)
    for r, row in enumerate(rows, start=2):
        sheet.write_string(r, 0, row.unit_code)
        sheet.write_string(r, 1, row.unit_name)
        for c, ind in enumerate(CATALOG, start=2):
            value = output_value(row.values.get(ind.code))
            if value is None:
                sheet.write_blank(r, c, None)
            else:
                decimals = ind.decimals if ind.kind is not Kind.COUNT else 0
                sheet.write_number(r, c, value, formats[decimals])
    sheet.freeze_panes(2, 2)
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 20)
    sheet.set_column(2, 1 + len(CATALOG), 11)
    sheet.set_row(0, 45)
    workbook.close()
