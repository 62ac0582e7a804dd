"""Benchmark: duplicates and reconciliation on `renkou synth --errors` data with its truth.

    .venv/bin/python bench/bench_linkage.py [--persons 1000000] [--baseline-persons 100000]
        [--births 10000] [--runs 3] [--db sqlite|postgres] [--no-baselines]

Generates (or reuses) bench/data/linkage-N with `renkou synth --errors --seed 7`, imports it
once into bench/data/linkage-N.sqlite3 (or the PostgreSQL database renkou_bench_linkage_N),
then prints one JSON line per figure (PERFORMANCE.md):

- duplicates over every person of the N-person county: read from the database, features,
  Splink predict — seconds (median of --runs), pairs, recall and precision against
  truth/duplicates.csv at the default threshold and at the best threshold with precision
  ≥ 0.99 (targets: < 60 s for 10^6 persons; recall ≥ 0.95 at precision ≥ 0.99);
- reconciliation of the first --births hospital notifications (target < 10 s for 10,000;
  matched recall ≥ 0.95 at precision ≥ 0.98) and of all civil-affairs marriages;
- baselines in the same run on the --baseline-persons county (from persons.csv, so that
  only the linkage is timed): the Renkou model, a plain Splink setup (Splink's standard
  comparisons on the raw columns, trained as its tutorials do: u by random sampling, m by
  EM) and the `recordlinkage` package (blocking, four comparisons, a score threshold);
  speed, recall and precision of each, and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import DATA, PG_SERVER, RENKOU, REPO, emit, median, peak_mb, run_child

SEED = 7


def synth(persons: int) -> Path:
    out = DATA / f"linkage-{persons}"
    if not (out / "truth" / "duplicates.csv").exists():
        DATA.mkdir(parents=True, exist_ok=True)
        subprocess.run([RENKOU, "synth", "--persons", str(persons), "--seed", str(SEED),
                        "--out", str(out), "--errors"], cwd=REPO, check=True)
    return out


def database(persons: int, kind: str, data: Path) -> str:
    """The imported county (imported once; a marker file says it is complete)."""
    if kind == "sqlite":
        url = f"sqlite:///{DATA / f'linkage-{persons}.sqlite3'}"
    else:
        url = f"{PG_SERVER}/renkou_bench_linkage_{persons}"
    marker = DATA / f"linkage-{persons}.{kind}.imported"
    env = {**os.environ, "DATABASE_URL": url}
    if not marker.exists():
        if kind == "postgres":
            import psycopg

            name = url.rsplit("/", 1)[1]
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
        subprocess.run([RENKOU, "import", str(data)], env=env, cwd=REPO, check=True,
                       stdout=subprocess.DEVNULL)
        marker.write_text("ok", encoding="utf-8")
    subprocess.run([RENKOU, "migrate", "--no-input", "-v", "0"], env=env, cwd=REPO, check=True)
    return url


# ------------------------------------------------------------------ scoring helpers

def dup_quality(found: Any, truth_path: Path, threshold: float) -> dict[str, Any]:
    import polars as pl

    truth = pl.read_csv(truth_path, infer_schema_length=0).select("person_id_a", "person_id_b")
    pairs = found.select(
        pl.min_horizontal("person_id_a", "person_id_b").alias("person_id_a"),
        pl.max_horizontal("person_id_a", "person_id_b").alias("person_id_b"),
        "probability").unique(["person_id_a", "person_id_b"])
    scored = pairs.join(truth.with_columns(pl.lit(True).alias("true")),
                        on=["person_id_a", "person_id_b"], how="left").with_columns(
        pl.col("true").fill_null(False)).sort("probability", descending=True)

    def at(cut: float) -> tuple[float, float, int]:
        kept = scored.filter(pl.col("probability") >= cut)
        hits = int(kept["true"].sum())
        return hits / max(truth.height, 1), hits / max(kept.height, 1), kept.height

    recall, precision, n = at(threshold)
    best = (0.0, 0.0, 0.0)
    for cut in sorted({round(x, 4) for x in scored["probability"].to_list()}):
        r, p, _ = at(cut)
        if p >= 0.99:
            best = (cut, r, p)
            break
    return {"threshold": threshold, "recall": round(recall, 4), "precision": round(precision, 4),
            "pairs": n, "true_pairs": truth.height,
            "best_threshold_at_precision_0.99": best[0], "recall_there": round(best[1], 4),
            "precision_there": round(best[2], 4)}


def births_quality(rows: Any, truth: Any) -> dict[str, Any]:
    import polars as pl

    j = rows.join(truth.with_columns(pl.col("person_id").fill_null("")), on="record_id",
                  suffix="_t")
    true_m = j.filter(pl.col("status_t") == "matched").height
    said_m = j.filter(pl.col("status") == "matched")
    right = said_m.filter(pl.col("person_id") == pl.col("person_id_t")).height
    true_u = j.filter(pl.col("status_t") == "unregistered").height
    said_u = j.filter(pl.col("status") == "unregistered")
    right_u = said_u.filter(pl.col("status_t") == "unregistered").height
    return {"matched_recall": round(right / max(true_m, 1), 4),
            "matched_precision": round(right / max(said_m.height, 1), 4),
            "unregistered_recall": round(right_u / max(true_u, 1), 4),
            "unregistered_precision": round(right_u / max(said_u.height, 1), 4),
            "ambiguous": j.filter(pl.col("status") == "ambiguous").height}


# ------------------------------------------------------------------ children

def _django() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")
    import django

    django.setup()


def child_duplicates(data: Path, runs: int) -> dict[str, Any]:
    _django()
    from renkou.linkage.dedupe import find_duplicates, persons_frame
    from renkou.linkage.model import LinkageConfig

    times: list[float] = []
    read: list[float] = []
    found: Any = None
    for _ in range(runs):
        started = time.perf_counter()
        persons = persons_frame()
        read.append(time.perf_counter() - started)
        found = find_duplicates(persons=persons)
        times.append(time.perf_counter() - started)
    cut = LinkageConfig().threshold
    low = find_duplicates(persons=persons, threshold=0.3)
    quality = dup_quality(low, data / "truth" / "duplicates.csv", cut)
    return {"seconds": median(times), "runs": times, "read_and_features_s": median(read),
            "persons": persons.height, "pairs": found.height, **quality,
            "peak_mb": peak_mb()}


def child_births(data: Path, runs: int, births: int) -> dict[str, Any]:
    _django()
    import polars as pl

    from renkou.linkage.reconcile import reconcile_births, reconcile_marriages

    src = pl.read_csv(data / "hospital_births.csv", infer_schema_length=0).head(births)
    path = DATA / f"{data.name}-hospital_births_{src.height}.csv"
    src.write_csv(path)
    truth = pl.read_csv(data / "truth" / "hospital_births.csv", infer_schema_length=0)
    times: list[float] = []
    result: Any = None
    for _ in range(runs):
        started = time.perf_counter()
        result = reconcile_births(path)
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    marriages = reconcile_marriages(data / "civil_marriages.csv")
    m_seconds = time.perf_counter() - started
    m_truth = pl.read_csv(data / "truth" / "civil_marriages.csv", infer_schema_length=0
                          ).with_columns(pl.col("wife_id", "husband_id").fill_null(""))
    j = marriages.rows.join(m_truth, on="record_id", suffix="_t")
    agree = j.filter((pl.col("status") == pl.col("status_t"))
                     & (pl.col("wife_id") == pl.col("wife_id_t"))
                     & (pl.col("husband_id") == pl.col("husband_id_t"))).height
    return {"seconds": median(times), "runs": times, "records": src.height,
            **births_quality(result.rows, truth), **result.counts(),
            "marriages_records": marriages.rows.height, "marriages_seconds": m_seconds,
            "marriages_exact_agreement": round(agree / max(j.height, 1), 4),
            "marriages_counts": marriages.counts(), "peak_mb": peak_mb()}


def _csv_persons(data: Path) -> Any:
    import polars as pl

    return pl.read_csv(data / "persons.csv", infer_schema_length=0)


def child_renkou_csv(data: Path, runs: int) -> dict[str, Any]:
    """The Renkou model on persons.csv (no database), as the baselines see the data."""
    _django()

    from renkou.linkage.dedupe import PERSON_COLUMNS, features_for, find_duplicates

    raw = _csv_persons(data).rename({"person_id": "unique_id"}).select(PERSON_COLUMNS)
    times: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        found = find_duplicates(persons=features_for(raw), threshold=0.3)
        times.append(time.perf_counter() - started)
    return {"seconds": median(times), "runs": times, "persons": raw.height,
            **dup_quality(found, data / "truth" / "duplicates.csv", 0.95),
            "peak_mb": peak_mb()}


def child_plain_splink(data: Path, runs: int) -> dict[str, Any]:
    import logging

    import polars as pl
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    frame = _csv_persons(data).select(
        pl.col("person_id").alias("unique_id"), "name", "sex", "birth_date",
        pl.when(pl.col("id_number") == "").then(None).otherwise(pl.col("id_number"))
        .alias("id_number"),
        pl.col("birth_date").str.slice(0, 4).alias("birth_year"))
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[cl.ExactMatch("name").configure(term_frequency_adjustments=True),
                     cl.LevenshteinAtThresholds("id_number", [1, 2]),
                     cl.DateOfBirthComparison("birth_date", input_is_string=True),
                     cl.ExactMatch("sex")],
        blocking_rules_to_generate_predictions=[
            block_on("id_number"), block_on("name", "birth_year"),
            block_on("name", "sex"), block_on("birth_date")],
        retain_matching_columns=False)
    times: list[float] = []
    found: Any = None
    for _ in range(runs):
        started = time.perf_counter()
        db_api = DuckDBAPI()
        linker = Linker(db_api.register(frame.to_arrow()), settings, log_level=logging.ERROR)
        linker.training.estimate_probability_two_random_records_match(
            [block_on("id_number")], recall=0.6)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("birth_date"))
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("name"))
        predictions = linker.inference.predict(threshold_match_probability=0.3)
        found = pl.from_pandas(predictions.as_pandas_dataframe()).select(
            pl.col("unique_id_l").alias("person_id_a"), pl.col("unique_id_r")
            .alias("person_id_b"), pl.col("match_probability").alias("probability"))
        times.append(time.perf_counter() - started)
    return {"seconds": median(times), "runs": times, "persons": frame.height,
            **dup_quality(found, data / "truth" / "duplicates.csv", 0.5),
            "peak_mb": peak_mb()}


def child_recordlinkage(data: Path, runs: int) -> dict[str, Any]:
    import polars as pl
    import recordlinkage

    frame = _csv_persons(data).to_pandas().set_index("person_id")
    times: list[float] = []
    found: Any = None
    for _ in range(runs):
        started = time.perf_counter()
        indexer = recordlinkage.Index()
        indexer.block("id_number")
        indexer.block(["name", "birth_date"])
        indexer.block(["name", "sex"])
        candidates = indexer.index(frame)
        compare = recordlinkage.Compare()
        compare.exact("name", "name", label="name")
        compare.string("id_number", "id_number", method="levenshtein", threshold=0.85,
                       label="id_number")
        compare.exact("birth_date", "birth_date", label="birth_date")
        compare.exact("sex", "sex", label="sex")
        features = compare.compute(candidates, frame)
        # the package's rule-based classification: at least 3 of the 4 fields agree
        score = features.sum(axis=1)
        kept = score[score >= 3].reset_index()
        kept.columns = ["person_id_a", "person_id_b", "score"]
        found = pl.from_pandas(kept).with_columns((pl.col("score") / 4).alias("probability"))
        times.append(time.perf_counter() - started)
    return {"seconds": median(times), "runs": times, "persons": len(frame),
            **dup_quality(found, data / "truth" / "duplicates.csv", 0.75),
            "peak_mb": peak_mb()}


CHILDREN = {"duplicates": child_duplicates, "births": child_births,
            "renkou_csv": child_renkou_csv, "plain_splink": child_plain_splink,
            "recordlinkage": child_recordlinkage}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--baseline-persons", type=int, default=100_000)
    parser.add_argument("--births", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--no-baselines", action="store_true",
                        help="only the Renkou figures (e.g. a second database)")
    parser.add_argument("--child", choices=sorted(CHILDREN), default=None)
    parser.add_argument("--data", default=None)
    args = parser.parse_args()
    if args.child:
        data = Path(args.data)
        if args.child == "births":
            out = child_births(data, args.runs, args.births)
        else:
            out = CHILDREN[args.child](data, args.runs)
        print(json.dumps(out, ensure_ascii=False))
        return

    script = str(Path(__file__).resolve())
    data = synth(args.persons)
    url = database(args.persons, args.db, data)
    env = {"DATABASE_URL": url}
    common = ["--runs", str(args.runs), "--data", str(data)]
    dup = run_child([script, "--child", "duplicates", *common], env)
    emit(what="duplicates", db=args.db, size=args.persons, **dup,
         rows_per_s=round(args.persons / dup["seconds"]))
    births = run_child([script, "--child", "births", *common, "--births", str(args.births)],
                       env)
    emit(what="reconcile_births", db=args.db, size=args.persons, **births,
         rows_per_s=round(births["records"] / births["seconds"]))

    if args.no_baselines:
        return
    base = synth(args.baseline_persons)
    base_common = ["--runs", str(args.runs), "--data", str(base)]
    ours = run_child([script, "--child", "renkou_csv", *base_common])
    emit(what="duplicates_renkou_model_from_csv", size=args.baseline_persons, **ours)
    for name in ("plain_splink", "recordlinkage"):
        other = run_child([script, "--child", name, *base_common])
        emit(what=f"baseline_{name}", size=args.baseline_persons, **other,
             ratio_seconds_vs_renkou=round(other["seconds"] / ours["seconds"], 2))


if __name__ == "__main__":
    main()
