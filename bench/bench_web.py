"""Web pages under load: 20 concurrent users on the 1M-person county, app served by gunicorn,
PostgreSQL on loopback.

Measured pages (each user signed in, through the whole stack: gunicorn → Django → database):
the dashboard ("/"), the search page (/search/?q= a surname character, pinyin initials, the
last 4 digits of an ID number) and person pages (/persons/<id>/). Baselines in the same run:
the login page for an anonymous visitor (the framework floor: sessions, CSRF, templates) and
the old person list (/persons/?q=<surname>).

Each virtual user is a thread with its own session (closed loop): it picks a page at random
(equal weights), requests it, then thinks for a random 0–2×--think seconds. Users are spread
over a county administrator, township clerks and village workers, and every query, person id
and unit comes from that user's own units. A warm-up period (not recorded) lets every
gunicorn worker build its caches (the statistics engine's fact store is per process). Any
status other than 200 is an error (redirects are not followed).

    .venv/bin/python bench/bench_web.py --persons 1000000 --users 20 --seconds 120

One JSON line per page: median, p95, p99 (seconds), requests, errors, requests per second,
and the ratio of its p95 to the login page's p95. The load generator imports no Django
(the app runs in gunicorn's processes; the setup step runs in a child process).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = str(Path(__file__).resolve())
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    DATA,
    PG_SERVER,
    REPO,
    dataset,
    emit,
    postgres_fresh,
    run_child,
    sqlite_fresh,
)

PG_DATABASE = "renkou_bench_web"
PASSWORD = "bench-web-password"  # noqa: S105 — a local benchmark login
GUNICORN = str(REPO / ".venv" / "bin" / "gunicorn")
PAGES = ("dashboard", "search_surname", "search_initials", "search_id_tail", "person",
         "login_page", "person_list_old")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered))) - 1))]


# --- child: database preparation and the users' plan (imports Django) ----------------------

def setup_child(database_url: str, directory: str, persons: int, load: bool) -> None:
    import django

    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from renkou.cli import ensure_schema
    from renkou.core.audit import cli_actor
    from renkou.core.models import Membership
    from renkou.registry.models import Person
    from renkou.units.models import Unit

    ensure_schema()
    loaded = Person.objects.count()
    if load or loaded == 0:
        from renkou.exchange.services import import_directory

        started = time.perf_counter()
        report = import_directory(directory=Path(directory), actor=cli_actor())
        if not report.ok:
            raise SystemExit(f"import failed: {report.errors.head(5)}")
        sys.stderr.write(f"imported in {time.perf_counter() - started:.1f} s\n")
        loaded = Person.objects.count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rng = random.Random(11)
    county = Unit.objects.filter(level="county").order_by("code").first()
    assert county is not None
    townships = list(Unit.objects.filter(level="township", county_code=county.code)
                     .order_by("code")[:2])
    villages = [v for t in townships for v in Unit.objects.filter(
        level="village", township_code=t.code).order_by("code")[:2]]
    user_model = get_user_model()

    def persona(username: str, unit: Any, role: str) -> dict[str, Any]:
        user, _ = user_model.objects.get_or_create(username=username)
        user.set_password(PASSWORD)
        user.save()
        Membership.objects.get_or_create(user=user, unit=unit, role=role)
        scoped = Person.objects.filter(**{f"household__unit__{unit.level}_code": unit.code}) \
            if unit.level != "group" else Person.objects.filter(household__unit=unit)
        # A random sample without ORDER BY random() over a million rows: random id ranges.
        ids = list(scoped.values_list("id", flat=True)[:5000])
        chosen = rng.sample(ids, min(60, len(ids)))
        sample = list(Person.objects.filter(id__in=chosen).values("id", "name", "id_number"))
        initials = _initials([p["name"] for p in sample])
        return {
            "username": username, "unit": unit.code, "role": role,
            "persons": [p["id"] for p in sample],
            "surname": sorted({p["name"][:1] for p in sample if p["name"]}),
            "initials": initials,
            "id_tail": sorted({p["id_number"][-4:] for p in sample if p["id_number"]}),
        }

    plan = {"persons": loaded,
            "personas": [persona("bench_web_county", county, "county_admin")]
            + [persona(f"bench_web_t{i}", t, "township_clerk") for i, t in enumerate(townships)]
            + [persona(f"bench_web_v{i}", v, "village_worker") for i, v in enumerate(villages)]}
    print(json.dumps(plan, ensure_ascii=False))


def _initials(names: list[str]) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    found = set()
    for name in names:
        letters = "".join(s[:1] for s in lazy_pinyin(name, style=Style.FIRST_LETTER))
        if len(letters) >= 2:
            found.add(letters.lower())
    return sorted(found)


# --- parent: gunicorn and the load generator (no Django) -----------------------------------

def _prepare(db: str, persons: int, reuse: bool) -> str:
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  [PG_DATABASE]).fetchone()
        if reuse and exists:
            return f"{PG_SERVER}/{PG_DATABASE}"
        return postgres_fresh(PG_DATABASE)
    target = DATA / f"web-{persons}.sqlite3"
    if reuse and target.exists():
        return f"sqlite:///{target}"
    return sqlite_fresh(f"web-{persons}")


def _start_gunicorn(database_url: str, port: int, workers: int, threads: int,
                    home: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE":
           "renkou.settings", "RENKOU_HOME": str(home), "DEBUG": "0"}
    command = [GUNICORN, "renkou.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--worker-class", "gthread", "--threads",
               str(threads), "--timeout", "300", "--log-level", "warning",
               # as behind a reverse proxy: idle keep-alive connections are not cut at 2 s
               "--keep-alive", "120"]
    return subprocess.Popen(command, env=env, cwd=REPO)  # noqa: S603


def _wait_ready(base: str, server: subprocess.Popen[bytes], limit: float = 120) -> None:
    import requests

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            if requests.get(base + "/login/", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer")


class VirtualUser(threading.Thread):
    def __init__(self, base: str, persona: dict[str, Any], think: float, seed: int,
                 stop: threading.Event, record: threading.Event,
                 results: dict[str, list[float]], errors: dict[str, int],
                 lock: threading.Lock) -> None:
        super().__init__(daemon=True)
        self.base, self.persona, self.think = base, persona, think
        self.rng = random.Random(seed)
        self.stop, self.record = stop, record
        self.results, self.errors, self.lock = results, errors, lock
        self.failure = ""

    def _login(self) -> Any:
        import requests

        session = requests.Session()
        session.get(self.base + "/login/", timeout=30)
        token = session.cookies.get("csrftoken", "")
        response = session.post(self.base + "/login/", data={
            "username": self.persona["username"], "password": PASSWORD,
            "csrfmiddlewaretoken": token}, headers={"Referer": self.base + "/login/"},
            allow_redirects=False, timeout=60)
        if response.status_code != 302:
            raise RuntimeError(f"login of {self.persona['username']} failed: "
                               f"{response.status_code}")
        return session

    def _url(self, page: str) -> str:
        p, pick = self.persona, self.rng.choice
        query = {"search_surname": "surname", "search_initials": "initials",
                 "search_id_tail": "id_tail"}
        if page == "dashboard":
            return "/"
        if page in query:
            return "/search/?q=" + urllib.parse.quote(pick(p[query[page]]))
        if page == "person":
            return f"/persons/{urllib.parse.quote(pick(p['persons']))}/"
        if page == "login_page":
            return "/login/"
        return "/persons/?q=" + urllib.parse.quote(pick(p["surname"]))

    def run(self) -> None:
        import requests

        try:
            session = self._login()
        except Exception as exc:  # noqa: BLE001 — reported by the parent
            self.failure = str(exc)
            return
        anonymous = requests.Session()
        while not self.stop.is_set():
            page = self.rng.choice(PAGES)
            client = anonymous if page == "login_page" else session
            started = time.perf_counter()
            try:
                response = client.get(self.base + self._url(page), allow_redirects=False,
                                      timeout=60)
                ok = response.status_code == 200
            except requests.RequestException:
                ok = False
            elapsed = time.perf_counter() - started
            if self.record.is_set():
                with self.lock:
                    if ok:
                        self.results[page].append(elapsed)
                    else:
                        self.errors[page] += 1
            self.stop.wait(self.rng.uniform(0, 2 * self.think))


def warm_dashboards(base: str, plan: dict[str, Any], parallel: int, limit: float) -> float:
    """Request every persona's dashboard, `parallel` at a time, until a full round is fast
    (< 1 s each): every gunicorn process has then built its statistics cache."""
    from concurrent.futures import ThreadPoolExecutor

    started = time.monotonic()
    sessions = [VirtualUser(base, persona, 0, 0, threading.Event(), threading.Event(), {},
                            {}, threading.Lock())._login() for persona in plan["personas"]]

    def one(index: int) -> float:
        import requests

        begin = time.perf_counter()
        try:
            ok = sessions[index % len(sessions)].get(base + "/", timeout=300).status_code == 200
        except requests.RequestException:
            ok = False
        return time.perf_counter() - begin if ok else float("inf")

    with ThreadPoolExecutor(parallel) as pool:
        while time.monotonic() - started < limit:
            times = list(pool.map(one, range(parallel * 3)))
            if max(times) < 1.0:
                break
    return time.monotonic() - started


def run_single(base: str, plan: dict[str, Any], rounds: int) -> dict[str, list[float]]:
    """Service time without contention: one user at a time, every page `rounds` times per
    persona, sequentially (separates queueing under load from the page's own cost)."""
    import requests

    results: dict[str, list[float]] = defaultdict(list)
    for index, persona in enumerate(plan["personas"]):
        user = VirtualUser(base, persona, 0, 100 + index, threading.Event(),
                           threading.Event(), {}, {}, threading.Lock())
        session, anonymous = user._login(), requests.Session()
        for _ in range(rounds):
            for page in PAGES:
                client = anonymous if page == "login_page" else session
                started = time.perf_counter()
                response = client.get(base + user._url(page), allow_redirects=False,
                                      timeout=60)
                if response.status_code == 200:
                    results[page].append(time.perf_counter() - started)
    return results


def run_load(base: str, plan: dict[str, Any], users: int, think: float, warmup: float,
             seconds: float) -> tuple[dict[str, list[float]], dict[str, int], float]:
    personas = plan["personas"]
    # 20 users: a fifth county administrators, the rest shared by township and village staff
    weights = [0.2] + [0.8 / (len(personas) - 1)] * (len(personas) - 1)
    rng = random.Random(5)
    stop, record, lock = threading.Event(), threading.Event(), threading.Lock()
    results: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    threads = [VirtualUser(base, rng.choices(personas, weights)[0], think, i, stop, record,
                           results, errors, lock) for i in range(users)]
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    record.set()
    started = time.monotonic()
    time.sleep(seconds)
    record.clear()
    measured = time.monotonic() - started
    stop.set()
    for thread in threads:
        thread.join(timeout=90)
    failures = [t.failure for t in threads if t.failure]
    if failures:
        raise RuntimeError(f"{len(failures)} users could not sign in: {failures[0]}")
    return results, errors, measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120, help="measured period")
    parser.add_argument("--warmup", type=float, default=30, help="unrecorded warm-up")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean think time between a user's requests (s)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per process")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the loaded database of an earlier run")
    parser.add_argument("--setup", nargs=3, metavar=("URL", "DIR", "LOAD"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup_child(args.setup[0], args.setup[1], args.persons, args.setup[2] == "1")
        return
    directory = dataset(args.persons)
    database_url = _prepare(args.db, args.persons, args.reuse)
    started = time.perf_counter()
    plan = run_child([HERE, "--persons", str(args.persons), "--setup", database_url,
                      str(directory), "0" if args.reuse else "1"])
    emit(what="web_setup", db=args.db, size=plan["persons"],
         seconds=round(time.perf_counter() - started, 1), reused=args.reuse)
    home = DATA / "web-home"
    home.mkdir(parents=True, exist_ok=True)
    server = _start_gunicorn(database_url, args.port, args.workers, args.threads, home)
    try:
        base = f"http://127.0.0.1:{args.port}"
        _wait_ready(base, server)
        warmed = warm_dashboards(base, plan, args.workers * args.threads, limit=600)
        emit(what="web_warm_dashboards", db=args.db, size=plan["persons"],
             seconds=round(warmed, 1), workers=args.workers)
        single = run_single(base, plan, rounds=4)
        for page in PAGES:
            if single[page]:
                emit(what=f"web_{page}_one_user", db=args.db, size=plan["persons"],
                     requests=len(single[page]),
                     seconds=round(statistics.median(single[page]), 4),
                     p95=round(_percentile(single[page], 0.95), 4))
        results, errors, measured = run_load(base, plan, args.users, args.think, args.warmup,
                                             args.seconds)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
    floor = _percentile(results["login_page"], 0.95) if results["login_page"] else None
    for page in PAGES:
        times = results[page]
        if not times:
            emit(what=f"web_{page}", db=args.db, size=plan["persons"], requests=0,
                 errors=errors[page])
            continue
        p95 = _percentile(times, 0.95)
        emit(what=f"web_{page}", db=args.db, size=plan["persons"], users=args.users,
             think_s=args.think, workers=args.workers, threads=args.threads,
             requests=len(times), errors=errors[page],
             seconds=round(statistics.median(times), 4), p95=round(p95, 4),
             p99=round(_percentile(times, 0.99), 4), max=round(max(times), 4),
             rps=round(len(times) / measured, 2),
             baseline="login_page", ratio_p95=round(p95 / floor, 2) if floor else None,
             target_p95=0.3 if page not in ("login_page", "person_list_old") else None)


if __name__ == "__main__":
    main()
