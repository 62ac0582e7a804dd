"""`renkou export`: the SPEC files, byte-identical through import → export cycles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from renkou.core.models import AuditEvent
from tests import factories as f
from tests.exchange.conftest import HEADERS, base_rows, run, write_files

pytestmark = pytest.mark.django_db

FILES = ("orgunits", "households", "persons", "events")


def _export(directory: Path, *args: str) -> dict[str, bytes]:
    assert run("export", str(directory), *args) == 0
    return {name: (directory / f"{name}.csv").read_bytes() for name in FILES}


def _wipe() -> None:
    with connection.cursor() as cursor:
        for table in ("events_registrationspell", "events_maritalspell", "quality_finding",
                      "events_event", "registry_person", "registry_household", "core_membership"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        # Children before parents: the unit tree has a protected foreign key to itself.
        for depth in range(6, -1, -1):
            cursor.execute("DELETE FROM units_unit WHERE depth = %s", [depth])


def test_round_trip_is_byte_identical(units: Any, base_dir: Path, tmp_path: Path) -> None:
    assert run("import", str(base_dir), "--no-progress") == 0
    first = _export(tmp_path / "a")

    # The rows are exactly the imported ones (the input was sorted by id).
    for name in ("households", "persons", "events"):
        assert first[name] == (base_dir / f"{name}.csv").read_bytes(), name
    assert not first["persons"].startswith(b"\xef\xbb\xbf")
    assert first["persons"].splitlines()[0].decode() == ",".join(HEADERS["persons"])

    _wipe()
    assert run("import", str(tmp_path / "a"), "--no-progress") == 0
    second = _export(tmp_path / "b")
    assert second == first


def test_export_normalises_what_import_accepted(units: Any, tmp_path: Path) -> None:
    rows = base_rows()
    rows["events"][1][8] = "01"  # stored as the number 1
    rows["persons"][0][2] = " 张伟 "  # surrounding spaces are not kept
    assert run("import", str(write_files(tmp_path / "in", rows)), "--no-progress") == 0
    out = _export(tmp_path / "out")
    assert b"\nE2,birth,P3,2021-03-04,2021-03-10,410325100201001,hospital,,1\n" in out["events"]
    assert b"\nP1,H1,\xe5\xbc\xa0\xe4\xbc\x9f,1," in out["persons"]


def test_export_of_a_unit_and_its_audit(units: Any, base_dir: Path, tmp_path: Path) -> None:
    assert run("import", str(base_dir), "--no-progress") == 0
    out = _export(tmp_path / "a", "--unit", f.VILLAGE_A)
    households = out["households"].decode().splitlines()
    assert [line.split(",")[0] for line in households[1:]] == ["H1", "H2"]
    persons = [line.split(",")[0] for line in out["persons"].decode().splitlines()[1:]]
    assert persons == ["P1", "P2", "P3", "P4"]
    codes = [line.split(",")[0] for line in out["orgunits"].decode().splitlines()[1:]]
    # The village, its groups, and the chain above it; not the other villages.
    assert codes == sorted(codes)
    assert {f.VILLAGE_A, f.GROUP_A1, f.GROUP_A2, f.TOWNSHIP_1, f.COUNTY} <= set(codes)
    assert f.VILLAGE_C not in codes
    audit = AuditEvent.objects.filter(action="export.run").get()
    assert audit.unit_code == f.VILLAGE_A
    assert audit.detail["counts"]["persons"] == 4
