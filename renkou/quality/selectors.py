"""Scoped reads of data-quality findings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from renkou.core.errors import NotFound
from renkou.core.scope import REGISTRY_READERS, REGISTRY_WRITERS, unit_scope_q, user_units
from renkou.quality.models import Finding, FindingStatus
from renkou.quality.rules import RULES_BY_CODE
from renkou.units.models import Unit

_ID_NUMBER = re.compile(r"\b(\d{6})\d{8}(\d{3}[0-9X])\b")


def _codes_for(user: Any, roles: set[str]) -> QuerySet[Unit, Any]:
    return Unit.objects.filter(unit_scope_q(user_units(user, roles), "")).values("code")


def findings_for_user(*, user: Any, status: str | None = FindingStatus.OPEN,
                      rule: str | None = None) -> QuerySet[Finding]:
    """Findings about records in the user's units (by the unit code stored on the finding)."""
    qs = Finding.objects.filter(unit_code__in=_codes_for(user, REGISTRY_READERS))
    if status:
        qs = qs.filter(status=status)
    if rule:
        qs = qs.filter(rule=rule)
    return qs.order_by("rule", "object_id")


def finding_get_for_user(*, user: Any, finding_id: int, write: bool = False) -> Finding:
    """One finding in the user's units (writers' units when `write`); otherwise NotFound."""
    roles = REGISTRY_WRITERS if write else REGISTRY_READERS
    finding = Finding.objects.filter(pk=finding_id,
                                     unit_code__in=_codes_for(user, roles)).first()
    if finding is None:
        raise NotFound()
    return finding


def masked_value(finding: Finding) -> str:
    """The finding's detail for lists: identity numbers masked as on the registry list."""
    return _ID_NUMBER.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), finding.value)


@dataclass(frozen=True)
class FindingRow:
    finding: Finding
    message: str
    value: str
    may_resolve: bool


@dataclass(frozen=True)
class FindingsPage:
    rows: list[FindingRow]
    total: int
    page: int
    pages: int
    by_rule: list[tuple[str, str, int]]  # (code, message, count) for the status filter


def findings_page_for_user(*, user: Any, status: str = FindingStatus.OPEN, rule: str = "",
                           page: int = 1, page_size: int = 50) -> FindingsPage:
    base = findings_for_user(user=user, status=status or None)
    counts = dict(base.order_by().values_list("rule").annotate(n=Count("id")))
    by_rule = [(code, rule_obj.message(), counts.get(code, 0))
               for code, rule_obj in RULES_BY_CODE.items() if counts.get(code)]
    by_rule += [(code, code, n) for code, n in sorted(counts.items())
                if code not in RULES_BY_CODE]
    qs = base.filter(rule=rule) if rule else base
    total = qs.count()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    chunk = list(qs.select_related("resolved_by")[(page - 1) * page_size:page * page_size])
    writable = set(_codes_for(user, REGISTRY_WRITERS).filter(
        code__in={f.unit_code for f in chunk}).values_list("code", flat=True))
    rows = [FindingRow(f, RULES_BY_CODE[f.rule].message() if f.rule in RULES_BY_CODE
                       else f.message, masked_value(f),
                       f.status == FindingStatus.OPEN and f.unit_code in writable)
            for f in chunk]
    return FindingsPage(rows, total, page, pages, by_rule)
