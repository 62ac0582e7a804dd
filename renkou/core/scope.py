"""Which units a user may see. Every selector a user triggers filters through here."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q

from renkou.core.models import Membership, Role
from renkou.units.models import ANCESTOR_LEVELS, Unit

# Roles that may see individual persons' registry records (others see aggregates only).
REGISTRY_READERS: set[str] = {Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK, Role.VILLAGE_WORKER,
                    Role.SERVICE_PROVIDER, Role.AUDITOR}
REGISTRY_WRITERS: set[str] = {Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK, Role.VILLAGE_WORKER}


def user_units(user: Any, roles: set[str] | None = None) -> list[Unit]:
    """The units a user belongs to (a superuser is not special: scope is by membership)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    memberships = Membership.objects.filter(user=user).select_related("unit")
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return [m.unit for m in memberships]


def unit_scope_q(units: list[Unit], prefix: str) -> Q:
    """Q that keeps rows whose unit (reached by `prefix`, e.g. "household__unit__") lies at or
    under one of `units`. No units → a Q that matches nothing."""
    parts: list[Q] = []
    for unit in units:
        if unit.level in ANCESTOR_LEVELS:
            parts.append(Q(**{f"{prefix}{unit.level}_code": unit.code}))
        else:
            parts.append(Q(**{f"{prefix}code": unit.code}))
    if not parts:
        return Q(pk__in=[])
    return reduce(or_, parts)


def user_can_see_unit(user: Any, unit: Unit) -> bool:
    for own in user_units(user):
        if own.level in ANCESTOR_LEVELS and unit.ancestor_code(own.level) == own.code:
            return True
        if unit.code == own.code:
            return True
    return False


def user_has_role(user: Any, roles: set[str]) -> bool:
    return bool(user_units(user, roles))
