"""The dashboard at "/": the unit in view (?unit=CODE within the user's units, else 404),
its key indicators this statistical year vs last, charts and the units below.

The child-unit table sorts with plain links (?sort=KEY&dir=desc); with HTMX the same URL
answers just the table (hx-target), so sorting does not redraw the charts.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from renkou.core.errors import NotFound
from renkou.core.periods import Period, PeriodKind, parse_period
from renkou.web.dashboard import (
    CHILD_CODES,
    SORT_KEYS,
    breadcrumbs_for_user,
    dashboard_for_unit,
    dashboard_unit_for_user,
    dashboard_units_for_user,
    sort_children,
)
from renkou.web.views import page_view

CHILD_TABLE_ID = "child-units"


def _stat_year(raw: str | None) -> Period | None:
    """?year=2024Oct → that statistical year; anything else is a missing page."""
    if not raw:
        return None
    try:
        period = parse_period(raw)
    except ValueError:
        raise NotFound() from None
    if period.kind is not PeriodKind.STAT_YEAR:
        raise NotFound()
    return period


def _chart_data(board: Any) -> dict[str, Any]:
    return {
        "monthly": {
            "months": board.months, "births": board.births_by_month,
            "deaths": board.deaths_by_month,
            "labels": {"births": _("Births"), "deaths": _("Deaths")},
        },
        "pyramid": {
            "groups": [g["group"] for g in board.pyramid if g["age_from"] is not None],
            "male": [g["male"] for g in board.pyramid if g["age_from"] is not None],
            "female": [g["female"] for g in board.pyramid if g["age_from"] is not None],
            "labels": {"male": _("Male"), "female": _("Female")},
        },
    }


@page_view
def dashboard(request: HttpRequest) -> HttpResponse:
    own = dashboard_units_for_user(request.user)
    if not own:
        return render(request, "web/dashboard/no_units.html")
    unit = dashboard_unit_for_user(user=request.user, code=request.GET.get("unit"), own=own)
    board = dashboard_for_unit(unit=unit, stat_year=_stat_year(request.GET.get("year")))
    sort = request.GET.get("sort", "code")
    sort = sort if sort in SORT_KEYS else "code"
    descending = request.GET.get("dir") == "desc"
    context = {
        "board": board,
        "unit": unit,
        "crumbs": breadcrumbs_for_user(user=request.user, unit=unit, own=own),
        "own_units": own,
        "children": sort_children(board.children, sort, descending),
        "child_codes": CHILD_CODES,
        "sort_keys": SORT_KEYS,
        "sort": sort,
        "descending": descending,
        "year_param": request.GET.get("year", ""),
        "table_id": CHILD_TABLE_ID,
        "charts": _chart_data(board),
        "monthly_rows": list(zip(board.months, board.births_by_month, board.deaths_by_month,
                                 strict=True)),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == CHILD_TABLE_ID:
        return render(request, "web/dashboard/child_table.html", context)
    return render(request, "web/dashboard/dashboard.html", context)
