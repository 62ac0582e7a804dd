"""Progress of a running import job, visible to the web app while the import's transaction
is still open.

The importer writes everything in one transaction, so progress cannot be an ordinary update
through the worker's connection (nobody would see it before the commit). On PostgreSQL the
phase goes into the job row through a second, autocommit connection. SQLite allows one
writer at a time and the import holds it, so there the phase goes into a small JSON file in
the job's directory (written atomically), which the selector reads while the job runs; the
row gets the final state when the job ends.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.db import connections

from renkou.jobs.models import ImportJob

PROGRESS_FILE = "progress.json"


def _side_connection() -> Any:
    default = connections["default"]
    return type(default)(default.settings_dict, alias="jobs-progress")


class ProgressSink:
    """Called as on_phase(key, label, done, total) by the importer (and by the job itself)."""

    def __init__(self, job: ImportJob) -> None:
        self.job_id = job.pk
        self.directory = Path(job.directory)
        self.offset = 1  # step 1 is the job's own scope check
        self.postgres = connections["default"].vendor == "postgresql"
        self._connection: Any = None

    def __call__(self, key: str, label: str, done: int, total: int) -> None:
        self.write(key, done + self.offset, total + self.offset)

    def write(self, phase: str, step: int, total: int) -> None:
        if self.postgres:
            if self._connection is None:
                self._connection = _side_connection()
            with self._connection.cursor() as cursor:
                cursor.execute(f"UPDATE {ImportJob._meta.db_table} "  # noqa: S608 — table name
                               "SET phase = %s, step = %s, total_steps = %s WHERE id = %s",
                               [phase, step, total, self.job_id])
            return
        target = self.directory / PROGRESS_FILE
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps({"phase": phase, "step": step, "total": total}))
        os.replace(temporary, target)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def live_progress(job: ImportJob) -> tuple[str, int, int]:
    """(phase, step, total) of a job: the row, or on SQLite the newer file while running."""
    phase, step, total = job.phase, job.step, job.total_steps
    if job.is_finished or not job.directory:
        return phase, step, total
    try:
        data = json.loads((Path(job.directory) / PROGRESS_FILE).read_text())
    except (OSError, ValueError):
        return phase, step, total
    if int(data.get("step", 0)) > step:
        return str(data["phase"]), int(data["step"]), int(data["total"])
    return phase, step, total
