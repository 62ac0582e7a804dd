"""Thin views: read through selectors, write through services, render templates.

A person or household outside the user's units answers 404 exactly like one that does not
exist (no leak of existence). Pages with personal data are never cached by browsers.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from renkou.core.audit import audit_log, request_actor
from renkou.core.errors import NotFound, PermissionDenied, RenkouError
from renkou.events.models import EventType
from renkou.registry.selectors import (
    household_detail_for_user,
    person_get_for_user,
    person_relatives_for_user,
    persons_search_for_user,
)
from renkou.web.record_selectors import (
    household_events,
    household_relations,
    person_findings,
    record_history,
    user_may_write,
)
from renkou.web.selectors import death_date, person_events

View = Callable[..., HttpResponse]
PAGE_SIZE = 50
# Events recorded from a person's page, in the order of its buttons.
PERSON_EVENT_KINDS = [(EventType.DEATH, _("Death")), (EventType.MARRIAGE, _("Marriage")),
                      (EventType.DIVORCE, _("Divorce")), (EventType.MOVE_IN, _("Move in")),
                      (EventType.MOVE_OUT, _("Move out"))]


def maps_errors(view: View) -> View:
    """The one place that turns RenkouError into an HTTP answer for pages."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from None
        except RenkouError as exc:
            return render(request, "web/error.html", {"error": exc}, status=exc.http_status)

    return wrapper


def page_view(view: View) -> View:
    """A signed-in GET page: login required, errors mapped, no browser caching."""
    return login_required(never_cache(require_GET(maps_errors(view))))


class LoginView(auth_views.LoginView):
    """Django's login, with every attempt in the audit trail (who, when, from where)."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        with transaction.atomic():
            audit_log(actor=request_actor(self.request), action="user.login",
                      object_type="user", object_id=str(user.pk))
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        username = str(form.data.get("username", ""))[:150]
        with transaction.atomic():
            audit_log(actor=request_actor(self.request), action="user.login_failed",
                      object_type="user", detail={"username": username})
        return super().form_invalid(form)


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


@page_view
def person_list(request: HttpRequest) -> HttpResponse:
    page = persons_search_for_user(user=request.user, query=request.GET.get("q", ""),
                                   page=_page_number(request.GET.get("page")),
                                   page_size=PAGE_SIZE, actor=request_actor(request))
    return render(request, "web/person_list.html", {"page": page, "q": page.query})


@page_view
def person_detail(request: HttpRequest, person_id: str) -> HttpResponse:
    person = person_get_for_user(user=request.user, person_id=person_id,
                                 actor=request_actor(request))
    events = person_events(user=request.user, person=person)
    died = death_date(person=person, events=events)
    may_write = user_may_write(request.user, person.household.unit)
    return render(request, "web/person_detail.html", {
        "person": person,
        "relatives": person_relatives_for_user(user=request.user, person=person),
        "events": events,
        "died": died,
        "history": record_history(model="person", object_id=person.id),
        "findings": person_findings(person=person),
        "may_write": may_write and died is None,
        "event_kinds": PERSON_EVENT_KINDS,
    })


@page_view
def household_detail(request: HttpRequest, household_id: str) -> HttpResponse:
    detail = household_detail_for_user(user=request.user, household_id=household_id,
                                       actor=request_actor(request))
    return render(request, "web/household_detail.html", {
        "household": detail.household, "members": detail.members,
        "parents": household_relations(detail.members),
        "events": household_events(members=detail.members),
        "history": record_history(model="household", object_id=detail.household.id),
        "may_write": user_may_write(request.user, detail.household.unit),
    })
