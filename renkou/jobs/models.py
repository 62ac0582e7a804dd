"""Background work: the task queue of the database backend, and web import jobs.

`TaskRecord` is one enqueued django-tasks task (the queue and its results); `ImportJob` is
what a user sees of an upload: files, status, progress by phase and the outcome.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskStatus(models.TextChoices):
    # The same values as django_tasks.TaskResultStatus.
    READY = "READY", _("Waiting")
    RUNNING = "RUNNING", _("Running")
    FAILED = "FAILED", _("Failed")
    SUCCESSFUL = "SUCCESSFUL", _("Finished")


class TaskRecord(models.Model):
    """One task of `renkou.jobs.backend.DatabaseBackend`, claimed by `db_worker`."""

    id = models.CharField(max_length=32, primary_key=True)
    task_path = models.CharField(max_length=255)
    backend_name = models.CharField(max_length=32)
    queue_name = models.CharField(max_length=32)
    priority = models.IntegerField(default=0)
    args_kwargs = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=TaskStatus.choices,
                              default=TaskStatus.READY)
    enqueued_at = models.DateTimeField()
    run_after = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    last_attempted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    return_value = models.JSONField(null=True, blank=True)
    errors = models.JSONField(default=list, blank=True)
    worker_ids = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "queue_name", "-priority", "enqueued_at"],
                                name="jobs_task_claim")]

    def __str__(self) -> str:
        return f"{self.id} {self.task_path} {self.status}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    INVALID = "invalid", _("Errors found: nothing imported")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A web upload of SPEC §1 files, imported in the background by a task."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                             related_name="+")
    username = models.CharField(max_length=150)
    origin = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The units the user could import into when uploading (codes), for the scope check.
    unit_codes = models.JSONField(default=list)
    directory = models.CharField(max_length=500)
    files = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.QUEUED)
    phase = models.CharField(max_length=32, blank=True)
    step = models.PositiveSmallIntegerField(default=0)
    total_steps = models.PositiveSmallIntegerField(default=10)
    task_id = models.CharField(max_length=64, blank=True)
    errors_count = models.IntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    batch_id = models.BigIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"import {self.pk} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.INVALID, ImportStatus.DONE, ImportStatus.FAILED}
