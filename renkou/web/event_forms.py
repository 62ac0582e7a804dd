"""Forms for recording vital events. They check what a clerk can fix on the spot, beside the
field; the event services check everything again and their errors are mapped back to fields
(renkou.web.event_views), so nothing is saved on error."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renkou.events.models import Source
from renkou.registry.models import Person, Sex

CHILD_RELATIONS = [("", _("(not given)")), ("20", _("Son")), ("30", _("Daughter")),
                   ("40", _("Grandchild")), ("80", _("Other relative")),
                   ("99", _("Not related"))]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REQUIRED = {"required": _("This field is required.")}
BAD_DATE = {"required": _("This field is required."),
            "invalid": _("Enter a date as YYYY-MM-DD, e.g. 2024-03-05.")}


class EventForm(forms.Form):
    """Fields every event has: when it happened, when it was recorded, who reported it."""

    date_field = "date"
    date = forms.DateField(label=_("Date of the event"), widget=DATE_INPUT,
                           error_messages=BAD_DATE)
    recorded_date = forms.DateField(
        label=_("Recorded on"), required=False, widget=DATE_INPUT,
        error_messages=BAD_DATE, help_text=_("Leave empty for today."))
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices,
                               initial=Source.VILLAGE, error_messages=REQUIRED)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, recorded = data.get("date"), data.get("recorded_date")
        if day and recorded and recorded < day:
            self.add_error("recorded_date",
                           _("The recorded date cannot be before the date of the event."))
        if recorded and recorded > timezone.localdate():
            self.add_error("recorded_date", _("The date cannot be in the future."))
        return data


def _person_choice(person: Person) -> tuple[str, str]:
    born = f" · {person.birth_date:%Y}" if person.birth_date else ""
    return person.id, f"{person.name}{born}"


class BirthForm(EventForm):
    field_order = ["name", "sex", "date", "mother_id", "father_id", "birth_order", "relation",
                   "id_number", "recorded_date", "source"]
    name = forms.CharField(label=_("Child's name"), max_length=64, error_messages=REQUIRED)
    sex = forms.TypedChoiceField(label=_("Sex"), choices=Sex.choices, coerce=int,
                                 widget=forms.RadioSelect, error_messages=REQUIRED)
    mother_id = forms.ChoiceField(label=_("Mother"), required=False)
    father_id = forms.ChoiceField(label=_("Father"), required=False)
    birth_order = forms.IntegerField(
        label=_("Birth order to the mother"), required=False, min_value=1, max_value=20,
        help_text=_("Leave empty if the report does not say."),
        error_messages={"min_value": _("The birth order must be 1 or more."),
                        "max_value": _("The birth order must be 20 or less."),
                        "invalid": _("Enter a whole number.")})
    relation = forms.ChoiceField(label=_("Relation to head"), choices=CHILD_RELATIONS,
                                 required=False)
    id_number = forms.CharField(
        label=_("ID number"), required=False, max_length=18,
        help_text=_("18 characters; leave empty if not issued yet."))

    def __init__(self, *args: Any, members: list[Person] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].label = _("Birth date")
        members = members or []
        none = [("", _("(not in this household / unknown)"))]
        mother: Any = self.fields["mother_id"]
        father: Any = self.fields["father_id"]
        mother.choices = none + [_person_choice(p) for p in members
                                                   if p.sex == Sex.FEMALE]
        father.choices = none + [_person_choice(p) for p in members
                                                   if p.sex == Sex.MALE]

    def clean_name(self) -> str:
        name = "".join(str(self.cleaned_data["name"]).split())
        if not name:
            raise forms.ValidationError(_("This field is required."))
        return name

    def clean_id_number(self) -> str:
        number = str(self.cleaned_data.get("id_number") or "").strip().upper()
        if number and (len(number) != 18 or not number[:17].isdigit()
                       or not (number[17].isdigit() or number[17] == "X")):
            raise forms.ValidationError(
                _("An ID number has 18 characters: 17 digits and a digit or X."))
        return number


class SpouseForm(EventForm):
    field_order = ["date", "spouse_id", "recorded_date", "source"]
    spouse_id = forms.CharField(
        label=_("Spouse's person id"), required=False, max_length=40,
        help_text=_("Leave empty if the spouse is not in the registry."))

    def __init__(self, *args: Any, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_spouse_id(self) -> str:
        from renkou.web.record_selectors import person_in_scope

        spouse_id = str(self.cleaned_data.get("spouse_id") or "").strip()
        if not spouse_id:
            return ""
        if self.person is not None and spouse_id == self.person.id:
            raise forms.ValidationError(_("A person cannot marry themselves."))
        if person_in_scope(user=self.user, person_id=spouse_id) is None:
            raise forms.ValidationError(_("No person with this id in your units."))
        return spouse_id


class MoveInForm(EventForm):
    field_order = ["household_id", "date", "recorded_date", "source"]
    household_id = forms.CharField(label=_("Household moved into"), max_length=40,
                                   error_messages=REQUIRED)

    def clean_household_id(self) -> str:
        from renkou.web.record_selectors import household_in_scope

        household_id = str(self.cleaned_data["household_id"]).strip()
        if household_in_scope(user=self.user, household_id=household_id) is None:
            raise forms.ValidationError(_("No household with this id in your units."))
        return household_id


class PlainEventForm(EventForm):
    """Death and move out: only the date, recorded date and source."""
