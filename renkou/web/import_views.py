"""The import page: upload SPEC §1 files, watch the background job, read or download its
errors. Writes go through renkou.jobs.services; reads through renkou.jobs.selectors.

Progress is a small partial polled with htmx (`every 1s`) while the job runs; without
JavaScript the job page refreshes itself (meta refresh in <noscript>).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from renkou.core.audit import audit_log, request_actor
from renkou.core.errors import NotFound, PermissionDenied, ValidationError
from renkou.exchange.spec import ERROR_COLUMNS, ERRORS_FILE
from renkou.jobs.models import ImportJob, ImportStatus
from renkou.jobs.selectors import (
    import_job_get_for_user,
    import_job_progress,
    import_jobs_for_user,
)
from renkou.jobs.services import errors_file, import_job_create, user_may_import
from renkou.web.views import maps_errors, page_view

ERRORS_SHOWN = 200

PHASES: dict[str, Any] = {
    "": _("Waiting for a worker"),
    "scope": _("Checking that every row is within your units"),
    "read": _("Reading files"),
    "validate": _("Validating"),
    "orgunits": _("Writing units"),
    "households": _("Writing households"),
    "persons": _("Writing persons"),
    "events": _("Writing events"),
    "findings": _("Checking identity numbers"),
    "spells": _("Rebuilding registration spells"),
    "finish": _("Finishing"),
    "search": _("Updating the name search"),
    "done": _("Done"),
}


def _require_importer(request: HttpRequest) -> None:
    if not user_may_import(request.user):
        raise PermissionDenied(_("Only county administrators and township clerks may "
                                 "import files."))


def _errors_preview(job: ImportJob) -> list[dict[str, Any]]:
    path = errors_file(job)
    if path is None:
        return []
    frame = pl.read_csv(path, infer_schema=False, n_rows=ERRORS_SHOWN, encoding="utf8")
    frame = frame.rename({c: c.lstrip("\ufeff") for c in frame.columns})
    return frame.select(list(ERROR_COLUMNS)).to_dicts()


def _job_context(job: ImportJob) -> dict[str, Any]:
    progress = import_job_progress(job)
    return {
        "job": job,
        "progress": progress,
        "phase_label": PHASES.get(progress.phase, progress.phase),
        "errors": _errors_preview(job) if job.status == ImportStatus.INVALID else [],
        "errors_shown": ERRORS_SHOWN,
        "counts": sorted(job.counts.items()) if job.counts else [],
    }


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@maps_errors
def import_page(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    problem = ""
    if request.method == "POST":
        try:
            job = import_job_create(user=request.user, actor=request_actor(request),
                                    files=request.FILES.getlist("files"))
        except ValidationError as exc:
            problem = str(exc)
        else:
            return redirect("web:import_job", job_id=job.pk)
    return render(request, "web/import.html", {
        "jobs": import_jobs_for_user(user=request.user), "problem": problem,
        "phases": PHASES}, status=400 if problem else 200)


@page_view
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = import_job_get_for_user(user=request.user, job_id=job_id)
    return render(request, "web/import_job.html", _job_context(job))


@page_view
def import_job_progress_partial(request: HttpRequest, job_id: int) -> HttpResponse:
    job = import_job_get_for_user(user=request.user, job_id=job_id)
    return render(request, "web/_import_progress.html", _job_context(job))


@login_required
@never_cache
@require_GET
def import_job_errors(request: HttpRequest, job_id: int) -> HttpResponseBase:
    try:
        job = import_job_get_for_user(user=request.user, job_id=job_id)
    except NotFound:
        raise Http404 from None
    path: Path | None = errors_file(job)
    if path is None:
        raise Http404
    with transaction.atomic():
        audit_log(actor=request_actor(request), action="import.errors_export",
                  object_type="import_job", object_id=str(job.pk))
    return FileResponse(path.open("rb"), as_attachment=True, filename=ERRORS_FILE,
                        content_type="text/csv; charset=utf-8")
