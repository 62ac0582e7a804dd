"""Scope by every route: a user never sees a person outside their units, whatever the URL.

Given the personas of tests/conftest.py and people in three villages (tests/web/data.py),
when each persona requests every page, every search and every detail URL,
then nobody outside the persona's units appears, and a detail URL of such a person or
household answers 404 exactly like one that does not exist (403 would leak existence).
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests import factories as f
from tests.web.data import VISIBLE_VILLAGES, Resident

PERSONAS = sorted(VISIBLE_VILLAGES)
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def _client_for(user: Any) -> Client:
    client = Client(REMOTE_ADDR="10.0.0.7")
    client.force_login(user)
    return client


def _hidden(persona: str, people: dict[str, Resident]) -> list[Resident]:
    visible = VISIBLE_VILLAGES.get(persona, set())
    return [r for r in people.values() if r.village not in visible]


def _visible(persona: str, people: dict[str, Resident]) -> list[Resident]:
    visible = VISIBLE_VILLAGES.get(persona, set())
    return [r for r in people.values() if r.village in visible]


def _traces(resident: Resident) -> list[bytes]:
    """Every form in which a resident could show up in HTML or JSON."""
    out = []
    for text in (resident.name, resident.id_number, resident.person_id,
                 resident.id_number[-4:] + "\"", resident.id_number[6:14]):
        out.append(text.encode())
        out.append(json.dumps(text).strip('"').encode())  # \uXXXX-escaped JSON
    return out


def _assert_absent(content: bytes, hidden: list[Resident], where: str) -> None:
    for resident in hidden:
        for trace in _traces(resident):
            assert trace not in content, f"{where} shows {resident.person_id} ({trace!r})"


def _without_echo(content: bytes, query: str) -> bytes:
    """The page repeats what the user typed (search box, "matching …"); that is no leak."""
    for form in {query, escape(query), quote_plus(query), quote(query)}:
        content = content.replace(form.encode(), b"")
    return content


def _walk(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    routes: list[tuple[str, URLPattern]] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            routes += _walk(entry, prefix + str(entry.pattern))
        else:
            routes.append((prefix + str(entry.pattern), entry))
    return routes


ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^:>]+):)?(?P<name>[^>]+)>")


@pytest.fixture
def no_unit_user(units: Any) -> Any:
    return get_user_model().objects.create_user(username="nobody", password="pw-nobody")


def _persona(name: str, personas: dict[str, Any], no_unit_user: Any) -> Any:
    return no_unit_user if name == "no_unit" else personas[name]


ALL_PERSONAS = [*PERSONAS, "no_unit"]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_list_page_shows_only_own_units(persona, personas, people, no_unit_user):
    client = _client_for(_persona(persona, personas, no_unit_user))
    response = client.get("/persons/")
    assert response.status_code == 200
    _assert_absent(response.content, _hidden(persona, people), "list page")
    for resident in _visible(persona, people):
        assert resident.name in response.content.decode()


@pytest.mark.parametrize("persona", ALL_PERSONAS)
@pytest.mark.parametrize("field", ["name", "name_prefix", "id_number", "id_number_lower",
                                   "person_id", "household_id"])
def test_search_never_finds_people_of_other_units(persona, field, personas, people,
                                                  no_unit_user):
    client = _client_for(_persona(persona, personas, no_unit_user))
    for resident in _hidden(persona, people):
        query = {
            "name": resident.name,
            "name_prefix": resident.name[:2],
            "id_number": resident.id_number,
            "id_number_lower": resident.id_number.lower(),
            "person_id": resident.person_id,
            "household_id": resident.household_id,
        }[field]
        response = client.get("/persons/", {"q": query})
        assert response.status_code == 200
        _assert_absent(_without_echo(response.content, query), _hidden(persona, people),
                       f"search {field}")


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_detail_urls_of_other_units_are_404_like_missing_ones(persona, personas, people,
                                                             no_unit_user):
    client = _client_for(_persona(persona, personas, no_unit_user))

    def page(url: str) -> tuple[int, bytes]:
        response = client.get(url)
        # The language switch returns to the current URL; the token differs per request.
        return response.status_code, CSRF.sub(b"", response.content.replace(url.encode(), b""))

    missing_person = page("/persons/NO-SUCH-PERSON/")
    missing_household = page("/households/NO-SUCH-HH/")
    assert missing_person[0] == missing_household[0] == 404
    for resident in _hidden(persona, people):
        # Same answer as for an id that exists nowhere: nothing tells the two apart.
        assert page(f"/persons/{resident.person_id}/") == missing_person
        assert page(f"/households/{resident.household_id}/") == missing_household


@pytest.mark.parametrize("persona", PERSONAS)
def test_detail_urls_of_own_units_work(persona, personas, people):
    client = _client_for(personas[persona])
    for resident in _visible(persona, people):
        response = client.get(f"/persons/{resident.person_id}/")
        assert response.status_code == 200
        assert resident.id_number in response.content.decode()
        _assert_absent(response.content, _hidden(persona, people), "person page")
        response = client.get(f"/households/{resident.household_id}/")
        assert response.status_code == 200
        _assert_absent(response.content, _hidden(persona, people), "household page")


# Values to put in each kind of URL parameter: things that exist, but outside village A.
def _route_values(people: dict[str, Resident]) -> dict[str, list[str]]:
    outside = [r for r in people.values() if r.village != f.VILLAGE_A]
    return {
        "person_id": [r.person_id for r in outside],
        "household_id": sorted({r.household_id for r in outside}),
        "unit_code": [f.VILLAGE_C, f.GROUP_C1, f.VILLAGE_B, f.TOWNSHIP_2],
        "code": [f.VILLAGE_C, f.GROUP_C1, f.VILLAGE_B, f.TOWNSHIP_2],
        "kind": ["death", "marriage", "move_in"],  # event forms
        # POST only (GET answers 405); its scope is tested in tests/quality/test_web.py.
        "finding_id": ["1", "2"],
        # import jobs: only the uploader sees one (tests/web/test_import_page.py)
        "job_id": ["1", "2"],
        # duplicate pairs: POST only (GET answers 405); scope in tests/linkage/test_web.py
        "pair_id": ["1", "2"],
    }


def test_every_route_hides_other_villages_from_a_village_worker(personas, people):
    """Walks the whole URL configuration, API endpoints included: a route added later is
    checked too (and a route with an unknown parameter must be added here)."""
    client = _client_for(personas["village_worker_a"])
    hidden = _hidden("village_worker_a", people)
    values = _route_values(people)
    secrets = [text for r in hidden for text in (r.name, r.id_number, r.person_id,
                                                  r.household_id)]
    checked = 0
    for route, _pattern in _walk(get_resolver()):
        params = [m.group("name") for m in ROUTE_PARAM.finditer(route)]
        if route.startswith(("^", "static")) or "(?P<" in route:
            continue  # regex routes: none in this project except static files
        if not params:
            for secret in secrets:
                for key in ("q", "search", "name", "id_number", "person_id", "household_id",
                            "unit", "unit_code"):
                    response = client.get("/" + route, {key: secret})
                    _assert_absent(_without_echo(response.content, secret), hidden,
                                   f"/{route}?{key}=")
                    checked += 1
            continue
        unknown = [p for p in params if p not in values]
        if unknown:
            pytest.fail(f"route /{route} takes {unknown}: add outside-scope values for them "
                        "to _route_values so the scope test covers it")
        for index in range(max(len(values[p]) for p in params)):
            url = "/" + ROUTE_PARAM.sub(
                lambda m, i=index: values[m.group("name")][i % len(values[m.group("name")])],
                route)
            response = client.get(url)
            assert response.status_code in {404, 405}, f"{url} answered {response.status_code}"
            _assert_absent(_without_echo(response.content, url), hidden, url)
            checked += 1
    assert checked > 0
