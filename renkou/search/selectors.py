"""Searching persons the user may see: by name, pinyin initials or full pinyin, identity
number (whole or its last digits), person id or household id.

Each kind of query is one range scan over one index of the search table, in that index's
order, filtered by the user's units and cut at a page plus one row (no count: counting every
"z…" in a county would cost more than the page); a village's few thousand rows are read
through the unit index and sorted instead (`_scoped`). Out-of-scope persons are simply not
there. What a hit shows is read from the registry for the page's rows only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat

from renkou.core.audit import Actor, audit_log
from renkou.core.scope import REGISTRY_READERS, unit_scope_q, user_units
from renkou.registry.models import Person
from renkou.search.models import SearchEntry
from renkou.units.models import Unit

MAX_QUERY_LENGTH = 64
PAGE_SIZE = 20
MAX_PAGE = 50  # deeper pages mean the query is too broad: refine it instead
# The highest code point: every string starting with q sorts below q + TOP (byte order).
TOP = "\U0010ffff"
ID_TAIL_MIN = 4
VOWELS = frozenset("aeiouv")
PINYIN_ONLY_FROM = 5
# Scopes of these levels hold tens of thousands of persons or more: searched in key order
# (a page is found after a few hundred rows), not read whole through the unit index.
BROAD_LEVELS = frozenset({"province", "city", "county", "township"})
KEY_COLUMNS = ("name", "initials", "pinyin")
MAX_MEMBERS = 200  # household members matched by a household id (a household has a few)

_DIGITS = re.compile(r"[0-9]+[xX]?")
_LETTERS = re.compile(r"[a-z]+")
_HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0003ffff]")


@dataclass(frozen=True)
class SearchHit:
    person_id: str
    name: str
    sex: int
    birth_date: date | None
    id_number: str
    household_id: str
    unit_code: str
    unit_name: str


@dataclass(frozen=True)
class SearchPage:
    query: str
    kind: str  # "", "name", "initials", "pinyin", "id", "code"
    hits: list[SearchHit]
    page: int
    page_size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.hits else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.page_size + len(self.hits)


def normalise_query(raw: str) -> str:
    """Full-width forms folded (ＺＳ, １２３４ → zs, 1234), spaces removed, letters lower-cased
    only when the query is all letters."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(text.split())[:MAX_QUERY_LENGTH]
    if text.isascii() and text.isalpha():
        return text.lower()
    return text


def _prefix(column: str, value: str) -> Q:
    return Q(**{f"{column}__gte": value, f"{column}__lt": value + TOP})


def _exact(ids: list[str]) -> Q:
    """The persons with one of these ids and the members of the households with one."""
    members = list(Person.objects.filter(household_id__in=ids).values_list("id", flat=True)
                   [:MAX_MEMBERS])
    return Q(person_id__in=sorted({*ids, *members}))


def _plan(query: str, key: Callable[[str], str] = str) -> tuple[str, Q, list[str]]:
    """(kind, condition, order) for a normalised query; `key(column)` names the key columns
    (see `_scoped`)."""
    if _DIGITS.fullmatch(query):
        exact = _exact([query])
        if len(query) < ID_TAIL_MIN:
            return "code", exact, ["person_id"]
        tail = query.upper()[::-1]
        # Four or more trailing digits match a few hundred persons in a county: the key's
        # index is the best plan in every scope.
        return "id", _prefix("id_reversed", tail) | exact, ["id_reversed", "person_id"]
    if _LETTERS.fullmatch(query):
        if not set(query) & VOWELS and query not in ("zh", "ch", "sh"):
            # No vowel: pinyin initials (a full syllable always has one) — one ordered scan.
            return "initials", _prefix(key("initials"), query), [key("initials"), "person_id"]
        if len(query) >= PINYIN_ONLY_FROM:
            # Five letters with a vowel are full pinyin (initials that long are rare):
            # the tightest range, no walk through every name with the same first letter.
            return "pinyin", _prefix(key("pinyin"), query), [key("pinyin"), "initials", "person_id"]
        # Initials and pinyin start with the same letter, so one scan of the pinyin index
        # from that letter, in its order, serves both.
        condition = _prefix(key("pinyin"), query[0]) & (
            _prefix(key("initials"), query) | _prefix(key("pinyin"), query))
        return "pinyin", condition, [key("pinyin"), "initials", "person_id"]
    if _HAN.match(query):
        return "name", _prefix(key("name"), query), [key("name"), "person_id"]
    return "code", _exact(sorted({query, query.upper()})), ["person_id"]


def _scope_q(units: list[Unit]) -> Q:
    """Entries whose unit lies under one of `units` (a subquery over the units table)."""
    if not units:
        return Q(pk__in=[])
    narrow = [u for u in units if u.level not in BROAD_LEVELS]
    broad = [u for u in units if u.level in BROAD_LEVELS]
    parts = []
    if narrow:
        parts.append(Q(unit_code__in=Unit.objects.filter(unit_scope_q(narrow, ""))
                       .values("code")))
    if broad:
        parts.append(Q(unit_unindexed__in=Unit.objects.filter(unit_scope_q(broad, ""))
                       .values("code")))
    return reduce(or_, parts)


def _unindexed(column: str) -> str:
    return f"{column}_unindexed"


def _scoped(units: list[Unit]) -> tuple[QuerySet[SearchEntry], Callable[[str], str]]:
    """The entries under `units`, and how a search names the key columns, so that the plan
    is the same whatever the planners' statistics say:

    - a township or larger (tens of thousands of persons or more): the filter goes on
      `unit_code || ''` (the same value, which no index serves), so the planner walks the
      key's index in order and stops after a page;
    - a village or group (a few hundred to a few thousand persons): the keys are unindexed
      expressions instead, so its entries are read through the unit index, filtered and
      sorted.

    Left to themselves, SQLite drove a county's search from the unit index (sorting the
    county) and PostgreSQL a township's from the key index re-read once per unit: 0.1–0.5 s
    where these plans take milliseconds (bench/bench_search.py).
    """
    entries = SearchEntry.objects.alias(unit_unindexed=Concat("unit_code", Value("")))
    key: Callable[[str], str] = str
    if units and all(u.level not in BROAD_LEVELS for u in units):
        entries = entries.alias(**{_unindexed(c): Concat(c, Value("")) for c in KEY_COLUMNS})
        key = _unindexed
    return entries.filter(_scope_q(units)), key


def _hits(rows: list[tuple[str, str, str]]) -> list[SearchHit]:
    """The page's rows with what a hit shows, read from the registry by primary key."""
    if not rows:
        return []
    ids = [r[0] for r in rows]
    people = {p[0]: p for p in Person.objects.filter(id__in=ids).values_list(
        "id", "sex", "birth_date", "id_number", "household_id")}
    names = dict(Unit.objects.filter(code__in={r[2] for r in rows})
                 .values_list("code", "name"))
    hits = []
    for person_id, name, unit_code in rows:
        person = people.get(person_id)
        if person is None:  # removed since the page was read
            continue
        hits.append(SearchHit(person_id=person_id, name=name, sex=person[1],
                              birth_date=person[2], id_number=person[3] or "",
                              household_id=person[4], unit_code=unit_code,
                              unit_name=names.get(unit_code, unit_code)))
    return hits


def search_for_user(*, user: Any, query: str, page: int = 1, page_size: int = PAGE_SIZE,
                    actor: Actor | None = None) -> SearchPage:
    """One page of the persons matching `query` that the user may see.

    Audited as `person.search` (who looked up whom): a search by ID number is a read of
    personal data."""
    query = normalise_query(query)
    page = min(max(1, page), MAX_PAGE)
    if not query:
        return SearchPage(query="", kind="", hits=[], page=1, page_size=page_size,
                          has_next=False)
    entries, key = _scoped(user_units(user, REGISTRY_READERS))
    kind, condition, order = _plan(query, key)
    start = (page - 1) * page_size
    rows = list(entries.filter(condition).order_by(*order)
                .values_list("person_id", "name", "unit_code")[start:start + page_size + 1])
    has_next = len(rows) > page_size
    hits = _hits(rows[:page_size])
    if actor is not None:
        with transaction.atomic():
            audit_log(actor=actor, action="person.search", object_type="person",
                      detail={"q": query, "kind": kind, "page": page,
                              "shown": [h.person_id for h in hits]})
    return SearchPage(query=query, kind=kind, hits=hits, page=page, page_size=page_size,
                      has_next=has_next)
