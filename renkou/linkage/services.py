"""Writes of the linkage app: store found pairs, review them, merge and undo a merge.

A merge folds the removed person into the kept one: every event (as person or spouse),
every finding and every child's parent link is re-pointed to the kept person, and the
removed person's row is deleted (its RecordChange history stays under its own id, closed by
a "delete" change: re-pointed snapshots would make `person_state_at` of the kept person
return the other record's fields). `Merge.changes` lists each touched row
with its value before, so `merge_undo` puts back exactly what was there. Both write a
RecordChange and an AuditEvent in the same transaction and bump the data version.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renkou.core.audit import Actor, audit_log, data_version_bump
from renkou.core.bulk import execute, insert_frame, is_postgres
from renkou.core.errors import NotFound, ValidationError
from renkou.events.models import Event
from renkou.linkage.models import DuplicatePair, Merge, PairStatus
from renkou.quality.models import Finding
from renkou.registry.models import Person
from renkou.registry.services import person_snapshot, record_change

_STAGE = "linkage_pair_stage"
# (model, column) re-pointed from the removed to the kept person, with the filter that
# selects the rows; each is stored as a list of primary keys in Merge.changes.
_REPOINT: tuple[tuple[type[Any], str, dict[str, str]], ...] = (
    (Event, "person_id", {}),
    (Event, "spouse_id", {}),
    (Person, "mother_id", {}),
    (Person, "father_id", {}),
)


def pairs_store(*, actor: Actor, pairs: pl.DataFrame) -> dict[str, int]:
    """Save a run's pairs (person_id_a, person_id_b, probability, match_weight, reasons):
    new pairs become pending, known pairs get the new scores and keep their status; both
    get the units where the two persons are registered now. Returns counts."""
    now = timezone.now()
    stage = pairs.select(pl.col("person_id_a").alias("person_a"),
                         pl.col("person_id_b").alias("person_b"), "probability",
                         "match_weight", pl.col("reasons").str.slice(0, 255))
    table = DuplicatePair._meta.db_table
    # one index lookup per person of a pair (the registry read for the model skips the join)
    unit = ("(SELECT h.unit_code FROM registry_person p JOIN registry_household h "
            "ON h.id = p.household_id WHERE p.id = s.{side})")
    unit_a, unit_b = unit.format(side="person_a"), unit.format(side="person_b")
    with transaction.atomic():
        execute(f"DROP TABLE IF EXISTS {_STAGE}")
        execute(f"CREATE TEMPORARY TABLE {_STAGE} (person_a varchar(40), person_b varchar(40), "
                "probability double precision, match_weight double precision, "
                "reasons varchar(255))")
        insert_frame(_STAGE, stage)
        updated = execute(
            f"UPDATE {table} SET probability = s.probability, "  # noqa: S608
            f"match_weight = s.match_weight, reasons = s.reasons, unit_a_code = {unit_a}, "
            f"unit_b_code = {unit_b}, last_seen_at = %s FROM {_STAGE} s "
            f"WHERE {table}.person_a = s.person_a AND {table}.person_b = s.person_b",
            [now])
        inserted = execute(
            f"INSERT INTO {table} (person_a, person_b, unit_a_code, unit_b_code, "  # noqa: S608
            "probability, match_weight, reasons, status, found_at, last_seen_at, note) "
            f"SELECT s.person_a, s.person_b, {unit_a}, {unit_b}, s.probability, "
            f"s.match_weight, s.reasons, %s, %s, %s, '' FROM {_STAGE} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.person_a = s.person_a "
            "AND t.person_b = s.person_b)",
            [PairStatus.PENDING, now, now])
        execute(f"DROP TABLE {_STAGE}")
        counts = {"found": stage.height, "new": max(inserted, 0),
                  "updated": max(updated, 0)}
        audit_log(actor=actor, action="linkage.duplicates.run", object_type="duplicatepair",
                  detail=counts)
    return counts


def _decide(*, actor: Actor, pair: DuplicatePair, status: str, note: str) -> DuplicatePair:
    if pair.status == PairStatus.MERGED:
        raise ValidationError(_("This pair has been merged; undo the merge first."))
    before = pair.status
    pair.status = status
    pair.decided_at = timezone.now()
    pair.decided_by_id = actor.user_id
    pair.note = note[:500]
    pair.save(update_fields=["status", "decided_at", "decided_by", "note"])
    audit_log(actor=actor, action=f"linkage.pair.{status}", object_type="duplicatepair",
              object_id=str(pair.pk), unit_code=pair.unit_a_id or "",
              detail={"person_a": pair.person_a, "person_b": pair.person_b,
                      "before": before, "note": pair.note})
    return pair


@transaction.atomic
def pair_confirm(*, actor: Actor, pair: DuplicatePair, note: str = "") -> DuplicatePair:
    """A reviewer says: the same human."""
    return _decide(actor=actor, pair=pair, status=PairStatus.CONFIRMED, note=note)


@transaction.atomic
def pair_reject(*, actor: Actor, pair: DuplicatePair, note: str = "") -> DuplicatePair:
    """A reviewer says: two different humans (twins, namesakes). Reruns keep the decision."""
    return _decide(actor=actor, pair=pair, status=PairStatus.REJECTED, note=note)


def _json_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date | datetime) else v) for k, v in row.items()}


def _spell_persons(event_ids: list[str]) -> set[str]:
    ids: set[str] = set()
    for person_id, spouse_id in Event.objects.filter(id__in=event_ids).values_list(
            "person_id", "spouse_id"):
        ids.add(person_id)
        if spouse_id:
            ids.add(spouse_id)
    return ids


@transaction.atomic
def pair_merge(*, actor: Actor, pair: DuplicatePair, keep: str | None = None) -> Merge:
    """Merge a confirmed pair: the removed person's events, history, findings and children
    move to the kept person (person_a unless `keep` names person_b)."""
    pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    if pair.status != PairStatus.CONFIRMED:
        raise ValidationError(_("Only a confirmed pair can be merged."))
    kept_id = keep or pair.person_a
    if kept_id not in (pair.person_a, pair.person_b):
        raise ValidationError(_("%(id)s is not one of the pair."), id=kept_id)
    removed_id = pair.person_b if kept_id == pair.person_a else pair.person_a
    kept = Person.objects.select_for_update().filter(id=kept_id).first()
    removed = Person.objects.select_for_update().filter(id=removed_id).first()
    if kept is None or removed is None:
        raise NotFound(_("A person of this pair no longer exists."))
    removed_row = _json_row(Person.objects.filter(id=removed_id).values().get())
    snapshot = person_snapshot(removed)
    unit_code = removed.household.unit_id

    repointed: list[dict[str, Any]] = []
    touched_events: list[str] = []
    for model, column, extra in _REPOINT:
        rows = model.objects.filter(**{column: removed_id}, **extra)
        ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
        if not ids:
            continue
        model.objects.filter(pk__in=ids).update(**{column: kept_id})
        repointed.append({"table": model._meta.db_table, "column": column, "ids": ids})
        if model is Event:
            touched_events += ids

    # A finding the kept person already has under the same rule cannot be re-pointed
    # (one finding per rule and person): it is stored whole and removed.
    kept_rules = set(Finding.objects.filter(object_type="person", object_id=kept_id)
                     .values_list("rule", flat=True))
    findings = list(Finding.objects.filter(object_type="person", object_id=removed_id))
    moved = [f.pk for f in findings if f.rule not in kept_rules]
    dropped = [_json_row(row) for row in Finding.objects.filter(
        pk__in=[f.pk for f in findings if f.rule in kept_rules]).values()]
    Finding.objects.filter(pk__in=moved).update(object_id=kept_id)
    Finding.objects.filter(pk__in=[row["id"] for row in dropped]).delete()

    Person.objects.filter(id=removed_id).delete()
    from renkou.events.spells import spells_rebuild

    spells_rebuild(sorted({kept_id, removed_id} | _spell_persons(touched_events)))
    record_change(actor=actor, model="person", object_id=removed_id, action="delete",
                  before=snapshot, after=None)
    merge = Merge.objects.create(
        pair=pair, kept_id=kept_id, removed_id=removed_id, at=timezone.now(),
        user_id=actor.user_id, username=actor.username, origin=actor.origin,
        changes={"person": removed_row, "repointed": repointed,
                 "findings_moved": [str(pk) for pk in moved], "findings_dropped": dropped})
    pair.status = PairStatus.MERGED
    pair.save(update_fields=["status"])
    audit_log(actor=actor, action="linkage.merge", object_type="person", object_id=kept_id,
              unit_code=unit_code,
              detail={"merge": merge.pk, "pair": pair.pk, "removed": removed_id,
                      "events": len(touched_events), "findings_moved": len(moved),
                      "findings_dropped": len(dropped),
                      "rows": sum(len(r["ids"]) for r in repointed)})
    data_version_bump()
    return merge


def _field_values(model: type[Any], row: dict[str, Any]) -> dict[str, Any]:
    """A stored values() row back to Python values (dates were stored as ISO text)."""
    out: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        value = row.get(f.attname)
        if value is not None and f.get_internal_type() == "DateField":
            value = date.fromisoformat(value)
        elif value is not None and f.get_internal_type() == "DateTimeField":
            value = datetime.fromisoformat(value)
        out[f.attname] = value
    return out


@transaction.atomic
def merge_undo(*, actor: Actor, merge: Merge) -> Merge:
    """Put back exactly what `pair_merge` changed; the pair returns to confirmed."""
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(_("This merge has already been undone."))
    removed_id = merge.removed_id
    if Person.objects.filter(id=removed_id).exists():
        raise ValidationError(_("Person %(id)s exists again; the merge cannot be undone."),
                              id=removed_id)
    changes = merge.changes
    person = Person(**_field_values(Person, changes["person"]))
    person.save(force_insert=True)
    touched_events: list[str] = []
    by_table = {m._meta.db_table: m for m, _c, _e in _REPOINT}
    for entry in changes["repointed"]:
        model = by_table[entry["table"]]
        model.objects.filter(pk__in=entry["ids"]).update(**{entry["column"]: removed_id})
        if model is Event:
            touched_events += entry["ids"]
    Finding.objects.filter(pk__in=changes["findings_moved"]).update(object_id=removed_id)
    for row in changes["findings_dropped"]:
        Finding(**_field_values(Finding, row)).save(force_insert=True)
    if is_postgres() and changes["findings_dropped"]:
        # rows inserted with explicit ids: keep the serial ahead of them
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('quality_finding', 'id'), "
                           "(SELECT MAX(id) FROM quality_finding))")
    from renkou.events.spells import spells_rebuild

    spells_rebuild(sorted({merge.kept_id, removed_id} | _spell_persons(touched_events)))
    record_change(actor=actor, model="person", object_id=removed_id, action="create",
                  before=None, after=person_snapshot(person))
    merge.undone_at = timezone.now()
    merge.undone_by_id = actor.user_id
    merge.save(update_fields=["undone_at", "undone_by"])
    DuplicatePair.objects.filter(pk=merge.pair_id).update(status=PairStatus.CONFIRMED)
    audit_log(actor=actor, action="linkage.unmerge", object_type="person",
              object_id=removed_id, unit_code=person.household.unit_id,
              detail={"merge": merge.pk, "kept": merge.kept_id})
    data_version_bump()
    return merge
