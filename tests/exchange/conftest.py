"""A small valid county extract (on top of tests.factories' unit tree) and helpers."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from renkou.core.models import AuditEvent
from renkou.events.models import Event, MaritalSpell, RegistrationSpell
from renkou.quality.models import Finding
from renkou.registry.idnumber import check_character
from renkou.registry.models import Household, ImportBatch, Person, RecordChange
from renkou.units.models import Unit

HEADERS = {
    "orgunits": ["code", "name", "level", "parent_code", "urban_rural_code"],
    "households": ["household_id", "unit_code", "address"],
    "persons": ["person_id", "household_id", "name", "sex", "birth_date", "id_number",
                "ethnicity", "relation", "marital_status", "mother_id", "father_id"],
    "events": ["event_id", "type", "person_id", "date", "recorded_date", "unit_code", "source",
               "spouse_id", "birth_order"],
}


def id_number(first17: str) -> str:
    return first17 + check_character(first17)


ID_P1 = id_number("41032519900101001")  # male (17th digit odd), born 1990-01-01
ID_P2 = id_number("41032519910506002")  # female, born 1991-05-06
# P5: right birth date and sex, wrong check character.
_P5 = id_number("41032519850708002")
ID_P5_BAD = _P5[:17] + ("1" if _P5[17] != "1" else "2")
ID_P5_GOOD = _P5


def base_rows() -> dict[str, list[list[str]]]:
    """A valid extract: a new group, 3 households, 6 persons, 5 events (sorted by id)."""
    return {
        "orgunits": [
            ["410325100202002", "张庄村第二村民小组", "group", "410325100202", ""],
        ],
        "households": [
            ["H1", "410325100201001", "李家村一组1号"],
            ["H2", "410325100201002", "李家村二组5号, 东院"],
            ["H3", "410325100202002", ""],
        ],
        "persons": [
            ["P1", "H1", "张伟", "1", "1990-01-01", ID_P1, "01", "02", "20", "", ""],
            ["P2", "H1", "王芳", "2", "1991-05-06", ID_P2, "01", "10", "20", "", ""],
            ["P3", "H1", "张小明", "1", "2021-03-04", "", "01", "20", "10", "P2", "P1"],
            ["P4", "H2", "李强", "1", "1950-02-01", "", "01", "02", "30", "", ""],
            ["P5", "H3", "赵敏", "2", "1985-07-08", ID_P5_BAD, "01", "02", "10", "", ""],
            ["P6", "H3", "孙丽", "2", "2000-01-01", "", "01", "30", "10", "", ""],
        ],
        "events": [
            ["E1", "marriage", "P1", "2015-01-01", "2015-01-02", "410325100201001",
             "civil_affairs", "P2", ""],
            ["E2", "birth", "P3", "2021-03-04", "2021-03-10", "410325100201001", "hospital",
             "", "1"],
            ["E3", "death", "P4", "2023-06-30", "2023-07-01", "410325100201002", "village", "",
             ""],
            ["E4", "move_out", "P6", "2022-05-01", "2022-05-01", "410325100202002", "police",
             "", ""],
            ["E5", "move_in", "P6", "2022-05-01", "2022-05-02", "410325100201001", "police", "",
             ""],
        ],
    }


def write_files(directory: Path, rows: dict[str, list[list[str]]], *, bom: bool = False,
                headers: dict[str, list[str]] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, body in rows.items():
        with (directory / f"{name}.csv").open("w", encoding="utf-8-sig" if bom else "utf-8",
                                              newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow((headers or HEADERS).get(name, HEADERS.get(name, [])))
            writer.writerows(body)
    return directory


def run(*args: str) -> int:
    """Run a `renkou` command; returns the exit status the console script would give.

    call_command, not execute_from_command_line: the latter closes every connection when
    the command ends, which would end PostgreSQL's test transaction. test_cli.py runs the
    real console script once.
    """
    try:
        call_command(*args)
    except CommandError as exc:
        sys.stderr.write(f"CommandError: {exc}\n")
        return exc.returncode
    return 0


def read_errors(directory: Path) -> list[dict[str, str]]:
    raw = (directory / "import-errors.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "import-errors.csv must start with a BOM"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


def db_counts() -> dict[str, int]:
    models: list[Any] = [Unit, Household, Person, Event, RecordChange, ImportBatch, AuditEvent,
                         Finding, RegistrationSpell, MaritalSpell]
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture
def base_dir(tmp_path: Path) -> Path:
    return write_files(tmp_path / "extract", base_rows())
