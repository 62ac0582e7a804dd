"""The person search page: one box for names, pinyin, ID numbers and household ids.

Works as a plain GET form; with htmx the results refresh as one types (only the results
fragment is sent back)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from renkou.core.audit import request_actor
from renkou.search.selectors import search_for_user
from renkou.web.views import _page_number, page_view


@page_view
def search(request: HttpRequest) -> HttpResponse:
    page = search_for_user(user=request.user, query=request.GET.get("q", ""),
                           page=_page_number(request.GET.get("page")),
                           actor=request_actor(request))
    partial = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-Boosted")
    template = "web/search/_results.html" if partial else "web/search/search.html"
    return render(request, template, {"page": page, "q": page.query})
