"""Scope check of a web import: every row must lie within the uploading user's units.

The importer (renkou.exchange) checks the files against SPEC §1; this adds what the command
line does not need: a township clerk may only write records of their township. A row is
outside when its unit (households.unit_code, events.unit_code, a person's household's unit,
a unit's place in the tree) is not at or under one of the user's units, or when its id is
already used by a record of another unit (an import would change that record). Errors come
back in the importer's format (file, line, column, value, message).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl
from django.db.models import Model, Q
from django.utils.translation import gettext

from renkou.core.scope import unit_scope_q
from renkou.events.models import Event
from renkou.exchange import report
from renkou.exchange.readers import SourceSet
from renkou.registry.models import Household, Person
from renkou.units.models import Unit

_CHUNK = 2000


def _in_scope(code: str, parents: dict[str, str | None], allowed: set[str]) -> bool:
    seen: set[str] = set()
    current: str | None = code
    while current and current not in seen:
        if current in allowed:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _existing_outside(model: type[Model], ids: Iterable[str], inside: Q) -> list[str]:
    """Ids among `ids` that exist in `model` but outside the user's units."""
    unique = sorted(set(ids))
    found: list[str] = []
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start:start + _CHUNK]
        found += [str(pk) for pk in model._default_manager.filter(pk__in=chunk)
                  .exclude(inside).values_list("pk", flat=True)]
    return found


def _unchanged_units(frame: pl.DataFrame, present: frozenset[str]) -> list[str]:
    """Codes of orgunits rows equal to the stored unit in every column the file has."""
    columns = [c for c in ("code", "name", "level", "parent_code", "urban_rural_code")
               if c in present]
    stored = {
        row[0]: dict(zip(("code", "name", "level", "parent_code", "urban_rural_code"),
                         (row[0], row[1], row[2], row[3], row[4] or None), strict=True))
        for row in Unit.objects.values_list("code", "name", "level", "parent_id",
                                            "urban_rural_code")}
    same: list[str] = []
    for row in frame.select(columns).iter_rows(named=True):
        known = stored.get(row["code"])
        if known is not None and all(known[c] == row[c] for c in columns):
            same.append(str(row["code"]))
    return same


def scope_errors(source: SourceSet, units: list[Unit]) -> pl.DataFrame:
    """The rows of `source` outside `units` (empty frame: everything is inside)."""
    allowed = {u.code for u in units}
    names = ", ".join(f"{u.name} {u.code}" for u in units) or "—"
    db_parents: dict[str, str | None] = dict(Unit.objects.values_list("code", "parent_id"))
    parents = dict(db_parents)
    orgunits = source.tables.get("orgunits")
    if orgunits is not None and {"code", "parent_code"} <= orgunits.present:
        for code, parent in orgunits.frame.select("code", "parent_code").iter_rows():
            if code:
                parents[code] = parent
    inside_after = {c for c in parents if _in_scope(c, parents, allowed)}
    inside_now = {c for c in db_parents if _in_scope(c, db_parents, allowed)}
    outside_now = set(db_parents) - inside_now
    known = set(parents)
    # If every stored unit is inside, every stored record is too: no per-id lookups needed.
    check_existing = bool(outside_now)
    unit_message = gettext("Unit %(code)s is outside your units (%(units)s): you may import "
                           "only records of your own units.")
    id_message = gettext("%(id)s is already registered outside your units (%(units)s); your "
                         "import may not change it.")

    def unit_outside(column: str) -> pl.Expr:
        code = pl.col(column)
        return (code.is_in(list(known)) & ~code.is_in(list(inside_after))) | \
            code.is_in(list(outside_now))

    def id_errors(label: str, frame: pl.DataFrame, column: str, model: type[Model],
                  prefix: str) -> pl.DataFrame:
        if not check_existing or column not in frame.columns:
            return report.empty_errors()
        ids = frame.get_column(column).drop_nulls().to_list()
        outside = _existing_outside(model, ids, unit_scope_q(units, prefix))
        if not outside:
            return report.empty_errors()
        return report.error_rows(frame, pl.col(column).is_in(outside), file=label,
                                 column=column,
                                 message=report.message_expr(id_message, id=pl.col(column),
                                                             units=names))

    parts: list[pl.DataFrame] = []
    if orgunits is not None and "code" in orgunits.present:
        code = pl.col("code")
        outside = ~code.is_in(list(inside_after)) | code.is_in(list(outside_now))
        # A full extract repeats the units above and beside the user's: rows identical to
        # the stored units change nothing and are let through.
        outside = outside & ~code.is_in(_unchanged_units(orgunits.frame, orgunits.present))
        parts.append(report.error_rows(orgunits.frame, outside, file=orgunits.label,
                                       column="code",
                                       message=report.message_expr(unit_message, code=code,
                                                                   units=names)))
    households = source.tables.get("households")
    household_units: pl.DataFrame | None = None
    if households is not None:
        frame = households.frame
        if "unit_code" in households.present:
            parts.append(report.error_rows(
                frame, unit_outside("unit_code"), file=households.label, column="unit_code",
                message=report.message_expr(unit_message, code=pl.col("unit_code"),
                                            units=names)))
            if "household_id" in households.present:
                household_units = frame.select("household_id", "unit_code") \
                    .drop_nulls("household_id").unique("household_id", keep="last")
        parts.append(id_errors(households.label, frame, "household_id", Household, "unit__"))
    persons = source.tables.get("persons")
    if persons is not None:
        frame = persons.frame
        if "household_id" in persons.present:
            ids = set(frame.get_column("household_id").drop_nulls().to_list())
            in_file = household_units if household_units is not None else pl.DataFrame(
                schema={"household_id": pl.String, "unit_code": pl.String})
            missing = ids - set(in_file.get_column("household_id").to_list())
            stored = [row for start in range(0, len(missing), _CHUNK)
                      for row in Household.objects.filter(
                          id__in=sorted(missing)[start:start + _CHUNK])
                      .values_list("id", "unit_id")]
            lookup = pl.concat([in_file, pl.DataFrame(
                stored, schema={"household_id": pl.String, "unit_code": pl.String},
                orient="row")])
            joined = frame.join(lookup, on="household_id", how="left")
            message = gettext("Household %(household)s is in unit %(code)s, outside your "
                              "units (%(units)s).")
            parts.append(report.error_rows(
                joined, unit_outside("unit_code"), file=persons.label, column="household_id",
                message=report.message_expr(message, household=pl.col("household_id"),
                                            code=pl.col("unit_code"), units=names)))
        parts.append(id_errors(persons.label, frame, "person_id", Person, "household__unit__"))
    events = source.tables.get("events")
    if events is not None:
        frame = events.frame
        if "unit_code" in events.present:
            parts.append(report.error_rows(
                frame, unit_outside("unit_code"), file=events.label, column="unit_code",
                message=report.message_expr(unit_message, code=pl.col("unit_code"),
                                            units=names)))
        parts.append(id_errors(events.label, frame, "event_id", Event, "unit__"))
    order = {label: i for i, label in enumerate(source.found.values())}
    return report.combine(parts, order)
