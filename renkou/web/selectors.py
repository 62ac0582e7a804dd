"""Read models for pages that combine several apps (the registry's own reads are in
renkou.registry.selectors). Views call these; they never build querysets.

The dashboard's read model is renkou.web.dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q

from renkou.events.models import Event, EventType
from renkou.registry.models import Person
from renkou.registry.selectors import persons_for_user


@dataclass(frozen=True)
class EventRow:
    event: Event
    other: Person | None  # the spouse in a marriage or divorce, if the user may see them
    other_hidden: bool  # there is a spouse, outside the user's units


def person_events(*, user: Any, person: Person) -> list[EventRow]:
    """Vital events of a person already obtained through a scoped, audited selector (as the
    person or as the spouse of a marriage/divorce), oldest first. The other spouse is named
    only if the user may see them (two queries)."""
    events = list(Event.objects.filter(Q(person_id=person.id) | Q(spouse_id=person.id))
                  .select_related("unit").order_by("date", "id"))
    others = {e.spouse_id if e.person_id == person.id else e.person_id for e in events}
    others.discard(None)
    visible = ({p.id: p for p in persons_for_user(user=user).filter(id__in=others)}
               if others else {})
    rows = []
    for event in events:
        other_id = event.spouse_id if event.person_id == person.id else event.person_id
        other = visible.get(other_id) if other_id else None
        rows.append(EventRow(event=event, other=other,
                             other_hidden=bool(other_id) and other is None))
    return rows


def death_date(*, person: Person, events: list[EventRow]) -> date | None:
    """The date of the person's own death event among `events`, if any."""
    for row in events:
        if row.event.type == EventType.DEATH and row.event.person_id == person.id:
            return row.event.date
    return None
