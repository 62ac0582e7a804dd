"""Scoped reads of the review queue. A pair is visible to a user when both persons are
registered in the user's units: a village worker sees the pairs inside the village, a
township clerk those inside the township, the county those across townships (migrants
registered twice). Anything else is "not found", never "forbidden"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from renkou.core.errors import NotFound
from renkou.core.scope import REGISTRY_READERS, REGISTRY_WRITERS, unit_scope_q, user_units
from renkou.linkage.models import DuplicatePair, Merge, PairStatus
from renkou.registry.models import Person


def _live(qs: QuerySet[DuplicatePair]) -> QuerySet[DuplicatePair]:
    """Hide open pairs whose person has since been merged away or deleted."""
    a = Person.objects.filter(id=OuterRef("person_a"))
    b = Person.objects.filter(id=OuterRef("person_b"))
    return qs.filter(Q(status=PairStatus.MERGED) | (Exists(a) & Exists(b)))


def pairs_for_user(*, user: Any, roles: set[str] | None = None) -> QuerySet[DuplicatePair]:
    units = user_units(user, roles or REGISTRY_READERS)
    return _live(DuplicatePair.objects.filter(unit_scope_q(units, "unit_a__"))
                 .filter(unit_scope_q(units, "unit_b__")))


def pair_get_for_user(*, user: Any, pair_id: int, write: bool = False) -> DuplicatePair:
    qs = pairs_for_user(user=user, roles=REGISTRY_WRITERS if write else None)
    pair = qs.filter(pk=pair_id).first()
    if pair is None:
        raise NotFound()
    return pair


def pairs_all(*, status: str | None = None) -> QuerySet[DuplicatePair]:
    """Every pair (the command line runs as the county's operator)."""
    qs = _live(DuplicatePair.objects.all())
    return qs.filter(status=status) if status else qs


@dataclass(frozen=True)
class PairRow:
    pair: DuplicatePair
    a: Person | None
    b: Person | None


def pair_rows(pairs: list[DuplicatePair]) -> list[PairRow]:
    """Pairs with both persons, in one query for the page."""
    ids = {p.person_a for p in pairs} | {p.person_b for p in pairs}
    persons = {p.id: p for p in Person.objects.filter(id__in=ids)
               .select_related("household", "household__unit")}
    return [PairRow(pair=p, a=persons.get(p.person_a), b=persons.get(p.person_b))
            for p in pairs]


def pairs_list_for_user(*, user: Any, status: str = PairStatus.PENDING,
                        limit: int = 50) -> list[PairRow]:
    qs = pairs_for_user(user=user).filter(status=status).order_by(
        "-probability", "person_a", "person_b")
    return pair_rows(list(qs[:limit]))


def merge_get(*, merge_id: int) -> Merge:
    merge = Merge.objects.filter(pk=merge_id).first()
    if merge is None:
        raise NotFound()
    return merge
