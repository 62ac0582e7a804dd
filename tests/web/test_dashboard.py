"""The dashboard at "/": scoped unit in view, key indicators this statistical year vs last,
charts' data, child units sorted, breadcrumbs. Numbers are hand-counted in stats_data."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from renkou.events.spells import spells_rebuild
from tests import factories as f
from tests.web.stats_data import add_vital_events


def _client(user: Any, language: str = "en") -> Client:
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


@pytest.fixture
def vital(people: dict[str, Any]) -> dict[str, Any]:
    add_vital_events()
    spells_rebuild()
    return people


def _indicator(html: str, key: str) -> str:
    match = re.search(rf'data-indicator="{key}"[^>]*>([^<]*)<', html)
    assert match, f"no data-indicator={key}"
    return match.group(1).strip()


def _previous(html: str, key: str) -> str:
    match = re.search(rf'data-indicator-previous="{key}">([^<]*)<', html)
    assert match, f"no data-indicator-previous={key}"
    return match.group(1).strip()


def _unit_rows(html: str) -> list[str]:
    return re.findall(r'<tr data-unit="([0-9]+)"', html)


def test_township_dashboard_this_year_vs_last(personas, vital):
    response = _client(personas["township_clerk_1"]).get("/")
    assert response.status_code == 200
    board = response.context["board"]
    assert board.unit.code == f.TOWNSHIP_1
    assert board.stat_year.code == "2024Oct"
    assert (board.current.start, board.current.end) == (date(2024, 10, 1), date(2025, 6, 15))
    assert (board.previous.start, board.previous.end) == (date(2023, 10, 1), date(2024, 6, 15))
    assert not board.complete
    html = response.content.decode()
    assert (_indicator(html, "births"), _previous(html, "births")) == ("2", "1")
    assert (_indicator(html, "deaths"), _previous(html, "deaths")) == ("1", "1")
    assert (_indicator(html, "population_end"), _previous(html, "population_end")) == ("6", "5")
    assert _indicator(html, "reg_timely") == "50.0"  # 15 days yes, 52 days no
    assert _indicator(html, "srb") == "100.0"
    assert _indicator(html, "cbr") == "—"  # a year in progress has no yearly rates
    assert "+1" in html  # births: 2 against 1
    assert "王庄" not in html


def test_monthly_chart_and_pyramid_data(personas, vital):
    html = _client(personas["township_clerk_1"]).get("/").content.decode()
    monthly = json.loads(re.search(r'id="chart-monthly"[^>]*>(.*?)</script>', html, re.S)[1])
    assert monthly["months"][0] == "2023-10"
    assert monthly["months"][-1] == "2025-06"
    births = dict(zip(monthly["months"], monthly["births"], strict=True))
    deaths = dict(zip(monthly["months"], monthly["deaths"], strict=True))
    assert {m: n for m, n in births.items() if n} == {"2024-02": 1, "2024-11": 1, "2025-03": 1}
    assert {m: n for m, n in deaths.items() if n} == {"2023-12": 1, "2025-06": 1}
    pyramid = json.loads(re.search(r'id="chart-pyramid"[^>]*>(.*?)</script>', html, re.S)[1])
    by_group = dict(zip(pyramid["groups"], zip(pyramid["male"], pyramid["female"],
                                               strict=True), strict=True))
    # on 2025-06-15: N1 N3 boys and N2 girl under 5; A3 27; A4 20; A2 52
    assert by_group["0–4"] == (2, 1)
    assert by_group["25–29"] == (1, 0)
    assert by_group["20–24"] == (0, 1)
    assert by_group["50–54"] == (0, 1)
    assert sum(pyramid["male"]) + sum(pyramid["female"]) == 6


def test_child_units_table_and_sorting(personas, vital):
    client = _client(personas["township_clerk_1"])
    response = client.get("/")
    rows = {r.code: r for r in response.context["children"]}
    assert list(rows) == [f.VILLAGE_A, f.VILLAGE_B]
    assert rows[f.VILLAGE_A].values["POP_END"] == 5
    assert rows[f.VILLAGE_A].values["BIRTHS"] == 2
    assert rows[f.VILLAGE_B].values["POP_END"] == 1
    assert rows[f.VILLAGE_B].previous["DEATHS"] == 1
    html = client.get("/", {"sort": "POP_END", "dir": "desc"}).content.decode()
    assert _unit_rows(html) == [f.VILLAGE_A, f.VILLAGE_B]
    html = client.get("/", {"sort": "POP_END"}).content.decode()
    assert _unit_rows(html) == [f.VILLAGE_B, f.VILLAGE_A]
    html = client.get("/", {"sort": "name", "dir": "desc"}).content.decode()
    assert _unit_rows(html) == [f.VILLAGE_B, f.VILLAGE_A]  # pinyin: zhang after li


def test_units_are_never_ranked_by_births(personas, vital):
    client = _client(personas["township_clerk_1"])
    up = _unit_rows(client.get("/", {"sort": "BIRTHS"}).content.decode())
    down = _unit_rows(client.get("/", {"sort": "BIRTHS", "dir": "desc"}).content.decode())
    assert up == [f.VILLAGE_A, f.VILLAGE_B]  # ignored: code order
    assert down == [f.VILLAGE_B, f.VILLAGE_A]  # code order, reversed
    html = client.get("/").content.decode()
    assert "sort=BIRTHS" not in html
    assert "sort=CBR" not in html


def test_htmx_sort_answers_only_the_table(personas, vital):
    response = _client(personas["township_clerk_1"]).get(
        "/", {"sort": "POP_END"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="child-units")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="child-units"')
    assert "<html" not in html
    assert _unit_rows(html) == [f.VILLAGE_B, f.VILLAGE_A]


def test_drill_down_to_a_village_with_breadcrumbs(personas, vital):
    response = _client(personas["township_clerk_1"]).get("/", {"unit": f.VILLAGE_A})
    assert response.status_code == 200
    assert [u.code for u in response.context["crumbs"]] == [f.TOWNSHIP_1, f.VILLAGE_A]
    html = response.content.decode()
    assert f'href="?unit={f.TOWNSHIP_1}"' in html
    assert _indicator(html, "population_end") == "5"
    assert _indicator(html, "births") == "2"
    assert [r.code for r in response.context["children"]] == [f.GROUP_A1, f.GROUP_A2]
    assert [r.values["POP_END"] for r in response.context["children"]] == [3, 2]
    assert "嵩县" not in html.split("<main")[1]  # nothing above the clerk's own unit


def test_village_worker_sees_only_the_village(personas, vital):
    client = _client(personas["village_worker_a"])
    response = client.get("/")
    assert response.context["board"].unit.code == f.VILLAGE_A
    assert [u.code for u in response.context["crumbs"]] == [f.VILLAGE_A]
    for code in (f.VILLAGE_B, f.TOWNSHIP_1, f.COUNTY, f.GROUP_C1, "999999999999"):
        assert client.get("/", {"unit": code}).status_code == 404, code
    assert client.get("/", {"unit": f.GROUP_A2}).status_code == 200


def test_choosing_a_complete_statistical_year_gives_rates(personas, vital):
    response = _client(personas["township_clerk_1"]).get("/", {"year": "2023Oct"})
    board = response.context["board"]
    assert board.complete
    assert (board.current.start, board.current.end) == (date(2023, 10, 1), date(2024, 9, 30))
    html = response.content.decode()
    figures = {k.indicator.code: k for k in board.key_figures}
    # P(2023-09-30) = A1 A2 A3 A4 B1 = 5; P(2024-09-30) = A1 A2 A3 A4 N3 = 5; CBR = 1/5 ×1000
    assert figures["CBR"].current == pytest.approx(200.0)
    assert _indicator(html, "cbr") == "200.00"
    assert client_status(personas, {"year": "2024"}) == 404
    assert client_status(personas, {"year": "nonsense"}) == 404


def client_status(personas: dict[str, Any], params: dict[str, str]) -> int:
    return _client(personas["township_clerk_1"]).get("/", params).status_code


def test_dashboard_in_chinese_by_default(personas, vital):
    html = _client(personas["township_clerk_1"], "zh-hans").get("/").content.decode()
    assert "2025统计年度" in html
    assert "出生人数" in html
    assert "城关镇" in html


def test_user_without_units(db):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("lonely", password="pw-lonely")
    response = _client(user, "zh-hans").get("/")
    assert response.status_code == 200
    assert "您还不属于任何单位" in response.content.decode()


def test_a_new_birth_shows_at_once(personas, vital):
    client = _client(personas["township_clerk_1"])
    assert _indicator(client.get("/").content.decode(), "births") == "2"
    f.make_person("P-N5", "H-B1", sex=2, birth=date(2025, 6, 1), name="张小五")
    f.make_event("E-N5", "birth", "P-N5", date(2025, 6, 1), f.GROUP_B1)
    spells_rebuild(["P-N5"])
    assert _indicator(client.get("/").content.decode(), "births") == "3"


def test_cached_dashboard_query_count(personas, vital, django_assert_max_num_queries):
    client = _client(personas["county_admin"])
    client.get("/")  # fills the caches
    with django_assert_max_num_queries(5):
        response = client.get("/")
    assert response.status_code == 200


def test_value_formats_and_indicator_keys():
    from django.utils import translation

    from renkou.web.dashboard import ChildRow, indicator_key, sort_children
    from renkou.web.templatetags.renkou_stats import stat, stat_change, unit_of

    assert stat(1234567, "POP_END") == "1,234,567"
    assert stat(8.36123, "CBR") == "8.36"
    assert stat(1.98765, "TFR") == "1.988"
    assert stat(None, "CBR") == "—"
    assert [stat_change(v, "DEATHS") for v in (3, -3, 0, None)] == ["+3", "−3", "±0", "—"]
    assert [indicator_key(c) for c in ("BIRTHS", "POP_END", "REG_TIMELY")] == [
        "births", "population_end", "reg_timely"]
    with translation.override("en"):
        assert unit_of("SRB") == "boys per 100 girls"
        assert unit_of("BIRTHS") == ""
    with translation.override("zh-hans"):
        assert unit_of("CBR") == "‰"
    rows = [ChildRow("2", "乙", {"REG_TIMELY": None}, {}),
            ChildRow("1", "甲", {"REG_TIMELY": 80.0}, {}),
            ChildRow("3", "丙", {"REG_TIMELY": 95.5}, {})]
    assert [r.code for r in sort_children(rows, "REG_TIMELY", True)] == ["3", "1", "2"]
    assert [r.code for r in sort_children(rows, "REG_TIMELY", False)] == ["1", "3", "2"]
    assert [r.code for r in sort_children(rows, "BIRTHS", False)] == ["1", "2", "3"]
