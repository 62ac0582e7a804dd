"""The interchange files of SPEC §1 as data: columns, required values, database columns.

Every other module of the exchange app reads the file layout from here, so a new column is
added in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from renkou.events.models import EventType, Source
from renkou.units.models import LEVEL_ORDER


@dataclass(frozen=True)
class Column:
    """One SPEC column. `required`: the column must be present and every value non-empty.

    `db` is the database column; `nullable` says whether an empty value is stored as NULL
    (nullable dates, integers and references) or as '' (Django's blank CharField).
    """

    name: str
    db: str
    required: bool = False
    max_length: int | None = None
    kind: str = "text"  # text, date, int
    nullable: bool = False


@dataclass(frozen=True)
class FileSpec:
    name: str  # orgunits, households, persons, events
    table: str
    key: str  # the id column (SPEC name)
    columns: tuple[Column, ...]
    history_model: str = ""  # RecordChange.model; "" = changes are not kept per record

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def db_key(self) -> str:
        return self.column(self.key).db


ORGUNITS = FileSpec(
    name="orgunits", table="units_unit", key="code",
    columns=(
        Column("code", "code", required=True, max_length=15),
        Column("name", "name", required=True, max_length=100),
        Column("level", "level", required=True, max_length=10),
        Column("parent_code", "parent_code", max_length=15, nullable=True),
        Column("urban_rural_code", "urban_rural_code", max_length=3),
    ),
)

HOUSEHOLDS = FileSpec(
    name="households", table="registry_household", key="household_id", history_model="household",
    columns=(
        Column("household_id", "id", required=True, max_length=40),
        Column("unit_code", "unit_code", required=True, max_length=15),
        Column("address", "address", max_length=255),
    ),
)

PERSONS = FileSpec(
    name="persons", table="registry_person", key="person_id", history_model="person",
    columns=(
        Column("person_id", "id", required=True, max_length=40),
        Column("household_id", "household_id", required=True, max_length=40),
        Column("name", "name", required=True, max_length=64),
        Column("sex", "sex", required=True, kind="int"),
        Column("birth_date", "birth_date", kind="date", nullable=True),
        # Stored as given (an 18-character column): a wrong number is a finding, not an error.
        Column("id_number", "id_number", max_length=18),
        Column("ethnicity", "ethnicity", max_length=32),
        Column("relation", "relation", max_length=2),
        Column("marital_status", "marital_status", max_length=2),
        Column("mother_id", "mother_id", max_length=40, nullable=True),
        Column("father_id", "father_id", max_length=40, nullable=True),
    ),
)

EVENTS = FileSpec(
    name="events", table="events_event", key="event_id", history_model="event",
    columns=(
        Column("event_id", "id", required=True, max_length=40),
        Column("type", "type", required=True, max_length=10),
        Column("person_id", "person_id", required=True, max_length=40),
        Column("date", "date", required=True, kind="date"),
        Column("recorded_date", "recorded_date", kind="date", nullable=True),
        Column("unit_code", "unit_code", required=True, max_length=15),
        Column("source", "source", required=True, max_length=16),
        Column("spouse_id", "spouse_id", max_length=40, nullable=True),
        Column("birth_order", "birth_order", kind="int", nullable=True),
    ),
)

FILES: tuple[FileSpec, ...] = (ORGUNITS, HOUSEHOLDS, PERSONS, EVENTS)
BY_NAME: dict[str, FileSpec] = {spec.name: spec for spec in FILES}

LEVELS: tuple[str, ...] = LEVEL_ORDER
# Levels a household or an event may be registered in (SPEC §1).
REGISTRATION_LEVELS: tuple[str, ...] = ("village", "group")
# A partial hierarchy may start at these levels without a parent; lower levels need one.
ROOT_LEVELS: tuple[str, ...] = ("province", "city", "county")
EVENT_TYPES: tuple[str, ...] = tuple(EventType.values)
SOURCES: tuple[str, ...] = tuple(Source.values)
SEXES: tuple[str, ...] = ("1", "2")
MARITAL_STATUSES: tuple[str, ...] = ("10", "20", "30", "40")
# PositiveSmallIntegerField's upper bound.
MAX_SMALL_INT = 32767
ERRORS_FILE = "import-errors.csv"
ERROR_COLUMNS: tuple[str, ...] = ("file", "line", "column", "value", "message")
