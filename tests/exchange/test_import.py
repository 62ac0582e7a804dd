"""`renkou import`: loading, re-importing, updates with history, findings, spells."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from renkou.core.audit import data_version_get
from renkou.core.models import AuditEvent
from renkou.events.models import Event
from renkou.events.population import population_on
from renkou.quality.models import Finding, FindingStatus
from renkou.registry.models import Household, ImportBatch, Person, RecordChange
from renkou.units.models import Unit
from tests import factories as f
from tests.exchange.conftest import (
    HEADERS,
    ID_P5_BAD,
    ID_P5_GOOD,
    base_rows,
    db_counts,
    run,
    write_files,
)

pytestmark = pytest.mark.django_db


def _import(directory: Path) -> None:
    assert run("import", str(directory), "--no-progress") == 0


def _last_audit() -> AuditEvent:
    event = AuditEvent.objects.filter(action="import.run").order_by("-id").first()
    assert event is not None
    return event


def test_first_import_writes_every_file(units: Any, base_dir: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    version = data_version_get()
    _import(base_dir)

    batch = ImportBatch.objects.get()
    assert batch.status == "done"
    assert batch.finished_at is not None
    assert Household.objects.count() == 3
    assert Person.objects.count() == 6
    assert Event.objects.count() == 5
    assert set(Person.objects.values_list("created_batch_id", flat=True)) == {batch.pk}
    assert set(Event.objects.values_list("created_batch_id", flat=True)) == {batch.pk}
    p3 = Person.objects.get(pk="P3")
    assert (p3.mother_id, p3.father_id, p3.birth_date, p3.sex) == ("P2", "P1",
                                                                  date(2021, 3, 4), 1)
    assert Person.objects.get(pk="P1").relation == "02"
    assert Event.objects.get(pk="E2").birth_order == 1
    assert Event.objects.get(pk="E1").spouse_id == "P2"
    assert Household.objects.get(pk="H3").address == ""
    assert Person.objects.get(pk="P3").id_number == ""

    group = Unit.objects.get(pk="410325100202002")
    assert (group.parent_id, group.level, group.depth) == ("410325100202", "group", 5)
    assert (group.village_code, group.township_code, group.county_code) == (
        "410325100202", "410325100000", "410325000000")
    assert group.path.endswith("410325100202/410325100202002")

    audit = _last_audit()
    assert audit.detail["counts"]["persons"] == {"read": 6, "inserted": 6, "updated": 0,
                                                 "unchanged": 0}
    assert audit.detail["changed"] == 15
    assert batch.counts["batch"] == batch.pk
    assert data_version_get() == version + 1
    out = capsys.readouterr().out
    assert "persons" in out


def test_import_is_idempotent(units: Any, base_dir: Path) -> None:
    _import(base_dir)
    before = db_counts()
    changes = RecordChange.objects.count()
    version = data_version_get()

    _import(base_dir)

    after = db_counts()
    # The run itself is recorded (one batch, one audit row); no data row changed.
    assert after.pop("ImportBatch") == before.pop("ImportBatch") + 1
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1
    assert after == before
    assert RecordChange.objects.count() == changes == 0
    audit = _last_audit()
    assert audit.detail["changed"] == 0
    assert all(c["inserted"] == 0 and c["updated"] == 0
               for c in audit.detail["counts"].values())
    assert data_version_get() == version


def test_later_extract_updates_by_id_with_history(units: Any, base_dir: Path,
                                                  tmp_path: Path) -> None:
    _import(base_dir)
    first = ImportBatch.objects.get()
    rows = base_rows()
    rows["persons"][1][2] = "王芳芳"  # P2 renamed
    rows["households"][0][1] = "410325100201002"  # H1 moves to group A2
    rows["events"][2][3] = "2023-07-01"  # E3 death a day later
    rows["persons"].append(["P7", "H2", "新人", "2", "2024-02-29", "", "01", "20", "10", "",
                            ""])
    _import(write_files(tmp_path / "later", rows))
    second = ImportBatch.objects.exclude(pk=first.pk).get()

    assert Person.objects.get(pk="P2").name == "王芳芳"
    assert Person.objects.get(pk="P2").created_batch_id == first.pk
    assert Person.objects.get(pk="P7").created_batch_id == second.pk
    changes = {(c.model, c.object_id): c for c in RecordChange.objects.all()}
    assert set(changes) == {("person", "P2"), ("household", "H1"), ("event", "E3")}
    p2 = changes[("person", "P2")]
    assert p2.batch_id == second.pk
    assert p2.action == "update"
    before = p2.before if isinstance(p2.before, dict) else json.loads(p2.before)
    after = p2.after if isinstance(p2.after, dict) else json.loads(p2.after)
    assert (before["name"], after["name"]) == ("王芳", "王芳芳")
    assert before["person_id"] == after["person_id"] == "P2"
    assert before["mother_id"] == ""  # every SPEC column, as text
    assert before["sex"] == "2"
    assert set(after) == set(HEADERS["persons"])
    h1 = changes[("household", "H1")]
    assert (h1.before["unit_code"], h1.after["unit_code"]) == ("410325100201001",
                                                               "410325100201002")
    assert changes[("event", "E3")].after["date"] == "2023-07-01"
    assert _last_audit().detail["history"] == 3
    # H1 moved: its members' spells follow (P1 has no move events).
    assert population_on(units[f.GROUP_A2], date(2024, 1, 1)) == 3  # P1, P2, P3
    assert population_on(units[f.GROUP_A2], date(2023, 6, 30)) == 4  # + P4, dies on 07-01


def test_rows_missing_from_an_extract_are_kept(units: Any, base_dir: Path,
                                               tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _import(base_dir)
    partial = {"persons": [base_rows()["persons"][0]]}
    headers = {"persons": [h for h in HEADERS["persons"] if h not in ("ethnicity", "relation")]}
    partial["persons"][0] = [v for h, v in zip(HEADERS["persons"], partial["persons"][0],
                                                 strict=True) if h in headers["persons"]]
    partial["persons"][0][2] = "张大伟"
    with translation.override("en"):
        _import(write_files(tmp_path / "partial", partial, headers=headers))

    assert Person.objects.count() == 6
    p1 = Person.objects.get(pk="P1")
    # Renamed; the columns the file did not have keep their stored values.
    assert (p1.name, p1.relation, p1.ethnicity) == ("张大伟", "02", "01")
    assert "never deletes" in capsys.readouterr().out


def test_bom_spaced_headers_other_order_and_extra_columns(units: Any, tmp_path: Path) -> None:
    rows = base_rows()
    order = ["name", "person_id", "sex", "household_id", "birth_date", "id_number",
             "ethnicity", "relation", "marital_status", "mother_id", "father_id"]
    index = [HEADERS["persons"].index(c) for c in order]
    persons = [[row[i] for i in index] + ["ignored"] for row in rows["persons"]]
    headers = dict(HEADERS)
    headers["persons"] = [f" {c} " if c in ("name", "sex") else c for c in order] + ["备注"]
    directory = write_files(tmp_path / "bom", {**rows, "persons": persons}, bom=True,
                            headers=headers)
    assert (directory / "persons.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    _import(directory)
    p1 = Person.objects.get(pk="P1")
    assert (p1.name, p1.sex, p1.household_id) == ("张伟", 1, "H1")


def test_id_number_findings_are_opened_resolved_and_reopened(units: Any, base_dir: Path,
                                                             tmp_path: Path) -> None:
    _import(base_dir)
    finding = Finding.objects.get()
    assert (finding.rule, finding.object_type, finding.object_id) == (
        "id_number.check", "person", "P5")
    assert (finding.unit_code, finding.value, finding.status) == (
        "410325100202002", ID_P5_BAD, FindingStatus.OPEN)
    assert Person.objects.get(pk="P5").id_number == ID_P5_BAD  # imported as given

    _import(base_dir)  # the same files: the finding is neither duplicated nor touched
    assert Finding.objects.get().found_at == finding.found_at

    rows = base_rows()
    rows["persons"][4][5] = ID_P5_GOOD
    _import(write_files(tmp_path / "fixed", rows))
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RESOLVED
    assert finding.resolved_at is not None

    rows["persons"][4][5] = ID_P5_BAD
    rows["persons"][0][3] = "2"  # P1's number says male
    rows["persons"][1][5] = "41032519910506"  # 14 characters
    _import(write_files(tmp_path / "broken", rows))
    found = {(x.rule, x.object_id): x.status for x in Finding.objects.all()}
    assert found == {
        ("id_number.check", "P5"): FindingStatus.OPEN,
        ("id_number.sex_mismatch", "P1"): FindingStatus.OPEN,
        ("id_number.format", "P2"): FindingStatus.OPEN,
    }


def test_population_on_matches_a_hand_count(units: Any, base_dir: Path) -> None:
    _import(base_dir)
    village_a, village_b = units[f.VILLAGE_A], units[f.VILLAGE_B]
    # 2021-01-01: P1, P2, P4 in A (P3 not born); P5, P6 in B (P6 leaves in 2022).
    assert population_on(village_a, date(2021, 1, 1)) == 3
    assert population_on(village_b, date(2021, 1, 1)) == 2
    assert population_on(village_a, date(2021, 3, 4)) == 4  # born that day: counted
    assert population_on(village_a, date(2022, 4, 30)) == 4
    assert population_on(village_a, date(2022, 5, 1)) == 5  # P6 moved in that day
    assert population_on(village_b, date(2022, 5, 1)) == 1
    assert population_on(village_a, date(2023, 6, 29)) == 5
    assert population_on(village_a, date(2023, 6, 30)) == 4  # P4 died that day
    assert population_on(units[f.COUNTY], date(2024, 1, 1)) == 5


def test_stale_error_file_is_removed_on_success(units: Any, base_dir: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (base_dir / "import-errors.csv").write_text("old", encoding="utf-8")
    _import(base_dir)
    assert not (base_dir / "import-errors.csv").exists()
    assert "import-errors.csv" in capsys.readouterr().out


def test_moving_a_township_rederives_units_below_it(units: Any, tmp_path: Path) -> None:
    new_county = ["410326000000", "新县", "county", "410300000000", ""]
    moved = ["410325100000", "城关镇", "township", "410326000000", ""]
    _import(write_files(tmp_path / "move", {"orgunits": [new_county, moved]}))
    group = Unit.objects.get(pk=f.GROUP_A1)  # not in the file, two levels below
    assert group.county_code == "410326000000"
    assert group.path.startswith("410000000000/410300000000/410326000000/410325100000/")
    assert _last_audit().detail["units_rederived"] > 0


def _schema() -> set[tuple[str, str]]:
    """(table, definition) of every index and constraint of the tables a first load defers."""
    from django.db import connection

    tables = ["registry_household", "registry_person", "events_event",
              "events_registrationspell", "events_maritalspell"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT conrelid::regclass::text, conname || ' ' || pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) UNION ALL "
                "SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s)",
                [tables, tables])
        else:
            cursor.execute("SELECT tbl_name, COALESCE(sql, name) FROM sqlite_master "
                           "WHERE type = 'index' AND tbl_name IN (%s, %s, %s, %s, %s)", tables)
        return {(str(t), str(d)) for t, d in cursor.fetchall()}


def test_first_load_with_deferred_keys_and_indexes(units: Any, base_dir: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The million-row path on a small extract: indexes, foreign and (PostgreSQL) primary
    keys are dropped around the load and come back exactly as the migrations made them."""
    from renkou.events.models import RegistrationSpell
    from renkou.exchange import load

    monkeypatch.setattr(load, "DEFER_INDEXES_AT", 1)
    schema = _schema()
    assert any("PRIMARY KEY" in d or "pkey" in d or "autoindex" in d for _t, d in schema)
    _import(base_dir)

    assert _schema() == schema
    assert (Household.objects.count(), Person.objects.count(), Event.objects.count()) == \
        (3, 6, 5)
    assert RegistrationSpell.objects.count() > 0
    # The keys hold again: a second import of the same files changes nothing.
    before = db_counts()
    _import(base_dir)
    after = db_counts()
    assert after.pop("ImportBatch") == before.pop("ImportBatch") + 1
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1
    assert after == before
