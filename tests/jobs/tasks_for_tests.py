"""Module-level tasks for the worker tests (a task must be importable by its path)."""

from __future__ import annotations

from django_tasks import task

from renkou.jobs.models import ImportJob

CALLS: list[str] = []


@task(priority=0)
def add(a: int, b: int) -> int:
    CALLS.append(f"add {a} {b}")
    return a + b


@task()
def fail(message: str) -> None:
    raise ValueError(message)


@task()
def count_jobs() -> int:
    return ImportJob.objects.count()
