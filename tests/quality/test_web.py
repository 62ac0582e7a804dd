"""The findings page: scoped list, resolve with a note (who, when), 404 outside scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from renkou.core.models import AuditEvent
from renkou.quality.models import Finding
from tests import factories as f


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _client(user: Any, language: str = "en") -> Client:
    client = Client(REMOTE_ADDR="10.0.0.9")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


@pytest.fixture
def findings(personas: dict[str, Any]) -> dict[str, Finding]:
    now = timezone.now()

    def make(rule: str, object_type: str, object_id: str, unit: str, value: str = "") -> Finding:
        return Finding.objects.create(rule=rule, object_type=object_type, object_id=object_id,
                                      unit_code=unit, value=value, found_at=now)

    return {
        "a": make("id_number.check", "person", "PA", f.GROUP_A1, "410325199006150027"),
        "b": make("household.no_head", "household", "HB", f.GROUP_B1, "members: 2"),
        "c": make("birth.mother_age", "person", "PC", f.GROUP_C1, "mother PM aged 9"),
    }


def test_list_is_scoped_and_masks_identity_numbers(personas, findings):
    response = _client(personas["village_worker_a"]).get("/quality/findings/")
    assert response.status_code == 200
    rows = response.context["page"].rows
    assert [r.finding.object_id for r in rows] == ["PA"]
    assert rows[0].value == "410325********0027"
    assert rows[0].may_resolve
    html = response.content.decode()
    assert "410325199006150027" not in html
    assert "The check character (the 18th) of the identity number is wrong." in html
    clerk = _client(personas["township_clerk_1"]).get("/quality/findings/")
    assert [r.finding.object_id for r in clerk.context["page"].rows] == ["HB", "PA"] or [
        r.finding.object_id for r in clerk.context["page"].rows] == ["PA", "HB"]
    chinese = _client(personas["village_worker_a"], "zh-hans").get("/quality/findings/")
    assert "身份证号码的校验码（第 18 位）错误。" in chinese.content.decode()


def test_resolve_with_a_note_records_who_and_when(personas, findings):
    client = _client(personas["village_worker_a"])
    pk = findings["a"].pk
    response = client.post(f"/quality/findings/{pk}/resolve/",
                           {"note": "已更正身份证号", "action": "resolve"})
    assert response.status_code == 302
    finding = Finding.objects.get(pk=pk)
    assert finding.status == "resolved"
    assert finding.resolution_note == "已更正身份证号"
    assert finding.resolved_by == personas["village_worker_a"]
    assert finding.resolved_at is not None
    audit = AuditEvent.objects.get(action="finding.resolve")
    assert (audit.object_id, audit.origin) == (str(pk), "10.0.0.9")
    listed = client.get("/quality/findings/?status=resolved")
    assert "已更正身份证号" in listed.content.decode()
    assert not client.get("/quality/findings/").context["page"].rows  # none open


def test_dismiss_needs_a_note_and_nothing_changes_without(personas, findings):
    client = _client(personas["township_clerk_1"])
    pk = findings["b"].pk
    response = client.post(f"/quality/findings/{pk}/resolve/", {"action": "dismiss"},
                           follow=True)
    assert "Say why the finding is not a problem." in response.content.decode()
    assert Finding.objects.get(pk=pk).status == "open"
    client.post(f"/quality/findings/{pk}/resolve/", {"action": "dismiss", "note": "户主外出"})
    assert Finding.objects.get(pk=pk).status == "dismissed"


def test_outside_scope_is_not_found_and_readers_cannot_resolve(personas, findings):
    pk = findings["c"].pk  # 王庄村: another township
    assert _client(personas["village_worker_a"]).post(
        f"/quality/findings/{pk}/resolve/", {"note": "x"}).status_code == 404
    assert _client(personas["auditor"]).post(
        f"/quality/findings/{pk}/resolve/", {"note": "x"}).status_code == 403
    assert Finding.objects.get(pk=pk).status == "open"
    auditor_page = _client(personas["auditor"]).get("/quality/findings/")
    assert len(auditor_page.context["page"].rows) == 3
    assert not any(r.may_resolve for r in auditor_page.context["page"].rows)


def test_list_page_query_count_does_not_grow(personas, findings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(personas["township_clerk_1"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/quality/findings/?status=all").status_code == 200
        return len(captured.captured_queries)

    few = queries()
    Finding.objects.bulk_create([
        Finding(rule="household.no_head", object_type="household", object_id=f"HX{i}",
                unit_code=f.GROUP_A2, found_at=timezone.now(), status="resolved",
                resolved_by=personas["village_worker_a"], resolution_note="ok")
        for i in range(30)])
    assert queries() == few <= 12  # resolved_by joined in; writable units in one query
