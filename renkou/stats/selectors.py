"""Scoped reads of statistics that show persons (drill-down)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from renkou.core.audit import Actor, audit_log
from renkou.core.errors import PermissionDenied
from renkou.core.periods import Period
from renkou.core.scope import REGISTRY_READERS, user_can_see_unit, user_units
from renkou.stats.engine import persons_behind
from renkou.units.models import ANCESTOR_LEVELS, Unit

__all__ = ["persons_behind_for_user", "user_may_drill_down"]


def user_may_drill_down(user: Any, unit: Unit) -> bool:
    """True if one of the user's memberships with a registry-reading role covers `unit`."""
    if not user_can_see_unit(user, unit):
        return False
    for own in user_units(user, REGISTRY_READERS):
        if own.code == unit.code:
            return True
        if own.level in ANCESTOR_LEVELS and unit.ancestor_code(own.level) == own.code:
            return True
    return False


def persons_behind_for_user(*, user: Any, unit: Unit, period: Period, code: str,
                            actor: Actor) -> list[str]:
    """The person ids behind the count `code` of `unit` in `period`, for a user allowed to
    see persons there; the read is audited ("stats.drilldown")."""
    if not user_may_drill_down(user, unit):
        raise PermissionDenied(_("You may not see the persons behind statistics of %(unit)s."),
                               unit=unit.code)
    ids = persons_behind(unit=unit, period=period, code=code)
    with transaction.atomic():
        audit_log(actor=actor, action="stats.drilldown", object_type="indicator",
                  object_id=code, unit_code=unit.code,
                  detail={"period": period.code, "code": code, "persons": len(ids)})
    return ids
