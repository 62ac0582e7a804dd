"""Shared helpers for benchmarks (see docs PERFORMANCE.md, "How we measure").

- `dataset(persons)`: the synthetic county in bench/data/synth-N (made once with
  `renkou synth`, reused afterwards);
- `run_child(...)`: run one measured step in a child process that prints one JSON line,
  so that every figure has its own peak memory (`peak_mb()` inside the child);
- `emit(...)`: print one JSON line per figure; `median`;
- `sqlite_fresh` / `postgres_fresh`: an empty, migrated database for each run.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "bench" / "data"
PYTHON = str(REPO / ".venv" / "bin" / "python")
RENKOU = str(REPO / ".venv" / "bin" / "renkou")
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
SPEC_FILES = ("orgunits", "households", "persons", "events")


def dataset(persons: int, seed: int = 1) -> Path:
    """bench/data/synth-<persons>: the synthetic county, generated on first use."""
    out = DATA / f"synth-{persons}"
    if all((out / f"{name}.csv").exists() for name in SPEC_FILES):
        return out
    DATA.mkdir(parents=True, exist_ok=True)
    subprocess.run([RENKOU, "synth", "--persons", str(persons), "--seed", str(seed),
                    "--out", str(out)], cwd=REPO, check=True)
    return out


def file_rows(directory: Path) -> dict[str, int]:
    """Data rows per SPEC file (lines minus the header; the synthetic files have no
    line breaks inside cells)."""
    counts = {}
    for name in SPEC_FILES:
        with (directory / f"{name}.csv").open("rb") as handle:
            counts[name] = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20),
                                                                     b"")) - 1
    return counts


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def emit(**fields: Any) -> None:
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def peak_mb() -> float:
    """Peak resident memory of this process in MiB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measure(fn: Callable[[], Any], runs: int, before: Callable[[], None] | None = None
            ) -> tuple[float, list[float], Any]:
    """Median seconds of `runs` calls of fn (each after `before`), all times, last result."""
    times: list[float] = []
    result: Any = None
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times, result


def run_child(args: Sequence[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `python <args>` (which prints a JSON object as its last line) and parse it."""
    full_env = {"DJANGO_SETTINGS_MODULE": "renkou.settings", **os.environ, **(env or {})}
    result = subprocess.run([PYTHON, *args], env=full_env, cwd=REPO, capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise RuntimeError(f"child {' '.join(args)} failed with {result.returncode}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


@contextmanager
def timer() -> Iterator[dict[str, float]]:
    box: dict[str, float] = {}
    start = time.perf_counter()
    yield box
    box["seconds"] = time.perf_counter() - start


def _migrate(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([RENKOU, "migrate", "--no-input", "-v", "0"], env=env, cwd=REPO, check=True)


def sqlite_fresh(name: str) -> str:
    """A migrated, empty SQLite file bench/data/<name>.sqlite3 (copied from a template
    kept migrated, so that a run does not pay for migrations)."""
    template = DATA / "template.sqlite3"
    _migrate(f"sqlite:///{template}")  # a no-op when current; applies new migrations
    target = DATA / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def postgres_fresh(database: str) -> str:
    """`database` recreated from `<database>_template`, kept migrated: every run
    starts from exactly the migrations' schema (a run may have dropped indexes) with no
    rows, and does not pay for migrations."""
    import psycopg

    template = f"{database}_template"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              [template]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{template}"')
        _migrate(f"{PG_SERVER}/{template}")  # a no-op when current; applies new migrations
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
    return f"{PG_SERVER}/{database}"


def persistent_urls(name: str, persons: int) -> dict[str, str]:
    """The kept (not fresh) SQLite file and PostgreSQL database of one benchmark and size."""
    suffix = "" if persons == 1_000_000 else f"-{persons}"
    return {
        "sqlite": f"sqlite:///{REPO / 'bench' / 'data' / f'{name}{suffix}.sqlite3'}",
        "postgresql": f"{PG_SERVER}/renkou_bench_{name}{suffix.replace('-', '_')}",
    }


def person_count(database_url: str) -> int:
    """Persons in that database (schema migrated first), counted in a child process."""
    code = ("import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'renkou.settings'); django.setup(); from renkou.cli import ensure_schema; "
            "ensure_schema(); from renkou.registry.models import Person; "
            "print(Person.objects.count())")
    done = subprocess.run([sys.executable, "-c", code],
                          env={**os.environ, "DATABASE_URL": database_url},
                          capture_output=True, text=True, check=True, cwd=REPO)
    return int(done.stdout.strip().splitlines()[-1])
