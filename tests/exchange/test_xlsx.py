"""An .xlsx workbook as Excel saves it: numbers for codes and sex, date cells for dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from renkou.events.models import Event
from renkou.registry.models import Household, Person
from tests.exchange.conftest import HEADERS, base_rows, db_counts, read_errors, run

pytestmark = pytest.mark.django_db

_NUMERIC = {"unit_code", "sex", "relation", "marital_status", "ethnicity", "birth_order",
            "code", "parent_code", "urban_rural_code"}
_DATES = {"birth_date", "date", "recorded_date"}


def write_workbook(path: Path, rows: dict[str, list[list[str]]]) -> Path:
    """Codes typed as numbers (Excel drops "02"'s zero), dates as date cells, the header of
    persons on the sheet's third row under a title."""
    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, body in rows.items():
        sheet = book.add_worksheet(name)
        top = 0
        if name == "persons":
            sheet.write_string(0, 0, "人口信息表")  # a title row, then a blank row
            top = 2
        for col, header in enumerate(HEADERS[name]):
            sheet.write_string(top, col, header)
        for r, row in enumerate(body, start=top + 1):
            for col, (header, value) in enumerate(zip(HEADERS[name], row, strict=True)):
                if value == "":
                    continue
                if header in _DATES:
                    sheet.write_datetime(r, col, dt.datetime.fromisoformat(value), date_format)
                elif header in _NUMERIC and value.isdigit():
                    sheet.write_number(r, col, int(value))
                else:
                    sheet.write_string(r, col, value)
    book.close()
    return path


def test_workbook_imports_like_csv(units: Any, tmp_path: Path) -> None:
    directory = tmp_path / "book"
    directory.mkdir()
    rows = base_rows()
    rows["persons"][0][0] = "1001"  # a numeric person id must not become "1001.0"
    rows["persons"][2][10] = "1001"  # P3's father
    rows["events"][0][2] = "1001"
    write_workbook(directory / "county.xlsx", rows)

    assert run("import", str(directory), "--no-progress") == 0

    p1 = Person.objects.get(pk="1001")
    assert (p1.sex, p1.birth_date, p1.relation, p1.marital_status, p1.ethnicity) == (
        1, dt.date(1990, 1, 1), "02", "20", "1")
    assert Household.objects.get(pk="H1").unit_id == "410325100201001"
    e2 = Event.objects.get(pk="E2")
    assert (e2.date, e2.recorded_date, e2.birth_order) == (dt.date(2021, 3, 4),
                                                          dt.date(2021, 3, 10), 1)
    assert Event.objects.get(pk="E1").person_id == "1001"
    assert Person.objects.count() == 6


def test_workbook_errors_name_the_sheet_and_its_row(units: Any, tmp_path: Path) -> None:
    directory = tmp_path / "book"
    directory.mkdir()
    rows = base_rows()
    rows["persons"][1][3] = "3"  # P2: header on sheet row 3, so P2 is on row 5
    write_workbook(directory / "county.xlsx", rows)
    before = db_counts()

    assert run("import", str(directory), "--no-progress") == 2

    errors = read_errors(directory)
    assert [(e["file"], e["line"], e["column"], e["value"]) for e in errors] == [
        ("county.xlsx:persons", "5", "sex", "3")]
    assert db_counts() == before
