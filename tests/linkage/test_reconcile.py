"""Reconciliation of hospital births and civil-affairs marriages on hand-made lists."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.management import call_command

from renkou.core.models import AuditEvent
from renkou.linkage.reconcile import reconcile_births, reconcile_marriages
from tests import factories as f
from tests.linkage import data

BIRTHS = """record_id,birth_date,child_sex,mother_name,mother_id_number,hospital,address
HB1,2024-03-10,2,刘芳,{mother},县人民医院,李家村2组3号
HB2,2024-06-01,1,赵敏,{zhao},县妇幼保健院,王庄村1组1号
HB3,2024-08-15,1,周雪,{zhou},乡卫生院,王庄村1组1号
HB4,2024-09-02,2,王莉,,县人民医院,李家村1组1号
"""
MARRIAGES = """record_id,date,husband_name,husband_id_number,wife_name,wife_id_number,office
CM1,2024-05-01,李建国,{li},周雪,{zhou},县民政局
CM2,2024-02-02,孙强,{sun},赵敏,{zhao},县民政局
CM3,2024-07-07,郑浩,{outsider},王丽,{wang},县民政局
"""
ZHOU = data.idn("19880402", "082")
SUN = data.idn("19930630", "071")


@pytest.fixture
def registry(units: dict[str, Any]) -> None:
    data.registry()
    p = f.make_person
    p("P20", "HA3", name="陈晓", sex=2, birth=date(2024, 3, 10), mother="P05", father="P06")
    # twins of 赵敏, both boys: one hospital record cannot say which
    p("P21", "HC1", name="赵一", sex=1, birth=date(2024, 6, 1), mother="P11")
    p("P22", "HC1", name="赵二", sex=1, birth=date(2024, 6, 1), mother="P11")
    p("P23", "HA1", name="李小", sex=2, birth=date(2024, 9, 2), mother="P01")
    f.make_event("E1", "marriage", "P03", date(2024, 5, 1), f.GROUP_A1, spouse="P13")
    f.make_event("E2", "marriage", "P01", date(2024, 7, 7), f.GROUP_A1)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text("\ufeff" + text, encoding="utf-8")  # Excel's BOM must be accepted
    return path


def _births(tmp_path: Path) -> Path:
    return _write(tmp_path, "hospital_births.csv", BIRTHS.format(
        mother=data.MOTHER, zhao=data.ZHAO, zhou=ZHOU))


def test_births_matched_unregistered_ambiguous(registry: None, tmp_path: Path) -> None:
    rows = {r["record_id"]: r for r in reconcile_births(_births(tmp_path)).rows.iter_rows(
        named=True)}
    assert (rows["HB1"]["person_id"], rows["HB1"]["status"]) == ("P20", "matched")
    # 王莉 is 王丽 misheard, no number: name sound, address, date and sex carry it
    assert (rows["HB4"]["person_id"], rows["HB4"]["status"]) == ("P23", "matched")
    assert rows["HB2"]["status"] == "ambiguous"
    assert rows["HB2"]["person_id"] in {"P21", "P22"}
    assert (rows["HB3"]["person_id"], rows["HB3"]["status"]) == ("", "unregistered")
    assert rows["HB1"]["probability"] > 0.99


def test_reconcile_command_writes_the_spec_csv(registry: None, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    call_command("quality", "reconcile", "--births", str(_births(tmp_path)), "--out", str(out))
    frame = pl.read_csv(out, infer_schema_length=0)
    assert frame.columns == ["record_id", "person_id", "probability", "status"]
    assert frame.filter(pl.col("record_id") == "HB3").row(0) == ("HB3", None, None,
                                                                 "unregistered")
    assert AuditEvent.objects.filter(action="linkage.reconcile.export").count() == 1


def test_bad_file_names_file_line_and_field(registry: None, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    bad = _write(tmp_path, "hospital_births.csv", BIRTHS.format(
        mother=data.MOTHER, zhao=data.ZHAO, zhou=ZHOU).replace("2024-08-15", "2024-13-45"))
    with pytest.raises(SystemExit) as exit_info:
        call_command("quality", "reconcile", "--births", str(bad))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "hospital_births.csv 第 4 行，字段 birth_date" in err  # zh-Hans by default
    assert "2024-13-45" in err


def test_marriages(registry: None, tmp_path: Path) -> None:
    path = _write(tmp_path, "civil_marriages.csv", MARRIAGES.format(
        li=data.LI_JIANGUO, zhou=ZHOU, sun=SUN, zhao=data.ZHAO, wang=data.WANG_LI,
        outsider=data.idn("19890101", "013", county="130181")))
    rows = {r["record_id"]: r for r in reconcile_marriages(path).rows.iter_rows(named=True)}
    # 李建国 is registered twice (P03, P04 with swapped digits): the marriage event decides
    assert (rows["CM1"]["wife_id"], rows["CM1"]["husband_id"], rows["CM1"]["status"]) == (
        "P13", "P03", "matched")
    # both registered, no marriage in the registry: the couple is still "never married"
    assert (rows["CM2"]["wife_id"], rows["CM2"]["husband_id"], rows["CM2"]["status"]) == (
        "P11", "P12", "unregistered")
    # the husband lives in another county; 王丽's marriage event (spouse unknown) matches
    assert (rows["CM3"]["wife_id"], rows["CM3"]["husband_id"], rows["CM3"]["status"]) == (
        "P01", "", "matched")


def test_births_from_an_excel_workbook(registry: None, tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "births.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("hospital_births")
    lines = [line.split(",") for line in BIRTHS.format(
        mother=data.MOTHER, zhao=data.ZHAO, zhou=ZHOU).strip().splitlines()]
    for r, line in enumerate(lines):
        for c, value in enumerate(line):
            if r and c == 1:  # an Excel date, as a clerk types it
                sheet.write_datetime(r, c, datetime.fromisoformat(value),
                                     book.add_format({"num_format": "yyyy/m/d"}))
            else:
                sheet.write_string(r, c, value)
    book.close()
    rows = {r["record_id"]: r["status"] for r in reconcile_births(path).rows.iter_rows(
        named=True)}
    assert rows == {"HB1": "matched", "HB2": "ambiguous", "HB3": "unregistered",
                    "HB4": "matched"}
