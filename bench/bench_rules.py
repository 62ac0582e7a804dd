"""Benchmark: the consistency rules over the whole registry (renkou/quality/checks.py).

    .venv/bin/python bench/bench_rules.py [--persons 1000000] [--seed 1] [--runs 3]
        [--baseline-persons 2000] [--backends sqlite,postgresql]

Generates (or reuses) bench/data/synth-N with `renkou synth`, loads it with `renkou import`
into bench/data/rules[-N].sqlite3 and the PostgreSQL database renkou_bench_rules[_N], then
prints one JSON line per figure (PERFORMANCE.md):

- rules_first_run: every rule over every person, household and event, findings table
  emptied before each run (all findings inserted);
- rules_rerun: the same with nothing changed (compare, write nothing);
- rules_per_write: the refresh a service runs after a write to one person (median over
  random persons);
- baseline: a plain per-person Django ORM loop (get the person, its parents, events,
  household head and identity-number twins; update_or_create a Finding per problem) on a
  random sample of persons, extrapolated to all (labelled), and the ratio to the first run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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




def _prepare(backend: str, url: str, data: Path, persons: int) -> dict[str, Any]:
    if backend == "postgresql":
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                 [name]).fetchone():
                admin.execute(f'CREATE DATABASE "{name}"')
    if person_count(url) == persons:
        return {"loaded": "reused"}
    started = time.perf_counter()
    done = subprocess.run([str(RENKOU), "import", str(data)],
                          env={**os.environ, "DATABASE_URL": url}, capture_output=True,
                          text=True, check=False, cwd=ROOT)
    if done.returncode != 0 or person_count(url) != persons:
        raise SystemExit(f"could not load {data} into {backend}: {done.stderr[-2000:]}")
    if backend == "postgresql":
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("ANALYZE")
    return {"loaded": "renkou import", "load_seconds": round(time.perf_counter() - started)}


def emit(backend: str, what: str, size: int, seconds: float | None, runs: list[float],
         **extra: Any) -> None:
    line = {"what": what, "backend": backend, "size": size,
            "seconds": None if seconds is None else round(seconds, 4),
            "runs": [round(t, 4) for t in runs], "peak_memory_mb": peak_mb(), **extra}
    print(json.dumps(line, ensure_ascii=False), flush=True)


def baseline_loop(person_ids: list[str]) -> set[tuple[str, str]]:
    """What one would write without the vectorised engine: a loop over persons."""
    from django.db import transaction
    from django.utils import timezone

    from renkou.events.models import Event
    from renkou.quality.models import Finding
    from renkou.registry.idnumber import check_id_number
    from renkou.registry.models import Person

    found: set[tuple[str, str]] = set()
    now = timezone.now()
    with transaction.atomic():
        for pid in person_ids:
            person = Person.objects.select_related("household").get(id=pid)
            problems: dict[str, str] = {}
            result = check_id_number(person.id_number, birth_date=person.birth_date,
                                     sex=person.sex)
            for problem in result.problems:
                problems[f"id_number.{problem.value}"] = person.id_number
            if person.id_number and Person.objects.filter(
                    id_number=person.id_number).exclude(id=pid).exists():
                problems["id_number.duplicate"] = person.id_number
            mother = Person.objects.filter(id=person.mother_id).first() \
                if person.mother_id else None
            father = Person.objects.filter(id=person.father_id).first() \
                if person.father_id else None
            if mother and mother.birth_date and person.birth_date:
                b, m = person.birth_date, mother.birth_date
                age = b.year - m.year - ((b.month, b.day) < (m.month, m.day))
                if age < 12 or age > 55:
                    problems["birth.mother_age"] = str(age)
            for parent in (mother, father):
                if parent and parent.birth_date and person.birth_date \
                        and person.birth_date <= parent.birth_date:
                    problems["person.older_than_parent"] = parent.id
            events = list(Event.objects.filter(person_id=pid))
            deaths = [e.date for e in events if e.type == "death"]
            for event in events:
                if deaths and event.type != "death" and event.date > min(deaths):
                    found.add(("event.after_death", event.id))
                if event.type == "marriage":
                    spouse = Person.objects.filter(id=event.spouse_id).first() \
                        if event.spouse_id else None
                    births = [person.birth_date, spouse.birth_date if spouse else None]
                    if any(d and event.date < d for d in births):
                        found.add(("marriage.before_birth", event.id))
            if not Person.objects.filter(household_id=person.household_id,
                                         relation="02").exists():
                found.add(("household.no_head", person.household_id))
            for rule, value in problems.items():
                Finding.objects.update_or_create(
                    rule=rule, object_type="person", object_id=pid,
                    defaults={"unit_code": person.household.unit_id, "value": value[:255],
                              "found_at": now})
                found.add((rule, pid))
        transaction.set_rollback(True)  # measure the work, leave the engine's findings alone
    return found


def worker(backend: str, args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.db import connection

    from renkou.quality.models import Finding
    from renkou.quality.services import rules_run
    from renkou.registry.models import Person

    size = Person.objects.count()

    def empty() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Finding._meta.db_table}")  # noqa: S608

    cpu: list[float] = []

    def timed_run() -> Any:
        # CPU seconds of this process (all threads): less sensitive than wall time to
        # other jobs on a shared machine.
        started = time.process_time()
        result = rules_run()
        cpu.append(time.process_time() - started)
        return result

    median, runs, result = measure(timed_run, args.runs, before=empty)
    emit(backend, "rules_first_run", size, median, runs, rows_per_second=round(size / median),
         cpu_seconds=round(sorted(cpu)[len(cpu) // 2], 2),
         findings=sum(result.open_by_rule.values()), by_rule=result.open_by_rule)
    first = median
    cpu.clear()
    median, runs, result = measure(timed_run, args.runs)
    emit(backend, "rules_rerun", size, median, runs, rows_per_second=round(size / median),
         cpu_seconds=round(sorted(cpu)[len(cpu) // 2], 2),
         changed=result.opened + result.updated + result.closed + result.reopened)
    ids = list(Person.objects.order_by("?").values_list("id", flat=True)[:max(
        args.baseline_persons, 20)])
    rng = random.Random(args.seed)  # noqa: S311
    sample = rng.sample(ids, 20)
    per_write: list[float] = []
    for pid in sample:
        started = time.perf_counter()
        rules_run(person_ids=[pid])
        per_write.append(time.perf_counter() - started)
    per_write.sort()
    emit(backend, "rules_per_write", size, per_write[len(per_write) // 2], per_write)
    base_ids = ids[:args.baseline_persons]
    started = time.perf_counter()
    found = baseline_loop(base_ids)
    seconds = time.perf_counter() - started
    extrapolated = seconds / len(base_ids) * size
    engine = set(Finding.objects.filter(object_type="person", object_id__in=base_ids,
                                        status="open").values_list("rule", "object_id"))
    baseline_people = {(r, o) for r, o in found if not r.startswith(("event.", "household."))}
    emit(backend, "baseline_orm_loop_extrapolated", size, extrapolated, [seconds],
         measured_persons=len(base_ids), measured_seconds=round(seconds, 2),
         ratio_vs_first_run=round(extrapolated / first, 1),
         agrees_on_sample=engine == baseline_people)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-persons", type=int, default=2000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--worker", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")
    if args.worker:
        worker(args.worker, args)
        return
    data = dataset(args.persons, args.seed)
    urls = persistent_urls("rules", args.persons)
    for backend in args.backends.split(","):
        how = _prepare(backend, urls[backend], data, args.persons)
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
