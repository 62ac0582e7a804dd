"""Web imports as background jobs: accept an upload, run it in a worker, record the outcome.

import_job_create (request) → the files are saved under RENKOU_HOME/imports/<job>/, the job
row and its audit row commit together, then the task is enqueued (on commit).
import_job_run (worker) → scope check of every row against the uploader's units, then the
ordinary importer (renkou.exchange.services.import_directory, all or nothing) with a
progress callback; errors end up in <job dir>/import-errors.csv either way.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from renkou.core.audit import Actor, audit_log
from renkou.core.errors import PermissionDenied, ValidationError
from renkou.core.models import Role
from renkou.core.scope import user_units
from renkou.exchange.readers import read_directory
from renkou.exchange.report import write_errors_csv
from renkou.exchange.services import import_directory
from renkou.exchange.spec import BY_NAME, ERRORS_FILE
from renkou.jobs.importscope import scope_errors
from renkou.jobs.models import ImportJob, ImportStatus
from renkou.jobs.progress import PROGRESS_FILE, ProgressSink

# Who may import: county administrators and township clerks (in their own units).
IMPORT_ROLES: set[str] = {Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK}
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
IMPORT_STEPS = 10  # the scope check + the importer's nine phases


def imports_root() -> Path:
    return Path(settings.RENKOU_HOME) / "imports"


def user_may_import(user: Any) -> bool:
    return bool(user_units(user, IMPORT_ROLES))


def _check_files(files: Sequence[UploadedFile]) -> list[str]:
    """The upload's file names, if they form one import: SPEC CSV files or one workbook."""
    if not files:
        raise ValidationError(gettext_lazy("Choose the files to import."))
    names: list[str] = []
    for upload in files:
        name = Path(upload.name or "").name
        stem, suffix = Path(name).stem.strip().lower(), Path(name).suffix.lower()
        if suffix == ".csv" and stem in BY_NAME:
            names.append(f"{stem}.csv")
        elif suffix == ".xlsx":
            names.append(name)
        else:
            raise ValidationError(gettext_lazy(
                "%(file)s is not an import file: upload orgunits.csv, households.csv, "
                "persons.csv and events.csv (any of them), or one .xlsx workbook."),
                file=name)
    books = [n for n in names if n.lower().endswith(".xlsx")]
    if books and len(names) > 1:
        raise ValidationError(gettext_lazy(
            "Upload either CSV files or one .xlsx workbook, not both or several workbooks."))
    if len(set(names)) != len(names):
        raise ValidationError(gettext_lazy("The same file was chosen twice."))
    if sum(upload.size or 0 for upload in files) > MAX_UPLOAD_BYTES:
        raise ValidationError(gettext_lazy("The upload is larger than %(mb)d MB."),
                              mb=MAX_UPLOAD_BYTES // (1024 * 1024))
    return names


def import_job_create(*, user: Any, actor: Actor, files: Sequence[UploadedFile]
                      ) -> ImportJob:
    """Save an upload and queue its import. Only county administrators and township clerks."""
    units = user_units(user, IMPORT_ROLES)
    if not units:
        raise PermissionDenied(gettext_lazy(
            "Only county administrators and township clerks may import files."))
    names = _check_files(files)
    with transaction.atomic():
        job = ImportJob.objects.create(
            user=user, username=user.get_username(), origin=actor.origin,
            created_at=timezone.now(), unit_codes=sorted(u.code for u in units),
            files=names, total_steps=IMPORT_STEPS)
        directory = imports_root() / str(job.pk)
        if directory.exists():  # a leftover of a rolled-back upload with the same id
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        for upload, name in zip(files, names, strict=True):
            with (directory / name).open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
        job.directory = str(directory)
        job.save(update_fields=["directory"])
        audit_log(actor=actor, action="import.upload", object_type="import_job",
                  object_id=str(job.pk), unit_code=units[0].code if len(units) == 1 else "",
                  detail={"files": names, "units": job.unit_codes})
        transaction.on_commit(partial(import_job_enqueue, job_id=job.pk))
    return job


def import_job_enqueue(*, job_id: int) -> None:
    from renkou.jobs.tasks import run_import_job

    result = run_import_job.enqueue(job_id)
    # The immediate backend has already run the job: keep what it wrote.
    ImportJob.objects.filter(pk=job_id).update(task_id=result.id)


def _set(job: ImportJob, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=list(fields))


def import_job_run(*, job_id: int) -> str:
    """Run an import job (in the worker). Returns the job's final status. The uploaded files
    are deleted afterwards (personal data is not kept twice); import-errors.csv stays for
    the download."""
    try:
        return _import_job_run(job_id)
    finally:
        job = ImportJob.objects.filter(pk=job_id).first()
        if job is not None and job.is_finished and job.directory:
            for name in job.files:
                (Path(job.directory) / name).unlink(missing_ok=True)
            (Path(job.directory) / PROGRESS_FILE).unlink(missing_ok=True)


def _import_job_run(job_id: int) -> str:
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status != ImportStatus.QUEUED:
        return str(job.status)  # already run (a task retried after a crash does not rerun)
    _set(job, status=ImportStatus.RUNNING, started_at=timezone.now(), phase="scope", step=0,
         total_steps=IMPORT_STEPS)
    actor = Actor(user=job.user, origin=job.origin)
    directory = Path(job.directory)
    sink = ProgressSink(job)
    try:
        # The units held both at upload and now (a role may be withdrawn in between).
        units = [u for u in user_units(job.user, IMPORT_ROLES) if u.code in job.unit_codes]
        if not units:
            # The uploader lost the role (or the account) before the job ran.
            raise PermissionDenied(gettext_lazy(
                "Only county administrators and township clerks may import files."))
        source = read_directory(directory)
        errors = scope_errors(source, units) if not source.errors else None
        if errors is not None and errors.height:
            write_errors_csv(errors, directory / ERRORS_FILE)
            with transaction.atomic():
                _set(job, status=ImportStatus.INVALID, finished_at=timezone.now(),
                     errors_count=errors.height, phase="scope", step=1)
                audit_log(actor=actor, action="import.rejected", object_type="import_job",
                          object_id=str(job.pk),
                          detail={"errors": errors.height, "reason": "scope"})
            return str(job.status)
        sink.write("scope", 1, IMPORT_STEPS)
        result = import_directory(directory=directory, actor=actor, on_phase=sink)
    except Exception as exc:
        with transaction.atomic():
            _set(job, status=ImportStatus.FAILED, finished_at=timezone.now(),
                 message=str(exc)[:2000])
            audit_log(actor=actor, action="import.failed", object_type="import_job",
                      object_id=str(job.pk), detail={"error": type(exc).__name__})
        raise
    finally:
        sink.close()
    with transaction.atomic():
        if result.ok:
            _set(job, status=ImportStatus.DONE, finished_at=timezone.now(),
                 counts=result.counts, batch_id=result.batch_id, phase="done",
                 step=IMPORT_STEPS)
            action = "import.job_done"
        else:
            _set(job, status=ImportStatus.INVALID, finished_at=timezone.now(),
                 errors_count=result.errors.height)
            action = "import.rejected"
        audit_log(actor=actor, action=action, object_type="import_job",
                  object_id=str(job.pk),
                  detail={"batch": result.batch_id, "errors": result.errors.height
                          if not result.ok else 0, "reason": "" if result.ok else "invalid"})
    return str(job.status)


def errors_file(job: ImportJob) -> Path | None:
    path = Path(job.directory) / ERRORS_FILE
    return path if job.status == ImportStatus.INVALID and path.exists() else None
