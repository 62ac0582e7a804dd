"""Search page, event forms, person and household records, my village — through Django's test
client, as the personas."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from renkou.core.models import AuditEvent
from renkou.events.models import Event
from renkou.quality.models import Finding
from renkou.registry.models import Person, RecordChange
from renkou.search.services import search_rebuild
from tests import factories as f


def _client(user, language="zh-hans"):
    client = Client(REMOTE_ADDR="10.0.0.7")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


@pytest.fixture
def indexed(people):
    search_rebuild()
    return people


# --- search page -------------------------------------------------------------------------------

def test_search_page_by_initials(personas, indexed):
    response = _client(personas["village_worker_a"]).get("/search/", {"q": "ljg"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'href="/persons/P-A1/"' in content
    assert "李建国" in content
    assert indexed["a_head"].id_number not in content  # masked in lists
    assert indexed["a_head"].id_number[-4:] in content


def test_search_page_fragment_for_htmx(personas, indexed):
    response = _client(personas["village_worker_a"]).get(
        "/search/", {"q": "李"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<html" not in content
    assert content.count('class="hit"') == 3


def test_search_page_other_village_not_found(personas, indexed):
    content = _client(personas["village_worker_a"]).get("/search/", {"q": "oy"}).content.decode()
    assert "欧阳" not in content
    assert 'class="hit"' not in content


def test_search_page_requires_login(indexed):
    response = Client().get("/search/", {"q": "ljg"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- person and household pages --------------------------------------------------------------

def test_person_page_shows_history_findings_and_actions(personas, indexed):
    client = _client(personas["village_worker_a"])
    RecordChange.objects.create(at=timezone.now(), username="tc_1", model="person",
                                object_id="P-A3", action="update",
                                before={"name": "李小明", "marital_status": "10"},
                                after={"name": "李晓明", "marital_status": "20"})
    Finding.objects.create(rule="id_number.check", object_type="person", object_id="P-A3",
                           unit_code=f.GROUP_A1, value="123", message="身份证号校验码错误",
                           found_at=timezone.now())
    content = client.get("/persons/P-A3/").content.decode()
    assert "李小明" in content
    assert "李晓明" in content
    assert "未婚" in content
    assert "已婚" in content
    assert "身份证号校验码错误" in content
    assert 'href="/persons/P-A3/record/death/"' in content
    assert 'href="/persons/P-A3/record/move_out/"' in content


def test_reader_without_write_role_sees_no_actions(personas, indexed):
    client = _client(personas["service_provider_1"])
    content = client.get("/persons/P-A3/").content.decode()
    assert "/record/" not in content
    assert client.get("/persons/P-A3/record/death/").status_code == 403
    assert client.get("/households/H-A1/birth/").status_code == 403


def test_household_page_relations_and_events(personas, indexed):
    content = _client(personas["village_worker_a"]).get("/households/H-A1/").content.decode()
    assert 'href="/households/H-A1/birth/"' in content
    assert "王秀英、李建国" in content  # 李小明's parents, both in the household
    assert "1998-01-02" in content  # his birth event


# --- event forms -------------------------------------------------------------------------------

def test_record_birth_saves_and_shows_the_child(personas, indexed):
    client = _client(personas["village_worker_a"])
    page = client.get("/households/H-A1/birth/").content.decode()
    assert '<label for="id_name">' in page
    assert '<option value="P-A2">王秀英' in page  # mother choices: women of the household
    day = timezone.localdate() - timedelta(days=3)
    response = client.post("/households/H-A1/birth/", {
        "name": "李小花", "sex": "2", "date": day.isoformat(), "recorded_date": "",
        "source": "village", "mother_id": "P-A2", "father_id": "P-A1", "birth_order": "2",
        "relation": "30", "id_number": ""})
    assert response.status_code == 302
    child = Person.objects.get(name="李小花")
    assert response["Location"] == f"/persons/{child.id}/"
    assert (child.mother_id, child.father_id, child.household_id) == ("P-A2", "P-A1", "H-A1")
    event = Event.objects.get(person_id=child.id)
    assert (event.type, event.date, event.birth_order, event.unit_id) == (
        "birth", day, 2, f.GROUP_A1)
    page = client.get(response["Location"]).content.decode()
    assert "出生" in page
    # (messages added by this work are checked in English until the .po is merged)
    page = _client(personas["village_worker_a"], "en").get(response["Location"]).content.decode()
    assert "李小花" in page
    # and it can be found at once
    assert "李小花" in client.get("/search/", {"q": "lxh"}).content.decode()


def test_birth_errors_beside_fields_and_nothing_saved(personas, indexed):
    client = _client(personas["village_worker_a"], "en")
    before = (Person.objects.count(), Event.objects.count(), RecordChange.objects.count())
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = client.post("/households/H-A1/birth/", {
        "name": " ", "sex": "", "date": future, "source": "village",
        "birth_order": "0", "id_number": "12345"})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"name", "sex", "date", "birth_order", "id_number"}
    content = response.content.decode()
    assert "The date cannot be in the future." in content
    assert 'id="id_date-error"' in content
    assert 'aria-invalid="true"' in content
    assert (Person.objects.count(), Event.objects.count(), RecordChange.objects.count()) == before


def test_service_error_is_mapped_to_the_field(personas, indexed):
    """The mother died before the birth: the service refuses, the message is beside 'mother'."""
    client = _client(personas["village_worker_a"])
    f.make_event("E-D", "death", "P-A2", date(2020, 1, 1), f.GROUP_A1)
    response = client.post("/households/H-A1/birth/", {
        "name": "李遗", "sex": "1", "date": "2021-01-01", "source": "village",
        "mother_id": "P-A2"})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["mother_id"]
    assert not Person.objects.filter(name="李遗").exists()


def test_record_death_then_page_says_died(personas, indexed):
    client = _client(personas["village_worker_a"])
    response = client.post("/persons/P-A1/record/death/", {
        "date": "2024-02-03", "recorded_date": "2024-02-05", "source": "police"})
    assert response.status_code == 302
    event = Event.objects.get(person_id="P-A1", type="death")
    assert (event.date, event.recorded_date, event.source) == (
        date(2024, 2, 3), date(2024, 2, 5), "police")
    page = client.get("/persons/P-A1/").content.decode()
    assert "2024-02-03" in page
    assert "/record/" not in page  # no more events for the dead
    assert AuditEvent.objects.filter(action="event.death", object_id=event.id).exists()


def test_recorded_before_event_is_refused(personas, indexed):
    client = _client(personas["village_worker_a"])
    response = client.post("/persons/P-A1/record/move_out/", {
        "date": "2024-02-03", "recorded_date": "2024-02-01", "source": "village"})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["recorded_date"]
    assert not Event.objects.filter(person_id="P-A1", type="move_out").exists()


def test_marriage_with_spouse_in_scope_only(personas, indexed):
    client = _client(personas["village_worker_a"])
    # a spouse in another township is "not found", whether or not they exist
    response = client.post("/persons/P-A3/record/marriage/", {
        "date": "2023-05-01", "source": "civil_affairs", "spouse_id": "P-C1"})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["spouse_id"]
    response = client.post("/persons/P-A3/record/marriage/", {
        "date": "2023-05-01", "source": "civil_affairs", "spouse_id": "P-A4"})
    assert response.status_code == 302
    assert Person.objects.get(id="P-A3").marital_status == "20"
    assert Person.objects.get(id="P-A4").marital_status == "20"


def test_move_in_to_household(personas, indexed):
    client = _client(personas["village_worker_a"], "en")
    response = client.post("/persons/P-A3/record/move_in/", {
        "date": "2023-05-01", "source": "police", "household_id": "H-NOPE"})
    assert response.status_code == 400
    assert "No household with this id in your units." in response.content.decode()
    response = client.post("/persons/P-A3/record/move_in/", {
        "date": "2023-05-01", "source": "police", "household_id": "H-A2"})
    assert response.status_code == 302
    assert Person.objects.get(id="P-A3").household_id == "H-A2"


def test_other_village_forms_are_not_found(personas, indexed):
    client = _client(personas["village_worker_a"])
    assert client.get("/persons/P-C1/record/death/").status_code == 404
    assert client.post("/persons/P-C1/record/death/", {
        "date": "2024-01-01", "source": "village"}).status_code == 404
    assert client.get("/households/H-C1/birth/").status_code == 404
    assert client.get("/persons/P-A1/record/nonsense/").status_code == 404
    assert not Event.objects.filter(person_id="P-C1", type="death").exists()


# --- my village --------------------------------------------------------------------------------

def test_my_village(personas, indexed):
    f.make_event("E-R", "birth", "P-A4", timezone.localdate() - timedelta(days=5), f.GROUP_A2)
    content = _client(personas["village_worker_a"]).get("/village/").content.decode()
    assert "李家村" in content
    assert 'href="/households/H-A1/"' in content
    assert 'href="/households/H-A2/"' in content
    assert "H-C1" not in content
    assert "H-B1" not in content
    assert "李建国" in content  # head of H-A1
    assert 'href="/households/H-A1/birth/"' in content
    assert 'href="/persons/P-A4/"' in content  # the recent event


