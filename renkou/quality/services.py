"""Open, refresh and resolve data-quality findings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import polars as pl
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renkou.core.audit import Actor, audit_log
from renkou.core.bulk import insert_frame, quote, read_text_frame
from renkou.core.errors import ValidationError
from renkou.exchange.dbio import update_from_frame
from renkou.exchange.load import db_timestamp
from renkou.quality.checks import Frames, expected_findings, load_around, load_registry
from renkou.quality.models import Finding, FindingStatus
from renkou.quality.rules import RULE_CODES, RULES


@transaction.atomic
def finding_resolve(*, actor: Actor, finding: Finding, dismiss: bool = False,
                    note: str = "") -> Finding:
    """A person checked the finding: resolved (fixed) or dismissed (not a problem)."""
    if finding.status != FindingStatus.OPEN:
        raise ValidationError(_("This finding is already closed."))
    if dismiss and not note.strip():
        raise ValidationError(_("Say why the finding is not a problem."))
    finding.status = FindingStatus.DISMISSED if dismiss else FindingStatus.RESOLVED
    finding.resolved_at = timezone.now()
    finding.resolved_by_id = actor.user_id
    finding.resolution_note = note
    finding.save()
    audit_log(actor=actor, action="finding.resolve", object_type="finding",
              object_id=str(finding.pk), unit_code=finding.unit_code,
              detail={"status": finding.status, "note": note})
    return finding


# --- the consistency rules over the registry -------------------------------------------

_TABLE = Finding._meta.db_table
_STORED_NAMES = ["id", "rule", "object_type", "object_id", "unit_code", "value", "status"]


@dataclass(frozen=True)
class RulesRun:
    """What one run of the rules changed, and how many records each rule found."""

    opened: int
    reopened: int
    updated: int
    closed: int
    unchanged: int
    open_by_rule: dict[str, int]


def _stored_findings(frames: Frames) -> pl.DataFrame:
    codes = ", ".join(f"'{code}'" for code in RULE_CODES)
    sql = (f"SELECT CAST(id AS TEXT), rule, object_type, object_id, unit_code, "  # noqa: S608
           f"value, status FROM {quote(_TABLE)} WHERE rule IN ({codes})")
    if frames.target_persons is None:
        return read_text_frame(sql, _STORED_NAMES)
    targets = {"person": frames.target_persons, "household": frames.target_households or set(),
               "event": frames.target_events or set()}
    ids = sorted(set().union(*targets.values()))
    parts = [pl.DataFrame(schema=dict.fromkeys(_STORED_NAMES, pl.String))]
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        marks = ", ".join(["%s"] * len(chunk))
        parts.append(read_text_frame(f"{sql} AND object_id IN ({marks})", _STORED_NAMES,
                                     chunk))
    stored = pl.concat(parts, how="vertical")
    keep = pl.lit(False)
    for object_type, wanted in targets.items():
        keep = keep | ((pl.col("object_type") == object_type)
                       & pl.col("object_id").is_in(sorted(wanted)))
    # Findings about records deleted since are closed by the next full run (no service
    # deletes records; looking for them here would cost every write a scan).
    return stored.filter(keep)


def _rule_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the rule's message (active language) and severity to each row."""
    messages = {rule.code: rule.message()[:255] for rule in RULES}
    severities = {rule.code: str(rule.severity) for rule in RULES}
    return frame.with_columns(
        pl.col("rule").replace_strict(messages, default="").alias("message"),
        pl.col("rule").replace_strict(severities, default="warning").alias("severity"))


def findings_apply(expected: pl.DataFrame, stored: pl.DataFrame, *, at: datetime,
                   note: str) -> RulesRun:
    """Bring the stored findings in line with `expected` (see rules_run)."""
    now = db_timestamp(at)
    keys = ["rule", "object_type", "object_id"]
    joined = _rule_columns(expected).join(
        stored.rename({"unit_code": "unit_old", "value": "value_old"}), on=keys, how="left")
    status = pl.col("status")
    known = pl.col("id").is_not_null()
    changed = (pl.col("value") != pl.col("value_old")) | (pl.col("unit_code") != pl.col("unit_old"))
    new = joined.filter(~known)
    # A problem someone marked resolved is back: open it again (the note stays as history).
    # A dismissed one stays dismissed unless what it is about has changed since.
    reopen = joined.filter(known & ((status == FindingStatus.RESOLVED)
                                    | ((status == FindingStatus.DISMISSED) & changed)))
    refresh = joined.filter(known & (status == FindingStatus.OPEN) & changed)
    # Open findings the rules no longer find are closed; closed ones keep who, when and note.
    gone = stored.join(expected.select(keys), on=keys, how="anti").filter(
        status == FindingStatus.OPEN)
    if new.height:
        insert_frame(_TABLE, new.select(
            "rule", "object_type", "object_id", "unit_code", "value", "message", "severity",
            pl.lit(FindingStatus.OPEN.value).alias("status"), pl.lit(now).alias("found_at"),
            pl.lit(None, pl.String).alias("resolved_at"), pl.lit("").alias("resolution_note")))
    updates = [frame.select(
        pl.col("id").cast(pl.Int64), "unit_code", "value", "message", "severity",
        pl.lit(FindingStatus.OPEN.value).alias("status"), pl.lit(now).alias("found_at"),
        pl.lit(None, pl.String).alias("resolved_at")) for frame in (reopen, refresh)
        if frame.height]
    if updates:
        update_from_frame(_TABLE, pl.concat(updates), "id")
    if gone.height:
        update_from_frame(_TABLE, gone.select(
            pl.col("id").cast(pl.Int64), pl.lit(FindingStatus.RESOLVED.value).alias("status"),
            pl.lit(now).alias("resolved_at"), pl.lit(note[:500]).alias("resolution_note")),
            "id")
    counts = expected.group_by("rule").len().sort("rule")
    return RulesRun(opened=new.height, reopened=reopen.height, updated=refresh.height,
                    closed=gone.height,
                    unchanged=joined.height - new.height - reopen.height - refresh.height,
                    open_by_rule=dict(zip(counts.get_column("rule").to_list(),
                                          counts.get_column("len").to_list(), strict=True)))


@transaction.atomic
def rules_run(*, actor: Actor | None = None, person_ids: Sequence[str] | None = None,
              household_ids: Sequence[str] = ()) -> RulesRun:
    """Run every consistency rule (rules.RULES) and keep the findings in step.

    Without `person_ids`: over the whole registry. With them (after a write): over the
    records those persons' change can affect (checks.load_around). New problems are opened;
    open ones whose details changed are updated; problems that are gone are closed as
    resolved by the system; a resolved problem that is back is reopened; a dismissed one
    stays dismissed unless its details changed. Never a duplicate row (rule, object).
    """
    at = timezone.now()
    if person_ids is None:
        frames = load_registry()
    else:
        frames = load_around(person_ids, household_ids)
    expected = expected_findings(frames)
    stored = _stored_findings(frames)
    result = findings_apply(expected, stored, at=at,
                            note=_("No longer found by the consistency rules."))
    if actor is not None:
        audit_log(actor=actor, action="quality.rules_run", object_type="finding",
                  detail={"opened": result.opened, "reopened": result.reopened,
                          "updated": result.updated, "closed": result.closed,
                          "persons": None if person_ids is None else len(person_ids)})
    return result
