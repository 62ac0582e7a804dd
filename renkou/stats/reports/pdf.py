"""PDF output through HTML + WeasyPrint, with a CJK font cut to each document (fonts.py).

The annual report prints on A4 landscape, the bulletin on A4 portrait; both carry the unit
and period in the page header and "第 N 页 共 M 页" in the footer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.template import Context, Engine
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from renkou.stats.catalog import by_code
from renkou.stats.reports import charts
from renkou.stats.reports.bulletin import FINDINGS, TIMELINESS, Bulletin, Ranking
from renkou.stats.reports.fonts import FontMode, family_stack, font_css
from renkou.stats.reports.model import DASH, Cell, Lang, Mark, Report, Table, Text, row_label

TEMPLATES = Path(__file__).resolve().parent / "templates"
# A table of up to this many rows is kept on one page; longer ones break (header repeated).
KEEP_ROWS = 24
# Bars per chart: an SVG cannot break across pages, so a long bar chart is cut in pieces.
BARS_PER_CHART = 45


@lru_cache(maxsize=1)
def _engine() -> Engine:
    return Engine(dirs=[str(TEMPLATES)], autoescape=True)


def css_string(text: str) -> SafeString:
    """`text` as the inside of a CSS double-quoted string (safe inside <style>)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return mark_safe(escaped.replace("\n", " "))  # noqa: S308 - escaped for CSS above


def page_counter(lang: Lang) -> SafeString:
    if lang == "en":
        return mark_safe('"Page " counter(page) " of " counter(pages)')  # noqa: S308
    return mark_safe('"第 " counter(page) " 页 共 " counter(pages) " 页"')  # noqa: S308


@dataclass(slots=True)
class HtmlRow:
    label: str
    cells: list[str]
    is_total: bool = False


@dataclass(slots=True)
class HtmlTable:
    title: str
    label_header: str
    headers: list[str]
    rows: list[HtmlRow]
    footnotes: list[str]

    @property
    def narrow(self) -> bool:
        return len(self.headers) <= 4

    @property
    def keep(self) -> bool:
        """Keep the theme on one page (moved whole to the next) when it is short."""
        return len(self.rows) <= KEEP_ROWS


def _interval(lo: Cell, hi: Cell) -> str:
    if lo.mark is not Mark.NONE or hi.mark is not Mark.NONE:
        return lo.text(by_code("SRB_LO")) if lo.mark is not Mark.NONE else hi.text(
            by_code("SRB_HI"))
    if lo.value is None and hi.value is None:
        return DASH
    low = DASH if lo.value is None else f"{float(lo.value):.1f}"
    high = "∞" if hi.value is None else f"{float(hi.value):.1f}"
    return f"{low}–{high}"


def html_table(table: Table, lang: Lang) -> HtmlTable:
    """Headings and printed cells; the SRB bounds print as one "95% interval" column."""
    headers: list[str] = []
    plan: list[tuple[str, ...]] = []
    codes = [c.code for c in table.columns]
    for column in table.columns:
        if column.code == "SRB_HI" and "SRB_LO" in codes:
            continue
        if column.code == "SRB_LO" and "SRB_HI" in codes:
            headers.append(Text("性别比95%置信区间", "SRB 95% interval").get(lang))
            plan.append(("SRB_LO", "SRB_HI"))
            continue
        headers.append(column.header(lang))
        plan.append((column.code,))
    rows = []
    for row in table.rows:
        cells = [
            _interval(row.cells[p[0]], row.cells[p[1]]) if len(p) == 2
            else row.cells[p[0]].text(by_code(p[0]))
            for p in plan
        ]
        rows.append(HtmlRow(row_label(row, lang), cells, row.is_total))
    return HtmlTable(table.title_for(lang), table.label_header.get(lang), headers, rows,
                     [n.get(lang) for n in table.footnotes])


def _generated(lang: Lang, when: Any) -> str:
    local = timezone.localtime(when)
    return (f"生成时间：{local:%Y-%m-%d %H:%M}" if lang == "zh"
            else f"Generated {local:%Y-%m-%d %H:%M}")


def _render(template: str, context: dict[str, Any], font_mode: FontMode) -> str:
    """Render twice-cheaply: once to learn the characters, then with their font subset."""
    engine = _engine()
    probe = engine.get_template(template).render(Context({**context, "font_faces": "",
                                                          "font_family": ""}))
    faces, family = font_css(probe, font_mode)
    context = {**context, "font_faces": mark_safe(faces),  # noqa: S308 - built from paths
               "font_family": mark_safe(family)}  # noqa: S308 - constant stack
    return engine.get_template(template).render(Context(context))


def annual_html(report: Report, *, font_mode: FontMode = "subset") -> str:
    lang = report.lang
    edition = (Text("对外公布版", "published edition") if report.public
               else Text("内部资料", "for internal use"))
    meta = (f"统计时段：{report.period_start} 至 {report.period_end}　|　{edition.zh}　|　"
            if lang == "zh" else
            f"Period {report.period_start} – {report.period_end} | {edition.en} | ")
    context = {
        "html_lang": "en" if lang == "en" else "zh-Hans",
        "title": report.title,
        "meta": meta + _generated(lang, report.generated_at),
        "header_left": css_string(f"{report.unit_name}（{report.unit_code}）"),
        "header_right": css_string(f"{report.period_label} · {edition.get(lang)}"),
        "page_counter": page_counter(lang),
        "tables": [html_table(t, lang) for t in report.tables],
    }
    return _render("reports/annual.html", context, font_mode)


def _kf_text(code: str, cell: Cell, *, signed: bool = False) -> str:
    ind = by_code(code)
    text = cell.text(ind)
    if signed and cell.mark is Mark.NONE and cell.value is not None and cell.value > 0:
        text = "+" + text
    return text


def _ranking_view(ranking: Ranking, bulletin: Bulletin, font_family: str) -> dict[str, Any]:
    lang = bulletin.lang
    pct, count = by_code("REG_TIMELY"), by_code("BIRTHS")
    rows = []
    svgs: list[str] = []
    if ranking.key == TIMELINESS:
        # The ranked span first, the other for reference; births only as the denominator.
        spans = ["YTD", "MONTH"] if bulletin.ranking_span == "ytd" else ["MONTH", "YTD"]
        names = {"YTD": Text("本年累计", "year to date"), "MONTH": Text("本月", "this month")}
        headers = [Text("名次", "Rank"), Text("村（居）", "Village"),
                   *(Text(f"{names[sp].zh}及时率（%）", f"Timely, {names[sp].en} (%)")
                     for sp in spans),
                   Text(f"{names[spans[0]].zh}出生数（分母）",
                        f"Births, {names[spans[0]].en} (denominator)")]
        for r in ranking.rows:
            rows.append({"rank": DASH if r.rank is None else r.rank, "name": r.unit_name,
                         "cells": [*(r.details[f"REG_TIMELY_{sp}"].text(pct) for sp in spans),
                                   r.details[f"BIRTHS_{spans[0]}"].text(count)]})
        bars = []
        for r in ranking.rows:
            cell = r.details[f"REG_TIMELY_{spans[0]}"]
            value = None if cell.mark is not Mark.NONE or cell.value is None else cell.value
            bars.append(charts.Bar(r.unit_name, value, cell.text(pct)))
        title = Text(f"各村出生登记及时率（%，{names[spans[0]].zh}）",
                     f"Timely birth registration by village (%, {names[spans[0]].en})")
        more = Text("（续）", " (continued)")
        for start in range(0, len(bars), BARS_PER_CHART):
            svgs.append(charts.bar_chart(
                title=title.get(lang) + (more.get(lang) if start else ""),
                bars=bars[start:start + BARS_PER_CHART], font_family=font_family,
                value_max=100))
    else:
        headers = [Text("名次", "Rank"), Text("村（居）", "Village"),
                   Text("待处理问题数", "Open findings"), Text("月末人口", "Population"),
                   ranking.value_label]
        for r in ranking.rows:
            per = DASH if r.value is None else f"{r.value:.2f}"
            rows.append({"rank": DASH if r.rank is None else r.rank, "name": r.unit_name,
                         "cells": [r.details["FINDINGS"].text(count),
                                   r.details["POP_END"].text(by_code("POP_END")), per]})
    return {"title": ranking.title.get(lang), "headers": [h.get(lang) for h in headers],
            "rows": rows, "note": ranking.note.get(lang), "keep": len(rows) <= KEEP_ROWS,
            "charts": [mark_safe(svg) for svg in svgs]}  # noqa: S308 - escaped SVG text


def bulletin_html(bulletin: Bulletin, *, font_mode: FontMode = "subset") -> str:
    lang = bulletin.lang
    family = family_stack(font_mode)
    key_headers = [Text("本月", "This month"), Text("去年同月", "Same month last year"),
                   Text("增减", "Change"), Text("本年累计", "Year to date"),
                   Text("去年同期", "Same period last year"), Text("增减", "Change")]
    key_rows = []
    for kf in bulletin.key_figures:
        key_rows.append({"label": kf.label.get(lang), "cells": [
            _kf_text(kf.code, kf.month), _kf_text(kf.code, kf.month_last_year),
            _kf_text(kf.code, kf.change(kf.month, kf.month_last_year), signed=True),
            _kf_text(kf.code, kf.ytd), _kf_text(kf.code, kf.ytd_last_year),
            _kf_text(kf.code, kf.change(kf.ytd, kf.ytd_last_year), signed=True)]})
    this_label = Text("近12个月", "Last 12 months").get(lang)
    prev_label = Text("上年同期", "A year earlier").get(lang)
    trend = []
    for code, title in (("BIRTHS", Text("出生人数（按月）", "Births by month")),
                        ("DEATHS", Text("死亡人数（按月）", "Deaths by month"))):
        s = bulletin.series[code]
        trend.append(mark_safe(charts.line_chart(  # noqa: S308 - SVG with escaped text
            title=title.get(lang), labels=s.labels, font_family=family,
            series=[charts.Series(this_label, s.this_year, charts.BLUE),
                    charts.Series(prev_label, s.last_year, charts.ORANGE, dashed=True)])))
    edition = (Text("对外公布版", "published edition") if bulletin.public
               else Text("内部资料", "for internal use"))
    meta = (f"本月：{bulletin.month_label}　本年累计：{bulletin.ytd_label}　|　{edition.zh}　|　"
            if lang == "zh" else
            f"Month {bulletin.month_label}; year to date {bulletin.ytd_label} | "
            f"{edition.en} | ")
    context = {
        "html_lang": "en" if lang == "en" else "zh-Hans",
        "title": bulletin.title,
        "meta": meta + _generated(lang, bulletin.generated_at),
        "header_left": css_string(f"{bulletin.unit_name}（{bulletin.unit_code}）"),
        "header_right": css_string(f"{bulletin.month_label} · {edition.get(lang)}"),
        "page_counter": page_counter(lang),
        "h_key": Text("一、主要指标", "1. Key figures").get(lang),
        "t_indicator": Text("指标", "Indicator").get(lang),
        "key_headers": [h.get(lang) for h in key_headers],
        "key_rows": key_rows,
        "h_trend": Text("二、出生与死亡月度变化", "2. Births and deaths by month").get(lang),
        "trend_charts": trend,
        "rankings": [
            {**_ranking_view(bulletin.rankings[key], bulletin, family),
             "title": f"{n}{bulletin.rankings[key].title.get(lang)}"}
            for key, n in ((TIMELINESS, Text("三、", "3. ").get(lang)),
                           (FINDINGS, Text("四、", "4. ").get(lang)))
        ],
        "notes": [n.get(lang) for n in bulletin.notes],
    }
    return _render("reports/bulletin.html", context, font_mode)


def html_to_pdf(html: str) -> bytes:
    import weasyprint  # imported here: loading Pango takes a moment, only PDFs need it

    pdf = weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def annual_pdf(report: Report, *, font_mode: FontMode = "subset") -> bytes:
    return html_to_pdf(annual_html(report, font_mode=font_mode))


def bulletin_pdf(bulletin: Bulletin, *, font_mode: FontMode = "subset") -> bytes:
    return html_to_pdf(bulletin_html(bulletin, font_mode=font_mode))
