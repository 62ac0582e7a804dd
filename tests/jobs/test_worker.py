"""The database task backend and its worker: enqueue → row → claim → run → result."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends

from renkou.jobs.backend import DatabaseBackend
from renkou.jobs.models import TaskRecord, TaskStatus
from renkou.jobs.worker import Worker, run_one
from tests.jobs import tasks_for_tests as t


@pytest.fixture(autouse=True)
def _database_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "renkou.jobs.backend.DatabaseBackend",
                                  "QUEUES": ["default", "other"]}}
    t.CALLS.clear()


def test_default_backend_is_the_database_backend():
    from renkou import settings as project_settings

    assert project_settings.TASKS["default"]["BACKEND"] == "renkou.jobs.backend.DatabaseBackend"
    assert isinstance(task_backends["default"], DatabaseBackend)


def test_enqueue_stores_a_row_and_the_worker_runs_it(db):
    result = t.add.enqueue(2, 3)
    record = TaskRecord.objects.get(pk=result.id)
    assert record.status == TaskStatus.READY
    assert record.task_path == "tests.jobs.tasks_for_tests.add"
    assert record.args_kwargs == {"args": [2, 3], "kwargs": {}}
    assert t.CALLS == []  # nothing ran at enqueue time

    ran = run_one(worker_id="w1")
    assert ran is not None
    assert ran.pk == result.id
    assert t.CALLS == ["add 2 3"]
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5
    assert result.worker_ids == ["w1"]
    assert result.started_at is not None
    assert result.finished_at is not None
    assert run_one() is None  # the queue is empty


def test_a_failing_task_is_recorded_as_failed(db):
    result = t.fail.enqueue("boom")
    run_one()
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "builtins.ValueError"
    assert "boom" in result.errors[0].traceback


def test_priority_then_age_order_and_deferred_tasks_wait(db):
    later = t.add.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(100, 0)
    low = t.add.enqueue(1, 0)
    high = t.add.using(priority=10).enqueue(2, 0)
    other_queue = t.add.using(queue_name="other").enqueue(3, 0)
    assert run_one().pk == high.id
    assert run_one().pk == low.id
    assert run_one() is None  # `later` is not due, `other_queue` is on another queue
    assert run_one(queues=["other"]).pk == other_queue.id
    assert TaskRecord.objects.get(pk=later.id).status == TaskStatus.READY


def test_a_claimed_task_is_not_claimed_again(db):
    result = t.add.enqueue(1, 1)
    TaskRecord.objects.filter(pk=result.id).update(status=TaskStatus.RUNNING)
    assert run_one() is None


def test_batch_worker_runs_everything_queued_then_stops(db):
    for n in range(3):
        t.add.enqueue(n, n)
    assert Worker(batch=True).run() == 3
    assert sorted(t.CALLS) == ["add 0 0", "add 1 1", "add 2 2"]
    assert set(TaskRecord.objects.values_list("status", flat=True)) == {TaskStatus.SUCCESSFUL}


def test_db_worker_command_in_batch_mode(db):
    first = t.count_jobs.enqueue()
    second = t.add.enqueue(20, 22)
    call_command("db_worker", "--batch", verbosity=0)
    assert TaskRecord.objects.get(pk=first.id).return_value == 0
    assert TaskRecord.objects.get(pk=second.id).return_value == 42


def test_db_worker_refuses_another_backend(db, settings):
    from django.core.management.base import CommandError

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with pytest.raises(CommandError):
        call_command("db_worker", "--batch", verbosity=0)
