"""Recording births, deaths, marriages, divorces and moves from the web.

Thin views: the forms check what can be fixed beside the field, the event services validate
everything and write in one transaction; a service error is shown beside the field it is
about (or above the form), and nothing is saved. After saving, the person's page shows the
new event (post/redirect/get).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from renkou.core.audit import Actor, request_actor
from renkou.core.errors import PermissionDenied, RenkouError
from renkou.events import services as events
from renkou.events.models import EventType, Source
from renkou.registry.models import Person
from renkou.registry.selectors import household_detail_for_user, person_get_for_user
from renkou.units.models import Unit
from renkou.web.event_forms import (
    BirthForm,
    EventForm,
    MoveInForm,
    PlainEventForm,
    SpouseForm,
)
from renkou.web.record_selectors import user_may_write
from renkou.web.views import maps_errors

# Service messages (msgids) → the form field they are about. Anything else goes above the form.
SERVICE_ERROR_FIELDS: dict[str, str] = {
    "The event date %(day)s is in the future.": "date",
    "The recorded date is before the event date.": "recorded_date",
    "Unknown source %(source)s.": "source",
    "The birth order must be 1 or more.": "birth_order",
    "Unknown household %(id)s.": "household_id",
    "%(name)s died on %(death)s.": "date",
    "The event is dated before %(name)s was born.": "date",
    "A person cannot marry themselves.": "spouse_id",
    "The name is required.": "name",
    "Sex must be 1 (male) or 2 (female).": "sex",
    "The birth date is in the future.": "date",
    "The mother must be a woman.": "mother_id",
    "The father must be a man.": "father_id",
}


def attach_service_error(form: forms.Form, exc: RenkouError,
                         overrides: dict[str, str] | None = None) -> None:
    """Show a service's error beside the field it concerns (in the active language)."""
    message = str(exc.message)
    table = {**SERVICE_ERROR_FIELDS, **(overrides or {})}
    for msgid, field in table.items():
        if gettext(msgid) == message and field in form.fields:
            form.add_error(field, str(exc))
            return
    form.add_error(None, str(exc))


@dataclass(frozen=True)
class Kind:
    title: Any
    form: type[EventForm]
    record: Callable[[Actor, Person, dict[str, Any]], Any]
    overrides: dict[str, str]


def _common(data: dict[str, Any]) -> dict[str, Any]:
    return {"recorded_date": data.get("recorded_date"), "source": data["source"]}


KINDS: dict[str, Kind] = {
    EventType.DEATH: Kind(_("Record a death"), PlainEventForm, lambda actor, person, d:
                          events.event_record_death(actor=actor, person_id=person.id,
                                                    date_of_death=d["date"], **_common(d)), {}),
    EventType.MARRIAGE: Kind(_("Record a marriage"), SpouseForm, lambda actor, person, d:
                             events.event_record_marriage(
                                 actor=actor, person_id=person.id,
                                 spouse_id=d["spouse_id"] or None, date_of_marriage=d["date"],
                                 **_common(d)), {}),
    EventType.DIVORCE: Kind(_("Record a divorce"), SpouseForm, lambda actor, person, d:
                            events.event_record_divorce(
                                actor=actor, person_id=person.id,
                                spouse_id=d["spouse_id"] or None, date_of_divorce=d["date"],
                                **_common(d)), {}),
    EventType.MOVE_IN: Kind(_("Record a move in"), MoveInForm, lambda actor, person, d:
                            events.event_record_move_in(
                                actor=actor, person_id=person.id,
                                household_id=d["household_id"], date_of_move=d["date"],
                                **_common(d)), {}),
    EventType.MOVE_OUT: Kind(_("Record a move out"), PlainEventForm, lambda actor, person, d:
                             events.event_record_move_out(
                                 actor=actor, person_id=person.id, date_of_move=d["date"],
                                 **_common(d)), {}),
}


def form_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    return login_required(never_cache(require_http_methods(["GET", "POST"])(maps_errors(view))))


def _require_writer(user: Any, unit: Unit) -> None:
    if not user_may_write(user, unit):
        raise PermissionDenied(_("You may look at this record but not record events for it."))


@form_view
def record_event(request: HttpRequest, person_id: str, kind: str) -> HttpResponse:
    spec = KINDS.get(kind)
    if spec is None:
        raise Http404
    actor = request_actor(request)
    person = person_get_for_user(user=request.user, person_id=person_id, actor=actor)
    _require_writer(request.user, person.household.unit)
    extra: dict[str, Any] = {}
    if spec.form is SpouseForm:
        # Marriages and divorces are usually reported from civil-affairs records.
        extra = {"person": person, "initial": {"source": Source.CIVIL_AFFAIRS}}
    form = spec.form(request.POST or None, user=request.user, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            spec.record(actor, person, form.cleaned_data)
        except RenkouError as exc:
            attach_service_error(form, exc, spec.overrides)
        else:
            messages.success(request, gettext("Saved: %(what)s for %(name)s.")
                             % {"what": EventType(kind).label, "name": person.name})
            return redirect("web:person_detail", person_id=person.id)
    status = 400 if form.errors else 200
    mark_invalid(form)
    return render(request, "web/event_form.html", {
        "form": form, "title": spec.title, "person": person, "kind": kind,
        "household": person.household,
    }, status=status)


def mark_invalid(form: forms.Form) -> None:
    """Point screen readers from each invalid field to its message."""
    for name in form.errors:
        if name in form.fields:
            attrs = form.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = f"{form[name].auto_id}-error"


def new_person_id() -> str:
    return "N" + uuid.uuid4().hex[:15].upper()


@form_view
def record_birth(request: HttpRequest, household_id: str) -> HttpResponse:
    actor = request_actor(request)
    detail = household_detail_for_user(user=request.user, household_id=household_id,
                                       actor=actor)
    household = detail.household
    _require_writer(request.user, household.unit)
    form = BirthForm(request.POST or None, user=request.user, members=detail.members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        child_id = new_person_id()
        try:
            events.event_record_birth(
                actor=actor, child_id=child_id, household_id=household.id, name=data["name"],
                sex=data["sex"], birth_date=data["date"], recorded_date=data["recorded_date"],
                source=data["source"], mother_id=data["mother_id"] or None,
                father_id=data["father_id"] or None, id_number=data["id_number"],
                relation=data["relation"], birth_order=data["birth_order"])
        except RenkouError as exc:
            # Here a death or birth date check is about the mother, not the child.
            attach_service_error(form, exc, {"%(name)s died on %(death)s.": "mother_id"})
        else:
            messages.success(request, gettext("Saved: the birth of %(name)s.")
                             % {"name": data["name"]})
            return redirect("web:person_detail", person_id=child_id)
    status = 400 if form.errors else 200
    mark_invalid(form)
    return render(request, "web/event_form.html", {
        "form": form, "title": _("Record a birth"), "person": None, "kind": EventType.BIRTH,
        "household": household,
    }, status=status)
