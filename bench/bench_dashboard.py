"""Benchmark: the dashboard's read model (renkou.web.dashboard) for the county and a township.

    .venv/bin/python bench/bench_dashboard.py [--persons 1000000] [--runs 5]
        [--database-url URL]

Without --database-url, loads bench/data/synth-N (made with `renkou synth` on first use)
with `renkou import` into bench/data/dashboard[-N].sqlite3 once and reuses it. Prints one
JSON line per figure (PERFORMANCE.md), each a median of --runs:

- miss: every dashboard figure computed (key indicators for both spans, every month, the
  pyramid, the units below), engine fact store already loaded, page cache empty;
- hit: the same call answered from the cache (the fingerprint query and a cache read) —
  what a page view costs while nothing changes;
- baseline: the same figures with plain Django ORM aggregations, what one would write
  without the engine: a count per unit and span for the stock, grouped event counts per
  unit and span, one grouped query for the months, and the pyramid from the persons
  registered on the day; with the ratio baseline / miss.

The concurrent-users load test (p95 under 20 users) is a separate benchmark.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from common import DATA, RENKOU, dataset, emit, measure, peak_mb, sqlite_fresh

REPO = Path(__file__).resolve().parent.parent


def _database(persons: int) -> str:
    suffix = "" if persons == 1_000_000 else f"-{persons}"
    target = DATA / f"dashboard{suffix}.sqlite3"
    url = f"sqlite:///{target}"
    if target.exists() and target.with_suffix(".loaded").exists():
        return url
    url = sqlite_fresh(f"dashboard{suffix}")
    subprocess.run([RENKOU, "import", str(dataset(persons))], check=True, cwd=REPO,
                   env={**os.environ, "DATABASE_URL": url}, stdout=subprocess.DEVNULL)
    target.with_suffix(".loaded").write_text("ok\n")
    return url


def orm_dashboard(unit: Any, children: list[Any], spans: list[Any], months: list[Any],
                  day: Any) -> dict[str, Any]:
    """The dashboard's figures with plain ORM aggregations (the baseline)."""
    from django.db.models import Count, Q
    from django.db.models.functions import TruncMonth

    from renkou.core.periods import age_on
    from renkou.events.models import Event, RegistrationSpell
    from renkou.registry.models import Person
    from renkou.units.selectors import under_q

    def registered(u: Any, d: Any) -> Q:
        return (under_q(u, "unit__") & (Q(start__isnull=True) | Q(start__lte=d))
                & (Q(end__isnull=True) | Q(end__gt=d)))

    figures: dict[str, Any] = {}
    for u in [unit, *children]:
        for span in spans:
            pop = RegistrationSpell.objects.filter(registered(u, span.end)).count()
            events = dict(Event.objects.filter(under_q(u, "unit__"),
                                               date__range=(span.start, span.end))
                          .values_list("type").annotate(n=Count("id")).order_by())
            figures[(u.code, span.code)] = (pop, events)
    figures["months"] = list(
        Event.objects.filter(under_q(unit, "unit__"), type__in=["birth", "death"],
                             date__range=(months[0].start, months[-1].end))
        .annotate(month=TruncMonth("date")).values_list("month", "type")
        .annotate(n=Count("id")).order_by())
    ids = RegistrationSpell.objects.filter(registered(unit, day)).values("person_id")
    pyramid: dict[tuple[int, int], int] = {}
    for birth, sex in Person.objects.filter(id__in=ids).values_list("birth_date", "sex"):
        if birth is not None and birth <= day:
            key = (min(age_on(birth, day) // 5, 17), sex)
            pyramid[key] = pyramid.get(key, 0) + 1
    figures["pyramid"] = pyramid
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    url = args.database_url or _database(args.persons)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.cache import cache

    from renkou.core.periods import parse_period
    from renkou.stats import engine
    from renkou.stats.facts import get_store
    from renkou.units.models import Unit
    from renkou.web import dashboard

    get_store()
    county = Unit.objects.filter(level="county").order_by("code").first()
    township = Unit.objects.filter(level="township").order_by("code").first()
    if county is None or township is None:
        raise SystemExit(f"no county with townships in {url}")
    # the engine's first query in a process pays DuckDB's start-up: not a page's cost
    engine.compute_indicators(unit=county, period=parse_period("2024"))
    backend = url.split(":", 1)[0].replace("postgres", "postgresql")
    backend = "sqlite" if backend == "sqlite" else "postgresql"
    for unit in (county, township):
        size = f"{args.persons} persons, {unit.level} {unit.code}"
        miss, _times, board = measure(lambda u=unit: dashboard.dashboard_for_unit(unit=u),
                                      args.runs, before=cache.clear)
        emit(what="dashboard read model, cache miss (engine loaded)", backend=backend,
             size=size, seconds=round(miss, 4), runs=args.runs, peak_mb=peak_mb())
        hit, _times, _ = measure(lambda u=unit: dashboard.dashboard_for_unit(unit=u),
                                 args.runs)
        emit(what="dashboard read model, cache hit", backend=backend, size=size,
             seconds=round(hit, 5), runs=args.runs, peak_mb=peak_mb())
        children = list(Unit.objects.filter(parent=unit).order_by("code"))
        spans = [board.current, board.previous]
        months = [parse_period(m.replace("-", "")) for m in board.months]
        base, _times, _ = measure(
            lambda u=unit, c=children, s=spans, m=months, d=board.current.end:
            orm_dashboard(u, c, s, m, d), args.baseline_runs)
        emit(what="dashboard figures, plain Django ORM baseline", backend=backend, size=size,
             seconds=round(base, 3), runs=args.baseline_runs, peak_mb=peak_mb(),
             ratio_baseline_to_miss=round(base / miss, 1),
             ratio_baseline_to_hit=round(base / hit, 0))


if __name__ == "__main__":
    main()
