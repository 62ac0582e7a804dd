"""Background tasks (django-tasks). Arguments are JSON: pass ids, not objects."""

from __future__ import annotations

from django_tasks import task

from renkou.jobs.services import import_job_run


@task()
def run_import_job(job_id: int) -> str:
    return import_job_run(job_id=job_id)


@task()
def ping() -> str:
    """A task that does nothing: shows that a worker is running (tests, monitoring)."""
    return "pong"
