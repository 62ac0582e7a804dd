"""Data-quality findings: problems stored, listed and resolved (never import errors)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed (not a problem)")


class Severity(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Information")


class Finding(models.Model):
    """One problem with one record, e.g. an identity number whose check character is wrong.

    (rule, object_type, object_id) is unique: re-running a check updates, never duplicates.
    """

    rule = models.CharField(max_length=48, db_index=True)
    object_type = models.CharField(max_length=16)
    object_id = models.CharField(max_length=40)
    unit_code = models.CharField(max_length=15, blank=True, db_index=True)
    value = models.CharField(max_length=255, blank=True)
    message = models.CharField(max_length=255, blank=True)
    severity = models.CharField(max_length=8, choices=Severity.choices,
                                default=Severity.WARNING)
    status = models.CharField(max_length=12, choices=FindingStatus.choices,
                              default=FindingStatus.OPEN, db_index=True)
    found_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolution_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["rule", "object_id"]
        constraints = [models.UniqueConstraint(fields=["rule", "object_type", "object_id"],
                                               name="finding_unique")]
        # Per-object look-ups: a write refreshes the findings of the records it touched.
        indexes = [models.Index(fields=["object_type", "object_id"], name="finding_object_idx")]

    def __str__(self) -> str:
        return f"{self.rule} {self.object_type}:{self.object_id} {self.status}"
