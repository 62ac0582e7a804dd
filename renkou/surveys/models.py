"""Verification surveys (抽样核查): a sample of village groups checked in the field.

A `Survey` is one draw (unit, number of groups, seed, design, reference day and the
period whose births are checked). `SurveyGroup` holds the drawn groups with what the
registry listed in them on the reference day; `SurveyResult` one row of the returned field
sheet: a listed person found or not found, or a person found who is not in the registry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Design(models.TextChoices):
    SRS = "srs", _("Simple random sample of village groups, without replacement")


class FieldResult(models.TextChoices):
    FOUND = "found", _("Found")
    NOT_FOUND = "not_found", _("Not found")
    NOT_IN_REGISTRY = "not_in_registry", _("Found, not in the registry")


class Survey(models.Model):
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, db_column="unit_code",
                             related_name="+")
    design = models.CharField(max_length=8, choices=Design.choices, default=Design.SRS)
    groups_drawn = models.PositiveIntegerField()
    frame_size = models.PositiveIntegerField()  # N: village groups under the unit
    seed = models.BigIntegerField()
    reference_day = models.DateField()  # registry listed as registered at the end of this day
    births_since = models.DateField()  # births in [births_since, reference_day] are checked
    unit_persons = models.PositiveIntegerField()  # registered in the unit on reference_day
    unit_births = models.PositiveIntegerField()  # of those, born in the births period
    drawn_at = models.DateTimeField()
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    loaded_at = models.DateTimeField(null=True, blank=True)
    loaded_file = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"survey {self.pk} {self.unit_id} k={self.groups_drawn}"


class SurveyGroup(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="groups")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, db_column="unit_code",
                             related_name="+")
    draw_order = models.PositiveIntegerField()
    households = models.PositiveIntegerField()
    persons = models.PositiveIntegerField()
    births = models.PositiveIntegerField()

    class Meta:
        ordering = ["survey", "unit"]
        constraints = [models.UniqueConstraint(fields=["survey", "unit"],
                                               name="survey_group_unique")]

    def __str__(self) -> str:
        return f"survey {self.survey_id} group {self.unit_id}"


class SurveyResult(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="results")
    group_code = models.CharField(max_length=15)
    household_id = models.CharField(max_length=40, blank=True)
    person_id = models.CharField(max_length=40, blank=True)  # empty: not in the registry
    result = models.CharField(max_length=16, choices=FieldResult.choices)
    details_correct = models.BooleanField(null=True)
    name = models.CharField(max_length=64, blank=True)
    sex = models.PositiveSmallIntegerField(null=True)
    birth_date = models.DateField(null=True)
    in_birth_period = models.BooleanField(default=False)
    note = models.CharField(max_length=500, blank=True)
    sheet_row = models.PositiveIntegerField()

    class Meta:
        ordering = ["survey", "sheet_row"]
        indexes = [models.Index(fields=["survey", "group_code"], name="survey_result_group")]

    def __str__(self) -> str:
        return f"survey {self.survey_id} row {self.sheet_row}: {self.result}"


class SurveyListed(models.Model):
    """A person the registry listed in a drawn group on the reference day (the sheet's rows)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="listed")
    group_code = models.CharField(max_length=15)
    household_id = models.CharField(max_length=40)
    person_id = models.CharField(max_length=40)
    in_birth_period = models.BooleanField(default=False)

    class Meta:
        ordering = ["survey", "group_code", "household_id", "person_id"]
        constraints = [models.UniqueConstraint(fields=["survey", "person_id"],
                                               name="survey_listed_unique")]

    def __str__(self) -> str:
        return f"survey {self.survey_id} lists {self.person_id}"
