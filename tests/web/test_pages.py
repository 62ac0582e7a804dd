"""Pages: home, registry list and search, person and household detail, sign-in, languages."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from renkou.core.models import AuditEvent
from renkou.events.spells import spells_rebuild
from tests import factories as f
from tests.web.data import Resident


def _client(user: Any, language: str = "en") -> Client:
    client = Client(REMOTE_ADDR="10.0.0.7")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


# --- sign-in -------------------------------------------------------------------------------

def test_pages_need_sign_in(db):
    for url in ("/", "/persons/", "/persons/P-A1/", "/households/H-A1/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


def test_login_page_is_chinese_by_default(db):
    content = Client().get("/login/").content.decode()
    assert "登录" in content
    assert "Sign in" not in content


def test_english_browser_still_gets_chinese_first(db):
    content = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/login/").content.decode()
    assert "登录" in content


def test_login_page_in_english(db):
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    content = client.get("/login/").content.decode()
    assert "Sign in" in content
    assert "登录" not in content


def test_login_page_in_english_with_english_default(db, settings):
    settings.LANGUAGE_CODE = "en"
    content = Client(HTTP_ACCEPT_LANGUAGE="").get("/login/").content.decode()
    assert "Sign in" in content


def test_sign_in_and_out_are_audited(personas):
    client = Client(REMOTE_ADDR="10.9.8.7")
    response = client.post("/login/", {"username": "vw_a", "password": "pw-vw_a"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    login = AuditEvent.objects.get(action="user.login")
    assert login.username == "vw_a"
    assert login.origin == "10.9.8.7"
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_shows_an_error_and_is_audited(personas):
    response = Client(REMOTE_ADDR="10.9.8.7").post(
        "/login/", {"username": "vw_a", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    failed = AuditEvent.objects.get(action="user.login_failed")
    assert failed.detail == {"username": "vw_a"}
    assert failed.origin == "10.9.8.7"
    assert failed.user_id is None


# --- home: the dashboard (more in test_dashboard.py) ---------------------------------------

def _figure(response: Any, code: str) -> Any:
    (figure,) = [k for k in response.context["board"].key_figures if k.indicator.code == code]
    return figure.current


def test_home_shows_the_unit_and_its_units_below(personas, people):
    spells_rebuild()
    response = _client(personas["township_clerk_1"]).get("/")
    assert response.status_code == 200
    assert response.context["board"].unit.code == f.TOWNSHIP_1
    assert _figure(response, "POP_END") == 5  # four in 李家村, one in 张庄村
    assert [(c.code, c.values["POP_END"]) for c in response.context["children"]] == [
        (f.VILLAGE_A, 4), (f.VILLAGE_B, 1)]
    content = response.content.decode()
    assert "城关镇" in content
    assert "李家村" in content
    assert "王庄村" not in content


def test_home_counts_only_the_village_for_a_village_worker(personas, people):
    spells_rebuild()
    response = _client(personas["village_worker_a"]).get("/")
    assert _figure(response, "POP_END") == 4
    assert [c.code for c in response.context["children"]] == [f.GROUP_A1, f.GROUP_A2]


def test_home_population_is_registered_population_at_the_last_record(personas, people):
    spells_rebuild()
    f.make_event("E-D", "death", "P-A1", date(2020, 1, 1), f.GROUP_A1)
    spells_rebuild(["P-A1"])
    response = _client(personas["village_worker_a"]).get("/")
    assert response.context["board"].current.end == date(2020, 1, 1)
    assert _figure(response, "POP_END") == 3


def test_home_without_units_says_so(db):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("lonely", password="pw-lonely")
    response = _client(user, "zh-hans").get("/")
    assert "board" not in response.context
    assert "您还不属于任何单位" in response.content.decode()


# --- registry list and search ----------------------------------------------------------------

@pytest.mark.parametrize(("query", "expected"), [
    ("李", ["P-A1", "P-A3", "P-A4"]),          # name prefix
    ("李建国", ["P-A1"]),
    ("建国", []),                               # prefix, not substring
    ("P-A2", ["P-A2"]),                         # person id
    ("  P-A2 ", ["P-A2"]),
])
def test_search(personas, people, query, expected):
    response = _client(personas["village_worker_a"]).get("/persons/", {"q": query})
    assert [p.id for p in response.context["page"].persons] == expected


def test_search_by_id_number_in_any_spelling(personas, people):
    resident: Resident = people["a_wife"]
    client = _client(personas["village_worker_a"])
    spellings = [resident.id_number, " " + resident.id_number + " ",
                 resident.id_number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))]
    for spelling in spellings:
        page = client.get("/persons/", {"q": spelling}).context["page"]
        assert [p.id for p in page.persons] == ["P-A2"], spelling


def test_list_masks_id_numbers_and_links_to_records(personas, people):
    content = _client(personas["village_worker_a"]).get("/persons/").content.decode()
    number = people["a_head"].id_number
    assert number not in content
    assert number[:6] + "********" + number[-4:] in content
    assert 'href="/persons/P-A1/"' in content
    assert 'href="/households/H-A1/"' in content


def test_search_is_audited_and_plain_listing_is_not(personas, people):
    client = _client(personas["village_worker_a"])
    client.get("/persons/")
    assert not AuditEvent.objects.filter(action="person.list").exists()
    client.get("/persons/", {"q": people["a_wife"].id_number})
    event = AuditEvent.objects.get(action="person.list")
    assert event.username == "vw_a"
    assert event.origin == "10.0.0.7"
    assert event.detail == {"q": people["a_wife"].id_number, "results": 1, "shown": ["P-A2"]}


def test_list_pages(personas, people, settings):
    household = f.make_household("H-A9", f.GROUP_A1)
    for n in range(120):
        f.make_person(f"Q-{n:03d}", household, name=f"孙{n}")
    client = _client(personas["village_worker_a"])
    first = client.get("/persons/", {"q": "孙"}).context["page"]
    assert (first.total, first.pages, len(first.persons)) == (120, 3, 50)
    last = client.get("/persons/", {"q": "孙", "page": "3"}).context["page"]
    assert [p.id for p in last.persons] == [f"Q-{n:03d}" for n in range(100, 120)]
    beyond = client.get("/persons/", {"q": "孙", "page": "99"}).context["page"]
    assert beyond.page == 3
    junk = client.get("/persons/", {"q": "孙", "page": "x"}).context["page"]
    assert junk.page == 1
    content = client.get("/persons/", {"q": "孙", "page": "2"}).content.decode()
    assert "?q=%E5%AD%99&amp;page=1" in content
    assert "?q=%E5%AD%99&amp;page=3" in content


def _grow(n: int) -> None:
    household = f.make_household(f"H-N{n}", f.GROUP_A2)
    for i in range(n):
        f.make_person(f"N{n}-{i:03d}", household, name=f"钱{i}")


@pytest.mark.parametrize("size", [1, 40])
def test_list_page_query_count_does_not_grow(personas, people, size,
                                             django_assert_num_queries):
    _grow(size)
    client = _client(personas["township_clerk_1"])
    # session, user, memberships, count, page (household and unit joined in), and the
    # memberships by role for the nav's import link
    with django_assert_num_queries(6):
        assert client.get("/persons/").status_code == 200


def test_search_page_query_count(personas, people, django_assert_num_queries):
    _grow(30)
    client = _client(personas["village_worker_a"])
    # session, user, memberships, count, page, audit row (+ savepoint pair on the test DB),
    # memberships by role for the nav's import link
    with django_assert_num_queries(7, exact=False):
        client.get("/persons/", {"q": "钱"})


# --- person and household detail -----------------------------------------------------------

def test_person_page(personas, people):
    client = _client(personas["village_worker_a"], "zh-hans")
    response = client.get("/persons/P-A3/")
    assert response.status_code == 200
    content = response.content.decode()
    assert people["a_son"].id_number in content  # full number on the record's own page
    assert "李小明" in content
    assert 'href="/persons/P-A2/"' in content
    assert "王秀英" in content
    assert 'href="/persons/P-A1/"' in content
    assert "李建国" in content
    assert "出生" in content  # the birth event


def test_person_page_hides_relatives_of_other_units(personas, people):
    content = _client(personas["village_worker_a"]).get("/persons/P-A4/").content.decode()
    assert "registered outside your units" in content
    assert "P-C1" not in content
    assert "欧阳娜娜" not in content


def test_person_page_hides_spouse_of_other_units(personas, people):
    content = _client(personas["township_clerk_1"]).get("/persons/P-B1/").content.decode()
    assert "Marriage" in content
    assert "registered outside your units" in content
    assert "欧阳娜娜" not in content
    content = _client(personas["county_admin"]).get("/persons/P-B1/").content.decode()
    assert "欧阳娜娜" in content


def test_person_page_shows_children_and_death(personas, people):
    f.make_event("E-D", "death", "P-A1", date(2020, 1, 1), f.GROUP_A1)
    content = _client(personas["village_worker_a"]).get("/persons/P-A1/").content.decode()
    assert 'href="/persons/P-A3/"' in content  # child
    assert "died 2020-01-01" in content


def test_household_page_lists_members_head_first(personas, people):
    response = _client(personas["village_worker_a"]).get("/households/H-A1/")
    assert response.status_code == 200
    assert [p.id for p in response.context["members"]] == ["P-A1", "P-A2", "P-A3"]
    content = response.content.decode()
    assert "Household head" in content
    assert "Spouse" in content
    assert "Son" in content
    assert people["a_wife"].id_number not in content  # masked in lists


def test_personal_pages_are_not_cached(personas, people):
    client = _client(personas["village_worker_a"])
    for url in ("/", "/persons/", "/persons/P-A1/", "/households/H-A1/"):
        assert "no-store" in client.get(url)["Cache-Control"]


def test_language_switch(personas):
    client = _client(personas["village_worker_a"], "zh-hans")
    assert "户籍台账" in client.get("/persons/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/persons/"})
    assert response.status_code == 302
    assert response["Location"] == "/persons/"
    content = client.get("/persons/").content.decode()
    assert "Registry" in content
    assert "户籍台账" not in content


def test_renkou_errors_become_pages(personas, rf):
    from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
    from django.http import Http404

    from renkou.core.errors import NotFound, PermissionDenied, ValidationError
    from renkou.web.views import maps_errors

    def raising(exc: Exception):
        @maps_errors
        def view(request):
            raise exc

        request = rf.get("/")
        request.user = personas["village_worker_a"]
        return view(request)

    response = raising(ValidationError("坏数据 %(x)s", x="甲"))
    assert response.status_code == 400
    assert "坏数据 甲" in response.content.decode()
    with pytest.raises(Http404):
        raising(NotFound())
    with pytest.raises(DjangoPermissionDenied):
        raising(PermissionDenied())
