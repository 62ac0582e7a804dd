"""Person search on a 1M-person county: latency of the search table vs a plain ORM query.

For each database (SQLite, PostgreSQL): import the synthetic county with `renkou import`
(which fills the search table after its commit), time a full `search_rebuild` (the cost the
import pays on a first load) and the after-import sync of a re-import, then time searches by
name, surname, pinyin initials, full pinyin and the last 4 and 6 ID-number digits, as a
county administrator, a township clerk and a village worker. Baseline, in the same run: the
query a Django developer would write — `name__icontains` (or `id_number__endswith`) on the
scoped persons, first page of 21 rows. One JSON line per figure; times are medians and p95
over the sampled queries (each run once to warm, then measured).

    .venv/bin/python bench/bench_search.py --persons 1000000 --db both --queries 60
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = str(Path(__file__).resolve())
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    DATA,
    PG_SERVER,
    dataset,
    emit,
    peak_mb,
    postgres_fresh,
    sqlite_fresh,
)

PG_DATABASE = "renkou_bench_search"


def _sample(person_ids: list[str]) -> list[Any]:
    """The sampled persons' search keys, ID numbers and ancestor unit codes."""
    from types import SimpleNamespace

    from renkou.registry.models import Person
    from renkou.search.models import SearchEntry
    from renkou.units.models import Unit

    entries = list(SearchEntry.objects.filter(person_id__in=person_ids))
    numbers = dict(Person.objects.filter(id__in=person_ids).values_list("id", "id_number"))
    units = {u.code: u for u in Unit.objects.filter(code__in={e.unit_code for e in entries})}
    return [SimpleNamespace(name=e.name, initials=e.initials, pinyin=e.pinyin,
                            id_number=numbers.get(e.person_id) or "",
                            county_code=units[e.unit_code].county_code,
                            township_code=units[e.unit_code].township_code,
                            village_code=units[e.unit_code].village_code)
            for e in entries if e.unit_code in units]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def child(directory: Path, db: str, persons: int, queries: int, runs: int,
          reuse: bool = False) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")
    django.setup()
    from django.contrib.auth import get_user_model

    from renkou.core.audit import cli_actor
    from renkou.core.models import Membership
    from renkou.exchange.services import import_directory
    from renkou.registry.selectors import persons_for_user
    from renkou.search.models import SearchEntry
    from renkou.search.selectors import search_for_user
    from renkou.search.services import search_rebuild, search_sync_after_import

    if not reuse:
        start = time.perf_counter()
        report = import_directory(directory=directory, actor=cli_actor())
        assert report.ok, report.errors.head(5)
        emit(what="import_with_search_sync", db=db, size=persons,
             seconds=round(time.perf_counter() - start, 2), peak_mb=peak_mb())
    rebuilds = [_timed(search_rebuild) for _ in range(runs)]
    rows = SearchEntry.objects.count()
    emit(what="search_rebuild", db=db, size=persons, rows=rows,
         seconds=round(statistics.median(rebuilds), 2),
         rows_per_s=round(rows / statistics.median(rebuilds)), runs=[round(r, 2) for r in rebuilds],
         peak_mb=peak_mb())
    again = import_directory(directory=directory, actor=cli_actor())
    sync = _timed(lambda: search_sync_after_import(batch_id=again.batch_id))
    emit(what="search_sync_after_reimport", db=db, size=persons, seconds=round(sync, 3),
         note="re-import of the same files: nothing changed, nothing rewritten")

    # Personas at three levels, around sampled persons.
    rng = random.Random(7)
    ids = list(SearchEntry.objects.values_list("person_id", flat=True))
    sample = _sample(rng.sample(ids, queries))
    User = get_user_model()

    def persona(name: str, unit: str, role: str) -> Any:
        user, _ = User.objects.get_or_create(username=name)
        Membership.objects.get_or_create(user=user, unit_id=unit, role=role)
        return user

    county = persona("bench_county", sample[0].county_code, "county_admin")
    users = {"county": lambda e: county,
             "township": lambda e: persona(f"bench_t_{e.township_code}", e.township_code,
                                           "township_clerk"),
             "village": lambda e: persona(f"bench_v_{e.village_code}", e.village_code,
                                          "village_worker")}
    kinds = {
        "name": lambda e: e.name,
        "surname": lambda e: e.name[:1],
        "initials": lambda e: e.initials,
        "pinyin": lambda e: e.pinyin,
        "id_tail4": lambda e: e.id_number[-4:],
        "id_tail6": lambda e: e.id_number[-6:],
    }

    def baseline(user: Any, kind: str, e: Any) -> list[Any]:
        qs = persons_for_user(user=user)
        if kind.startswith("id_tail"):
            qs = qs.filter(id_number__endswith=kinds[kind](e))
        else:
            # what one would otherwise do: the ORM has no pinyin, so the name stands in
            qs = qs.filter(name__icontains=e.name if kind in ("initials", "pinyin")
                           else kinds[kind](e))
        return list(qs.order_by("id")[:21])

    for scope, who in users.items():
        for kind, make in kinds.items():
            cases = [(who(e), make(e), e) for e in sample if make(e)]
            fast: list[float] = []
            slow: list[float] = []
            found = 0
            for user, query, _e in cases:
                search_for_user(user=user, query=query)  # warm
                fast.append(_timed(lambda u=user, q=query: search_for_user(user=u, query=q)))
                page = search_for_user(user=user, query=query)
                found += bool(page.hits)
            for user, _query, e in cases[: max(5, len(cases) // 3)]:
                baseline(user, kind, e)
                slow.append(_timed(lambda u=user, e=e, k=kind: baseline(u, k, e)))
            emit(what=f"search_{kind}", db=db, size=persons, scope=scope, queries=len(cases),
                 found_share=round(found / max(1, len(cases)), 2),
                 seconds=round(statistics.median(fast), 4), p95=round(_p95(fast), 4),
                 baseline="name__icontains" if not kind.startswith("id") else
                 "id_number__endswith",
                 baseline_seconds=round(statistics.median(slow), 4),
                 baseline_p95=round(_p95(slow), 4),
                 ratio=round(statistics.median(slow) / max(statistics.median(fast), 1e-6), 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true",
                        help="measure on the databases of an earlier run (no fresh import)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    directory = dataset(args.persons)
    if args.child:
        child(directory, args.child, args.persons, args.queries, args.runs, args.reuse)
        return
    import subprocess

    from bench.common import PYTHON, REPO

    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        if args.reuse:
            url = (f"sqlite:///{DATA / 'search.sqlite3'}" if db == "sqlite"
                   else f"{PG_SERVER}/{PG_DATABASE}")
        else:
            url = sqlite_fresh("search") if db == "sqlite" else postgres_fresh(PG_DATABASE)
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "renkou.settings"}
        subprocess.run([PYTHON, HERE, "--persons", str(args.persons), "--queries",
                        str(args.queries), "--runs", str(args.runs), "--child", db,
                        *(["--reuse"] if args.reuse else [])],
                       env=env, cwd=REPO, check=True)


if __name__ == "__main__":
    main()
