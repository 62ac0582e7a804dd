"""The consistency rules as polars expressions over whole tables (no Python loop per row).

`load_registry()` reads persons (with their household's unit) and events as frames — the
whole registry, or for a write only the records a change to some persons can affect and the
context those need (`load_around()`). `expected_findings()` turns the frames into the rows
(rule, object_type, object_id, unit_code, value) that should be open. services.rules_run
compares them with the stored findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import polars as pl

from renkou.core.bulk import date_text, quote, read_text_frame
from renkou.events.models import Event
from renkou.quality.rules import HEAD_RELATION, MOTHER_MAX_AGE, MOTHER_MIN_AGE
from renkou.registry.idnumber import check_id_numbers_frame, normalise, upgrade_15
from renkou.registry.models import Household, Person

FINDING_COLUMNS = ["rule", "object_type", "object_id", "unit_code", "value"]
_CHUNK = 900  # SQLite's limit on host parameters is 999

PERSON_NAMES = ["id", "household_id", "unit_code", "sex", "birth", "id_number", "relation",
                "mother_id", "father_id"]
EVENT_NAMES = ["id", "type", "person_id", "date", "unit_code", "spouse_id"]


@dataclass
class Frames:
    persons: pl.DataFrame
    events: pl.DataFrame
    # For a partial load: the only objects whose findings are decided (None = all).
    target_persons: set[str] | None = None
    target_households: set[str] | None = None
    target_events: set[str] | None = None
    counts: dict[str, int] = field(default_factory=dict)


def _person_sql() -> str:
    p, h = quote(Person._meta.db_table), quote(Household._meta.db_table)
    return (f"SELECT p.id, p.household_id, h.unit_code, CAST(p.sex AS TEXT), "  # noqa: S608
            f"{date_text('p.birth_date')}, p.id_number, p.relation, p.mother_id, p.father_id "
            f"FROM {p} AS p LEFT JOIN {h} AS h ON h.id = p.household_id")


def _event_sql() -> str:
    e = quote(Event._meta.db_table)
    return (f"SELECT e.id, e.type, e.person_id, {date_text('e.date')}, e.unit_code, "  # noqa: S608
            f"e.spouse_id FROM {e} AS e")


def _typed_persons(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("sex").cast(pl.Int64, strict=False),
        pl.col("birth").str.to_date("%Y-%m-%d", strict=False),
        pl.col("id_number").fill_null(""),
        pl.col("relation").fill_null(""),
        pl.col("unit_code").fill_null(""),
    )


def _typed_events(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("date").str.to_date("%Y-%m-%d", strict=False),
                              pl.col("unit_code").fill_null(""))


def load_registry() -> Frames:
    persons = _typed_persons(read_text_frame(_person_sql(), PERSON_NAMES))
    events = _typed_events(read_text_frame(_event_sql(), EVENT_NAMES))
    return Frames(persons, events)


def _where_in(sql: str, names: list[str], columns: Sequence[str], values: Iterable[str]
              ) -> pl.DataFrame:
    """Rows of `sql` where any of `columns` is one of `values` (chunked IN lists)."""
    keys = sorted({v for v in values if v})
    parts = [pl.DataFrame(schema=dict.fromkeys(names, pl.String))]
    for start in range(0, len(keys), _CHUNK // max(1, len(columns))):
        chunk = keys[start:start + _CHUNK // max(1, len(columns))]
        marks = ", ".join(["%s"] * len(chunk))
        cond = " OR ".join(f"{c} IN ({marks})" for c in columns)
        parts.append(read_text_frame(f"{sql} WHERE {cond}", names, chunk * len(columns)))
    return pl.concat(parts, how="vertical")


def _ids(frame: pl.DataFrame, *columns: str) -> set[str]:
    out: set[str] = set()
    for column in columns:
        out.update(v for v in frame.get_column(column).to_list() if v)
    return out


def _normalised(number: str) -> str:
    """The 18-character form a duplicate would be stored under (old 15-digit upgraded)."""
    text = normalise(number)
    return upgrade_15(text) if len(text) == 15 and text.isdigit() else text


def load_around(person_ids: Iterable[str], household_ids: Iterable[str] = ()) -> Frames:
    """The records whose findings a change to `person_ids` can alter, and their context.

    Targets: the persons, their children (mother age, older than parent) and the persons
    sharing an identity number with any of them; the persons' households (and any given);
    the events of the persons or naming them as spouse. Context: the targets' parents,
    everyone sharing a number with a target, every member of the target households, and the
    birth dates and deaths of the persons in the target events.
    """
    psql, esql = _person_sql(), _event_sql()
    wanted = set(person_ids)
    base = _where_in(psql, PERSON_NAMES, ["p.id"], wanted)
    children = _where_in(psql, PERSON_NAMES, ["p.mother_id", "p.father_id"], wanted)
    near = pl.concat([base, children])
    numbers = {n for n in near.get_column("id_number").to_list() if n}
    numbers |= {_normalised(n) for n in numbers} - {""}
    # … and the old 15-digit form a twin may still carry (area, YYMMDD, sequence).
    numbers |= {n[:6] + n[8:17] for n in numbers if len(n) == 18 and n[6:8] == "19"}
    same_number = _where_in(psql, PERSON_NAMES, ["p.id_number"], numbers)
    targets = _ids(near, "id") | _ids(same_number, "id")
    households = _ids(base, "household_id") | set(household_ids)
    members = _where_in(psql, PERSON_NAMES, ["p.household_id"], households)
    parents = _where_in(psql, PERSON_NAMES, ["p.id"],
                        _ids(pl.concat([near, same_number]), "mother_id", "father_id"))
    events = _where_in(esql, EVENT_NAMES, ["e.person_id", "e.spouse_id"], wanted)
    in_events = _ids(events, "person_id", "spouse_id")
    event_persons = _where_in(psql, PERSON_NAMES, ["p.id"], in_events)
    deaths = _where_in(esql, EVENT_NAMES, ["e.person_id"], in_events).filter(
        pl.col("type") == "death")
    persons = pl.concat([near, same_number, members, parents, event_persons]).unique(
        subset="id", keep="first")
    all_events = pl.concat([events, deaths]).unique(subset="id", keep="first")
    return Frames(_typed_persons(persons), _typed_events(all_events),
                  target_persons=targets, target_households=households,
                  target_events=_ids(events, "id"))


def _completed_years(born: pl.Expr, on: pl.Expr) -> pl.Expr:
    """Age in completed years on `on` (born 29 February: a year older on 1 March)."""
    before_birthday = (on.dt.month() < born.dt.month()) | (
        (on.dt.month() == born.dt.month()) & (on.dt.day() < born.dt.day()))
    return (on.dt.year() - born.dt.year() - before_birthday.cast(pl.Int32)).cast(pl.Int32)


def _finding(rule: str, object_type: str, object_id: pl.Expr, unit: pl.Expr, value: pl.Expr
             ) -> list[pl.Expr]:
    return [pl.lit(rule).alias("rule"), pl.lit(object_type).alias("object_type"),
            object_id.alias("object_id"), unit.fill_null("").alias("unit_code"),
            value.str.slice(0, 255).alias("value")]


def id_number_findings(persons: pl.DataFrame) -> pl.DataFrame:
    checked = pl.concat([persons.select("id", "unit_code", "id_number"),
                         check_id_numbers_frame(persons, id_col="id_number",
                                                birth_col="birth", sex_col="sex")],
                        how="horizontal")
    problems = (checked.filter(pl.col("id_problems") != "")
                .with_columns(pl.col("id_problems").str.split(",")).explode("id_problems"))
    per_problem = problems.select(
        (pl.lit("id_number.") + pl.col("id_problems")).alias("rule"),
        pl.lit("person").alias("object_type"), pl.col("id").alias("object_id"),
        pl.col("unit_code"), pl.col("id_number").str.slice(0, 255).alias("value"))
    # Duplicates: the same normalised number (old 15-digit ones upgraded) on several persons.
    readable = checked.filter((pl.col("id_normalised").str.len_chars() == 18)
                              & ~pl.col("id_problems").str.contains("format"))
    shared = (readable.group_by("id_normalised")
              .agg(pl.col("id").sort().alias("ids"))
              .filter(pl.col("ids").list.len() > 1))
    dup = readable.join(shared, on="id_normalised").select(
        _finding("id_number.duplicate", "person", pl.col("id"), pl.col("unit_code"),
                 pl.concat_str(pl.col("id_normalised"), pl.lit(": "),
                               pl.col("ids").list.join(", "))))
    return pl.concat([per_problem, dup], how="vertical")


def parent_findings(persons: pl.DataFrame) -> pl.DataFrame:
    births = persons.select("id", "birth")
    child = persons.select("id", "unit_code", "birth", "mother_id", "father_id")
    with_parents = (
        child.join(births.rename({"id": "mother_id", "birth": "mother_birth"}),
                   on="mother_id", how="left")
        .join(births.rename({"id": "father_id", "birth": "father_birth"}),
              on="father_id", how="left")
        .with_columns(_completed_years(pl.col("mother_birth"), pl.col("birth"))
                      .alias("mother_age")))
    mother_age = with_parents.filter(
        (pl.col("mother_age") < MOTHER_MIN_AGE) | (pl.col("mother_age") > MOTHER_MAX_AGE)
    ).select(_finding("birth.mother_age", "person", pl.col("id"), pl.col("unit_code"),
                      pl.format("mother {} aged {}", pl.col("mother_id"),
                                pl.col("mother_age"))))
    mother_older = (pl.col("birth") <= pl.col("mother_birth")).fill_null(False)
    father_older = (pl.col("birth") <= pl.col("father_birth")).fill_null(False)
    note = pl.concat_str(
        pl.when(mother_older).then(pl.format("mother {} born {}", pl.col("mother_id"),
                                             pl.col("mother_birth"))),
        pl.when(mother_older & father_older).then(pl.lit("; ")),
        pl.when(father_older).then(pl.format("father {} born {}", pl.col("father_id"),
                                             pl.col("father_birth"))),
        ignore_nulls=True)
    older = with_parents.filter(mother_older | father_older).select(
        _finding("person.older_than_parent", "person", pl.col("id"), pl.col("unit_code"),
                 note))
    return pl.concat([mother_age, older], how="vertical")


def household_findings(persons: pl.DataFrame) -> pl.DataFrame:
    heads = (persons.filter(pl.col("household_id").is_not_null())
             .group_by("household_id")
             .agg(pl.col("unit_code").first(), pl.len().alias("members"),
                  (pl.col("relation") == HEAD_RELATION).sum().alias("heads")))
    return heads.filter(pl.col("heads") == 0).select(
        _finding("household.no_head", "household", pl.col("household_id"),
                 pl.col("unit_code"), pl.format("members: {}", pl.col("members"))))


def event_findings(persons: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    deaths = (events.filter(pl.col("type") == "death").group_by("person_id")
              .agg(pl.col("date").min().alias("death")))
    after = (events.filter(pl.col("type") != "death")
             .join(deaths, on="person_id", how="inner")
             .filter(pl.col("date") > pl.col("death"))
             .select(_finding("event.after_death", "event", pl.col("id"), pl.col("unit_code"),
                              pl.format("{} {} after death {}", pl.col("type"),
                                        pl.col("date"), pl.col("death")))))
    births = persons.select("id", "birth")
    marriages = (events.filter(pl.col("type") == "marriage")
                 .join(births.rename({"id": "person_id", "birth": "p_birth"}),
                       on="person_id", how="left")
                 .join(births.rename({"id": "spouse_id", "birth": "s_birth"}),
                       on="spouse_id", how="left"))
    p_before = (pl.col("date") < pl.col("p_birth")).fill_null(False)
    s_before = (pl.col("date") < pl.col("s_birth")).fill_null(False)
    note = pl.concat_str(
        pl.when(p_before).then(pl.format("{} born {}", pl.col("person_id"), pl.col("p_birth"))),
        pl.when(p_before & s_before).then(pl.lit("; ")),
        pl.when(s_before).then(pl.format("{} born {}", pl.col("spouse_id"), pl.col("s_birth"))),
        ignore_nulls=True)
    before = marriages.filter(p_before | s_before).select(
        _finding("marriage.before_birth", "event", pl.col("id"), pl.col("unit_code"), note))
    return pl.concat([after, before], how="vertical")


def expected_findings(frames: Frames) -> pl.DataFrame:
    """Every finding the rules find in `frames` (only the targets' for a partial load)."""
    persons, events = frames.persons, frames.events
    found = pl.concat([
        id_number_findings(persons),
        parent_findings(persons),
        household_findings(persons),
        event_findings(persons, events),
    ], how="vertical").select(FINDING_COLUMNS)
    if frames.target_persons is not None:
        keep = ((pl.col("object_type") == "person")
                & pl.col("object_id").is_in(sorted(frames.target_persons or ()))) | (
            (pl.col("object_type") == "household")
            & pl.col("object_id").is_in(sorted(frames.target_households or ()))) | (
            (pl.col("object_type") == "event")
            & pl.col("object_id").is_in(sorted(frames.target_events or ())))
        found = found.filter(keep)
    return found.unique(subset=["rule", "object_type", "object_id"], keep="first",
                        maintain_order=True)
