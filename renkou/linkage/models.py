"""Probable duplicate pairs (the review queue) and the merges made from them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PairStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    CONFIRMED = "confirmed", _("Confirmed duplicate")
    REJECTED = "rejected", _("Not a duplicate")
    MERGED = "merged", _("Merged")


class DuplicatePair(models.Model):
    """Two registry persons the model thinks are one human. (person_a, person_b) is unique,
    person_a < person_b: a rerun updates the scores of a known pair, never adds it twice,
    and keeps the reviewer's decision."""

    person_a = models.CharField(max_length=40)
    person_b = models.CharField(max_length=40)
    # Where each person was registered when last found; scopes the review queue.
    unit_a = models.ForeignKey("units.Unit", null=True, on_delete=models.DO_NOTHING,
                               db_constraint=False, db_column="unit_a_code", related_name="+",
                               db_index=False)
    unit_b = models.ForeignKey("units.Unit", null=True, on_delete=models.DO_NOTHING,
                               db_constraint=False, db_column="unit_b_code", related_name="+",
                               db_index=False)
    probability = models.FloatField()
    match_weight = models.FloatField(default=0.0)
    reasons = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=12, choices=PairStatus.choices,
                              default=PairStatus.PENDING)
    found_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-probability", "person_a", "person_b"]
        constraints = [models.UniqueConstraint(fields=["person_a", "person_b"],
                                               name="duplicatepair_unique")]
        indexes = [models.Index(fields=["status", "probability"], name="pair_status_idx"),
                   models.Index(fields=["person_b"], name="pair_person_b_idx")]

    def __str__(self) -> str:
        return f"{self.person_a}~{self.person_b} {self.probability:.3f} {self.status}"

    @property
    def reason_list(self) -> list[str]:
        return [r for r in self.reasons.split(";") if r]


class Merge(models.Model):
    """One confirmed pair merged: `removed` folded into `kept`. `changes` holds every row
    and column the merge touched with its value before, so undo restores them exactly."""

    pair = models.ForeignKey(DuplicatePair, on_delete=models.PROTECT, related_name="merges")
    kept_id = models.CharField(max_length=40)
    removed_id = models.CharField(max_length=40)
    at = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, blank=True)
    origin = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"merge {self.pk}: {self.removed_id} → {self.kept_id}"
