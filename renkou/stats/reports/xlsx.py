"""Excel output (xlsxwriter): one sheet per theme or section, as township staff expect.

Each sheet: a title row, a line with the period and edition, the header row, then the rows;
panes frozen below the header and right of the unit name; counts as #,##0, rates 0.00,
percentages 0.0 (from the catalog); null values are empty cells; suppressed values in a
public edition are the text "<5" / "×"; column widths fit the Chinese headings and values.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Sequence
from typing import Any

import xlsxwriter
from django.utils import timezone
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from renkou.stats.catalog import by_code
from renkou.stats.reports.bulletin import FINDINGS, TIMELINESS, Bulletin
from renkou.stats.reports.model import Cell, Lang, Mark, Report, Text, excel_format, row_label

HEADER_ROW = 2  # rows 0–1: title and period; row 2: headings; data from row 3
MAX_WIDTH = 24


def display_width(text: str) -> int:
    """Width in Excel character units: CJK (wide) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class Book:
    """A workbook with the handful of formats every sheet uses."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buffer, {"in_memory": True})
        font = {"font_name": "宋体", "font_size": 10}
        self.font = font
        self.title = self.wb.add_format({**font, "bold": True, "font_size": 14})
        self.meta = self.wb.add_format({**font, "font_color": "#555555"})
        self.header = self.wb.add_format({**font, "bold": True, "text_wrap": True,
                                          "align": "center", "valign": "vcenter",
                                          "border": 1, "bg_color": "#EEF2F6"})
        self.text = self.wb.add_format({**font, "border": 1})
        self.text_total = self.wb.add_format({**font, "border": 1, "bold": True,
                                              "bg_color": "#F5F5F5"})
        self.note = self.wb.add_format({**font, "font_color": "#444444", "font_size": 9})
        self._numbers: dict[tuple[str, bool], Format] = {}

    def number(self, num_format: str, total: bool = False) -> Format:
        key = (num_format, total)
        if key not in self._numbers:
            props: dict[str, Any] = {**self.font, "border": 1, "num_format": num_format,
                                     "align": "right"}
            if total:
                props.update({"bold": True, "bg_color": "#F5F5F5"})
            self._numbers[key] = self.wb.add_format(props)
        return self._numbers[key]

    def close(self) -> bytes:
        self.wb.close()
        return self.buffer.getvalue()


def _write_value(ws: Worksheet, r: int, c: int, cell: Cell, fmt: Format) -> str:
    """Write one figure; return its printed text (for column widths)."""
    if cell.mark is not Mark.NONE:
        text = "<5" if cell.mark is Mark.SMALL else "×"
        ws.write_string(r, c, text, fmt)
        return text
    if cell.value is None:
        ws.write_blank(r, c, None, fmt)
        return ""
    ws.write_number(r, c, cell.value, fmt)
    return f"{cell.value:,.2f}" if isinstance(cell.value, float) else f"{cell.value:,}"


def _sheet(book: Book, name: str, title: str, meta: str, headers: Sequence[str],
           freeze_cols: int, landscape: bool = True) -> Worksheet:
    ws = book.wb.add_worksheet(name[:31])
    last = max(len(headers) - 1, 0)
    if last:
        ws.merge_range(0, 0, 0, last, title, book.title)
    else:
        ws.write(0, 0, title, book.title)
    ws.write(1, 0, meta, book.meta)
    ws.set_row(0, 24)
    for c, h in enumerate(headers):
        ws.write_string(HEADER_ROW, c, h, book.header)
    ws.freeze_panes(HEADER_ROW + 1, freeze_cols)
    ws.repeat_rows(HEADER_ROW)
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    return ws


def _fit(ws: Worksheet, headers: Sequence[str], texts: Sequence[Sequence[str]]) -> None:
    """Column widths for the longest value; a heading wraps onto two or three lines."""
    lines = 1
    for c, h in enumerate(headers):
        widest = max((display_width(row[c]) for row in texts if c < len(row)), default=0)
        head = display_width(h)
        width = min(max(widest + 2, math.ceil(head / 2) + 2, 8), MAX_WIDTH)
        width = max(width, widest + 2)  # a value is never cut
        ws.set_column(c, c, width)
        lines = max(lines, math.ceil(head / max(width - 1, 1)))
    ws.set_row(HEADER_ROW, 14 * min(lines, 4) + 4)


def _notes(ws: Worksheet, book: Book, row: int, notes: Sequence[str]) -> None:
    for i, note in enumerate(notes):
        ws.write_string(row + 1 + i, 0, note, book.note)


def _edition(public: bool) -> Text:
    return Text("对外公布版", "Published edition") if public else Text("内部资料", "Internal")


def _meta(lang: Lang, span: str, public: bool, generated: Any) -> str:
    local = timezone.localtime(generated)
    edition = _edition(public).get(lang)
    if lang == "en":
        return f"{span} | {edition} | generated {local:%Y-%m-%d %H:%M}"
    return f"{span}　{edition}　生成时间 {local:%Y-%m-%d %H:%M}"


def annual_xlsx(report: Report) -> bytes:
    """The annual report as a workbook: a sheet per theme and one with the definitions."""
    lang = report.lang
    book = Book()
    span = (f"统计时段：{report.period_start} 至 {report.period_end}" if lang == "zh"
            else f"Period {report.period_start} – {report.period_end}")
    meta = _meta(lang, span, report.public, report.generated_at)
    code_head = Text("单位代码", "Code").get(lang)
    for table in report.tables:
        headers = [code_head, table.label_header.get(lang),
                   *(col.header(lang) for col in table.columns)]
        ws = _sheet(book, table.title_for(lang), f"{report.title}　{table.title_for(lang)}",
                    meta, headers, freeze_cols=2)
        texts: list[list[str]] = []
        for i, row in enumerate(table.rows):
            r = HEADER_ROW + 1 + i
            label_fmt = book.text_total if row.is_total else book.text
            ws.write_string(r, 0, row.unit_code, label_fmt)
            label = row_label(row, lang)
            ws.write_string(r, 1, label, label_fmt)
            shown = [row.unit_code, label]
            for c, col in enumerate(table.columns, start=2):
                fmt = book.number(col.excel_format, row.is_total)
                shown.append(_write_value(ws, r, c, row.cells[col.code], fmt))
            texts.append(shown)
        _fit(ws, headers, texts)
        _notes(ws, book, HEADER_ROW + 1 + len(table.rows), [n.get(lang) for n in
                                                              table.footnotes])
    _definitions(book, report, lang)
    return book.close()


def _definitions(book: Book, report: Report, lang: Lang) -> None:
    headers = [Text(*pair).get(lang) for pair in (("指标代码", "Code"), ("指标", "Indicator"),
                                                   ("单位", "Unit"), ("计算方法", "Formula"))]
    ws = _sheet(book, Text("指标说明", "Definitions").get(lang),
                Text("指标说明", "Definitions of the indicators").get(lang), "", headers,
                freeze_cols=2)
    texts = []
    seen: list[str] = []
    for table in report.tables:
        seen += [c.code for c in table.columns if c.code not in seen]
    for i, code in enumerate(seen):
        ind = by_code(code)
        values = [ind.code, ind.name_en if lang == "en" else ind.name_zh, ind.unit, ind.formula]
        for c, v in enumerate(values):
            ws.write_string(HEADER_ROW + 1 + i, c, v, book.text)
        texts.append(values[:3] + [""])
    _fit(ws, headers, texts)
    ws.set_column(3, 3, 90)


def bulletin_xlsx(bulletin: Bulletin) -> bytes:
    """The bulletin as a workbook: key figures, the two rankings, the monthly series."""
    lang = bulletin.lang
    book = Book()
    span = (f"本月：{bulletin.month_label}　本年累计：{bulletin.ytd_label}" if lang == "zh"
            else f"Month {bulletin.month_label}; year to date {bulletin.ytd_label}")
    meta = _meta(lang, span, bulletin.public, bulletin.generated_at)
    _key_sheet(book, bulletin, meta)
    _ranking_sheets(book, bulletin, meta)
    _series_sheet(book, bulletin, meta)
    return book.close()


def _key_sheet(book: Book, bulletin: Bulletin, meta: str) -> None:
    lang = bulletin.lang
    headers = [Text(*p).get(lang) for p in (
        ("指标", "Indicator"), ("本月", "This month"), ("去年同月", "Same month last year"),
        ("增减", "Change"), ("本年累计", "Year to date"), ("去年同期", "Same period last year"),
        ("增减", "Change"))]
    ws = _sheet(book, Text("主要指标", "Key figures").get(lang),
                f"{bulletin.title}　{Text('主要指标', 'Key figures').get(lang)}", meta,
                headers, freeze_cols=1, landscape=False)
    texts = []
    for i, kf in enumerate(bulletin.key_figures):
        r = HEADER_ROW + 1 + i
        fmt = book.number(excel_format(by_code(kf.code)))
        label = kf.label.get(lang)
        ws.write_string(r, 0, label, book.text)
        cells = [kf.month, kf.month_last_year, kf.change(kf.month, kf.month_last_year),
                 kf.ytd, kf.ytd_last_year, kf.change(kf.ytd, kf.ytd_last_year)]
        texts.append([label, *(_write_value(ws, r, c, cell, fmt)
                               for c, cell in enumerate(cells, start=1))])
    _fit(ws, headers, texts)
    _notes(ws, book, HEADER_ROW + 1 + len(bulletin.key_figures),
           [n.get(lang) for n in bulletin.notes])


def _ranking_sheets(book: Book, bulletin: Bulletin, meta: str) -> None:
    lang = bulletin.lang
    pct, count = "0.0", "#,##0"
    for key, sheet in ((TIMELINESS, Text("及时率排名", "Timeliness ranking")),
                       (FINDINGS, Text("数据质量排名", "Findings ranking"))):
        ranking = bulletin.rankings[key]
        first = ["YTD", "MONTH"] if bulletin.ranking_span == "ytd" else ["MONTH", "YTD"]
        names = {"YTD": Text("本年累计", "year to date"), "MONTH": Text("本月", "this month")}
        base = [Text("名次", "Rank"), Text("村代码", "Code"), Text("村（居）", "Village")]
        if key == TIMELINESS:
            extra = [(Text(f"{names[s].zh}及时率（%）", f"Timely, {names[s].en} (%)"),
                      f"REG_TIMELY_{s}", pct) for s in first]
            extra += [(Text(f"{names[s].zh}出生数（分母）", f"Births, {names[s].en}"),
                       f"BIRTHS_{s}", count) for s in first]
        else:
            extra = [(Text("待处理问题数", "Open findings"), "FINDINGS", count),
                     (Text("月末人口", "Population at month end"), "POP_END", count)]
        headers = [h.get(lang) for h in base] + [h.get(lang) for h, _, _ in extra]
        if key == FINDINGS:
            headers.append(ranking.value_label.get(lang))
        ws = _sheet(book, sheet.get(lang), ranking.title.get(lang), meta, headers,
                    freeze_cols=3, landscape=False)
        texts = []
        for i, row in enumerate(ranking.rows):
            r = HEADER_ROW + 1 + i
            rank_text = "—" if row.rank is None else str(row.rank)
            if row.rank is None:
                ws.write_string(r, 0, rank_text, book.text)
            else:
                ws.write_number(r, 0, row.rank, book.number("0"))
            ws.write_string(r, 1, row.unit_code, book.text)
            ws.write_string(r, 2, row.unit_name, book.text)
            shown = [rank_text, row.unit_code, row.unit_name]
            for c, (_h, detail, fmt) in enumerate(extra, start=3):
                shown.append(_write_value(ws, r, c, row.details[detail], book.number(fmt)))
            if key == FINDINGS:
                shown.append(_write_value(ws, r, len(headers) - 1, Cell(row.value),
                                          book.number("0.00")))
            texts.append(shown)
        _fit(ws, headers, texts)
        _notes(ws, book, HEADER_ROW + 1 + len(ranking.rows), [ranking.note.get(lang)])


def _series_sheet(book: Book, bulletin: Bulletin, meta: str) -> None:
    lang = bulletin.lang
    births, deaths = bulletin.series["BIRTHS"], bulletin.series["DEATHS"]
    headers = [Text(*p).get(lang) for p in (
        ("月份", "Month"), ("出生人数", "Births"), ("上年同月出生", "Births a year earlier"),
        ("死亡人数", "Deaths"), ("上年同月死亡", "Deaths a year earlier"))]
    name = Text("月度趋势", "Monthly series").get(lang)
    ws = _sheet(book, name, f"{bulletin.title}　{name}", meta, headers, freeze_cols=1,
                landscape=False)
    fmt = book.number("#,##0")
    texts = []
    for i, month in enumerate(births.months):
        r = HEADER_ROW + 1 + i
        ws.write_string(r, 0, month, book.text)
        values = [births.this_year[i], births.last_year[i], deaths.this_year[i],
                  deaths.last_year[i]]
        texts.append([month, *(_write_value(ws, r, c, Cell(v), fmt)
                               for c, v in enumerate(values, start=1))])
    _fit(ws, headers, texts)
    first, last = HEADER_ROW + 1, HEADER_ROW + len(births.months)
    chart = book.wb.add_chart({"type": "line"})
    for col, dash in ((1, "solid"), (2, "dash"), (3, "solid"), (4, "dash")):
        chart.add_series({"name": [ws.name, HEADER_ROW, col],
                          "categories": [ws.name, first, 0, last, 0],
                          "values": [ws.name, first, col, last, col],
                          "line": {"dash_type": dash}})
    chart.set_title({"name": name})
    chart.set_size({"width": 640, "height": 300})
    ws.insert_chart(last + 3, 0, chart)
