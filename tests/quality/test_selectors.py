"""Findings are listed only for the user's units."""

from __future__ import annotations

from django.utils import timezone

from renkou.quality.models import Finding
from renkou.quality.selectors import findings_for_user
from tests import factories as f


def _finding(object_id: str, unit_code: str) -> None:
    Finding.objects.create(rule="id_number.check", object_type="person", object_id=object_id,
                           unit_code=unit_code, found_at=timezone.now())


def test_findings_are_scoped_to_the_users_units(personas):
    _finding("PA", f.GROUP_A1)
    _finding("PB", f.GROUP_B1)
    _finding("PC", f.GROUP_C1)

    def listed(persona: str) -> list[str]:
        return [x.object_id for x in findings_for_user(user=personas[persona])]

    assert listed("village_worker_a") == ["PA"]
    assert listed("township_clerk_1") == ["PA", "PB"]
    assert listed("county_admin") == ["PA", "PB", "PC"]
