"""Households and persons (SPEC §1), their change history, and import batches.

Primary keys are the source system's identifiers (strings), so an import updates by id
without a lookup table. High-volume references (person → household, parents) carry no
database constraint: PostgreSQL would queue one deferred trigger per row on a million-row
load. The import validates every reference as a set, and services validate each write.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.IntegerChoices):
    MALE = 1, _("Male")
    FEMALE = 2, _("Female")


class MaritalStatus(models.TextChoices):
    NEVER_MARRIED = "10", _("Never married")
    MARRIED = "20", _("Married")
    WIDOWED = "30", _("Widowed")
    DIVORCED = "40", _("Divorced")


class ImportBatch(models.Model):
    """One run of `renkou import` (or another bulk load): who, when, what, how it ended."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, blank=True)
    origin = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=500)
    status = models.CharField(max_length=16, default="running")
    counts = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"import {self.pk} {self.source} {self.status}"


class Household(models.Model):
    id = models.CharField(max_length=40, primary_key=True)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, db_column="unit_code",
                             related_name="households", db_index=False)
    address = models.CharField(max_length=255, blank=True)
    created_batch = models.ForeignKey(ImportBatch, null=True, blank=True, db_constraint=False,
                                      on_delete=models.DO_NOTHING, related_name="+",
                                      db_index=False)

    class Meta:
        ordering = ["id"]
        # Plain indexes declared here, not db_index on the field: on PostgreSQL db_index on a
        # text column adds a second varchar_pattern_ops index no query uses (import cost).
        indexes = [models.Index(fields=["unit"], name="household_unit_idx")]

    def __str__(self) -> str:
        return self.id


class Person(models.Model):
    id = models.CharField(max_length=40, primary_key=True)
    household = models.ForeignKey(Household, on_delete=models.DO_NOTHING, db_constraint=False,
                                  related_name="members", db_index=False)
    name = models.CharField(max_length=64)
    sex = models.PositiveSmallIntegerField(choices=Sex.choices)
    birth_date = models.DateField(null=True, blank=True)
    id_number = models.CharField(max_length=18, blank=True)
    ethnicity = models.CharField(max_length=32, blank=True)
    relation = models.CharField(max_length=2, blank=True)
    marital_status = models.CharField(max_length=2, blank=True, choices=MaritalStatus.choices)
    mother = models.ForeignKey("self", null=True, blank=True, on_delete=models.DO_NOTHING,
                               db_constraint=False, related_name="children_as_mother",
                               db_index=False)
    father = models.ForeignKey("self", null=True, blank=True, on_delete=models.DO_NOTHING,
                               db_constraint=False, related_name="children_as_father",
                               db_index=False)
    created_batch = models.ForeignKey(ImportBatch, null=True, blank=True, db_constraint=False,
                                      on_delete=models.DO_NOTHING, related_name="+",
                                      db_index=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["household"], name="person_household_idx"),
            models.Index(fields=["mother"], name="person_mother_idx"),
            models.Index(fields=["father"], name="person_father_idx"),
            models.Index(fields=["id_number"], name="person_id_number_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class RecordChange(models.Model):
    """Before/after of every change to a household, person or event.

    A record created by an import has no "create" row: its batch (created_batch) says who and
    when, and its first state is the `before` of its first change, or its current state.
    """

    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, blank=True)
    origin = models.CharField(max_length=255, blank=True)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="changes")
    model = models.CharField(max_length=16)
    object_id = models.CharField(max_length=40)
    action = models.CharField(max_length=8)  # create, update, delete
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["model", "object_id", "at"], name="change_object_idx")]

    def __str__(self) -> str:
        return f"{self.model}:{self.object_id} {self.action} {self.at:%Y-%m-%d}"
