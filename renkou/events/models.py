"""Vital events (SPEC §1) and the registration/marital spells derived from them (SPEC §2)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    BIRTH = "birth", _("Birth")
    DEATH = "death", _("Death")
    MARRIAGE = "marriage", _("Marriage")
    DIVORCE = "divorce", _("Divorce")
    MOVE_IN = "move_in", _("Move in")
    MOVE_OUT = "move_out", _("Move out")


class Source(models.TextChoices):
    VILLAGE = "village", _("Village report")
    HOSPITAL = "hospital", _("Hospital birth notification")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil-affairs record")
    POLICE = "police", _("Police household registration")
    SURVEY = "survey", _("Verification survey")
    OTHER = "other", _("Other")


class Event(models.Model):
    id = models.CharField(max_length=40, primary_key=True)
    type = models.CharField(max_length=10, choices=EventType.choices)
    person = models.ForeignKey("registry.Person", on_delete=models.DO_NOTHING,
                               db_constraint=False, related_name="events", db_index=False)
    date = models.DateField()
    recorded_date = models.DateField(null=True, blank=True)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, db_column="unit_code",
                             related_name="+", db_index=False)
    source = models.CharField(max_length=16, choices=Source.choices)
    spouse = models.ForeignKey("registry.Person", null=True, blank=True,
                               on_delete=models.DO_NOTHING, db_constraint=False,
                               related_name="events_as_spouse", db_index=False)
    birth_order = models.PositiveSmallIntegerField(null=True, blank=True)
    created_batch = models.ForeignKey("registry.ImportBatch", null=True, blank=True,
                                      db_constraint=False, on_delete=models.DO_NOTHING,
                                      related_name="+", db_index=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["person", "date"], name="event_person_date_idx"),
            models.Index(fields=["type", "date"], name="event_type_date_idx"),
            models.Index(fields=["spouse"], name="event_spouse_idx"),
            models.Index(fields=["unit", "date"], name="event_unit_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.person_id} {self.date}"


class RegistrationSpell(models.Model):
    """A person is registered in `unit` on every day t with start ≤ t < end (end of day t).

    Derived from birth, death and move events by renkou.events.rules; null start means
    "from before the data begins", null end "until now". Rebuilt whenever those change.
    """

    person = models.ForeignKey("registry.Person", on_delete=models.DO_NOTHING,
                               db_constraint=False, related_name="+", db_index=False)
    unit = models.ForeignKey("units.Unit", on_delete=models.DO_NOTHING, db_constraint=False,
                             db_column="unit_code", related_name="+", db_index=False)
    start = models.DateField(null=True)
    end = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["person"], name="spell_person_idx"),
            # The unit alone: a village's few hundred spells are read and their dates
            # checked; the dates in the key made every first load build a wider index.
            models.Index(fields=["unit"], name="spell_unit_only_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.unit_id} [{self.start}, {self.end})"


class MaritalSpell(models.Model):
    """Marital status on days start ≤ t < end, for persons with marriage/divorce events.

    Persons without such events have the status of persons.csv on every day (SPEC §2).
    """

    person = models.ForeignKey("registry.Person", on_delete=models.DO_NOTHING,
                               db_constraint=False, related_name="+", db_index=False)
    status = models.CharField(max_length=2)
    start = models.DateField(null=True)
    end = models.DateField(null=True)

    class Meta:
        indexes = [models.Index(fields=["person"], name="marital_person_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.status} [{self.start}, {self.end})"
