"""Annual report and monthly bulletin: numbers from the engine, rankings, Excel and PDF.

The fixture is small enough to count by hand (2024, 城关镇 = 李家村 + 张庄村, and 王庄乡):

李家村 (A): 6 adults; births C1 (boy, 2024-02-10, recorded after 10 days, order 1) and
           C2 (girl, 2024-06-05, recorded after 76 days: late, order 2); a death on
           2024-06-15; a marriage on 2024-05-01; MV moves in from 张庄村 on 2024-03-01.
张庄村 (B): 4 adults + MV; birth C3 (boy, 2024-06-20, recorded after 5 days, order 3);
           a birth C0 on 2023-06-10 (last year's June, timely).
王庄村 (C, another township): 2 adults; birth C9 (girl, 2024-01-05, timely).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import load_workbook

from renkou.core.audit import data_version_bump
from renkou.core.periods import parse_period
from renkou.events.spells import spells_rebuild
from renkou.quality.models import Finding
from renkou.stats import engine
from renkou.stats.catalog import CATALOG, Kind
from renkou.stats.reports import (
    RANKING_KEYS,
    annual_pdf,
    annual_xlsx,
    build_annual_report,
    build_monthly_bulletin,
    bulletin_pdf,
    bulletin_xlsx,
)
from renkou.stats.reports.bulletin import FINDINGS, TIMELINESS
from renkou.stats.reports.model import HIDDEN, SMALL
from renkou.stats.reports.suppress import suppress_rows
from tests import factories as f

YEAR = parse_period("2024")


def _birth(eid, child, mother, day, unit, *, delay, sex, order, household):
    f.make_person(child, household, sex=sex, birth=day, mother=mother, name="新生儿")
    f.make_event(eid, "birth", child, day, unit, recorded=day + timedelta(days=delay),
                 birth_order=order)


@pytest.fixture
def county(units, settings, tmp_path):
    settings.RENKOU_HOME = tmp_path  # font subsets go to a fresh cache
    ha = f.make_household("HA", f.GROUP_A1)
    hb = f.make_household("HB", f.GROUP_B1)
    hc = f.make_household("HC", f.GROUP_C1)
    f.make_person("MA", ha, sex=2, birth=date(1995, 3, 10), name="李梅", marital_status="20")
    f.make_person("FA", ha, sex=1, birth=date(1993, 7, 9), name="王强", marital_status="20")
    f.make_person("MA2", ha, sex=2, birth=date(1990, 6, 1), name="赵丽", marital_status="20")
    f.make_person("OA", ha, sex=1, birth=date(1940, 1, 1), name="李老汉", marital_status="30")
    f.make_person("GA", ha, sex=1, birth=date(1998, 2, 2), name="李刚")
    f.make_person("WA", ha, sex=2, birth=date(2000, 8, 8), name="陈芳")
    f.make_person("MB", hb, sex=2, birth=date(1988, 4, 4), name="张娟", marital_status="20")
    f.make_person("FB", hb, sex=1, birth=date(1986, 5, 5), name="张伟", marital_status="20")
    f.make_person("XB", hb, sex=1, birth=date(1960, 1, 1), name="张大爷", marital_status="20")
    f.make_person("YB", hb, sex=2, birth=date(1962, 1, 1), name="刘婶", marital_status="20")
    f.make_person("MV", ha, sex=1, birth=date(1985, 1, 1), name="周磊", marital_status="10")
    f.make_person("MC", hc, sex=2, birth=date(1992, 9, 9), name="王燕", marital_status="20")
    f.make_person("FC", hc, sex=1, birth=date(1991, 9, 9), name="王军", marital_status="20")
    _birth("E-C1", "C1", "MA", date(2024, 2, 10), f.GROUP_A1, delay=10, sex=1, order=1,
           household=ha)
    _birth("E-C2", "C2", "MA2", date(2024, 6, 5), f.GROUP_A1, delay=76, sex=2, order=2,
           household=ha)
    _birth("E-C3", "C3", "MB", date(2024, 6, 20), f.GROUP_B1, delay=5, sex=1, order=3,
           household=hb)
    _birth("E-C0", "C0", "MB", date(2023, 6, 10), f.GROUP_B1, delay=5, sex=2, order=2,
           household=hb)
    _birth("E-C9", "C9", "MC", date(2024, 1, 5), f.GROUP_C1, delay=3, sex=2, order=1,
           household=hc)
    f.make_event("E-D1", "death", "OA", date(2024, 6, 15), f.GROUP_A1)
    f.make_event("E-M1", "marriage", "GA", date(2024, 5, 1), f.GROUP_A1, spouse="WA")
    f.make_event("E-O1", "move_out", "MV", date(2024, 3, 1), f.GROUP_B1)
    f.make_event("E-I1", "move_in", "MV", date(2024, 3, 1), f.GROUP_A1)
    now = timezone.now()
    for i, (unit, status) in enumerate([(f.GROUP_A1, "open"), (f.VILLAGE_A, "open"),
                                        (f.VILLAGE_A, "resolved"), (f.GROUP_B1, "open"),
                                        (f.VILLAGE_C, "open")]):
        Finding.objects.create(rule="id_check", object_type="person", object_id=f"P{i}",
                               unit_code=unit, status=status, found_at=now)
    spells_rebuild()
    data_version_bump()
    return units


def _row(table, code):
    return next(r for r in table.rows if r.unit_code == code)


# --- annual report -------------------------------------------------------------------------


def test_annual_report_of_township_has_villages_and_total(county):
    report = build_annual_report(unit=county[f.TOWNSHIP_1], period=YEAR)
    assert report.title == "城关镇2024年人口统计年报"
    assert [t.title.zh for t in report.tables] == ["人口", "出生", "死亡与自然增长",
                                                    "育龄妇女与生育", "婚姻"]
    births = next(t for t in report.tables if t.key == "births")
    assert [r.unit_name for r in births.rows] == ["李家村", "张庄村", "城关镇"]
    assert births.rows[-1].is_total
    assert report.rollup_errors == []
    # Hand-counted.
    a, b, total = (_row(births, c) for c in (f.VILLAGE_A, f.VILLAGE_B, f.TOWNSHIP_1))
    assert (a.value("BIRTHS"), b.value("BIRTHS"), total.value("BIRTHS")) == (2, 1, 3)
    assert (total.value("BIRTHS_M"), total.value("BIRTHS_F")) == (2, 1)
    assert (total.value("BIRTHS_O1"), total.value("BIRTHS_O2"), total.value("BIRTHS_O3P")) \
        == (1, 1, 1)
    assert a.value("REG_TIMELY") == pytest.approx(50.0)
    assert b.value("REG_TIMELY") == pytest.approx(100.0)
    assert total.value("SRB") == pytest.approx(200.0)
    pop = next(t for t in report.tables if t.key == "population")
    # 李家村: 6 adults + MV from 2024-03-01 + C1 + C2 − OA; 张庄村: 4 adults + C0 (+MV before)
    assert (_row(pop, f.VILLAGE_A).value("POP_START"), _row(pop, f.VILLAGE_A).value("POP_END")) \
        == (6, 8)
    assert (_row(pop, f.VILLAGE_B).value("POP_START"), _row(pop, f.VILLAGE_B).value("POP_END")) \
        == (6, 6)
    assert (_row(pop, f.VILLAGE_A).value("MOVE_IN"), _row(pop, f.VILLAGE_B).value("MOVE_OUT")) \
        == (1, 1)
    marriage = next(t for t in report.tables if t.key == "marriage")
    assert _row(marriage, f.TOWNSHIP_1).value("MARRIAGES") == 1
    deaths = next(t for t in report.tables if t.key == "deaths")
    avg = (12 + 14) / 2
    assert _row(deaths, f.TOWNSHIP_1).value("CBR") == pytest.approx(3 / avg * 1000)
    assert _row(deaths, f.TOWNSHIP_1).value("RNI") == pytest.approx(2 / avg * 1000)


def test_annual_report_figures_are_the_engines(county):
    unit = county[f.COUNTY]
    report = build_annual_report(unit=unit, period=YEAR)
    rows = {r.unit_code: r.values for r in engine.compute_indicators(
        unit=unit, period=YEAR, by_level="township")}
    rows[f.COUNTY] = engine.compute_indicators(unit=unit, period=YEAR)[0].values
    assert report.row_level == "township"
    for table in report.tables:
        assert {r.unit_code for r in table.rows} == {f.TOWNSHIP_1, f.TOWNSHIP_2, f.COUNTY}
        for row in table.rows:
            for col in table.columns:
                assert row.value(col.code) == rows[row.unit_code][col.code]


def test_rollup_disagreement_is_footnoted(county, monkeypatch):
    real = engine.compute_indicators

    def broken(*, unit, period, by_level=None):
        rows = real(unit=unit, period=period, by_level=by_level)
        if by_level is None:
            rows[0].values["DEATHS"] = 7
        return rows

    monkeypatch.setattr(engine, "compute_indicators", broken)
    report = build_annual_report(unit=county[f.TOWNSHIP_1], period=YEAR)
    assert ("deaths", "DEATHS", 1.0, 7.0) in report.rollup_errors
    deaths = next(t for t in report.tables if t.key == "deaths")
    assert any("不符" in n.zh for n in deaths.footnotes)


def test_month_report_has_no_rates(county):
    report = build_annual_report(unit=county[f.TOWNSHIP_1], period=parse_period("202406"))
    deaths = next(t for t in report.tables if t.key == "deaths")
    assert _row(deaths, f.TOWNSHIP_1).value("CBR") is None
    assert any("年率" in n.zh for n in deaths.footnotes)


def test_english_headings(county):
    report = build_annual_report(unit=county[f.TOWNSHIP_1], period=YEAR, lang="en")
    births = next(t for t in report.tables if t.key == "births")
    assert births.title.get("en") == "Births"
    assert births.columns[0].header("en") == "Births"
    assert report.period_label == "2024"


# --- public edition ------------------------------------------------------------------------


def test_public_report_suppresses_small_counts_and_their_rates(county):
    report = build_annual_report(unit=county[f.TOWNSHIP_1], period=YEAR, public=True)
    births = next(t for t in report.tables if t.key == "births")
    total = _row(births, f.TOWNSHIP_1)
    assert total.cells["BIRTHS"].text(births.columns[0].indicator) == SMALL
    assert total.cells["REG_TIMELY"].mark.value == "small"
    deaths = next(t for t in report.tables if t.key == "deaths")
    assert _row(deaths, f.TOWNSHIP_1).cells["CBR"].mark.value == "small"
    pop = next(t for t in report.tables if t.key == "population")
    # Populations of 6–14 are not small: shown.
    assert _row(pop, f.VILLAGE_A).cells["POP_END"].mark.value == ""
    # The exact figures are still in the report's data: only printing hides them.
    assert total.value("BIRTHS") == 3


def test_complementary_suppression_hides_the_cell_that_would_give_it_away():
    from renkou.stats.reports.model import Cell, Row

    def row(code, births, total=False):
        return Row(code, code, {"BIRTHS": Cell(births)}, is_total=total)

    rows = [row("a", 3), row("b", 40), row("c", 7), row("T", 50, total=True)]
    suppress_rows(rows, ["BIRTHS"])
    marks = [r.cells["BIRTHS"].mark.value for r in rows]
    assert marks == ["small", "", "hidden", ""]
    assert rows[2].cells["BIRTHS"].text(CATALOG[3]) == HIDDEN


def test_public_asfr_of_small_age_groups_and_the_tfr_that_would_give_them_away(county):
    from renkou.stats.reports.annual import engine_rows, small_asfr_groups
    from renkou.stats.reports.model import Cell, Row

    township = county[f.TOWNSHIP_1]
    rows = engine_rows([*engine.compute_indicators(unit=township, period=YEAR,
                                                   by_level="village"),
                        *engine.compute_indicators(unit=township, period=YEAR)])
    # Mothers' ages at the births: 李梅 28 (C1), 赵丽 34 (C2), 张娟 36 (C3).
    assert small_asfr_groups(rows, YEAR) == {
        (f.VILLAGE_A, "ASFR_25"): True, (f.VILLAGE_A, "ASFR_30"): True,
        (f.VILLAGE_B, "ASFR_35"): True, (f.TOWNSHIP_1, "ASFR_25"): True,
        (f.TOWNSHIP_1, "ASFR_30"): True, (f.TOWNSHIP_1, "ASFR_35"): True}
    codes = ["BIRTHS", "ASFR_25", "ASFR_40", "TFR"]
    row = Row("u", "u", {c: Cell(v) for c, v in zip(codes, [12, 10.0, 5.0, 0.075],
                                                     strict=True)})
    suppress_rows([row], codes, extra_small={("u", "ASFR_40"): True})
    assert [row.cells[c].mark.value for c in codes] == ["", "", "small", "hidden"]


# --- monthly bulletin ----------------------------------------------------------------------


def test_bulletin_key_figures_month_and_year_to_date(county):
    bulletin = build_monthly_bulletin(township=county[f.TOWNSHIP_1], month="202406")
    kf = {k.code: k for k in bulletin.key_figures}
    assert (kf["BIRTHS"].month.value, kf["BIRTHS"].month_last_year.value) == (2, 1)
    assert (kf["BIRTHS"].ytd.value, kf["BIRTHS"].ytd_last_year.value) == (3, 1)
    assert kf["BIRTHS"].change(kf["BIRTHS"].month, kf["BIRTHS"].month_last_year).value == 1
    assert (kf["DEATHS"].month.value, kf["MARRIAGES"].ytd.value) == (1, 1)
    assert (kf["MOVE_IN"].ytd.value, kf["MOVE_OUT"].ytd.value) == (1, 1)
    june = engine.compute_indicators(unit=county[f.TOWNSHIP_1], period=parse_period("202406"))
    assert kf["POP_END"].month.value == june[0].values["POP_END"] == 14
    # June: C2 late, C3 timely → 50 %; Jan–June: C1, C3 timely of 3 → 66.7 %.
    assert kf["REG_TIMELY"].month.value == pytest.approx(50.0)
    assert kf["REG_TIMELY"].ytd.value == pytest.approx(200 / 3)
    assert kf["REG_TIMELY"].month_last_year.value == pytest.approx(100.0)
    assert bulletin.series["BIRTHS"].months[-1] == "202406"
    assert bulletin.series["BIRTHS"].this_year[-1] == 2
    assert bulletin.series["BIRTHS"].last_year[-1] == 1  # June 2023


def test_bulletin_ranks_only_on_timeliness_and_findings(county):
    bulletin = build_monthly_bulletin(township=county[f.TOWNSHIP_1], month="202406")
    assert set(bulletin.rankings) == set(RANKING_KEYS) == {TIMELINESS, FINDINGS}
    timely = bulletin.rankings[TIMELINESS].rows
    # Year to date: 张庄村 1/1 = 100 %, 李家村 1/2 = 50 %.
    assert [(r.rank, r.unit_name) for r in timely] == [(1, "张庄村"), (2, "李家村")]
    assert [r.value for r in timely] == pytest.approx([100.0, 50.0])
    findings = bulletin.rankings[FINDINGS].rows
    # Open findings: 李家村 2 (group + village; the resolved one not) per 8 people,
    # 张庄村 1 per 6; fewer is better.
    assert [(r.rank, r.unit_name) for r in findings] == [(1, "张庄村"), (2, "李家村")]
    assert findings[0].value == pytest.approx(1 / 6 * 1000)
    assert findings[1].value == pytest.approx(2 / 8 * 1000)
    assert findings[1].details["FINDINGS"].value == 2


def test_villages_without_births_are_not_ranked(county):
    bulletin = build_monthly_bulletin(township=county[f.TOWNSHIP_1], month="202402",
                                      ranking_span="month")
    rows = bulletin.rankings[TIMELINESS].rows
    assert [(r.rank, r.unit_name, r.value) for r in rows] == [(1, "李家村", 100.0),
                                                              (None, "张庄村", None)]


def test_ranking_refuses_other_keys():
    from renkou.stats.reports.bulletin import _ranking

    with pytest.raises(ValueError, match="never ranked"):
        _ranking("BIRTHS", {"a": 1.0}, {"a": "a"}, higher_is_better=True, details={})


def test_bulletin_needs_a_township(county):
    from renkou.core.errors import ValidationError

    with pytest.raises(ValidationError):
        build_monthly_bulletin(township=county[f.COUNTY], month="202406")


def test_public_bulletin_hides_small_counts(county):
    bulletin = build_monthly_bulletin(township=county[f.TOWNSHIP_1], month="202406",
                                      public=True)
    kf = {k.code: k for k in bulletin.key_figures}
    assert kf["BIRTHS"].month.mark.value == "small"
    assert kf["REG_TIMELY"].month.mark.value == "small"
    assert kf["POP_END"].month.mark.value == ""
    assert bulletin.series["BIRTHS"].this_year[-1] is None


def test_public_bulletin_does_not_rank_villages_with_few_births(county):
    bulletin = build_monthly_bulletin(township=county[f.TOWNSHIP_1], month="202406",
                                      public=True)
    rows = bulletin.rankings[TIMELINESS].rows
    assert [(r.rank, r.details["REG_TIMELY_YTD"].mark.value) for r in rows] == [
        (None, "small"), (None, "small")]
    # Findings are about records, not persons: ranked as in the office edition.
    assert [r.rank for r in bulletin.rankings[FINDINGS].rows] == [1, 2]


# --- charts and fonts ----------------------------------------------------------------------


def test_line_chart_leaves_gaps_and_escapes_text():
    from renkou.stats.reports.charts import Series, line_chart, nice_ticks

    svg = line_chart(title="出生<人数>", labels=["1月", "2月", "3月"], font_family="x",
                     series=[Series("近12个月", [1, None, 3])])
    assert "出生&lt;人数&gt;" in svg
    assert svg.count("<polyline") == 2  # the null month splits the line
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(0.4) == [0, 0.1, 0.2, 0.3, 0.4]


def test_font_subset_holds_the_documents_characters(settings, tmp_path):
    from fontTools.ttLib import TTFont

    from renkou.stats.reports.fonts import document_chars, find_font, subset_font

    font = find_font()
    if font is None:
        pytest.skip("Noto Sans CJK SC not installed (Debian fonts-noto-cjk)")
    chars = document_chars("城关镇李家村𠀀")  # the last one: Extension B, not in Noto CJK SC
    path = subset_font(font, chars, tmp_path)
    assert subset_font(font, chars, tmp_path) == path  # cached
    cmap = TTFont(str(path))["cmap"].getBestCmap()
    assert all(ord(c) in cmap for c in "城关镇李家村第页共0123456789")
    assert ord("蔡") not in cmap
    assert path.stat().st_size < 200_000


# --- Excel ---------------------------------------------------------------------------------


def test_annual_xlsx_headers_panes_and_formats(county):
    report = build_annual_report(unit=county[f.TOWNSHIP_1], period=YEAR)
    wb = load_workbook(BytesIO(annual_xlsx(report)))
    assert wb.sheetnames == ["人口", "出生", "死亡与自然增长", "育龄妇女与生育", "婚姻", "指标说明"]
    ws = wb["出生"]
    assert ws["A1"].value == "城关镇2024年人口统计年报　出生"
    headers = [c.value for c in ws[3]]
    assert headers[:4] == ["单位代码", "村（居）", "出生人数", "出生男婴"]
    assert "出生登记及时率（%）" in headers
    assert ws.freeze_panes == "C4"
    assert [ws.cell(row=r, column=2).value for r in (4, 5, 6)] == ["李家村", "张庄村",
                                                                    "城关镇（合计）"]
    births = ws.cell(row=6, column=3)
    assert (births.value, births.number_format) == (3, "#,##0")
    timely = ws.cell(row=4, column=headers.index("出生登记及时率（%）") + 1)
    assert (timely.value, timely.number_format) == (50, "0.0")
    deaths = wb["死亡与自然增长"]
    cbr = deaths.cell(row=6, column=4)
    assert deaths.cell(row=3, column=4).value == "出生率（‰）"
    assert cbr.number_format == "0.00"
    assert cbr.value == pytest.approx(3 / 13 * 1000)
    # SRB of 张庄村 (no girls) is null: an empty cell.
    srb_col = headers.index("出生人口性别比（男/百女）") + 1
    assert ws.cell(row=5, column=srb_col).value is None
    assert wb["出生"].column_dimensions["B"].width >= 8


def test_public_xlsx_writes_small_marker(county):
    report = build_annual_report(unit=county[f.TOWNSHIP_1], period=YEAR, public=True)
    ws = load_workbook(BytesIO(annual_xlsx(report)))["出生"]
    assert ws.cell(row=6, column=3).value == "<5"


def test_bulletin_xlsx(county):
    bulletin = build_monthly_bulletin(township=county[f.TOWNSHIP_1], month="202406")
    wb = load_workbook(BytesIO(bulletin_xlsx(bulletin)))
    assert wb.sheetnames == ["主要指标", "及时率排名", "数据质量排名", "月度趋势"]
    key = wb["主要指标"]
    assert [c.value for c in key[3]][:3] == ["指标", "本月", "去年同月"]
    assert key["A4"].value == "出生人数"
    assert key["B4"].value == 2
    assert key.freeze_panes == "B4"
    rank = wb["及时率排名"]
    assert rank.freeze_panes == "D4"
    assert [rank.cell(row=r, column=3).value for r in (4, 5)] == ["张庄村", "李家村"]
    assert rank.cell(row=4, column=4).number_format == "0.0"


# --- PDF -----------------------------------------------------------------------------------

POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo") and shutil.which("pdffonts")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdfinfo, "
                                   "pdffonts) not installed: run scripts/system-deps.sh")


def _pdf_facts(pdf: bytes, tmp_path: Path) -> tuple[int, str, str]:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines()
                     if line.startswith("Pages:")))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout
    # pdftotext drops the spaces around CJK text ("第 1 页" comes out as "第1页"): compare
    # without whitespace.
    return pages, re.sub(r"\s+", "", text), fonts


def _embedded_cjk(fonts: str) -> bool:
    # pdffonts columns: name type encoding emb sub uni …; the CJK font is our subset.
    return any(("Renkou-CJK" in line or "Noto" in line) and " yes " in line
               for line in fonts.splitlines()[2:])


@needs_poppler
def test_annual_pdf(county, tmp_path):
    report = build_annual_report(unit=county[f.TOWNSHIP_1], period=YEAR)
    pages, text, fonts = _pdf_facts(annual_pdf(report), tmp_path)
    assert pages == 2  # four themes on the first page, 婚姻 on the second
    assert "城关镇2024年人口统计年报" in text
    assert "李家村" in text
    assert "张庄村" in text
    assert "第1页共2页" in text
    assert "第2页共2页" in text
    assert "出生人口性别比" in text
    assert "置信区" in text
    assert _embedded_cjk(fonts), fonts


@needs_poppler
def test_bulletin_pdf(county, tmp_path):
    bulletin = build_monthly_bulletin(township=county[f.TOWNSHIP_1], month="202406")
    pages, text, fonts = _pdf_facts(bulletin_pdf(bulletin), tmp_path)
    assert pages >= 1
    assert "城关镇2024年6月人口信息工作通报" in text
    assert "出生登记及时率排名" in text
    assert "张庄村" in text
    assert f"第1页共{pages}页" in text
    assert _embedded_cjk(fonts), fonts
    # Font subsets are cached: a second bulletin reuses the files.
    cached = sorted(p.name for p in (tmp_path / "fonts").glob("*.otf"))
    bulletin_pdf(bulletin)
    assert sorted(p.name for p in (tmp_path / "fonts").glob("*.otf")) == cached


@needs_poppler
def test_english_pdf(county, tmp_path):
    bulletin = build_monthly_bulletin(township=county[f.TOWNSHIP_1], month="202406",
                                      lang="en")
    _pages, text, _fonts = _pdf_facts(bulletin_pdf(bulletin), tmp_path)
    assert "monthlybulletin" in text
    assert "Page1of" in text


# --- command -------------------------------------------------------------------------------


def test_report_command_writes_files(county, tmp_path):
    out = tmp_path / "annual.xlsx"
    call_command("report", "annual", "--unit", f.TOWNSHIP_1, "--period", "2024",
                 "--format", "xlsx", "--out", str(out))
    assert load_workbook(out).sheetnames[0] == "人口"
    out = tmp_path / "bulletin.xlsx"
    call_command("report", "bulletin", "--unit", f.TOWNSHIP_1, "--month", "202406",
                 "--format", "xlsx", "--out", str(out), "--public")
    assert load_workbook(out)["主要指标"]["B4"].value == "<5"


@pytest.mark.parametrize(("args", "message"), [
    (["annual", "--unit", "999999999999", "--period", "2024"], "999999999999"),
    (["annual", "--unit", f.TOWNSHIP_1, "--period", "2024X"], "2024X"),
    (["bulletin", "--unit", f.TOWNSHIP_1, "--month", "2024"], "YYYYMM"),
    (["bulletin", "--unit", f.COUNTY, "--month", "202406"], f.COUNTY),
])
def test_report_command_errors_exit_2(county, tmp_path, args, message):
    with pytest.raises(CommandError, match=message) as excinfo:
        call_command("report", *args, "--format", "xlsx", "--out", str(tmp_path / "x.xlsx"))
    assert excinfo.value.returncode == 2


def test_catalog_formats_cover_every_kind():
    from renkou.stats.reports.model import excel_format

    formats = {ind.kind: excel_format(ind) for ind in CATALOG}
    assert formats[Kind.COUNT] == "#,##0"
    assert formats[Kind.RATE] == "0.00"
    assert formats[Kind.PERCENT] == "0.0"
