"""Template filters for statistics pages: indicator values as the catalog says to show them."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from renkou.core.periods import Period
from renkou.stats.catalog import Indicator, Kind, by_code
from renkou.stats.reports.annual import period_label
from renkou.units.models import Level

register = template.Library()

EMPTY = "—"


def _indicator(ind: Indicator | str) -> Indicator:
    return ind if isinstance(ind, Indicator) else by_code(ind)


@register.filter
def stat(value: float | int | None, ind: Indicator | str) -> str:
    """A value with the catalog's decimals and thousands separators; None → '—'."""
    if value is None:
        return EMPTY
    indicator = _indicator(ind)
    if indicator.kind is Kind.COUNT:
        return f"{int(value):,}"
    return f"{float(value):,.{indicator.decimals}f}"


@register.filter
def stat_change(value: float | int | None, ind: Indicator | str) -> str:
    """A difference with its sign: +12, −3, ±0 (a true minus sign, easier to read)."""
    if value is None:
        return EMPTY
    text = stat(abs(value), ind)
    if value > 0:
        return "+" + text
    if value < 0:
        return "−" + text
    return "±" + text


@register.filter
def label(ind: Indicator | str) -> str:
    """The indicator's name in the active language."""
    return _indicator(ind).label()


@register.filter
def unit_of(ind: Indicator | str) -> str:
    """The unit symbol shown after a value (‰, %, …); counts show none."""
    indicator = _indicator(ind)
    if indicator.kind in (Kind.COUNT, Kind.MEAN):
        return ""
    if (get_language() or "").lower().startswith("en"):
        return _UNITS_EN.get(indicator.unit, indicator.unit)
    return indicator.unit


# The catalog's unit symbols are Chinese; English pages show these instead.
_UNITS_EN = {"男/百女": "boys per 100 girls", "孩/妇女": "children per woman"}


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.simple_tag
def level_name(level: str | None) -> str:
    """Level code → its name in the active language."""
    if level in Level.values:
        return str(Level(level).label)
    return level or ""


@register.filter
def period_name(period: Period) -> str:
    """2024Oct → 2025统计年度 / statistical year 2025, in the active language."""
    lang = (get_language() or "zh-hans").lower()
    return period_label(period, "en" if lang.startswith("en") else "zh")
