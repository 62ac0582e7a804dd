"""Reads of import jobs for the user who asks: a user sees only their own jobs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from renkou.core.errors import NotFound
from renkou.jobs.models import ImportJob
from renkou.jobs.progress import live_progress


@dataclass(frozen=True)
class JobProgress:
    phase: str
    step: int
    total: int

    @property
    def percent(self) -> int:
        return 0 if self.total <= 0 else min(100, round(100 * self.step / self.total))


def import_jobs_for_user(*, user: Any, limit: int = 20) -> QuerySet[ImportJob]:
    if not getattr(user, "is_authenticated", False):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(user=user).order_by("-created_at", "-id")[:limit]


def import_job_get_for_user(*, user: Any, job_id: int) -> ImportJob:
    """The job, if `user` uploaded it; otherwise NotFound (as if it did not exist)."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound()
    job = ImportJob.objects.filter(pk=job_id, user_id=user.pk).first()
    if job is None:
        raise NotFound()
    return job


def import_job_progress(job: ImportJob) -> JobProgress:
    phase, step, total = live_progress(job)
    return JobProgress(phase=phase, step=step, total=total)
