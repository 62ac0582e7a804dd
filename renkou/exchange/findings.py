"""Identity-number findings of an import (SPEC §1: a bad number is imported, not refused).

Every person in the files is checked with the vectorised GB 11643 rules; findings are
(rule "id_number.<problem>", person) and are kept in step with the latest extract: new
problems are opened, problems that are gone are resolved, a resolved problem that is back
is reopened, and nothing is written when nothing changed.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl
from django.utils.translation import gettext

from renkou.core.bulk import insert_frame
from renkou.exchange import dbio
from renkou.exchange.load import db_timestamp
from renkou.quality.models import Finding, FindingStatus
from renkou.quality.rules import RULES_BY_CODE
from renkou.registry.idnumber import IdNumberProblem, check_id_numbers_frame

RULE_PREFIX = "id_number."
_TABLE = Finding._meta.db_table


def _messages() -> dict[str, str]:
    return {
        IdNumberProblem.FORMAT.value: gettext(
            "The identity number is not 18 characters (17 digits and a digit or X)."),
        IdNumberProblem.CHECK.value: gettext(
            "The check character (the 18th) of the identity number is wrong."),
        IdNumberProblem.BIRTH_DATE_INVALID.value: gettext(
            "Characters 7–14 of the identity number are not a date."),
        IdNumberProblem.BIRTH_DATE_MISMATCH.value: gettext(
            "The birth date in the identity number differs from the recorded birth date."),
        IdNumberProblem.SEX_MISMATCH.value: gettext(
            "The sex digit (the 17th) of the identity number differs from the recorded sex."),
        IdNumberProblem.UPGRADED_15.value: gettext(
            "An old 15-digit identity number; its 18-character form would be %(normalised)s."),
    }


def expected_findings(persons: pl.DataFrame) -> pl.DataFrame:
    """(rule, object_id, unit_code, value, message) for persons with (person_id, sex,
    birth_date, id_number, unit_code) as text."""
    typed = persons.select(
        "person_id", "unit_code",
        pl.col("id_number"),
        pl.col("birth_date").str.to_date("%Y-%m-%d", strict=False),
        pl.col("sex").cast(pl.Int64, strict=False),
    )
    checked = check_id_numbers_frame(typed, id_col="id_number", birth_col="birth_date",
                                     sex_col="sex")
    found = pl.concat([typed.select("person_id", "unit_code", "id_number"), checked],
                      how="horizontal").filter(pl.col("id_problems") != "")
    if found.height == 0:
        return pl.DataFrame(schema=dict.fromkeys(
            ["rule", "object_id", "unit_code", "value", "message"], pl.String))
    exploded = found.with_columns(pl.col("id_problems").str.split(",")).explode("id_problems")
    messages = _messages()
    upgraded = messages[IdNumberProblem.UPGRADED_15.value]
    marker = "\x00"
    template = upgraded % {"normalised": marker}
    head, _, tail = template.partition(marker)
    message = (pl.when(pl.col("id_problems") == IdNumberProblem.UPGRADED_15.value)
               .then(pl.concat_str(pl.lit(head), pl.col("id_normalised"), pl.lit(tail)))
               .otherwise(pl.col("id_problems").replace_strict(messages, default="")))
    return exploded.select(
        (pl.lit(RULE_PREFIX) + pl.col("id_problems")).alias("rule"),
        pl.col("person_id").alias("object_id"),
        pl.col("unit_code").fill_null(""),
        pl.col("id_number").fill_null("").alias("value"),
        message.str.slice(0, 255).alias("message"),
    )


def _stored(person_ids: pl.Series) -> pl.DataFrame:
    names = ["id", "rule", "object_id", "unit_code", "value", "status"]
    sql = ("SELECT CAST(id AS TEXT), rule, object_id, unit_code, value, status "  # noqa: S608
           f"FROM {_TABLE} WHERE object_type = 'person' "
           f"AND SUBSTR(rule, 1, {len(RULE_PREFIX)}) = '{RULE_PREFIX}'")
    frame = dbio.read_text(sql, names)
    return frame.join(person_ids.rename("object_id").unique().to_frame(), on="object_id",
                      how="semi", maintain_order="left")


def _severity() -> pl.Expr:
    """Each rule's severity as the quality app declares it (rows written by COPY get no
    model default)."""
    default = str(Finding._meta.get_field("severity").get_default())
    return pl.col("rule").replace_strict(
        {code: str(rule.severity) for code, rule in RULES_BY_CODE.items()},
        default=default, return_dtype=pl.String)


def findings_sync(persons: pl.DataFrame, *, batch_id: int, at: datetime) -> dict[str, int]:
    """Bring the id-number findings of these persons in line with their current numbers."""
    expected = expected_findings(persons)
    stored = _stored(persons.get_column("person_id"))
    now = db_timestamp(at)
    joined = expected.join(stored.rename({"unit_code": "unit_old", "value": "value_old"}),
                           on=["rule", "object_id"], how="left")
    new = joined.filter(pl.col("id").is_null())
    status = pl.col("status")
    value_changed = (pl.col("value") != pl.col("value_old")) | (
        pl.col("unit_code") != pl.col("unit_old"))
    # A resolved problem that is back is open again; so is a dismissed one about a number
    # that has changed since (the dismissal was about the old number).
    reopen = joined.filter(pl.col("id").is_not_null() & (
        (status == FindingStatus.RESOLVED) | ((status == FindingStatus.DISMISSED)
                                              & (pl.col("value") != pl.col("value_old")))))
    refresh = joined.filter(pl.col("id").is_not_null() & (status == FindingStatus.OPEN)
                            & value_changed)
    gone = stored.join(expected.select("rule", "object_id"), on=["rule", "object_id"],
                       how="anti").filter(status == FindingStatus.OPEN)

    if new.height:
        insert_frame(_TABLE, new.select(
            "rule", pl.lit("person").alias("object_type"), "object_id", "unit_code", "value",
            "message", _severity().alias("severity"),
            pl.lit(FindingStatus.OPEN.value).alias("status"),
            pl.lit(now).alias("found_at"), pl.lit(None, pl.String).alias("resolved_at"),
            pl.lit("").alias("resolution_note")))
    updates = []
    if reopen.height:
        updates.append(reopen.select(
            pl.col("id").cast(pl.Int64), "unit_code", "value", "message",
            pl.lit(FindingStatus.OPEN.value).alias("status"), pl.lit(now).alias("found_at"),
            pl.lit(None, pl.String).alias("resolved_at"), pl.lit("").alias("resolution_note")))
    if refresh.height:
        updates.append(refresh.select(
            pl.col("id").cast(pl.Int64), "unit_code", "value", "message",
            pl.lit(FindingStatus.OPEN.value).alias("status"), pl.lit(now).alias("found_at"),
            pl.lit(None, pl.String).alias("resolved_at"), pl.lit("").alias("resolution_note")))
    if updates:
        dbio.update_from_frame(_TABLE, pl.concat(updates), "id")
    if gone.height:
        note = gettext("Corrected by import batch %(batch)s.") % {"batch": batch_id}
        dbio.update_from_frame(_TABLE, gone.select(
            pl.col("id").cast(pl.Int64), pl.lit(FindingStatus.RESOLVED.value).alias("status"),
            pl.lit(now).alias("resolved_at"), pl.lit(note).alias("resolution_note")), "id")
    return {"opened": new.height + reopen.height, "updated": refresh.height,
            "resolved": gone.height, "open_for_file": expected.height}
