"""Find probable duplicate persons in the registry (SPEC §4 `renkou quality duplicates`)."""

from __future__ import annotations

import polars as pl

from renkou.core.bulk import date_text, read_text_frame
from renkou.linkage.features import person_features
from renkou.linkage.model import LinkageConfig, run_splink

# Below this many persons a name's frequency in the registry says more about the sample than
# about the name (a name seen twice among 13 people is not "common"): fixed weights instead.
TF_MIN_PERSONS = 10_000
PERSON_COLUMNS = ["unique_id", "name", "sex", "birth_date", "id_number", "household_id",
                  "mother_id", "father_id"]


def persons_frame() -> pl.DataFrame:
    """Every registry person with the features the model compares, in one query (no join:
    the units of the persons in pairs are looked up when the pairs are stored)."""
    frame = read_text_frame(
        "SELECT p.id, p.name, CAST(p.sex AS TEXT), "  # noqa: S608
        f"{date_text('p.birth_date')}, p.id_number, p.household_id, p.mother_id, "
        "p.father_id FROM registry_person p",
        PERSON_COLUMNS)
    return features_for(frame)


def features_for(frame: pl.DataFrame) -> pl.DataFrame:
    frame = frame.with_columns(
        pl.col("sex").cast(pl.Int8, strict=False),
        *(pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
          for c in ("mother_id", "father_id", "id_number", "birth_date")),
    )
    return person_features(frame).drop("id_number", "birth_date", "name")


def find_duplicates(config: LinkageConfig | None = None, *, threshold: float | None = None,
                    persons: pl.DataFrame | None = None) -> pl.DataFrame:
    """Pairs (person_id_a < person_id_b) with probability ≥ threshold, best first:
    person_id_a, person_id_b, probability, match_weight, reasons."""
    config = config or LinkageConfig()
    cutoff = config.threshold if threshold is None else threshold
    persons = persons_frame() if persons is None else persons
    if persons.height < 2:
        return pl.DataFrame(schema={"person_id_a": pl.String, "person_id_b": pl.String,
                                    "probability": pl.Float64, "match_weight": pl.Float64,
                                    "reasons": pl.String})
    if persons.height < TF_MIN_PERSONS:
        config = config.without_tf()
    pairs = run_splink([persons], config, link_type="dedupe_only", threshold=cutoff)
    a, b = pl.col("unique_id_l"), pl.col("unique_id_r")
    return pairs.select(
        pl.min_horizontal(a, b).alias("person_id_a"),
        pl.max_horizontal(a, b).alias("person_id_b"),
        "probability", "match_weight", "reasons",
    ).sort(["probability", "person_id_a", "person_id_b"], descending=[True, False, False])
