"""The reports page: choose unit, period and level; the table; Excel and PDF files opened
and read back; scope. And the password change page. Numbers hand-counted in stats_data."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.test import Client

from renkou.core.models import AuditEvent
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


def test_default_is_the_last_complete_statistical_year(personas, vital):
    response = _client(personas["township_clerk_1"]).get("/reports/")
    assert response.status_code == 200
    table = response.context["table"]
    # records end 2025-06-15: the 2025 statistical year (2024Oct) is not over yet
    assert table.period.code == "2023Oct"
    assert table.unit.code == f.TOWNSHIP_1
    assert table.level is None
    (row,) = table.rows
    # P(2024-09-30) = A1 A2 A3 A4 N3; one birth (N3), one death (B1); CBR 1 / 5 × 1000
    assert (row.values["POP_END"], row.values["BIRTHS"], row.values["DEATHS"]) == (5, 1, 1)
    assert row.values["CBR"] == pytest.approx(200.0)


def test_table_by_village_with_total(personas, vital):
    response = _client(personas["township_clerk_1"]).get(
        "/reports/", {"unit": f.TOWNSHIP_1, "period": "2023Oct", "level": "village"})
    table = response.context["table"]
    by_unit = {r.unit_code: r.values for r in table.rows}
    assert list(by_unit) == [f.VILLAGE_A, f.VILLAGE_B]
    assert (by_unit[f.VILLAGE_A]["POP_END"], by_unit[f.VILLAGE_A]["BIRTHS"]) == (4, 0)
    assert (by_unit[f.VILLAGE_B]["POP_END"], by_unit[f.VILLAGE_B]["BIRTHS"],
            by_unit[f.VILLAGE_B]["DEATHS"]) == (1, 1, 1)
    assert table.total.unit_code == f.TOWNSHIP_1
    assert table.total.values["POP_END"] == 5
    html = response.content.decode()
    assert 'data-unit="410325100201"' in html
    assert "200.00" in html  # the township's crude birth rate in the total row


def test_quarter_and_group_level(personas, vital):
    response = _client(personas["township_clerk_1"]).get(
        "/reports/", {"period": "2025Q1", "level": "group"})
    table = response.context["table"]
    assert [r.unit_code for r in table.rows] == [f.GROUP_A1, f.GROUP_A2, f.GROUP_B1]
    assert [r.values["BIRTHS"] for r in table.rows] == [0, 1, 0]  # N2 on 2025-03-10
    assert table.total.values["CBR"] is None  # not a year: no yearly rates


def test_bad_level_or_period_is_a_clear_message(personas, vital):
    client = _client(personas["village_worker_a"])
    response = client.get("/reports/", {"level": "township"})
    assert response.status_code == 400
    assert "not below" in response.content.decode()
    response = client.get("/reports/", {"period": "2024-13"})
    assert response.status_code == 400
    assert "Unknown period 2024-13" in response.content.decode()


def test_reports_are_scoped(personas, vital):
    client = _client(personas["village_worker_a"])
    assert client.get("/reports/", {"unit": f.VILLAGE_B}).status_code == 404
    assert client.get("/reports/", {"unit": f.TOWNSHIP_1}).status_code == 404
    assert client.get("/reports/download/", {"unit": f.VILLAGE_C, "period": "2023Oct",
                                              "format": "xlsx"}).status_code == 404
    response = client.get("/reports/")
    assert [u.code for u in response.context["units"]] == [f.VILLAGE_A]
    assert "张庄" not in response.content.decode()


def test_units_offered_to_a_county_user(personas, vital):
    response = _client(personas["county_admin"]).get("/reports/")
    codes = [u.code for u in response.context["units"]]
    assert codes == [f.COUNTY, f.TOWNSHIP_1, f.VILLAGE_A, f.VILLAGE_B, f.TOWNSHIP_2,
                     f.VILLAGE_C]


def test_excel_export_reads_back(personas, vital):
    response = _client(personas["township_clerk_1"]).get(
        "/reports/download/",
        {"unit": f.TOWNSHIP_1, "period": "2023Oct", "level": "village", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="renkou-410325100000-2023Oct-village.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    codes = list(rows[1])
    data = {r[0]: dict(zip(codes, r, strict=True)) for r in rows[2:]}
    assert list(data) == [f.VILLAGE_A, f.VILLAGE_B, f.TOWNSHIP_1]
    assert data[f.VILLAGE_A]["POP_END"] == 4
    assert data[f.VILLAGE_B]["BIRTHS"] == 1
    assert data[f.VILLAGE_B]["DEATHS"] == 1
    assert data[f.TOWNSHIP_1]["POP_START"] == 5  # A1 A2 A3 A4 B1 on 2023-09-30
    assert data[f.TOWNSHIP_1]["CBR"] == pytest.approx(200.0)
    assert not AuditEvent.objects.filter(action__startswith="stats").exists()  # aggregates


def test_annual_report_excel_and_pdf(personas, vital, tmp_path: Path):
    client = _client(personas["township_clerk_1"], "zh-hans")
    params = {"unit": f.TOWNSHIP_1, "period": "2023Oct"}
    response = client.get("/reports/download/", {**params, "format": "report-xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True)
             for c in row if c is not None]
    assert "城关镇" in " ".join(str(c) for c in cells)
    response = client.get("/reports/download/", {**params, "format": "report-pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "城关镇" in text
    assert "李家村" in text


def test_unknown_export_format_is_404(personas, vital):
    response = _client(personas["township_clerk_1"]).get(
        "/reports/download/", {"period": "2023Oct", "format": "docx"})
    assert response.status_code == 404


# --- password change ---------------------------------------------------------------------

def test_password_change(personas):
    client = _client(personas["village_worker_a"])
    page = client.get("/password/")
    assert page.status_code == 200
    html = page.content.decode()
    for field in ("old_password", "new_password1", "new_password2"):
        assert f'<label for="id_{field}">' in html
    response = client.post("/password/", {"old_password": "pw-vw_a",
                                           "new_password1": "Qm7-rainy-Hills",
                                           "new_password2": "Qm7-rainy-Hills"})
    assert response.status_code == 302
    assert response["Location"] == "/password/done/"
    assert client.get("/").status_code == 200  # still signed in
    event = AuditEvent.objects.get(action="user.password_change")
    assert event.username == "vw_a"
    fresh = Client()
    assert fresh.post("/login/", {"username": "vw_a", "password": "pw-vw_a"}).status_code == 200
    assert fresh.post("/login/", {"username": "vw_a",
                                  "password": "Qm7-rainy-Hills"}).status_code == 302


def test_password_change_with_wrong_old_password(personas):
    client = _client(personas["village_worker_a"])
    response = client.post("/password/", {"old_password": "nope",
                                           "new_password1": "Qm7-rainy-Hills",
                                           "new_password2": "Qm7-rainy-Hills"})
    assert response.status_code == 200
    assert "old password was entered incorrectly" in response.content.decode()
    assert not AuditEvent.objects.filter(action="user.password_change").exists()
    assert Client().post("/login/", {"username": "vw_a",
                                     "password": "pw-vw_a"}).status_code == 302
