"""Read the interchange files of a directory (SPEC §1) into all-text polars frames.

CSV files are read by polars with every column as text (no type guessing: "02" stays "02");
an .xlsx workbook by python-calamine, whose cells come back as numbers and dates and are
turned into the text a CSV would hold. Either way each frame has `_line` (the line of the
file, header = 1, or the row of the sheet) and the SPEC columns present in the header, with
surrounding whitespace removed and empty cells as null.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.utils.translation import gettext

from renkou.exchange import report
from renkou.exchange.spec import BY_NAME, ERRORS_FILE, FILES, FileSpec


@dataclass
class Table:
    spec: FileSpec
    label: str  # as errors name it: persons.csv, or county.xlsx:persons
    frame: pl.DataFrame
    present: frozenset[str]  # SPEC columns found in the header
    path: Path | None = None  # CSV only: to map records to lines when a cell spans lines
    multiline: bool = False


@dataclass
class SourceSet:
    tables: dict[str, Table] = field(default_factory=dict)
    errors: list[pl.DataFrame] = field(default_factory=list)
    description: str = ""
    # Every file or sheet found, read or not (SPEC name → label): orders the errors, and
    # references into a file that could not be read are not checked.
    found: dict[str, str] = field(default_factory=dict)

    @property
    def unreadable(self) -> set[str]:
        return set(self.found) - set(self.tables)


def _normalise_header(name: object) -> str:
    return str(name if name is not None else "").replace("\ufeff", "").strip().lower()


def _tidy(frame: pl.DataFrame) -> pl.DataFrame:
    """Strip every cell, empty → null, and drop rows with no value (blank lines)."""
    columns = [c for c in frame.columns if c != "_line"]
    text = [pl.col(c).cast(pl.String).str.strip_chars() for c in columns]
    frame = frame.with_columns(
        [pl.when(t == "").then(None).otherwise(t).alias(c) for t, c in zip(text, columns,
                                                                           strict=True)])
    if not columns:
        return frame
    return frame.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in columns]))


def _select_columns(spec: FileSpec, label: str, headers: Sequence[str],
                    errors: list[pl.DataFrame], line: int = 1) -> dict[str, int]:
    """Map SPEC column → position; report duplicate and missing required columns."""
    positions: dict[str, int] = {}
    for index, raw in enumerate(headers):
        name = _normalise_header(raw)
        if name not in spec.column_names:
            continue  # extra columns are ignored
        if name in positions:
            errors.append(report.single_error(
                file=label, line=line, column=name, value=str(raw),
                message=gettext("The column appears more than once in the header.")))
            continue
        positions[name] = index
    for name in spec.required_columns:
        if name not in positions:
            errors.append(report.single_error(
                file=label, line=line, column=name, value="",
                message=gettext("Required column %(column)s is missing.") % {"column": name}))
    return positions


def _diagnose_csv(data: bytes, label: str, failure: Exception) -> pl.DataFrame:
    """Why polars could not read a CSV file, as import errors (slow path, errors only)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return report.single_error(
            file=label, line=line, column="", value="",
            message=gettext("The file is not UTF-8 text (save it as \"CSV UTF-8\"; "
                            "GBK files must be converted)."))
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, [])
    found: list[dict[str, Any]] = []
    start = 1
    for row in rows:
        line = start + 1
        start = rows.line_num
        if len(row) > len(header):
            found.append({"file": label, "line": line, "column": "", "value": ",".join(row),
                          "message": gettext("The row has %(cells)d cells but the header "
                                             "has %(columns)d (an unquoted comma?).")
                          % {"cells": len(row), "columns": len(header)}})
    if found:
        return pl.DataFrame(found, schema=report.ERROR_SCHEMA)
    return report.single_error(file=label, line=0, column="", value="",
                               message=gettext("The file cannot be read: %(reason)s")
                               % {"reason": str(failure).splitlines()[0]})


def read_csv(path: Path, spec: FileSpec, errors: list[pl.DataFrame]) -> Table | None:
    label = path.name
    data = path.read_bytes()
    try:
        raw = pl.read_csv(data, has_header=False, infer_schema=False, encoding="utf8",
                          quote_char='"', raise_if_empty=False)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        errors.append(_diagnose_csv(data, label, exc))
        return None
    if raw.height == 0:
        errors.append(report.single_error(file=label, line=1, column="", value="",
                                          message=gettext("The file is empty.")))
        return None
    headers = [str(v) if v is not None else "" for v in raw.row(0)]
    positions = _select_columns(spec, label, headers, errors)
    body = raw.slice(1)
    frame = body.select(
        pl.int_range(2, body.height + 2, dtype=pl.Int64).alias("_line"),
        *[pl.col(raw.columns[i]).alias(name) for name, i in positions.items()],
    )
    # Record n is line n + 1 unless a quoted cell holds a line break; then lines are
    # mapped again, on the error path only (see line_numbers).
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return Table(spec=spec, label=label, frame=_tidy(frame), present=frozenset(positions),
                 path=path, multiline=lines != raw.height)


def csv_record_lines(path: Path) -> list[int]:
    """The first physical line of every data record (csv module: exact, but slow)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = csv.reader(handle)
        next(rows, None)
        starts: list[int] = []
        start = rows.line_num
        for _ in rows:
            starts.append(start + 1)
            start = rows.line_num
    return starts


def _cell_text(value: object) -> str | None:
    """A calamine cell as the text a CSV export of the sheet would hold."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        # Excel keeps every number as a float: 410325100201 arrives as 410325100201.0.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _relation_text(value: object) -> str | None:
    # Excel drops the leading zero of a typed "02" (household head): GB/T 4761 has two digits.
    if isinstance(value, float | int) and not isinstance(value, bool) and 0 <= value < 100:
        return f"{int(value):02d}" if float(value).is_integer() else _cell_text(value)
    return _cell_text(value)


_CONVERTERS: dict[str, Callable[[object], str | None]] = {"relation": _relation_text}
_HEADER_SEARCH = 20  # rows of a sheet searched for its header


def read_sheet(rows: list[list[Any]], spec: FileSpec, label: str,
               errors: list[pl.DataFrame]) -> Table | None:
    filled = [i for i, row in enumerate(rows[:_HEADER_SEARCH]) if any(_cell_text(v) for v in row)]
    if not filled:
        errors.append(report.single_error(file=label, line=1, column="", value="",
                                          message=gettext("The sheet is empty.")))
        return None
    # Sheets often carry a title above the table: the header is the first row naming the
    # id column (else the first row with anything in it).
    header_index = next((i for i in filled if spec.key in
                         {_normalise_header(v) for v in rows[i]}), filled[0])
    positions = _select_columns(spec, label, [str(v) for v in rows[header_index]], errors,
                                line=header_index + 1)
    body = rows[header_index + 1:]
    data: dict[str, Any] = {
        # Sheet rows are 1-based; `rows` starts at row 1 (skip_empty_area=False).
        "_line": pl.Series(range(header_index + 2, header_index + 2 + len(body)),
                           dtype=pl.Int64),
    }
    for name, index in positions.items():
        convert = _CONVERTERS.get(name, _cell_text)
        data[name] = pl.Series(
            [convert(row[index]) if index < len(row) else None for row in body],
            dtype=pl.String)
    frame = pl.DataFrame(data)
    return Table(spec=spec, label=label, frame=_tidy(frame), present=frozenset(positions))


def read_workbook(path: Path, errors: list[pl.DataFrame], found: dict[str, str]
                  ) -> dict[str, Table]:
    from python_calamine import CalamineWorkbook

    tables: dict[str, Table] = {}
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = {_normalise_header(name): name for name in book.sheet_names}
        for spec in FILES:
            if spec.name not in sheets:
                continue
            label = f"{path.name}:{sheets[spec.name]}"
            found[spec.name] = label
            rows = book.get_sheet_by_name(sheets[spec.name]).to_python(skip_empty_area=False)
            table = read_sheet(rows, spec, label, errors)
            if table is not None:
                tables[spec.name] = table
    except Exception as exc:  # noqa: BLE001 — calamine raises its own error types
        errors.append(report.single_error(
            file=path.name, line=0, column="", value="",
            message=gettext("The workbook cannot be read: %(reason)s") % {"reason": str(exc)}))
        return {}
    if not tables and not errors:
        errors.append(report.single_error(
            file=path.name, line=0, column="", value="",
            message=gettext("The workbook has no sheet named orgunits, households, persons "
                            "or events.")))
    return tables


def read_directory(directory: Path) -> SourceSet:
    """Whichever SPEC files DIR holds: CSV files, or exactly one .xlsx workbook."""
    result = SourceSet()
    entries = [p for p in sorted(directory.iterdir()) if p.is_file()]
    csv_files: dict[str, Path] = {}
    for entry in entries:
        stem = entry.stem.strip().lower()
        if entry.suffix.lower() == ".csv" and stem in BY_NAME and entry.name != ERRORS_FILE:
            csv_files[stem] = entry
    # Excel leaves ~$name.xlsx lock files next to an open workbook.
    books = [p for p in entries if p.suffix.lower() == ".xlsx" and not p.name.startswith("~$")]
    if csv_files and books:
        result.errors.append(report.single_error(
            file=books[0].name, line=0, column="", value="",
            message=gettext("The directory holds both CSV files and a workbook; keep one.")))
        return result
    if len(books) > 1:
        result.errors.append(report.single_error(
            file=", ".join(b.name for b in books), line=0, column="", value="",
            message=gettext("The directory holds more than one workbook; keep one.")))
        return result
    if books:
        result.tables = read_workbook(books[0], result.errors, result.found)
        result.description = str(books[0])
        return result
    if not csv_files:
        result.errors.append(report.single_error(
            file=str(directory), line=0, column="", value="",
            message=gettext("No orgunits, households, persons or events file was found.")))
        return result
    for spec in FILES:
        if spec.name in csv_files:
            result.found[spec.name] = csv_files[spec.name].name
            table = read_csv(csv_files[spec.name], spec, result.errors)
            if table is not None:
                result.tables[spec.name] = table
    result.description = ", ".join(str(csv_files[s.name]) for s in FILES if s.name in csv_files)
    return result
