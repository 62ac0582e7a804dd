"""Benchmark: every SPEC §3 indicator for every village, a statistical year and its 12 months.

    .venv/bin/python bench/bench_stats.py [--persons 1000000] [--seed 1] [--runs 5]
        [--period 2024Oct] [--baseline-villages 8] [--backends sqlite,postgresql]

Generates (or reuses) bench/data/synth-N with `renkou synth`, loads it with `renkou import`
into bench/data/stats[-N].sqlite3 and into the PostgreSQL database renkou_bench_stats[_N]
(when `renkou import` fails on PostgreSQL, the rows are copied over from the SQLite database
instead, so both hold the same data), then for each database prints one JSON line per figure
(PERFORMANCE.md): what, size, seconds (median), runs, peak memory:

- cold: extraction from the database + building the DuckDB fact tables (cache emptied);
- freshness: the per-call check of the data version / fingerprint;
- warm: all indicators × every village × (statistical year + 12 months), the target (< 1 s);
- baseline: the plain Django ORM version (renkou/stats/baseline_orm.py) on a sample of
  villages × the same 13 periods, extrapolated to every village (labelled), its agreement
  with the engine on that sample, and the ratio baseline / warm (target ≥ 10×);
- population_on for the whole county (renkou.events.population), target < 0.5 s.
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

from common import (  # bench/common.py: shared bench helpers
    PG_SERVER,
    dataset,
    measure,
    peak_mb,
    persistent_urls,
    person_count,
)

ROOT = Path(__file__).resolve().parent.parent
RENKOU = ROOT / ".venv" / "bin" / "renkou"



def _create_pg_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def _analyze(url: str) -> None:
    """Fresh planner statistics, as autovacuum would eventually have them: without them the
    ORM baseline's plans on a just-loaded PostgreSQL database are ~30× slower (unfair)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("ANALYZE")


def prepare(backend: str, urls: dict[str, str], data: Path, persons: int) -> dict[str, Any]:
    """Make sure the database of `backend` holds the dataset; say how it was loaded."""
    how = _load(backend, urls, data, persons)
    if backend == "postgresql":
        _analyze(urls[backend])
    return how


def _load(backend: str, urls: dict[str, str], data: Path, persons: int) -> dict[str, Any]:
    url = urls[backend]
    if backend == "postgresql":
        _create_pg_database(url)
    if person_count(url) == persons:
        return {"loaded": "reused"}
    env = {**os.environ, "DATABASE_URL": url}
    started = time.perf_counter()
    done = subprocess.run([str(RENKOU), "import", str(data)], env=env, capture_output=True,
                          text=True, check=False, cwd=ROOT)
    if done.returncode == 0 and person_count(url) == persons:
        return {"loaded": "renkou import", "load_seconds": round(time.perf_counter() - started)}
    raise SystemExit(f"could not load {data} into {backend}: {done.stderr[-2000:]}")


def emit(backend: str, what: str, size: int, seconds: float | None, runs: list[float],
         **extra: Any) -> None:
    line = {"what": what, "backend": backend, "size": size,
            "seconds": None if seconds is None else round(seconds, 4),
            "runs": [round(t, 4) for t in runs], "peak_memory_mb": peak_mb(), **extra}
    print(json.dumps(line, ensure_ascii=False), flush=True)


def worker(backend: str, args: argparse.Namespace) -> None:
    """Runs with DATABASE_URL set to the backend's database."""
    import django

    django.setup()
    from renkou.core.periods import months_of, parse_period
    from renkou.events.population import population_on
    from renkou.stats import facts
    from renkou.stats.baseline_orm import baseline_indicators
    from renkou.stats.catalog import CODES
    from renkou.stats.engine import compute_indicators, compute_indicators_many
    from renkou.units.models import Unit

    n, runs = args.persons, args.runs
    county = Unit.objects.get(level="county")
    year = parse_period(args.period)
    periods = [year, *months_of(year)]
    villages = list(Unit.objects.filter(level="village").order_by("code"))
    cells = len(villages) * len(periods)

    seconds, times, store = measure(lambda: facts.get_store(), 3, before=facts.cache_clear)
    emit(backend, "cold: extract + build facts (cache emptied)", n, seconds, times,
         facts_seconds=round(store.built_seconds, 3))
    seconds, times, _ = measure(lambda: facts.fingerprint(), max(runs, 5))
    emit(backend, "freshness check per call (data version + fingerprint)", n, seconds, times)

    def all_villages() -> dict[str, Any]:
        return compute_indicators_many(unit=county, periods=periods, by_level="village")

    all_villages()
    warm, times, result = measure(all_villages, max(runs, 3))
    emit(backend, f"warm: {len(CODES)} indicators x {len(villages)} villages"
         f" x {len(periods)} periods ({year.code} + 12 months)", n, warm, times,
         rows=sum(len(rows) for rows in result.values()), target_seconds=1.0)
    seconds, times, _ = measure(lambda: compute_indicators(unit=county, period=year),
                                max(runs, 3))
    emit(backend, f"warm: county, {year.code}", n, seconds, times)

    step = max(1, len(villages) // max(1, args.baseline_villages))
    sample = villages[::step][:args.baseline_villages]

    def baseline() -> list[dict[str, Any]]:
        out = []
        for village in sample:
            out.append(baseline_indicators(unit=village, periods=periods))
        return out

    started = time.perf_counter()
    base = baseline()
    base_seconds = time.perf_counter() - started
    agree = all(
        got[p.code][0].values == next(r for r in result[p.code] if r.unit_code == v.code).values
        for v, got in zip(sample, base, strict=True) for p in periods)
    full = base_seconds / len(sample) * len(villages)
    emit(backend, f"baseline: plain Django ORM, {len(sample)} of {len(villages)} villages x "
         f"{len(periods)} periods, extrapolated to all villages", n, full, [base_seconds],
         measured_seconds=round(base_seconds, 2), sample_cells=len(sample) * len(periods),
         all_cells=cells, extrapolated=len(sample) < len(villages),
         agrees_with_engine=agree, ratio_baseline_over_warm=round(full / warm, 1),
         ratio_baseline_over_cold=round(full / (warm + store.built_seconds), 1))

    day = year.end
    seconds, times, total = measure(lambda: population_on(county, day), max(runs, 3))
    emit(backend, f"population_on(county, {day})", n, seconds, times, population=total,
         target_seconds=0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--period", default="2024Oct")
    parser.add_argument("--baseline-villages", type=int, default=8)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--worker", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")
    if args.worker:
        worker(args.worker, args)
        return
    data = dataset(args.persons, args.seed)
    urls = persistent_urls("stats", args.persons)
    for backend in args.backends.split(","):
        how = prepare(backend, urls, data, args.persons)
        print(json.dumps({"what": "dataset", "backend": backend, "size": args.persons,
                          "data": str(data.relative_to(ROOT)), **how}, ensure_ascii=False),
              flush=True)
        subprocess.run([sys.executable, __file__, "--worker", backend,
                        *(f"--{k.replace('_', '-')}={v}" for k, v in vars(args).items()
                          if k not in {"worker", "backends"})],
                       env={**os.environ, "DATABASE_URL": urls[backend]}, check=True,
                       cwd=ROOT)


if __name__ == "__main__":
    main()
