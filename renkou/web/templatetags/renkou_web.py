"""Template filters for registry pages."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import timezone

from renkou.core.periods import age_on
from renkou.web.labels import ethnicity_label, relation_label

register = template.Library()


@register.filter
def relation(code: str) -> str:
    """GB/T 4761 relation code → translated label."""
    return relation_label(code or "")


@register.filter
def ethnicity(value: str) -> str:
    """GB/T 3304 ethnic group code → translated name."""
    return ethnicity_label(value or "")


@register.filter
def age(birth: date | None) -> str:
    """Completed years today ('' when the birth date is unknown or in the future)."""
    if birth is None:
        return ""
    today = timezone.localdate()
    if birth > today:
        return ""
    return str(age_on(birth, today))


@register.filter
def mask_id(number: str) -> str:
    """Identity number with the birth date and sequence hidden, for lists: 410325********123X.

    The full number is shown only on a person's own (audited) page."""
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


@register.filter
def thousands(value: int | None) -> str:
    """12345 → '12,345' (the same in Chinese and English office use)."""
    if value is None:
        return ""
    return f"{int(value):,}"
