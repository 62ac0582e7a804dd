"""`renkou import` refuses bad files: one fixture per kind of error (SPEC §1).

Each case changes one thing in the valid base extract and expects: exit status 2, the error
(file, line, column, value) in DIR/import-errors.csv, and no row written anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.exchange.conftest import (
    HEADERS,
    base_rows,
    db_counts,
    read_errors,
    run,
    write_files,
)

Rows = dict[str, list[list[str]]]


def _set(file: str, row: int, column: str, value: str) -> Callable[[Rows, dict[str, Any]], None]:
    def change(rows: Rows, headers: dict[str, Any]) -> None:
        rows[file][row][HEADERS[file].index(column)] = value
    return change


def _add(file: str, values: list[str]) -> Callable[[Rows, dict[str, Any]], None]:
    def change(rows: Rows, headers: dict[str, Any]) -> None:
        rows[file].append(values)
    return change


def _drop_column(file: str, column: str) -> Callable[[Rows, dict[str, Any]], None]:
    def change(rows: Rows, headers: dict[str, Any]) -> None:
        index = HEADERS[file].index(column)
        headers[file] = [h for h in HEADERS[file] if h != column]
        for row in rows[file]:
            del row[index]
    return change


@dataclass(frozen=True)
class Case:
    change: Callable[[Rows, dict[str, Any]], None]
    file: str
    line: int
    column: str
    value: str


VILLAGE = ["410325100203", "新村", "village", "410325100000", "220"]

CASES: dict[str, Case] = {
    "missing required column": Case(_drop_column("persons", "sex"), "persons.csv", 1, "sex",
                                    ""),
    "missing required value": Case(_set("persons", 1, "name", ""), "persons.csv", 3, "name",
                                   ""),
    "date not in the calendar": Case(_set("persons", 0, "birth_date", "2023-02-29"),
                                     "persons.csv", 2, "birth_date", "2023-02-29"),
    "date not ISO": Case(_set("events", 0, "date", "2015/01/01"), "events.csv", 2, "date",
                         "2015/01/01"),
    "unknown unit code": Case(_set("households", 1, "unit_code", "410325100209"),
                              "households.csv", 3, "unit_code", "410325100209"),
    "event registered in a township": Case(_set("events", 2, "unit_code", "410325100000"),
                                           "events.csv", 4, "unit_code", "410325100000"),
    "unknown level": Case(_set("orgunits", 0, "level", "hamlet"), "orgunits.csv", 2, "level",
                          "hamlet"),
    "urban-rural code not 3 digits": Case(
        _add("orgunits", [*VILLAGE[:4], "22"]), "orgunits.csv", 3, "urban_rural_code", "22"),
    "urban-rural code on a group": Case(
        _set("orgunits", 0, "urban_rural_code", "220"), "orgunits.csv", 2, "urban_rural_code",
        "220"),
    "unit code not 12 digits": Case(
        _add("orgunits", ["41032510020", *VILLAGE[1:]]), "orgunits.csv", 3, "code",
        "41032510020"),
    "group code not 15 digits": Case(
        _set("orgunits", 0, "code", "41032510020200"), "orgunits.csv", 2, "code",
        "41032510020200"),
    "group code not under its village": Case(
        _set("orgunits", 0, "code", "410325100201009"), "orgunits.csv", 2, "code",
        "410325100201009"),
    "parent unknown": Case(_add("orgunits", [*VILLAGE[:3], "410325300000", "220"]),
                           "orgunits.csv", 3, "parent_code", "410325300000"),
    "parent not one level up": Case(_add("orgunits", [*VILLAGE[:3], "410325000000", "220"]),
                                    "orgunits.csv", 3, "parent_code", "410325000000"),
    "parent missing below county": Case(_add("orgunits", [*VILLAGE[:3], "", "220"]),
                                        "orgunits.csv", 3, "parent_code", ""),
    "unknown household": Case(_set("persons", 3, "household_id", "H9"), "persons.csv", 5,
                              "household_id", "H9"),
    "unknown mother": Case(_set("persons", 2, "mother_id", "P99"), "persons.csv", 4,
                           "mother_id", "P99"),
    "unknown father": Case(_set("persons", 2, "father_id", "P98"), "persons.csv", 4,
                           "father_id", "P98"),
    "unknown event person": Case(_set("events", 1, "person_id", "P99"), "events.csv", 3,
                                 "person_id", "P99"),
    "unknown spouse": Case(_set("events", 0, "spouse_id", "P97"), "events.csv", 2,
                           "spouse_id", "P97"),
    "duplicate id": Case(_add("households", ["H1", "410325100201001", "again"]),
                         "households.csv", 5, "household_id", "H1"),
    "sex not 1 or 2": Case(_set("persons", 1, "sex", "F"), "persons.csv", 3, "sex", "F"),
    "marital status unknown": Case(_set("persons", 0, "marital_status", "21"), "persons.csv",
                                   2, "marital_status", "21"),
    "relation not two digits": Case(_set("persons", 0, "relation", "2"), "persons.csv", 2,
                                    "relation", "2"),
    "event type unknown": Case(_set("events", 2, "type", "died"), "events.csv", 4, "type",
                               "died"),
    "source unknown": Case(_set("events", 0, "source", "church"), "events.csv", 2, "source",
                           "church"),
    "birth order zero": Case(_set("events", 1, "birth_order", "0"), "events.csv", 3,
                             "birth_order", "0"),
    "birth order not a whole number": Case(_set("events", 1, "birth_order", "1.5"),
                                           "events.csv", 3, "birth_order", "1.5"),
    "recorded before the event": Case(_set("events", 0, "recorded_date", "2014-12-31"),
                                      "events.csv", 2, "recorded_date", "2014-12-31"),
    "identity number too long to store": Case(
        _set("persons", 0, "id_number", "4103251990010100171"), "persons.csv", 2, "id_number",
        "4103251990010100171"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CASES))
def test_error_is_reported_and_nothing_written(name: str, units: Any, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES[name]
    rows, headers = base_rows(), dict(HEADERS)
    case.change(rows, headers)
    directory = write_files(tmp_path / "extract", rows, headers=headers)
    before = db_counts()

    status = run("import", str(directory), "--no-progress")

    assert status == 2
    errors = read_errors(directory)
    found = [(e["file"], int(e["line"]), e["column"], e["value"]) for e in errors]
    assert (case.file, case.line, case.column, case.value) in found, errors
    assert all(e["message"] for e in errors)
    assert db_counts() == before
    err = capsys.readouterr().err
    assert case.file in err
    assert case.column in err


def _import_error(tmp_path: Path, directory: Path) -> list[dict[str, str]]:
    before = db_counts()
    assert run("import", str(directory), "--no-progress") == 2
    assert db_counts() == before
    return read_errors(directory)


@pytest.mark.django_db
def test_file_not_utf8(units: Any, tmp_path: Path) -> None:
    directory = write_files(tmp_path / "extract", base_rows())
    path = directory / "persons.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    errors = _import_error(tmp_path, directory)
    # The first Chinese character is on line 2.
    assert [(e["file"], e["line"], e["column"]) for e in errors] == [("persons.csv", "2", "")]
    assert "UTF-8" in errors[0]["message"]


@pytest.mark.django_db
def test_row_with_more_cells_than_the_header(units: Any, tmp_path: Path) -> None:
    directory = write_files(tmp_path / "extract", base_rows())
    path = directory / "households.csv"
    # An address with an unquoted comma: the row gets a fourth cell.
    text = path.read_text(encoding="utf-8").replace('"李家村二组5号, 东院"', "李家村二组5号, 东院")
    path.write_text(text, encoding="utf-8")
    errors = _import_error(tmp_path, directory)
    assert [(e["file"], e["line"]) for e in errors] == [("households.csv", "3")]


@pytest.mark.django_db
def test_line_numbers_count_lines_inside_quoted_cells(units: Any, tmp_path: Path) -> None:
    rows = base_rows()
    rows["households"][0][2] = "第一行\n第二行"  # H1's address spans lines 2 and 3
    rows["households"][2][1] = "410325100209"  # H3 (record 3) is on line 5, not 4
    errors = _import_error(tmp_path, write_files(tmp_path / "extract", rows))
    assert [(e["file"], e["line"], e["column"]) for e in errors] == [
        ("households.csv", "5", "unit_code")]


@pytest.mark.django_db
def test_every_error_is_reported_not_only_the_first(units: Any, tmp_path: Path) -> None:
    rows = base_rows()
    rows["persons"][0][3] = "9"
    rows["persons"][5][4] = "2001-13-01"
    rows["events"][4][1] = "moved"
    errors = _import_error(tmp_path, write_files(tmp_path / "extract", rows))
    assert [(e["file"], e["line"], e["column"]) for e in errors] == [
        ("persons.csv", "2", "sex"), ("persons.csv", "7", "birth_date"),
        ("events.csv", "6", "type")]


@pytest.mark.django_db
def test_csv_files_and_a_workbook_together_are_refused(units: Any, tmp_path: Path) -> None:
    directory = write_files(tmp_path / "extract", base_rows())
    (directory / "county.xlsx").write_bytes(b"not really a workbook")
    errors = _import_error(tmp_path, directory)
    assert [e["file"] for e in errors] == ["county.xlsx"]


@pytest.mark.django_db
def test_duplicate_names_the_first_line(units: Any, tmp_path: Path) -> None:
    rows = base_rows()
    rows["persons"].append(list(rows["persons"][1]))  # P2 again, on line 8
    errors = _import_error(tmp_path, write_files(tmp_path / "extract", rows))
    assert [(e["line"], e["column"], e["value"]) for e in errors] == [("8", "person_id", "P2")]
    assert "3" in errors[0]["message"]
