"""Web imports as background jobs: permission, scope, all or nothing, audit, progress —
through the database task backend and a real worker run (run_one), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.utils import timezone

from renkou.core.audit import Actor
from renkou.core.errors import PermissionDenied, ValidationError
from renkou.core.models import AuditEvent
from renkou.jobs.models import ImportJob, ImportStatus, TaskRecord, TaskStatus
from renkou.jobs.selectors import import_job_get_for_user, import_job_progress
from renkou.jobs.services import errors_file, import_job_create
from renkou.jobs.worker import run_one
from renkou.registry.models import Household, Person
from tests.jobs import files as x
from tests.web.data import make_people


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):
    settings.RENKOU_HOME = tmp_path
    settings.TASKS = {"default": {"BACKEND": "renkou.jobs.backend.DatabaseBackend"}}


def _create(user, files, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(user=user, actor=Actor(user=user, origin="10.0.0.9"),
                                files=files)
    return job


def _errors(job: ImportJob) -> list[dict[str, str]]:
    path = errors_file(job)
    assert path is not None
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_clerk_import_runs_in_the_worker(personas, django_capture_on_commit_callbacks):
    clerk = personas["township_clerk_1"]
    job = _create(clerk, [x.upload("households.csv", x.HOUSEHOLDS),
                          x.upload("persons.csv", x.PERSONS, bom=True)],
                  django_capture_on_commit_callbacks)
    # queued, not run: the request only saved the files and the task row
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
    assert Person.objects.count() == 0
    task = TaskRecord.objects.get()
    assert task.id == job.task_id
    assert task.task_path == "renkou.jobs.tasks.run_import_job"
    assert sorted(p.name for p in Path(job.directory).iterdir()) == ["households.csv",
                                                                      "persons.csv"]

    assert run_one() is not None
    job.refresh_from_db()
    task.refresh_from_db()
    assert task.status == TaskStatus.SUCCESSFUL
    assert task.return_value == "done"
    assert job.status == ImportStatus.DONE
    assert job.counts["persons"]["inserted"] == 3
    assert job.counts["households"]["inserted"] == 2
    assert sorted(Person.objects.values_list("id", flat=True)) == ["P-N1", "P-N2", "P-N3"]
    assert Household.objects.get(pk="H-N2").unit_id == "410325100202001"
    assert import_job_progress(job).percent == 100
    assert list(Path(job.directory).iterdir()) == []  # the uploaded files are not kept
    actions = set(AuditEvent.objects.filter(username="tc_1").values_list("action", flat=True))
    assert {"import.upload", "import.run", "import.job_done"} <= actions
    upload = AuditEvent.objects.get(action="import.upload")
    assert upload.object_id == str(job.pk)
    assert upload.origin == "10.0.0.9"
    assert upload.detail["files"] == ["households.csv", "persons.csv"]


def test_rows_outside_the_clerks_township_are_rejected(personas,
                                                      django_capture_on_commit_callbacks):
    clerk = personas["township_clerk_1"]
    job = _create(clerk, [x.upload("households.csv", x.HOUSEHOLDS_OTHER_TOWNSHIP),
                          x.upload("persons.csv", x.PERSONS)],
                  django_capture_on_commit_callbacks)
    run_one()
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    assert job.errors_count == 1
    [error] = _errors(job)
    # households.csv line 4 = header + H-N1 + H-N2 + H-N3
    assert (error["file"], error["line"], error["column"], error["value"]) == (
        "households.csv", "4", "unit_code", "410325200201001")
    assert "城关镇 410325100000" in error["message"]
    assert Person.objects.count() == 0
    assert Household.objects.count() == 0
    assert AuditEvent.objects.filter(action="import.rejected", object_id=str(job.pk)).exists()
    assert [p.name for p in Path(job.directory).iterdir()] == ["import-errors.csv"]


def test_the_county_administrator_may_import_anywhere_in_the_county(
        personas, django_capture_on_commit_callbacks):
    job = _create(personas["county_admin"],
                  [x.upload("households.csv", x.HOUSEHOLDS_OTHER_TOWNSHIP)],
                  django_capture_on_commit_callbacks)
    run_one()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Household.objects.count() == 3


def test_an_existing_record_of_another_township_cannot_be_changed(
        personas, django_capture_on_commit_callbacks):
    make_people()
    before = list(Person.objects.order_by("id").values_list("id", "name"))
    # P-C1 lives in 王庄村 (township 2); the clerk of township 1 "moves" her into H-A1.
    persons = x.PERSONS + "P-C1,H-A1,欧阳娜娜,2,1985-03-04,,01,10,20,,\n"
    job = _create(personas["township_clerk_1"],
                  [x.upload("households.csv", x.HOUSEHOLDS), x.upload("persons.csv", persons)],
                  django_capture_on_commit_callbacks)
    run_one()
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    [error] = _errors(job)
    assert (error["file"], error["line"], error["column"], error["value"]) == (
        "persons.csv", "5", "person_id", "P-C1")
    assert list(Person.objects.order_by("id").values_list("id", "name")) == before


def test_file_errors_import_nothing(personas, django_capture_on_commit_callbacks):
    job = _create(personas["township_clerk_1"],
                  [x.upload("households.csv", x.HOUSEHOLDS),
                   x.upload("persons.csv", x.PERSONS_BAD_SEX)],
                  django_capture_on_commit_callbacks)
    run_one()
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    errors = _errors(job)
    assert [(e["file"], e["line"], e["column"], e["value"]) for e in errors] == [
        ("persons.csv", "3", "sex", "3")]
    assert Person.objects.count() == 0
    assert Household.objects.count() == 0


def test_village_workers_and_auditors_may_not_import(personas):
    for persona in ("village_worker_a", "auditor", "service_provider_1"):
        user = personas[persona]
        with pytest.raises(PermissionDenied):
            import_job_create(user=user, actor=Actor(user=user, origin=""),
                              files=[x.upload("households.csv", x.HOUSEHOLDS)])
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize("names", [["notes.txt"], ["persons.csv", "book.xlsx"],
                                   ["people.csv"], []])
def test_uploads_that_are_not_one_import_are_refused(personas, names):
    user = personas["county_admin"]
    with pytest.raises(ValidationError):
        import_job_create(user=user, actor=Actor(user=user, origin=""),
                          files=[x.upload(n, "a,b\n") for n in names])
    assert ImportJob.objects.count() == 0


def test_only_the_uploader_sees_a_job(personas, django_capture_on_commit_callbacks):
    from renkou.core.errors import NotFound

    job = _create(personas["township_clerk_1"], [x.upload("households.csv", x.HOUSEHOLDS)],
                  django_capture_on_commit_callbacks)
    assert import_job_get_for_user(user=personas["township_clerk_1"], job_id=job.pk) == job
    with pytest.raises(NotFound):
        import_job_get_for_user(user=personas["county_admin"], job_id=job.pk)


def test_the_importer_reports_each_phase(units, tmp_path):
    from renkou.exchange.services import import_directory

    (tmp_path / "households.csv").write_text(x.HOUSEHOLDS, encoding="utf-8")
    (tmp_path / "persons.csv").write_text(x.PERSONS, encoding="utf-8")
    calls: list[tuple[str, int, int]] = []
    report = import_directory(directory=tmp_path, actor=Actor(user=None, origin="test"),
                              on_phase=lambda key, label, done, total: calls.append(
                                  (key, done, total)))
    assert report.ok
    # one call per phase, in order, each counting the phases done before it
    assert [done for _, done, _ in calls] == list(range(len(calls)))
    assert {total for _, _, total in calls} == {9}
    keys = [key for key, _, _ in calls]
    assert keys[:4] == ["read", "validate", "households", "persons"]
    assert keys.index("spells") < keys.index("finish")
    assert "orgunits" not in keys
    assert "events" not in keys


def test_progress_is_visible_while_the_import_transaction_is_open(
        transactional_db, personas, settings, tmp_path):
    """PostgreSQL: through a second connection into the row; SQLite: through the job's
    progress file. Either way the selector sees the phase before the import commits."""
    from django.db import transaction

    from renkou.jobs.progress import ProgressSink

    directory = tmp_path / "job"
    directory.mkdir()
    job = ImportJob.objects.create(user=personas["county_admin"], username="ca",
                                   created_at=timezone.now(), directory=str(directory),
                                   status=ImportStatus.RUNNING)
    sink = ProgressSink(job)
    try:
        with transaction.atomic():
            sink("validate", "Validating", 1, 9)  # as the importer calls it: step 2 of 10
            seen = import_job_progress(ImportJob.objects.get(pk=job.pk))
    finally:
        sink.close()
    assert (seen.phase, seen.step, seen.total, seen.percent) == ("validate", 2, 10, 20)


def test_unchanged_units_above_are_let_through_new_units_must_be_inside(
        personas, django_capture_on_commit_callbacks):
    from renkou.units.models import Unit
    from tests import factories as f

    header = "code,name,level,parent_code,urban_rural_code\n"
    tree = "".join(f"{r.code},{r.name},{r.level},{r.parent_code},{r.urban_rural_code}\n"
                   for r in f.UNIT_ROWS)  # the whole stored tree, unchanged
    inside = f"410325100201003,李家村第三村民小组,group,{f.VILLAGE_A},\n"
    outside = f"410325200201002,王庄村第二村民小组,group,{f.VILLAGE_C},\n"
    renamed = tree.replace("王庄乡", "王庄镇")  # a change to another township: refused
    clerk = personas["township_clerk_1"]

    job = _create(clerk, [x.upload("orgunits.csv", header + tree + inside)],
                  django_capture_on_commit_callbacks)
    run_one()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Unit.objects.get(pk="410325100201003").village_code == f.VILLAGE_A

    job = _create(clerk, [x.upload("orgunits.csv", header + renamed + outside)],
                  django_capture_on_commit_callbacks)
    run_one()
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    # line 6 = header + province, city, county, township 1, township 2 (renamed)
    assert [(e["line"], e["value"]) for e in _errors(job)] == [
        ("6", f.TOWNSHIP_2), (str(len(f.UNIT_ROWS) + 2), "410325200201002")]
    assert Unit.objects.get(pk=f.TOWNSHIP_2).name == "王庄乡"
    assert not Unit.objects.filter(pk="410325200201002").exists()


def test_one_xlsx_workbook_is_imported(personas, django_capture_on_commit_callbacks,
                                       tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, text in (("households", x.HOUSEHOLDS), ("persons", x.PERSONS)):
        sheet = book.create_sheet(name)
        for line in text.strip().splitlines():
            sheet.append(line.split(","))
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("县数据.xlsx", data.getvalue())
    job = _create(personas["township_clerk_1"], [upload], django_capture_on_commit_callbacks)
    assert job.files == ["县数据.xlsx"]
    run_one()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert sorted(Person.objects.values_list("name", flat=True)) == ["孙新生", "赵新民",
                                                                     "钱新兰"]


def test_a_role_withdrawn_before_the_job_runs_stops_it(personas,
                                                       django_capture_on_commit_callbacks):
    from renkou.core.models import Membership

    clerk = personas["township_clerk_1"]
    job = _create(clerk, [x.upload("households.csv", x.HOUSEHOLDS)],
                  django_capture_on_commit_callbacks)
    Membership.objects.filter(user=clerk).delete()
    run_one()
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert TaskRecord.objects.get(pk=job.task_id).status == TaskStatus.FAILED
    assert Household.objects.count() == 0
    assert AuditEvent.objects.filter(action="import.failed", object_id=str(job.pk)).exists()
