"""Merge a confirmed pair, then undo it: every row comes back exactly, all audited."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from renkou.core.audit import cli_actor
from renkou.core.errors import ValidationError
from renkou.core.models import AuditEvent
from renkou.events.models import Event
from renkou.events.spells import spells_rebuild
from renkou.linkage.models import DuplicatePair, PairStatus
from renkou.linkage.services import merge_undo, pair_confirm, pair_merge
from renkou.quality.models import Finding
from renkou.registry.models import Person, RecordChange
from tests import factories as f
from tests.linkage import data

TABLES = {
    "registry_person": "id",
    "registry_household": "id",
    "events_event": "id",
    "quality_finding": "id",
    "registry_recordchange": "id",
}


def _rows(table: str, order: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY {order}")  # noqa: S608
        return list(cursor.fetchall())


def _spells() -> list[tuple[Any, ...]]:
    # spells are rebuilt with fresh serial ids: compare their content
    with connection.cursor() as cursor:
        cursor.execute('SELECT person_id, unit_code, start, "end" FROM '
                       "events_registrationspell ORDER BY person_id, start")
        reg = list(cursor.fetchall())
        cursor.execute('SELECT person_id, status, start, "end" FROM events_maritalspell '
                       "ORDER BY person_id, start")
        return reg + list(cursor.fetchall())


def _snapshot() -> dict[str, Any]:
    snap: dict[str, Any] = {t: _rows(t, o) for t, o in TABLES.items()}
    snap["spells"] = _spells()
    return snap


@pytest.fixture
def pair(units: dict[str, Any]) -> DuplicatePair:
    """王丽 P01 (kept) and her second registration 王莉 P02 (removed), who has a move-in,
    a marriage as spouse, a child, two findings (one the kept person also has) and a
    change in her history."""
    data.registry()
    f.make_event("E10", "move_in", "P02", date(2015, 4, 1), f.GROUP_B1)
    f.make_event("E11", "marriage", "P12", date(2016, 10, 1), f.GROUP_C1, spouse="P02")
    f.make_person("P30", "HB1", name="孙小", sex=1, birth=date(2018, 2, 3), mother="P02",
                  father="P12")
    now = timezone.now()
    for pid, rule in (("P01", "id_number.check"), ("P02", "id_number.check"),
                      ("P02", "id_number.sex")):
        Finding.objects.create(rule=rule, object_type="person", object_id=pid,
                               unit_code=f.GROUP_A1, value="x", message="m", found_at=now)
    RecordChange.objects.create(at=now, model="person", object_id="P02", action="update",
                                before={"name": "王力"}, after={"name": "王莉"})
    spells_rebuild(None)
    return DuplicatePair.objects.create(
        person_a="P01", person_b="P02", unit_a_id=f.GROUP_A1, unit_b_id=f.GROUP_B1,
        probability=0.999, match_weight=20.0, reasons="name_homophone;id_exact",
        found_at=now, last_seen_at=now)


def test_only_a_confirmed_pair_is_merged(pair: DuplicatePair) -> None:
    with pytest.raises(ValidationError):
        pair_merge(actor=cli_actor(), pair=pair)
    assert Person.objects.filter(id="P02").exists()


def test_merge_repoints_everything_and_undo_restores_every_row(pair: DuplicatePair) -> None:
    actor = cli_actor()
    pair_confirm(actor=actor, pair=pair, note="同一人")
    before = _snapshot()
    changes_before = RecordChange.objects.count()

    merge = pair_merge(actor=actor, pair=pair)

    assert (merge.kept_id, merge.removed_id) == ("P01", "P02")
    assert not Person.objects.filter(id="P02").exists()
    assert Event.objects.get(id="E10").person_id == "P01"
    assert Event.objects.get(id="E11").spouse_id == "P01"
    assert Person.objects.get(id="P30").mother_id == "P01"
    # the sex finding moved; the check finding P01 already had was stored and removed
    assert sorted(Finding.objects.filter(object_id="P01").values_list("rule", flat=True)) == [
        "id_number.check", "id_number.sex"]
    assert not Finding.objects.filter(object_id="P02").exists()
    # P01 now carries P02's move into village B's group
    with connection.cursor() as cursor:
        cursor.execute("SELECT unit_code FROM events_registrationspell WHERE person_id = 'P01' "
                       "ORDER BY start")
        assert [r[0] for r in cursor.fetchall()][-1] == f.GROUP_B1
    # P02's own history stays under its id, closed by a "delete" change
    deleted = RecordChange.objects.get(object_id="P02", action="delete")
    assert deleted.before is not None
    assert deleted.before["name"] == "王莉"
    assert RecordChange.objects.filter(object_id="P02", action="update").count() == 1
    audit = AuditEvent.objects.get(action="linkage.merge")
    assert audit.object_id == "P01"
    assert audit.detail["removed"] == "P02"
    assert audit.detail["events"] == 2
    assert audit.detail["findings_dropped"] == 1
    pair.refresh_from_db()
    assert pair.status == PairStatus.MERGED

    merge_undo(actor=actor, merge=merge)

    after = _snapshot()
    # the only new rows are the two RecordChanges of the merge and its undo
    assert after.pop("registry_recordchange")[:changes_before] == before.pop(
        "registry_recordchange")
    assert after == before
    assert list(RecordChange.objects.order_by("id").values_list("object_id", "action")
                [changes_before:]) == [("P02", "delete"), ("P02", "create")]
    assert AuditEvent.objects.filter(action="linkage.unmerge", object_id="P02").count() == 1
    pair.refresh_from_db()
    assert pair.status == PairStatus.CONFIRMED
    merge.refresh_from_db()
    assert merge.undone_at is not None
    with pytest.raises(ValidationError):
        merge_undo(actor=actor, merge=merge)


def test_command_line_confirm_merge_unmerge(pair: DuplicatePair,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    from renkou.linkage.models import Merge

    call_command("quality", "review", "confirm", str(pair.pk))
    call_command("quality", "merge", str(pair.pk), "--keep", "P02")
    merge = Merge.objects.get(pair=pair)
    assert (merge.kept_id, merge.removed_id) == ("P02", "P01")
    assert not Person.objects.filter(id="P01").exists()
    assert f"renkou quality unmerge {merge.pk}" in capsys.readouterr().err
    call_command("quality", "unmerge", str(merge.pk))
    assert Person.objects.filter(id="P01").exists()
    with pytest.raises(SystemExit) as exit_info:
        call_command("quality", "unmerge", str(merge.pk))
    assert exit_info.value.code == 2
    assert "该合并已撤销" in capsys.readouterr().err  # zh-Hans is the default language
