"""Scoped reads of data-quality findings."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from renkou.core.scope import REGISTRY_READERS, unit_scope_q, user_units
from renkou.quality.models import Finding, FindingStatus
from renkou.units.models import Unit


def findings_for_user(*, user: Any, status: str | None = FindingStatus.OPEN,
                      rule: str | None = None) -> QuerySet[Finding]:
    """Findings about records in the user's units (by the unit code stored on the finding)."""
    units = user_units(user, REGISTRY_READERS)
    codes = Unit.objects.filter(unit_scope_q(units, "")).values("code")
    qs = Finding.objects.filter(unit_code__in=codes)
    if status:
        qs = qs.filter(status=status)
    if rule:
        qs = qs.filter(rule=rule)
    return qs.order_by("rule", "object_id")
