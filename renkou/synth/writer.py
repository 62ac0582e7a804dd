"""CSV output in the interchange format (SPEC §1): UTF-8 without BOM, header row, ISO dates,
empty cell for unknown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from renkou.synth.config import BoolArr, BytesArr, IntArr, StrArr

ORGUNIT_COLUMNS = ("code", "name", "level", "parent_code", "urban_rural_code")
HOUSEHOLD_COLUMNS = ("household_id", "unit_code", "address")
PERSON_COLUMNS = (
    "person_id",
    "household_id",
    "name",
    "sex",
    "birth_date",
    "id_number",
    "ethnicity",
    "relation",
    "marital_status",
    "mother_id",
    "father_id",
)
EVENT_COLUMNS = (
    "event_id",
    "type",
    "person_id",
    "date",
    "recorded_date",
    "unit_code",
    "source",
    "spouse_id",
    "birth_order",
)
HOSPITAL_COLUMNS = (
    "record_id",
    "birth_date",
    "child_sex",
    "mother_name",
    "mother_id_number",
    "hospital",
    "address",
)
MARRIAGE_COLUMNS = (
    "record_id",
    "date",
    "husband_name",
    "husband_id_number",
    "wife_name",
    "wife_id_number",
    "office",
)


def ids(prefix: str, index: IntArr, width: int) -> pl.Series:
    """Stable string ids ("P0000001") of 0-based indices; -1 gives an empty cell."""
    s = pl.Series("i", index + 1, dtype=pl.Int64)
    return pl.select(
        pl.when(s > 0).then(pl.format(prefix + "{}", s.cast(pl.Utf8).str.zfill(width)))
    ).to_series()


def dates(days: IntArr) -> pl.Series:
    """ISO dates of day numbers (days since 1970-01-01, negative before)."""
    return pl.Series("d", days, dtype=pl.Int64).cast(pl.Int32).cast(pl.Date)


def ints(values: IntArr, missing: int = -1) -> pl.Series:
    s = pl.Series("v", values, dtype=pl.Int64)
    return pl.select(pl.when(s != missing).then(s)).to_series()


def strings(values: list[str] | StrArr) -> pl.Series:
    """Strings; "" gives an empty cell."""
    vals = values.tolist() if isinstance(values, np.ndarray) else values
    s = pl.Series("s", vals, dtype=pl.Utf8)
    return pl.select(pl.when(s != "").then(s)).to_series()


def ascii_bytes(values: BytesArr, empty: BoolArr) -> pl.Series:
    """Fixed-width ASCII (identity numbers) with an empty cell where `empty`."""
    s = pl.Series("b", values).cast(pl.Utf8)
    e = pl.Series("e", empty)
    return pl.select(pl.when(~e).then(s)).to_series()


def write(path: Path, columns: tuple[str, ...], data: dict[str, Any]) -> int:
    """Write one file with exactly `columns`; returns the number of data rows."""
    df = pl.DataFrame({c: data[c] for c in columns})
    df.write_csv(path, include_bom=False, null_value="", line_terminator="\n")
    return df.height
