"""The field sheet (核查表): written at the draw, filled in the field, read back by `load`.

One workbook, sheet `核查表`: a header row, then one row per person the registry lists in
the drawn groups (by group, household, person). The header cells read "中文名\\ncode"; the
reader goes by the code (the last line), so a sheet with plain code headers loads too.
Field workers fill `result` (found / not_found, or 找到 / 未找到) and `details_correct`
(yes / no, 是 / 否) on the listed rows, and add a row for each person they find who is not
listed (result not_in_registry / 未登记, with group_code, name, sex and birth_date).
Sheet `说明` explains this in Chinese and English. docs/quality.md has the full format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

SHEET = "核查表"
INSTRUCTIONS = "说明"

# (code, Chinese heading, column width)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("survey", "调查编号", 9),
    ("group_code", "村民小组代码", 17),
    ("group_name", "村民小组", 18),
    ("household_id", "户编号", 12),
    ("address", "住址", 20),
    ("person_id", "人员编号", 12),
    ("name", "姓名", 10),
    ("sex", "性别(1男2女)", 10),
    ("birth_date", "出生日期", 12),
    ("id_number", "身份证号", 20),
    ("relation", "与户主关系", 10),
    ("birth_in_period", "期内出生", 9),
    ("result", "核查结果", 12),
    ("details_correct", "信息是否正确", 12),
    ("note", "备注", 24),
)
CODES = tuple(code for code, _zh, _w in COLUMNS)
REQUIRED = ("survey", "group_code", "person_id", "name", "sex", "birth_date", "result")

RESULT_WORDS = {
    "found": "found", "找到": "found", "在": "found",
    "not_found": "not_found", "未找到": "not_found", "不在": "not_found",
    "not_in_registry": "not_in_registry", "未登记": "not_in_registry",
    "新增": "not_in_registry",
}
YES_NO = {"yes": True, "y": True, "是": True, "正确": True, "1": True,
          "no": False, "n": False, "否": False, "不正确": False, "错误": False, "0": False}


@dataclass(frozen=True)
class SheetRow:
    """A row of the sheet: its Excel row number and its cells as text by column code."""

    row: int
    cells: dict[str, str]


def write_field_sheet(path: Path, *, survey_id: int, title: str,
                      rows: Sequence[dict[str, Any]]) -> None:
    """Write the sheet for the listed `rows` (dicts keyed by column code)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    head = book.add_format({"bold": True, "text_wrap": True, "bg_color": "#E8EEF4",
                            "border": 1, "valign": "top"})
    text = book.add_format({"num_format": "@"})
    fill = book.add_format({"num_format": "@", "bg_color": "#FFF8DC"})
    sheet = book.add_worksheet(SHEET)
    for col, (code, zh, width) in enumerate(COLUMNS):
        sheet.write_string(0, col, f"{zh}\n{code}", head)
        to_fill = code in ("result", "details_correct", "note")
        sheet.set_column(col, col, width, fill if to_fill else text)
    sheet.set_row(0, 32)
    for r, values in enumerate(rows, start=1):
        for col, code in enumerate(CODES):
            value = values.get(code)
            if value is None or value == "":
                continue
            # Everything as text: identity numbers and codes must keep every digit.
            sheet.write_string(r, col, str(value))
    last = max(len(rows), 1) + 500  # room for persons found who are not listed
    result_col, details_col = CODES.index("result"), CODES.index("details_correct")
    sheet.data_validation(1, result_col, last, result_col, {
        "validate": "list", "source": ["found", "not_found", "not_in_registry",
                                       "找到", "未找到", "未登记"]})
    sheet.data_validation(1, details_col, last, details_col, {
        "validate": "list", "source": ["yes", "no", "是", "否"]})
    sheet.freeze_panes(1, 7)
    sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
    notes = book.add_worksheet(INSTRUCTIONS)
    notes.set_column(0, 0, 110)
    for r, line in enumerate([
        title,
        "",
        "每个列出的人：在“核查结果”填 找到 或 未找到（found / not_found）；找到的，在“信息是否正确”"
        "填 是 或 否（yes / no），不正确的在“备注”说明。",
        "For every listed person: result = found or not_found; for those found, "
        "details_correct = yes or no (explain in note).",
        "找到但未列出（未登记）的人：在表末加一行，填 调查编号、村民小组代码、户编号（如有）、姓名、"
        "性别、出生日期，核查结果填 未登记（not_in_registry），人员编号留空。",
        "A person found who is not listed: add a row with survey, group_code, household_id "
        "(if any), name, sex, birth_date, result = not_in_registry, person_id empty.",
        "日期格式 YYYY-MM-DD。不要改动已列出的编号。Dates as YYYY-MM-DD; do not change the ids.",
    ]):
        notes.write_string(r, 0, line)
    book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def header_code(value: object) -> str:
    """The column code of a header cell: its last line, lower case ("姓名\\nname" → name)."""
    lines = [x.strip() for x in _cell(value).splitlines() if x.strip()]
    return lines[-1].lower() if lines else ""


class SheetError(Exception):
    """The file cannot be read as a field sheet at all (file-level error)."""


def read_field_sheet(path: Path) -> tuple[list[str], list[SheetRow]]:
    """The header codes and the non-empty rows of the sheet `核查表` (or the first sheet)."""
    from python_calamine import CalamineWorkbook

    if not path.exists():
        raise SheetError(_("The file does not exist."))
    try:
        book = CalamineWorkbook.from_path(str(path))
        name = SHEET if SHEET in book.sheet_names else book.sheet_names[0]
        data = book.get_sheet_by_name(name).to_python()
    except Exception as exc:  # calamine raises several types for a file that is not .xlsx
        raise SheetError(_("The file is not an Excel workbook (%(error)s).")
                         % {"error": exc}) from exc
    if not data:
        raise SheetError(_("The sheet is empty."))
    header = [header_code(v) for v in data[0]]
    rows = []
    for index, raw in enumerate(data[1:], start=2):
        cells = {code: _cell(v) for code, v in zip(header, raw, strict=False) if code}
        if any(cells.values()):
            rows.append(SheetRow(index, cells))
    return header, rows
