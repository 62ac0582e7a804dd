"""Reads behind the person, household and my-village pages (the registry's own reads are in
renkou.registry.selectors). Every function takes a record already obtained through a scoped,
audited selector, or the user, and filters by the user's units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renkou.core.scope import REGISTRY_READERS, REGISTRY_WRITERS, unit_scope_q, user_units
from renkou.events.models import Event
from renkou.quality.models import Finding
from renkou.registry.models import Household, MaritalStatus, Person, RecordChange, Sex
from renkou.registry.selectors import HEAD_RELATIONS, households_for_user
from renkou.units.models import ANCESTOR_LEVELS, Unit
from renkou.units.selectors import under_q
from renkou.web.labels import ethnicity_label, relation_label

FIELD_LABELS: dict[str, Any] = {
    "household_id": _("Household"), "name": _("Name"), "sex": _("Sex"),
    "birth_date": _("Birth date"), "id_number": _("ID number"), "ethnicity": _("Ethnicity"),
    "relation": _("Relation to head"), "marital_status": _("Marital status"),
    "mother_id": _("Mother"), "father_id": _("Father"), "unit_code": _("Unit"),
    "address": _("Address"),
}
HISTORY_LIMIT = 50
RECENT_DAYS = 90


def _display(field: str, value: str | None) -> str:
    if not value:
        return "—"
    if field == "sex":
        return str(dict(Sex.choices).get(int(value), value)) if value.isdigit() else value
    if field == "marital_status":
        return str(dict(MaritalStatus.choices).get(value, value))
    if field == "relation":
        return relation_label(value)
    if field == "ethnicity":
        return ethnicity_label(value)
    return value


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ChangeRow:
    at: datetime
    username: str
    action: str
    imported: bool
    fields: list[FieldChange]


def record_history(*, model: str, object_id: str) -> list[ChangeRow]:
    """Changes of one record, newest first, as field-by-field before → after."""
    rows = []
    changes = (RecordChange.objects.filter(model=model, object_id=object_id)
               .order_by("-at", "-id")[:HISTORY_LIMIT])
    for change in changes:
        before = change.before or {}
        after = change.after or {}
        keys = [k for k in FIELD_LABELS if k in before or k in after]
        fields = [FieldChange(label=str(FIELD_LABELS[k]), before=_display(k, before.get(k)),
                              after=_display(k, after.get(k)))
                  for k in keys if before.get(k) != after.get(k)]
        rows.append(ChangeRow(at=change.at, username=change.username, action=change.action,
                              imported=change.batch_id is not None, fields=fields))
    return rows


def person_findings(*, person: Person) -> list[Finding]:
    """Data-quality findings about the person (open first)."""
    return list(Finding.objects.filter(object_type="person", object_id=person.id)
                .order_by("status", "-found_at"))


def user_may_write(user: Any, unit: Unit) -> bool:
    """The user holds a writing role in `unit` or a unit above it."""
    for own in user_units(user, REGISTRY_WRITERS):
        if own.level in ANCESTOR_LEVELS and unit.ancestor_code(own.level) == own.code:
            return True
        if own.code == unit.code:
            return True
    return False


def person_in_scope(*, user: Any, person_id: str) -> Person | None:
    """A person the user may see (for validating ids typed into a form), or None."""
    units = user_units(user, REGISTRY_READERS)
    return (Person.objects.filter(unit_scope_q(units, "household__unit__"))
            .filter(id=person_id.strip()).select_related("household").first())


def household_in_scope(*, user: Any, household_id: str) -> Household | None:
    return households_for_user(user=user).filter(id=household_id.strip()).first()


# --- my village -------------------------------------------------------------------------------

@dataclass(frozen=True)
class HouseholdRow:
    household: Household
    head: Person | None
    members: int


@dataclass(frozen=True)
class VillageOverview:
    unit: Unit
    units: list[Unit]
    households: list[HouseholdRow]
    page: int
    has_next: bool
    recent: list[Event]
    may_write: bool
    since: date


def village_overview(*, user: Any, unit_code: str | None, page: int = 1,
                     page_size: int = 30) -> VillageOverview | None:
    """The user's unit (the one asked for, else their first), its households with their head
    and size, and the events recorded in it lately. None when the user has no unit."""
    units = user_units(user, REGISTRY_READERS)
    if not units:
        return None
    unit = next((u for u in units if u.code == unit_code), units[0])
    scoped = households_for_user(user=user).filter(unit_scope_q([unit], "unit__"))
    start = (max(1, page) - 1) * page_size
    households = list(scoped.select_related("unit").annotate(n=Count("members"))
                      .order_by("id")[start:start + page_size + 1])
    has_next = len(households) > page_size
    households = households[:page_size]
    heads: dict[str, Person] = {}
    for person in (Person.objects.filter(household_id__in=[h.id for h in households],
                                         relation__in=HEAD_RELATIONS).order_by("id")):
        heads.setdefault(person.household_id, person)
    since = timezone.localdate() - timedelta(days=RECENT_DAYS)
    codes = Unit.objects.filter(under_q(unit)).values("code")
    recent = list(Event.objects.filter(unit_id__in=codes, date__gte=since)
                  .select_related("person", "unit").order_by("-date", "-id")[:20])
    return VillageOverview(
        unit=unit, units=units,
        households=[HouseholdRow(household=h, head=heads.get(h.id), members=h.n)
                    for h in households],
        page=max(1, page), has_next=has_next, recent=recent,
        may_write=user_may_write(user, unit), since=since)


def household_relations(members: list[Person]) -> dict[str, str]:
    """For each member, who of the household is their mother/father (names), for display."""
    names = {m.id: m.name for m in members}
    text: dict[str, str] = {}
    for m in members:
        parts = [names[p] for p in (m.mother_id, m.father_id) if p and p in names]
        text[m.id] = "、".join(parts)
    return text


def household_events(*, members: list[Person]) -> list[Event]:
    """Vital events recorded about the household's members (births, moves, marriages …),
    newest first. Events where a member is only the spouse are left out: the other person
    may lie outside the user's units."""
    ids = [m.id for m in members]
    if not ids:
        return []
    return list(Event.objects.filter(person_id__in=ids)
                .select_related("person", "unit").order_by("-date", "-id")[:HISTORY_LIMIT])
