"""Read model of the dashboard: one unit's key indicators this statistical year vs last,
monthly births and deaths, the population pyramid and a table of the units below.

Every figure comes from the statistics engine (renkou.stats.engine), in three calls: the
unit's indicators for both spans and every month at once, the child units' indicators for
both spans at once, and the pyramid. Nothing loops over units. The result is cached per unit
and reference day under the engine's own data fingerprint, so a page view while nothing
changes costs the fingerprint query and a cache read.

Comparing a statistical year still in progress with the whole of last year would compare
three months with twelve, so the two spans are the same stretch of both years: 1 October up
to the reference day, and the same days a year earlier. The reference day is today, or the
last day with a recorded event if the records end earlier (a county whose last extract is
from last December sees last December's year, not an empty one).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone
from pypinyin import lazy_pinyin

from renkou.core.errors import NotFound
from renkou.core.periods import Period, PeriodKind, parse_period
from renkou.core.scope import user_units
from renkou.events.models import Event
from renkou.stats import engine
from renkou.stats.catalog import Indicator, by_code
from renkou.stats.facts import get_store
from renkou.units.models import ANCESTOR_LEVELS, LEVEL_ORDER, Unit

CACHE_SECONDS = 600

# The indicators on the dashboard's cards, in order. Rates are per year: they show for a
# complete statistical year and are empty ("—") for a year still in progress.
KEY_CODES: tuple[str, ...] = ("POP_END", "BIRTHS", "DEATHS", "MOVE_IN", "MOVE_OUT",
                              "MARRIAGES", "SRB", "REG_TIMELY", "CBR", "CDR", "TFR")
# Columns of the child-unit table. BIRTHS is shown but never a sort key: units are not
# ranked by births (see docs/ARCHITECTURE.md, rights boundary).
CHILD_CODES: tuple[str, ...] = ("POP_END", "BIRTHS", "DEATHS", "MOVE_IN", "MOVE_OUT",
                                "REG_TIMELY")
SORT_KEYS: tuple[str, ...] = ("code", "name", "POP_END", "DEATHS", "MOVE_IN", "MOVE_OUT",
                              "REG_TIMELY")

# data-indicator="…" keys of the cards (a contract with the browser tests): the catalog
# code in lower case, with the population codes spelled out.
_KEY_ALIASES = {"POP_START": "population_start", "POP_END": "population_end",
                "POP_AVG": "population_avg"}


def indicator_key(code: str) -> str:
    """Catalog code → the card's data-indicator key: BIRTHS → births, POP_END →
    population_end."""
    return _KEY_ALIASES.get(code, code.lower())


@dataclass(frozen=True)
class KeyFigure:
    indicator: Indicator
    key: str
    current: float | int | None
    previous: float | int | None

    @property
    def change(self) -> float | int | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def change_percent(self) -> float | None:
        if self.change is None or not self.previous:
            return None
        return 100.0 * float(self.change) / float(self.previous)


@dataclass(frozen=True)
class ChildRow:
    code: str
    name: str
    values: dict[str, float | int | None]
    previous: dict[str, float | int | None]


@dataclass(frozen=True)
class Dashboard:
    unit: Unit
    stat_year: Period  # the statistical year in view
    current: Period  # 1 October … reference day (the whole year once it is over)
    previous: Period  # the same days one year earlier
    complete: bool  # the statistical year is over: rates are defined
    key_figures: list[KeyFigure]
    months: list[str]  # YYYY-MM from the start of last statistical year to the reference day
    births_by_month: list[int | float | None]
    deaths_by_month: list[int | float | None]
    pyramid: list[dict[str, Any]]
    child_level: str | None
    latest_year: Period  # the statistical year of the reference day (the default view)
    children: list[ChildRow] = field(default_factory=list)

    def year_choices(self, count: int = 5) -> list[Period]:
        """The latest `count` statistical years, newest first (the year picker)."""
        first = self.latest_year.start.year
        return [parse_period(f"{first - k}Oct") for k in range(count)]


# --- scope and navigation --------------------------------------------------------------------

def dashboard_units_for_user(user: Any) -> list[Unit]:
    """The user's own units, highest first, each once (the starting points of navigation)."""
    units = {u.code: u for u in user_units(user)}
    return sorted(units.values(), key=lambda u: (u.depth, u.path))


def _covers(own: list[Unit], unit: Unit) -> bool:
    """True if `unit` is one of `own` or lies below one of them."""
    return any(u.code == unit.code or (u.level in ANCESTOR_LEVELS
                                       and unit.ancestor_code(u.level) == u.code)
               for u in own)


def dashboard_unit_for_user(*, user: Any, code: str | None,
                            own: list[Unit] | None = None) -> Unit:
    """The unit `code` if the user may see it, else NotFound (as if it did not exist);
    without a code, the user's highest unit. `own`: the user's units, if already read."""
    own = dashboard_units_for_user(user) if own is None else own
    if not code:
        if not own:
            raise NotFound()
        return own[0]
    unit = Unit.objects.filter(code=code).first()
    if unit is None or not _covers(own, unit):
        raise NotFound()
    return unit


def breadcrumbs_for_user(*, user: Any, unit: Unit, own: list[Unit] | None = None
                         ) -> list[Unit]:
    """The chain from the highest unit the user belongs to down to `unit` (both included):
    never a unit above the user's scope."""
    own_codes = {u.code for u in (dashboard_units_for_user(user) if own is None else own)}
    codes = [unit.ancestor_code(level) for level in ANCESTOR_LEVELS
             if LEVEL_ORDER.index(level) < LEVEL_ORDER.index(unit.level)]
    codes = [c for c in codes if c]
    if unit.code in own_codes or not codes:
        return [unit]
    chain = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    crumbs: list[Unit] = []
    for code in codes:
        if code in chain and (crumbs or code in own_codes):
            crumbs.append(chain[code])
    return [*crumbs, unit]


def child_level(unit: Unit) -> str | None:
    index = LEVEL_ORDER.index(unit.level)
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


# --- periods -----------------------------------------------------------------------------------

def stat_year_of(day: date) -> Period:
    return parse_period(f"{day.year if day.month >= 10 else day.year - 1}Oct")


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _span(stat_year: Period, end: date) -> Period:
    """1 October … `end`: the whole statistical year if `end` is its last day."""
    if end >= stat_year.end:
        return stat_year
    # Not year-long, so the engine leaves the per-year rates empty (SPEC §3).
    return Period(f"{stat_year.code}..{end:%Y%m%d}", stat_year.start, end, PeriodKind.MONTH)


def reference_day(today: date | None = None) -> date:
    """Today, or the last day with a recorded event when the records end before today."""
    today = today or timezone.localdate()
    last = Event.objects.filter(date__lte=today).aggregate(last=Max("date"))["last"]
    return min(today, last) if last is not None else today


def _months(first: date, last: date) -> list[Period]:
    months: list[Period] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(parse_period(f"{year}{month:02d}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# --- the figures -------------------------------------------------------------------------------

def dashboard_for_unit(*, unit: Unit, stat_year: Period | None = None,
                       today: date | None = None) -> Dashboard:
    """The dashboard of `unit` (already checked against the user's scope), cached."""
    store = get_store()
    fingerprint = hashlib.sha1(repr(store.key).encode(), usedforsecurity=False).hexdigest()
    requested = stat_year.code if stat_year else "-"
    key = f"renkou:dashboard:{unit.code}:{requested}:{today or timezone.localdate()}:{fingerprint}"
    cached: Dashboard | None = cache.get(key)
    if cached is None:
        # Twenty clerks opening the county right after an import compute it once, not
        # twenty times side by side on a two-core server.
        with _unit_lock(unit.code):
            cached = cache.get(key)
            if cached is None:
                cached = _compute(unit, stat_year, today)
                cache.set(key, cached, CACHE_SECONDS)
    return cached


_unit_locks: dict[str, threading.Lock] = {}
_unit_locks_guard = threading.Lock()


def _unit_lock(code: str) -> threading.Lock:
    with _unit_locks_guard:
        return _unit_locks.setdefault(code, threading.Lock())


def _compute(unit: Unit, stat_year: Period | None, today: date | None) -> Dashboard:
    day = reference_day(today)
    if stat_year is None:
        stat_year = stat_year_of(day)
    end = min(stat_year.end, max(day, stat_year.start))
    current = _span(stat_year, end)
    last_year = parse_period(f"{stat_year.start.year - 1}Oct")
    previous = _span(last_year, _year_earlier(end) if current is not stat_year else last_year.end)
    months = _months(last_year.start, end)

    periods = [current, previous, *months]
    own = engine.compute_indicators_many(unit=unit, periods=periods)
    now_values, then_values = own[current.code][0].values, own[previous.code][0].values
    key_figures = [KeyFigure(by_code(code), indicator_key(code), now_values[code],
                             then_values[code]) for code in KEY_CODES]

    level = child_level(unit)
    children: list[ChildRow] = []
    if level is not None:
        rows = engine.compute_indicators_many(unit=unit, periods=[current, previous],
                                              by_level=level)
        for now, then in zip(rows[current.code], rows[previous.code], strict=True):
            children.append(ChildRow(
                code=now.unit_code, name=now.unit_name,
                values={c: now.values[c] for c in CHILD_CODES},
                previous={c: then.values[c] for c in CHILD_CODES}))

    return Dashboard(
        unit=unit, stat_year=stat_year, current=current, previous=previous,
        complete=current is stat_year, key_figures=key_figures,
        months=[f"{m.start:%Y-%m}" for m in months],
        births_by_month=[own[m.code][0].values["BIRTHS"] for m in months],
        deaths_by_month=[own[m.code][0].values["DEATHS"] for m in months],
        pyramid=engine.population_pyramid(unit=unit, day=end, five_year=True),
        child_level=level, latest_year=stat_year_of(day), children=children,
    )


def sort_children(rows: list[ChildRow], key: str, descending: bool) -> list[ChildRow]:
    """Rows sorted by a SORT_KEYS column (unknown keys: by code); empty values last."""
    if key not in SORT_KEYS or key == "code":
        return sorted(rows, key=lambda r: r.code, reverse=descending)
    if key == "name":  # in pinyin order, as Chinese readers expect (李 before 张)
        return sorted(rows, key=lambda r: (lazy_pinyin(r.name), r.code), reverse=descending)
    present = [r for r in rows if r.values.get(key) is not None]
    missing = [r for r in rows if r.values.get(key) is None]
    present.sort(key=lambda r: (float(r.values[key] or 0), r.code), reverse=descending)
    return present + missing
