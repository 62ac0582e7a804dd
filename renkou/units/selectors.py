"""Reads of the unit hierarchy."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from renkou.core.errors import NotFound
from renkou.units.models import ANCESTOR_LEVELS, Unit


def unit_get(*, code: str) -> Unit:
    try:
        return Unit.objects.get(code=code)
    except Unit.DoesNotExist:
        raise NotFound() from None


def under_q(unit: Unit, prefix: str = "") -> Q:
    """Q for units at or below `unit`; prefix is the relation path to a Unit (e.g. "unit__")."""
    if unit.level in ANCESTOR_LEVELS:
        return Q(**{f"{prefix}{unit.level}_code": unit.code})
    return Q(**{f"{prefix}code": unit.code})


def units_under(unit: Unit, *, level: str | None = None) -> QuerySet[Unit]:
    qs = Unit.objects.filter(under_q(unit))
    if level is not None:
        qs = qs.filter(level=level)
    return qs.order_by("path")
