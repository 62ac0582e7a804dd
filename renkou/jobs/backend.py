"""A database-backed django-tasks backend (works on SQLite and PostgreSQL).

django-tasks 0.12 ships only the immediate and dummy backends (its database backend moved to
the separate `django-tasks-db` package, which is not a dependency here). This one stores each
task as a `TaskRecord` row; `renkou db_worker` (renkou.jobs.worker) claims and runs them.
Enqueueing inside a transaction is atomic with the caller's writes: the worker sees the task
only once the transaction commits.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskError
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id

from renkou.jobs.models import TaskRecord

T = TypeVar("T")


class DatabaseBackend(BaseTaskBackend):
    supports_defer = True
    supports_priority = True
    supports_get_result = True

    def enqueue(self, task: Task[Any, T], args: Any, kwargs: Any) -> TaskResult[T]:
        self.validate_task(task)
        record = TaskRecord.objects.create(
            id=get_random_id(), task_path=task.module_path, backend_name=self.alias,
            queue_name=task.queue_name, priority=task.priority,
            args_kwargs={"args": list(args), "kwargs": dict(kwargs)},
            enqueued_at=timezone.now(), run_after=task.run_after)
        result: TaskResult[T] = record_to_result(record, task)
        task_enqueued.send(type(self), task_result=result)
        return result

    def get_result(self, result_id: str) -> TaskResult[Any]:
        record = TaskRecord.objects.filter(id=result_id, backend_name=self.alias).first()
        if record is None:
            raise TaskResultDoesNotExist(result_id)
        return record_to_result(record)


def task_for(record: TaskRecord) -> Task[Any, Any]:
    task = import_string(record.task_path)
    if not isinstance(task, Task):
        raise TypeError(f"{record.task_path} is not a task")
    return task.using(priority=record.priority, queue_name=record.queue_name,
                      backend=record.backend_name, run_after=record.run_after)


def record_to_result(record: TaskRecord, task: Task[Any, Any] | None = None
                     ) -> TaskResult[Any]:
    result: TaskResult[Any] = TaskResult(
        task=task or task_for(record), id=record.id, status=TaskResultStatus(record.status),
        enqueued_at=record.enqueued_at, started_at=record.started_at,
        finished_at=record.finished_at, last_attempted_at=record.last_attempted_at,
        args=record.args_kwargs.get("args", []), kwargs=record.args_kwargs.get("kwargs", {}),
        backend=record.backend_name,
        errors=[TaskError(exception_class_path=e["exception_class_path"],
                          traceback=e["traceback"]) for e in record.errors],
        worker_ids=list(record.worker_ids))
    object.__setattr__(result, "_return_value", record.return_value)
    return result
