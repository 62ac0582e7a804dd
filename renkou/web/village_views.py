""""My village": a phone-first page for village workers — their households, the events
recorded lately, and quick links to record an event."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from renkou.web.record_selectors import village_overview
from renkou.web.views import _page_number, page_view


@page_view
def my_village(request: HttpRequest) -> HttpResponse:
    overview = village_overview(user=request.user, unit_code=request.GET.get("unit"),
                                page=_page_number(request.GET.get("page")))
    return render(request, "web/my_village.html", {"o": overview})
