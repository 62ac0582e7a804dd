"""Administrative units (SPEC §1): province → city → county → township → village → group."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village")
    GROUP = "group", _("Village group")


LEVEL_ORDER: tuple[str, ...] = ("province", "city", "county", "township", "village", "group")
# Levels that have an ancestor column on Unit; "everything under U" is `<level>_code = U.code`.
ANCESTOR_LEVELS: tuple[str, ...] = ("province", "city", "county", "township", "village")


class Unit(models.Model):
    """One unit. The ancestor code columns make every "under this unit" query a single
    indexed equality (no recursive walk); `path` keeps the chain for display and sorting."""

    code = models.CharField(max_length=15, primary_key=True)
    name = models.CharField(max_length=100)
    level = models.CharField(max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               db_column="parent_code", related_name="children")
    urban_rural_code = models.CharField(max_length=3, blank=True)
    path = models.CharField(max_length=120, db_index=True)
    depth = models.PositiveSmallIntegerField()
    province_code = models.CharField(max_length=15, blank=True, db_index=True)
    city_code = models.CharField(max_length=15, blank=True, db_index=True)
    county_code = models.CharField(max_length=15, blank=True, db_index=True)
    township_code = models.CharField(max_length=15, blank=True, db_index=True)
    village_code = models.CharField(max_length=15, blank=True, db_index=True)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def ancestor_code(self, level: str) -> str:
        if level == "group":
            return self.code if self.level == "group" else ""
        return str(getattr(self, f"{level}_code"))
