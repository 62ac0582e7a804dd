"""The Fellegi–Sunter model of "same human" for Chinese person records, run by Splink (DuckDB).

Each comparison is a list of levels, most specific first. A level has a reason code (what a
pair at that level agrees on, shown in the `reasons` column), a SQL condition over the
features of renkou.linkage.features, and its m and u probabilities: m = share of true
duplicates at that level, u = share of random pairs. They are fixed, not trained: the model
must give the same answer on a 200-person test fixture as on a million-person county, and EM
on a county with 3 % duplicates needs minutes and is unstable on small units. The values come
from how records go wrong (DOMAIN: migrants registered twice, misheard names, mistyped
numbers) and from random pairs of a synthetic county; `LinkageConfig` overrides any of them.

The same engine runs on Splink's Spark backend for cross-county search (PERFORMANCE.md):
only the DuckDBAPI changes.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl


@dataclass(frozen=True)
class Level:
    reason: str
    sql: str
    m: float
    u: float
    null: bool = False
    tf: str | None = None  # term-frequency adjusted on this column: common names weigh less


@dataclass(frozen=True)
class Comparison:
    name: str
    levels: tuple[Level, ...]


def _levels(*rows: tuple[str, str, float, float]) -> tuple[Level, ...]:
    return tuple(Level(reason=r, sql=s, m=m, u=u) for r, s, m, u in rows)


NAME = Comparison("name", (
    Level("", "l.name_s IS NULL OR r.name_s IS NULL", 0, 0, null=True),
    *_levels(
    ),
    Level("name_exact", "l.name_s = r.name_s", 0.64, 2e-4, tf="name_s"),
    Level("name_homophone", "l.name_py = r.name_py", 0.33, 1e-4, tf="name_py"),
    *_levels(
        ("name_fuzzy_pinyin", "l.name_fz = r.name_fz", 0.01, 2e-4),
        # same surname and a given name spelled nearly alike (a slip of one letter); not
        # "chen ming" / "chen liang", which the whole-name similarity would let through
        ("name_similar", "l.surname_py = r.surname_py AND "
         "jaro_winkler_similarity(l.given_py, r.given_py) >= 0.9", 0.01, 1e-3),
        ("", "ELSE", 0.005, 0.9986),
    ),
))

ID_NUMBER = Comparison("id_number", (
    Level("", "l.idn IS NULL AND r.idn IS NULL", 0, 0, null=True),
    *_levels(
        ("id_exact", "l.idn = r.idn", 0.55, 1e-7),
        # same digits, two places differ: two digits swapped (hamming is 10× cheaper than
        # an edit distance, and every candidate pair with different numbers reaches here)
        ("id_transposed", "l.idn_tkey = r.idn_tkey AND hamming(l.idn, r.idn) = 2", 0.19, 1e-8),
        ("id_one_char", "hamming(l.idn, r.idn) = 1", 0.01, 1e-6),
        ("id_missing_one_side", "l.idn IS NULL OR r.idn IS NULL", 0.24, 0.05),
        ("", "ELSE", 0.01, 0.95),
    ),
))

BIRTH = Comparison("birth_date", (
    Level("", "l.bd_day IS NULL OR r.bd_day IS NULL", 0, 0, null=True),
    *_levels(
        ("birth_exact", "l.bd_day = r.bd_day", 0.69, 4e-5),
        ("birth_day_month_swapped", "l.bd_ymd = r.bd_dm", 0.01, 3e-5),
        ("birth_off_by_one_day", "abs(l.bd_day - r.bd_day) = 1", 0.14, 8e-5),
        ("birth_off_by_one_month",
         "abs(l.bd_day - r.bd_day) BETWEEN 27 AND 34 "
         "AND (l.bd_md[3:4] = r.bd_md[3:4] OR l.bd_md[3:4] >= '28' OR r.bd_md[3:4] >= '28')",
         0.14, 1.2e-4),
        ("birth_same_year", "l.bd_year = r.bd_year", 0.01, 0.014),
        ("", "ELSE", 0.01, 0.9857),
    ),
))

SEX = Comparison("sex", (
    Level("", "l.sex IS NULL OR r.sex IS NULL", 0, 0, null=True),
    *_levels(
        ("same_sex", "l.sex = r.sex", 0.995, 0.5),
        ("", "ELSE", 0.005, 0.5),
    ),
))

FAMILY = Comparison("family", (
    Level("", "l.household_id IS NULL AND r.household_id IS NULL", 0, 0, null=True),
    *_levels(
        ("same_parents", "l.mother_id = r.mother_id AND coalesce(l.father_id, '') = "
         "coalesce(r.father_id, '')", 0.02, 2e-6),
        ("", "l.mother_id <> r.mother_id OR l.father_id <> r.father_id", 0.01, 0.3),
        ("same_household", "l.household_id = r.household_id", 0.03, 4e-6),
        ("", "ELSE", 0.94, 0.7),
    ),
))

COMPARISONS: tuple[Comparison, ...] = (NAME, ID_NUMBER, BIRTH, SEX, FAMILY)

# Candidate pairs: each rule keeps recall for one way records go wrong; a pair is compared
# once even if several rules find it.
BLOCKING_RULES: tuple[str, ...] = (
    "l.idn = r.idn",
    "l.name_py = r.name_py AND l.sex = r.sex AND l.bd_year = r.bd_year",
    "l.name_py = r.name_py AND l.sex = r.sex AND l.bd_md = r.bd_md",
    "l.idn_tkey = r.idn_tkey AND l.surname_py = r.surname_py",
    "l.name_fz = r.name_fz AND l.sex = r.sex AND l.bd_day = r.bd_day",
    "l.idn_birth = r.idn_birth AND l.sex = r.sex AND l.surname_py = r.surname_py",
)


@dataclass(frozen=True)
class LinkageConfig:
    """Everything a county may tune. `prior` is the probability that two random records
    are the same human (about 30,000 duplicate pairs among 10^6 persons ≈ 6·10^-8)."""

    comparisons: tuple[Comparison, ...] = COMPARISONS
    blocking_rules: tuple[str, ...] = BLOCKING_RULES
    prior: float = 1e-7
    threshold: float = 0.95

    def with_overrides(self, data: dict[str, Any]) -> LinkageConfig:
        """Overrides from JSON: {"prior": …, "threshold": …, "blocking_rules": […],
        "levels": {"<reason>": {"m": …, "u": …}}}."""
        levels = data.get("levels", {})
        comparisons = tuple(
            replace(c, levels=tuple(
                replace(lv, m=float(levels[lv.reason].get("m", lv.m)),
                        u=float(levels[lv.reason].get("u", lv.u)))
                if lv.reason in levels else lv for lv in c.levels))
            for c in self.comparisons)
        return replace(
            self, comparisons=comparisons,
            blocking_rules=tuple(data.get("blocking_rules", self.blocking_rules)),
            prior=float(data.get("prior", self.prior)),
            threshold=float(data.get("threshold", self.threshold)))

    def without_tf(self) -> LinkageConfig:
        """The same model with fixed name weights (no term frequencies)."""
        return replace(self, comparisons=tuple(
            replace(c, levels=tuple(replace(lv, tf=None) for lv in c.levels))
            for c in self.comparisons))

    @classmethod
    def from_file(cls, path: Path | None) -> LinkageConfig:
        config = cls()
        if path is None:
            return config
        return config.with_overrides(json.loads(path.read_text(encoding="utf-8")))


def _suffixed(sql: str) -> str:
    """Comparison SQL sees one row per pair, columns suffixed _l/_r (blocking rules use the
    l./r. aliases); levels are written l./r. in both places for readability."""
    return re.sub(r"\b([lr])\.(\w+)", r"\2_\1", sql)


def splink_settings(config: LinkageConfig, link_type: str = "dedupe_only",
                    uid: str = "unique_id") -> dict[str, Any]:
    comparisons = []
    for comparison in config.comparisons:
        levels: list[dict[str, Any]] = []
        for level in comparison.levels:
            if level.null:
                levels.append({"sql_condition": _suffixed(level.sql), "is_null_level": True,
                               "label_for_charts": "null"})
            else:
                entry: dict[str, Any] = {
                    "sql_condition": _suffixed(level.sql),
                    "label_for_charts": level.reason or "different",
                    "m_probability": level.m, "u_probability": level.u}
                if level.tf:
                    entry["tf_adjustment_column"] = level.tf
                    entry["tf_adjustment_weight"] = 1.0
                levels.append(entry)
        comparisons.append({"output_column_name": comparison.name,
                            "comparison_levels": levels})
    return {
        "link_type": link_type,
        "unique_id_column_name": uid,
        "probability_two_random_records_match": config.prior,
        "comparisons": comparisons,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule} for rule in config.blocking_rules],
        "retain_matching_columns": True,  # Splink keeps the gammas (→ reasons) only then
        "retain_intermediate_calculation_columns": False,
    }


def _reason_expr(config: LinkageConfig) -> pl.Expr:
    """Reason codes of the levels each pair reached, from Splink's gamma columns (the first
    non-null level has the highest gamma, the ELSE level 0, the null level -1)."""
    parts: list[pl.Expr] = []
    for comparison in config.comparisons:
        graded = [lv for lv in comparison.levels if not lv.null]
        top = len(graded) - 1
        mapping = {top - i: lv.reason for i, lv in enumerate(graded) if lv.reason}
        parts.append(pl.col(f"gamma_{comparison.name}").replace_strict(
            mapping, default=None, return_dtype=pl.String))
    return pl.concat_str(parts, separator=";", ignore_nulls=True).alias("reasons")


def run_splink(tables: list[pl.DataFrame], config: LinkageConfig, *, link_type: str,
               threshold: float, uid: str = "unique_id") -> pl.DataFrame:
    """Score the candidate pairs of `tables` (one table to dedupe, two to link): columns
    unique_id_l, unique_id_r, probability, match_weight, reasons (plus source_dataset_l/_r
    when linking)."""
    import duckdb
    from splink import DuckDBAPI, Linker

    connection = duckdb.connect()
    db_api = DuckDBAPI(connection)
    frames = [db_api.register(t.to_arrow(), table_name=f"renkou_input_{i}")
              for i, t in enumerate(tables)]
    linker = Linker(frames if len(frames) > 1 else frames[0],
                    splink_settings(config, link_type, uid), log_level=logging.WARNING,
                    validate_settings=False)
    logging.getLogger("splink").setLevel(logging.WARNING)
    predictions = linker.inference.predict(threshold_match_probability=threshold,
                                           warning_mode="never")
    keep = [f"{uid}_l", f"{uid}_r", "match_probability", "match_weight",
            *(f"gamma_{c.name}" for c in config.comparisons)]
    if link_type != "dedupe_only":
        keep += ["source_dataset_l", "source_dataset_r"]
    columns = ", ".join(keep)
    frame = pl.from_arrow(connection.sql(
        f"SELECT {columns} FROM {predictions.physical_name}").to_arrow_table())  # noqa: S608
    assert isinstance(frame, pl.DataFrame)
    connection.close()
    return frame.with_columns(_reason_expr(config)).rename(
        {"match_probability": "probability"}).drop([f"gamma_{c.name}"
                                                     for c in config.comparisons])

