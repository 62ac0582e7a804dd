"""Thin views: read through selectors, write through services, render templates."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from renkou.core.audit import request_actor
from renkou.core.errors import NotFound
from renkou.core.scope import user_units
from renkou.registry.selectors import person_get_for_user, persons_list_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    units = user_units(request.user)
    return render(request, "web/home.html", {"units": units})


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    persons = persons_list_for_user(user=request.user, query=query)
    return render(request, "web/person_list.html", {"persons": persons, "q": query})


@login_required
def person_detail(request: HttpRequest, person_id: str) -> HttpResponse:
    try:
        person = person_get_for_user(user=request.user, person_id=person_id,
                                     actor=request_actor(request))
    except NotFound:
        raise Http404 from None
    return render(request, "web/person_detail.html", {"person": person})
