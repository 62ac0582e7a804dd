"""Cross-cutting records: audit trail, user memberships in units, data version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("County administrator")
    TOWNSHIP_CLERK = "township_clerk", _("Township clerk")
    VILLAGE_WORKER = "village_worker", _("Village worker")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    AUDITOR = "auditor", _("Auditor")


class Membership(models.Model):
    """A user works for a unit (and everything under it) in one role."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, db_column="unit_code",
                             related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    can_export_personal_data = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"],
                                               name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.unit_id}:{self.role}"


class AuditEvent(models.Model):
    """Who did what, when and from where: every write and every read of one person's record."""

    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    unit_code = models.CharField(max_length=15, blank=True)
    origin = models.CharField(max_length=255, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_id}"


class DataVersion(models.Model):
    """A counter bumped by every write to registry data, so caches know when they are stale."""

    name = models.CharField(max_length=32, primary_key=True)
    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.name}={self.version}"
