"""Validation of the interchange files (SPEC §1), every rule a polars expression.

Every error of every row is collected (not the first only). Nothing here writes: the load
runs only when the error frame is empty. References are resolved against the files and the
database together, so a later extract may name units, households and persons loaded before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
from django.utils.translation import gettext

from renkou.exchange import dbio
from renkou.exchange.readers import SourceSet, Table
from renkou.exchange.report import combine, error_rows, message_expr
from renkou.exchange.spec import (
    EVENT_TYPES,
    FILES,
    HOUSEHOLDS,
    LEVELS,
    MARITAL_STATUSES,
    MAX_SMALL_INT,
    ORGUNITS,
    PERSONS,
    REGISTRATION_LEVELS,
    ROOT_LEVELS,
    SEXES,
    SOURCES,
    FileSpec,
)

_DATE_SHAPE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}


@dataclass
class Validated:
    """Canonical text frames (all SPEC columns; absent ones null) and every error found."""

    frames: dict[str, pl.DataFrame] = field(default_factory=dict)
    present: dict[str, frozenset[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    errors: pl.DataFrame = field(default_factory=pl.DataFrame)
    db_units: pl.DataFrame = field(default_factory=pl.DataFrame)

    @property
    def ok(self) -> bool:
        return self.errors.height == 0


def _full_frame(table: Table) -> pl.DataFrame:
    """All SPEC columns, in SPEC order; a column absent from the file is null."""
    frame = table.frame
    missing = [pl.lit(None, pl.String).alias(c) for c in table.spec.column_names
               if c not in frame.columns]
    return frame.with_columns(missing).select(["_line", *table.spec.column_names])


def _in(values: tuple[str, ...] | list[str]) -> pl.Expr:
    return pl.lit(pl.Series(list(values), dtype=pl.String)).implode()


class _Checker:
    """Collects the checks of one file, then evaluates them together.

    All conditions are computed in one polars select (in parallel, one pass over the
    rows); error rows are built only for the checks that some row fails.
    """

    def __init__(self, frame: pl.DataFrame, table: Table) -> None:
        self.frame = frame
        self.table = table
        self.file = table.label
        self.checks: list[tuple[pl.Expr, str, pl.Expr | str, pl.Expr | None]] = []
        self.parts: list[pl.DataFrame] = []

    def has(self, column: str) -> bool:
        return column in self.table.present

    def add(self, condition: pl.Expr, column: str, message: pl.Expr | str,
            value: pl.Expr | None = None) -> None:
        self.checks.append((condition, column, message, value))

    def generic(self) -> None:
        spec: FileSpec = self.table.spec
        for col in spec.columns:
            if not self.has(col.name):
                continue  # reported once, as a missing column (readers)
            value = pl.col(col.name)
            if col.required:
                self.add(value.is_null(), col.name,
                         gettext("A value is required in column %(column)s.")
                         % {"column": col.name})
            if col.max_length is not None:
                self.add(value.str.len_chars() > col.max_length, col.name,
                         gettext("The value is longer than %(max)d characters.")
                         % {"max": col.max_length})
            if col.kind == "date":
                self.add(value.is_not_null() & ~_is_date(value), col.name,
                         gettext("Not a date: dates are written YYYY-MM-DD (e.g. 2024-03-01) "
                                 "and must exist in the calendar."))
        if self.has(spec.key):
            key = pl.col(spec.key)
            duplicate = key.is_not_null() & key.is_duplicated() & ~key.is_first_distinct()
            ids = self.frame.get_column(spec.key).drop_nulls()
            if ids.n_unique() < ids.len():  # a cheap count first; the window only if needed
                # The first line is computed over the whole file, before the error filter.
                self.frame = self.frame.with_columns(
                    pl.col("_line").first().over(spec.key).alias("_first_line"))
                self.add(duplicate, spec.key,
                         message_expr(gettext("Duplicate %(column)s: the same id is on line "
                                              "%(line)s."), column=spec.key,
                                      line=pl.col("_first_line")))

    def enum(self, column: str, allowed: tuple[str, ...], message: str) -> None:
        if self.has(column):
            value = pl.col(column)
            self.add(value.is_not_null() & ~value.is_in(_in(allowed)), column, message)

    def reference(self, column: str, unknown: pl.Series | None, message: str) -> None:
        """Flag rows whose `column` is one of the `unknown` ids (see _unknown_keys)."""
        if self.has(column) and unknown is not None and unknown.len():
            self.add(pl.col(column).is_in(unknown.implode()), column, message)

    def result(self) -> list[pl.DataFrame]:
        if not self.checks:
            return self.parts
        flags = self.frame.select([cond.fill_null(False).alias(f"_check{i}")
                                   for i, (cond, *_rest) in enumerate(self.checks)])
        failed = flags.select(pl.all().any()).row(0)
        for index, hit in enumerate(failed):
            if not hit:
                continue
            _cond, column, message, value = self.checks[index]
            flag = f"_check{index}"
            self.parts.append(error_rows(self.frame.with_columns(flags.get_column(flag)),
                                         pl.col(flag), file=self.file, column=column,
                                         message=message, value=value))
        return self.parts


def _is_date(value: pl.Expr) -> pl.Expr:
    parsed = value.str.to_date("%Y-%m-%d", strict=False)
    return value.str.contains(_DATE_SHAPE) & parsed.is_not_null() & (parsed.dt.year() >= 1)


def _allowed(values: tuple[str, ...]) -> str:
    return ", ".join(values)


def _unit_levels(tables: dict[str, pl.DataFrame], db_units: pl.DataFrame) -> pl.DataFrame:
    """code → level over the file and the database (the file wins: it is newer)."""
    parts = []
    if "orgunits" in tables:
        parts.append(tables["orgunits"].select("code", "level").drop_nulls("code")
                     .unique("code", keep="first"))
    parts.append(db_units.select("code", "level"))
    return pl.concat(parts).unique("code", keep="first", maintain_order=True)


def _check_orgunits(check: _Checker, levels: pl.DataFrame) -> None:
    frame = check.frame
    level = pl.col("level")
    check.enum("level", LEVELS, gettext("Unknown level: use one of %(levels)s.")
               % {"levels": _allowed(LEVELS)})
    known_level = level.is_in(_in(LEVELS))
    code = pl.col("code")
    check.add(code.is_not_null() & known_level & (level != "group")
              & ~code.str.contains(r"^[0-9]{12}$"), "code",
              gettext("A unit code has 12 digits (the statistical division code)."))
    check.add(code.is_not_null() & (level == "group") & ~code.str.contains(r"^[0-9]{15}$"),
              "code", gettext("A village group's code has 15 digits: its village's code "
                              "and 3 more."))
    parent = pl.col("parent_code")
    check.add((level == "group") & code.str.contains(r"^[0-9]{15}$") & parent.is_not_null()
              & (code.str.slice(0, 12) != parent), "code",
              message_expr(gettext("A village group's code must begin with its village's "
                                   "code %(parent)s."), parent=parent))
    urban = pl.col("urban_rural_code")
    check.add(urban.is_not_null() & ~urban.str.contains(r"^[0-9]{3}$"), "urban_rural_code",
              gettext("The urban-rural code has 3 digits."))
    check.add(urban.is_not_null() & urban.str.contains(r"^[0-9]{3}$") & known_level
              & (level != "village"), "urban_rural_code",
              gettext("Only villages have an urban-rural code."))
    if check.has("level"):
        check.add(parent.is_null() & level.is_in(_in([x for x in LEVELS
                                                       if x not in ROOT_LEVELS])),
                  "parent_code", message_expr(gettext("A %(level)s needs a parent_code."),
                                              level=level))
    if not check.has("parent_code"):
        return
    with_parent = frame.join(levels.rename({"code": "parent_code", "level": "_parent_level"}),
                             on="parent_code", how="left")
    rank = pl.col("level").replace_strict(_LEVEL_RANK, default=None, return_dtype=pl.Int64)
    parent_rank = pl.col("_parent_level").replace_strict(_LEVEL_RANK, default=None,
                                                         return_dtype=pl.Int64)
    expected = (rank - 1).replace_strict(dict(enumerate(LEVELS)), default="",
                                         return_dtype=pl.String)
    parts = [
        error_rows(with_parent, parent.is_not_null() & pl.col("_parent_level").is_null(),
                   file=check.file, column="parent_code",
                   message=gettext("Unknown parent unit: it is neither in orgunits nor in "
                                   "the database.")),
        error_rows(with_parent, parent.is_not_null() & (rank == 0), file=check.file,
                   column="parent_code", message=gettext("A province has no parent unit.")),
        error_rows(with_parent, parent.is_not_null() & (rank > 0) & parent_rank.is_not_null()
                   & (parent_rank != rank - 1), file=check.file, column="parent_code",
                   message=message_expr(
                       gettext("The parent of a %(level)s must be a %(expected)s, not a "
                               "%(parent_level)s."),
                       level=level, expected=expected, parent_level=pl.col("_parent_level"))),
    ]
    check.parts.extend(parts)


def _check_registration_unit(check: _Checker, levels: pl.DataFrame, what: str) -> None:
    """unit_code must be a village or a village group (file or database)."""
    if not check.has("unit_code"):
        return
    joined = check.frame.join(levels.rename({"code": "unit_code", "level": "_unit_level"}),
                              on="unit_code", how="left")
    code, unit_level = pl.col("unit_code"), pl.col("_unit_level")
    check.parts.append(error_rows(
        joined, code.is_not_null() & unit_level.is_null(), file=check.file, column="unit_code",
        message=gettext("Unknown unit code: it is neither in orgunits nor in the database.")))
    check.parts.append(error_rows(
        joined, unit_level.is_not_null() & ~unit_level.is_in(_in(REGISTRATION_LEVELS)),
        file=check.file, column="unit_code",
        message=message_expr(gettext("%(what)s are registered in a village or a village "
                                     "group, not in a %(level)s."), what=what,
                             level=unit_level)))


def _unknown_keys(tables: dict[str, pl.DataFrame], present: dict[str, frozenset[str]],
                  spec: FileSpec, referenced: list[pl.Series], unreadable: set[str]
                  ) -> pl.Series | None:
    """The referenced ids of `spec` that are neither in its file nor in the database.

    Computed once over the distinct values of every referencing column: a million rows
    name a few hundred thousand ids, and the unknown ones (usually none) make a tiny set
    to flag rows with. None when the file is there but lacks its id column: references
    into it are not checked (the missing column is the one error worth reading).
    """
    if spec.name in unreadable or (spec.name in tables and spec.key not in present[spec.name]):
        return None
    if not referenced:
        return pl.Series(spec.key, [], dtype=pl.String)
    wanted = pl.concat([s.drop_nulls().unique().rename(spec.key) for s in referenced]).unique()
    # Anti joins, not is_in: 2–3× faster against a million ids (parallel hash join).
    if spec.name in tables:
        wanted = _missing_from(wanted, tables[spec.name].get_column(spec.key))
    if wanted.len() == 0:
        return wanted
    in_db = dbio.existing_keys(spec.table, spec.db_key, wanted)
    return _missing_from(wanted, in_db)


def _missing_from(values: pl.Series, known: pl.Series) -> pl.Series:
    name = values.name
    return (values.to_frame(name)
            .join(known.rename(name).to_frame(), on=name, how="anti")
            .get_column(name))


def _columns(tables: dict[str, pl.DataFrame], present: dict[str, frozenset[str]], name: str,
             columns: list[str]) -> list[pl.Series]:
    if name not in tables:
        return []
    return [tables[name].get_column(c) for c in columns if c in present[name]]


def read_db_units() -> pl.DataFrame:
    sql, names = dbio.select_sql(ORGUNITS)
    return dbio.read_text(sql, names)


def canonical(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Values as the database gives them back as text ("03" → "3" for birth_order)."""
    out = dict(frames)
    if "events" in out:
        out["events"] = out["events"].with_columns(
            pl.col("birth_order").cast(pl.Int64).cast(pl.String))
    return out


def validate(source: SourceSet) -> Validated:
    result = Validated()
    frames = {name: _full_frame(t) for name, t in source.tables.items()}
    present = {name: t.present for name, t in source.tables.items()}
    result.present, result.labels = present, {n: t.label for n, t in source.tables.items()}
    result.db_units = read_db_units()
    levels = _unit_levels(frames, result.db_units)
    parts: list[pl.DataFrame] = list(source.errors)

    if "orgunits" in frames:
        check = _Checker(frames["orgunits"], source.tables["orgunits"])
        check.generic()
        _check_orgunits(check, levels)
        parts.extend(check.result())

    if "households" in frames:
        check = _Checker(frames["households"], source.tables["households"])
        check.generic()
        if "orgunits" not in source.unreadable:
            _check_registration_unit(check, levels, gettext("Households"))
        parts.extend(check.result())

    person_refs = _columns(frames, present, "persons", ["mother_id", "father_id"]) + \
        _columns(frames, present, "events", ["person_id", "spouse_id"])
    unknown_persons = _unknown_keys(frames, present, PERSONS, person_refs, source.unreadable)
    if "persons" in frames:
        check = _Checker(frames["persons"], source.tables["persons"])
        check.generic()
        check.reference("household_id", _unknown_keys(
            frames, present, HOUSEHOLDS, _columns(frames, present, "persons", ["household_id"]),
            source.unreadable),
            gettext("Unknown household: it is neither in households nor in the database."))
        check.enum("sex", SEXES, gettext("Sex is 1 (male) or 2 (female)."))
        check.enum("marital_status", MARITAL_STATUSES,
                   gettext("Marital status is 10, 20, 30 or 40 (or empty)."))
        if check.has("relation"):
            relation = pl.col("relation")
            check.add(relation.is_not_null() & ~relation.str.contains(r"^[0-9]{2}$"),
                      "relation", gettext("The relation to the household head is a two-digit "
                                          "code (GB/T 4761), e.g. 02."))
        for column in ("mother_id", "father_id"):
            check.reference(column, unknown_persons,
                            gettext("Unknown person: it is neither in persons nor in the "
                                    "database."))
        parts.extend(check.result())

    if "events" in frames:
        check = _Checker(frames["events"], source.tables["events"])
        check.generic()
        check.enum("type", EVENT_TYPES, gettext("Unknown event type: use one of %(types)s.")
                   % {"types": _allowed(EVENT_TYPES)})
        check.enum("source", SOURCES, gettext("Unknown source: use one of %(sources)s.")
                   % {"sources": _allowed(SOURCES)})
        if "orgunits" not in source.unreadable:
            _check_registration_unit(check, levels, gettext("Events"))
        for column in ("person_id", "spouse_id"):
            check.reference(column, unknown_persons,
                            gettext("Unknown person: it is neither in persons nor in the "
                                    "database."))
        order = pl.col("birth_order")
        number = order.cast(pl.Int64, strict=False)
        check.add(order.is_not_null() & (~order.str.contains(r"^[0-9]{1,9}$") | (number < 1)
                                         | (number > MAX_SMALL_INT)), "birth_order",
                  gettext("The birth order is a whole number from 1."))
        day = pl.col("date").str.to_date("%Y-%m-%d", strict=False)
        recorded = pl.col("recorded_date").str.to_date("%Y-%m-%d", strict=False)
        check.add(_is_date(pl.col("date")) & _is_date(pl.col("recorded_date"))
                  & (recorded < day), "recorded_date",
                  message_expr(gettext("The event cannot be recorded before it happened "
                                       "(%(date)s)."), date=pl.col("date")))
        parts.extend(check.result())

    file_order = [s.name for s in FILES]
    result.errors = combine(parts, {label: file_order.index(name)
                                    for name, label in source.found.items()})
    result.frames = canonical(frames) if not result.errors.height else frames
    return result
