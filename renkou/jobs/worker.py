"""The worker of the database backend: claim one ready task atomically, run it, record the
outcome. `renkou db_worker` loops over `run_one`; tests call it directly.

Claiming: PostgreSQL locks the chosen row with SELECT … FOR UPDATE SKIP LOCKED, so two
workers never take the same task; on SQLite the settings open every transaction with BEGIN
IMMEDIATE, which serialises writers, and the status update is conditional besides.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import FrameType

from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskContext, TaskResultStatus
from django_tasks.signals import task_finished, task_started
from django_tasks.utils import (
    get_exception_traceback,
    get_module_path,
    get_random_id,
    normalize_json,
)

from renkou.jobs.backend import DatabaseBackend, record_to_result, task_for
from renkou.jobs.models import TaskRecord, TaskStatus

logger = logging.getLogger(__name__)


def _claim(*, queues: Iterable[str], backend: str, worker_id: str) -> TaskRecord | None:
    now = timezone.now()
    with transaction.atomic():
        candidates = (TaskRecord.objects
                      .filter(status=TaskStatus.READY, backend_name=backend,
                              queue_name__in=list(queues))
                      .filter(Q(run_after__isnull=True) | Q(run_after__lte=now))
                      .order_by("-priority", "enqueued_at", "id"))
        record = candidates.select_for_update(skip_locked=True).first()
        if record is None:
            return None
        claimed = TaskRecord.objects.filter(pk=record.pk, status=TaskStatus.READY).update(
            status=TaskStatus.RUNNING, started_at=now, last_attempted_at=now,
            worker_ids=[*record.worker_ids, worker_id])
        if not claimed:
            return None
    record.refresh_from_db()
    return record


def run_one(*, queues: Iterable[str] = ("default",), backend: str = "default",
            worker_id: str | None = None) -> TaskRecord | None:
    """Run the next ready task, if any; returns its record (finished) or None."""
    worker_id = worker_id or get_random_id()
    record = _claim(queues=queues, backend=backend, worker_id=worker_id)
    if record is None:
        return None
    try:
        task = task_for(record)
    except Exception as exc:  # noqa: BLE001 — an unknown task path fails that task only
        _finish(record, error=exc)
        return record
    result = record_to_result(record, task)
    task_started.send(sender=DatabaseBackend, task_result=result)
    args, kwargs = record.args_kwargs.get("args", []), record.args_kwargs.get("kwargs", {})
    try:
        if task.takes_context:
            value = task.call(TaskContext(task_result=result), *args, **kwargs)
        else:
            value = task.call(*args, **kwargs)
        _finish(record, value=normalize_json(value))
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 — every failure is recorded on the task
        logger.exception("task %s (%s) failed", record.id, record.task_path)
        _finish(record, error=exc)
    task_finished.send(sender=DatabaseBackend, task_result=record_to_result(record, task))
    return record


def _finish(record: TaskRecord, *, value: object = None,
            error: BaseException | None = None) -> None:
    record.finished_at = timezone.now()
    if error is None:
        record.status, record.return_value = TaskStatus.SUCCESSFUL, value
    else:
        record.status = TaskStatus.FAILED
        record.errors = [*record.errors, {
            "exception_class_path": get_module_path(type(error)),
            "traceback": get_exception_traceback(error)}]
    record.save(update_fields=["finished_at", "status", "return_value", "errors"])


@dataclass
class Worker:
    """A loop over run_one that stops on SIGTERM/SIGINT after the current task, when the
    queue is empty (`batch`), or when its parent process is gone (`stop_with_parent`)."""

    queues: list[str] = field(default_factory=lambda: ["default"])
    backend: str = "default"
    interval: float = 1.0
    batch: bool = False
    max_tasks: int | None = None
    stop_with_parent: bool = False
    worker_id: str = field(default_factory=get_random_id)
    stop: threading.Event = field(default_factory=threading.Event)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        logger.warning("worker %s: signal %s, stopping after the current task",
                       self.worker_id, signum)
        self.stop.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def run(self) -> int:
        """Run tasks until told to stop; returns how many ran."""
        parent = os.getppid()
        done = 0
        while not self.stop.is_set():
            if self.stop_with_parent and os.getppid() != parent:
                break
            if not connection.in_atomic_block:  # (tests run the loop inside one)
                # Drop connections that broke or outlived CONN_MAX_AGE, as a request would.
                close_old_connections()
            record = run_one(queues=self.queues, backend=self.backend,
                             worker_id=self.worker_id)
            if record is not None:
                done += 1
                if self.max_tasks is not None and done >= self.max_tasks:
                    break
                continue
            if self.batch:
                break
            self.stop.wait(self.interval)
        return done


def pending_count(backend: str = "default") -> int:
    return TaskRecord.objects.filter(backend_name=backend,
                                     status=TaskResultStatus.READY).count()
