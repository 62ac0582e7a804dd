"""The monthly bulletin of a township (月通报): key figures, village rankings, charts.

Figures come from renkou.stats.engine: one call for the township over the 24 months ending
with the bulletin's month (key figures, year-to-date sums, the charts), one for its villages
over the months of the year so far (rankings). Year-to-date counts are sums of the months;
year-to-date timeliness is recomputed from the months' timely births (REG_TIMELY × BIRTHS),
so it is exactly the share of the year's births registered within 30 days.

Villages are ranked on two things only: birth registration timeliness and open data-quality
findings per 1,000 population — both measure the work of the village office.

NEVER rank (or colour, or sort) units on births, birth rates, fertility or anything about
pregnancies or contraception. Ranking units on other people's births is the birth-quota
system the 2021 law abolished (DOMAIN.md, "What the system never does"); RANKING_KEYS is
the closed list, and `_ranking` refuses any other key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renkou.core.errors import ValidationError
from renkou.core.periods import Period, PeriodKind, months_of, parse_period
from renkou.quality.models import Finding, FindingStatus
from renkou.stats import engine
from renkou.stats.reports.model import SMALL_LIMIT, Cell, Lang, Mark, Number, Text
from renkou.units.models import Unit
from renkou.units.selectors import units_under

TIMELINESS = "REG_TIMELY"
FINDINGS = "FINDINGS_PER_1000"
# The only keys villages may be ranked on (see the module docstring). Do not add to this.
RANKING_KEYS: tuple[str, ...] = (TIMELINESS, FINDINGS)

KEY_FIGURES: tuple[tuple[str, Text], ...] = (
    ("BIRTHS", Text("出生人数", "Births")),
    ("DEATHS", Text("死亡人数", "Deaths")),
    ("MARRIAGES", Text("结婚对数", "Marriages")),
    ("MOVE_IN", Text("迁入人数", "Moves in")),
    ("MOVE_OUT", Text("迁出人数", "Moves out")),
    ("POP_END", Text("月末人口", "Population at month end")),
    ("REG_TIMELY", Text("出生登记及时率（%）", "Timely birth registration (%)")),
)
SUMMED = ("BIRTHS", "DEATHS", "MARRIAGES", "MOVE_IN", "MOVE_OUT")

Span = Literal["month", "ytd"]


@dataclass(slots=True)
class KeyFigure:
    code: str
    label: Text
    month: Cell
    month_last_year: Cell
    ytd: Cell
    ytd_last_year: Cell

    @staticmethod
    def change(now: Cell, before: Cell) -> Cell:
        """now − before; hidden if either side is hidden, None if either is unknown."""
        mark = now.mark if now.mark is not Mark.NONE else before.mark
        if now.value is None or before.value is None:
            return Cell(None, mark)
        return Cell(now.value - before.value, mark)


@dataclass(slots=True)
class RankedVillage:
    rank: int | None  # None: not ranked (no births / no population), listed last
    unit_code: str
    unit_name: str
    value: float | None  # the figure ranked on (exact, also in the public edition)
    details: dict[str, Cell] = field(default_factory=dict)


@dataclass(slots=True)
class Ranking:
    key: str  # one of RANKING_KEYS
    title: Text
    value_label: Text
    higher_is_better: bool
    rows: list[RankedVillage]
    note: Text


@dataclass(slots=True)
class MonthlySeries:
    code: str
    labels: list[str]  # month labels of the last 12 months
    months: list[str]  # period codes of the last 12 months
    this_year: list[Number]
    last_year: list[Number]  # the same months one year earlier


@dataclass(slots=True)
class Bulletin:
    title: str
    unit_code: str
    unit_name: str
    month: str  # YYYYMM
    month_label: str
    ytd_label: str
    generated_at: datetime
    lang: Lang
    public: bool
    ranking_span: Span
    key_figures: list[KeyFigure]
    rankings: dict[str, Ranking]
    series: dict[str, MonthlySeries]
    notes: list[Text] = field(default_factory=list)


def _shift(month: Period, months: int) -> Period:
    index = month.start.year * 12 + month.start.month - 1 + months
    return parse_period(f"{index // 12:04d}{index % 12 + 1:02d}")


def _sum(values: Sequence[Number]) -> Number:
    if any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None)


def _timely_share(months: Sequence[Mapping[str, Number]]) -> float | None:
    """Year-to-date REG_TIMELY from monthly REG_TIMELY and BIRTHS (exactly, not a mean)."""
    births = 0
    timely = 0.0
    for values in months:
        n = values.get("BIRTHS") or 0
        pct = values.get("REG_TIMELY")
        if n:
            if pct is None:
                return None
            births += int(n)
            timely += round(float(pct) * int(n) / 100)
    return None if births == 0 else 100 * timely / births


def _ytd(code: str, months: Sequence[Mapping[str, Number]]) -> Number:
    if not months:
        return None
    if code == "REG_TIMELY":
        return _timely_share(months)
    if code in SUMMED:
        return _sum([m.get(code) for m in months])
    return months[-1].get(code)  # a stock (POP_END): its value at the end


def _ranking(key: str, values: Mapping[str, float | None], names: Mapping[str, str], *,
             higher_is_better: bool, details: Mapping[str, dict[str, Cell]]
             ) -> list[RankedVillage]:
    """Competition ranking (1, 2, 2, 4) of villages on `key`; None values come last unranked.

    Ties share a rank and are listed by unit code — never by births or anything else.
    """
    if key not in RANKING_KEYS:
        raise ValueError(f"villages are never ranked on {key!r} (see DOMAIN.md)")
    def order(code: str) -> tuple[float, str]:
        value = float(values[code] or 0.0)
        return (-value if higher_is_better else value, code)

    ranked = sorted((c for c in values if values[c] is not None), key=order)
    out: list[RankedVillage] = []
    previous: float | None = None
    rank = 0
    for position, code in enumerate(ranked, start=1):
        value = values[code]
        if value is None or previous is None or abs(value - previous) > 1e-9:
            rank = position
        previous = value
        out.append(RankedVillage(rank, code, names[code], value, details.get(code, {})))
    out += [RankedVillage(None, c, names[c], None, details.get(c, {}))
            for c in sorted(values) if values[c] is None]
    return out


def open_findings_by_village(township: Unit) -> dict[str, int]:
    """Open data-quality findings per village of `township` (findings of its groups too)."""
    village_of = dict(units_under(township).exclude(village_code="")
                      .values_list("code", "village_code"))
    counts: dict[str, int] = defaultdict(int)
    rows = (Finding.objects.filter(status=FindingStatus.OPEN, unit_code__in=list(village_of))
            .values("unit_code").annotate(n=Count("id")).values_list("unit_code", "n"))
    for unit_code, n in rows:
        counts[village_of[unit_code]] += int(n)
    return dict(counts)


def _month_label(period: Period, lang: Lang) -> str:
    return f"{period.start.month}月" if lang == "zh" else f"{period.start:%b}"


def build_monthly_bulletin(*, township: Unit, month: str | Period, lang: Lang = "zh",
                           public: bool = False, ranking_span: Span = "ytd") -> Bulletin:
    """The monthly bulletin of `township` for `month` (YYYYMM).

    Villages are ranked on timeliness of the month or of the year to date (`ranking_span`,
    default year to date: a village has few births in one month) and on open findings.
    """
    if township.level != "township":
        raise ValidationError(_("The monthly bulletin is made per township."))
    try:
        period = parse_period(month) if isinstance(month, str) else month
    except ValueError:
        period = None
    if period is None or period.kind is not PeriodKind.MONTH:
        raise ValidationError(_("The month must be given as YYYYMM."))

    window = [_shift(period, -i) for i in range(23, -1, -1)]  # 24 months ending with `month`
    own = engine.compute_indicators_many(unit=township, periods=window)
    by_month: dict[str, Mapping[str, Number]] = {
        code: (rows[0].values if rows else {}) for code, rows in own.items()
    }
    ytd_months = months_of(parse_period(str(period.start.year)))[:period.start.month]
    ytd_last = [_shift(m, -12) for m in ytd_months]
    last_year = _shift(period, -12)

    key_figures = [
        KeyFigure(
            code=code, label=label,
            month=Cell(by_month[period.code].get(code)),
            month_last_year=Cell(by_month[last_year.code].get(code)),
            ytd=Cell(_ytd(code, [by_month[m.code] for m in ytd_months])),
            ytd_last_year=Cell(_ytd(code, [by_month[m.code] for m in ytd_last])),
        )
        for code, label in KEY_FIGURES
    ]

    # Villages, month by month over the year so far.
    village_rows = engine.compute_indicators_many(unit=township, periods=ytd_months,
                                                  by_level="village")
    names: dict[str, str] = {}
    # village → one mapping of values per month of the year so far ({} if the engine has none)
    per_village: dict[str, list[Mapping[str, Number]]] = {}
    for village in units_under(township, level="village"):
        names[village.code] = village.name
        per_village[village.code] = [{} for _ in ytd_months]
    for i, m in enumerate(ytd_months):
        for row in village_rows.get(m.code, []):
            names[row.unit_code] = row.unit_name
            per_village.setdefault(row.unit_code, [{} for _ in ytd_months])[i] = row.values

    span_months = {c: (v[-1:] if ranking_span == "month" else v) for c, v in per_village.items()}
    timeliness = {c: _timely_share(v) for c, v in span_months.items()}
    if public:
        # A rank next to visible rates would tell a hidden share (1 of 2 …): villages with
        # 1–4 births in the span are not ranked in the published edition.
        timeliness = {c: None if _small(_sum([m.get("BIRTHS") for m in span_months[c]]))
                      else v for c, v in timeliness.items()}
    details: dict[str, dict[str, Cell]] = {
        c: {"REG_TIMELY_MONTH": Cell(_timely_share(v[-1:])),
            "REG_TIMELY_YTD": Cell(_timely_share(v)),
            "BIRTHS_MONTH": Cell(_sum([m.get("BIRTHS") for m in v[-1:]])),
            "BIRTHS_YTD": Cell(_sum([m.get("BIRTHS") for m in v]))}
        for c, v in per_village.items()
    }
    findings = open_findings_by_village(township)
    per_thousand: dict[str, float | None] = {}
    for code, months in per_village.items():
        population = months[-1].get("POP_END") if months else None
        n = findings.get(code, 0)
        per_thousand[code] = n / float(population) * 1000 if population else None
        details[code].update({"FINDINGS": Cell(n), "POP_END": Cell(population)})

    span_label = (Text("本月", "this month") if ranking_span == "month"
                  else Text("本年累计", "year to date"))
    rankings = {
        TIMELINESS: Ranking(
            key=TIMELINESS,
            title=Text("出生登记及时率排名", "Ranking: timely birth registration"),
            value_label=Text(f"及时率（%，{span_label.zh}）",
                             f"Timely (%, {span_label.en})"),
            higher_is_better=True,
            rows=_ranking(TIMELINESS, timeliness, names, higher_is_better=True,
                          details=details),
            note=Text("无出生的村显示为“—”，不参加排名。" + (
                "出生数为 1–4 的村不公布及时率，也不参加排名。" if public else ""),
                "Villages without births are shown as “—” and not ranked." + (
                    " Villages with 1–4 births are neither shown nor ranked." if public
                    else "")),
        ),
        FINDINGS: Ranking(
            key=FINDINGS,
            title=Text("数据质量问题排名（每千人待处理问题数，少者在前）",
                       "Ranking: open data-quality findings per 1,000 population "
                       "(fewest first)"),
            value_label=Text("每千人问题数", "Per 1,000"),
            higher_is_better=False,
            rows=_ranking(FINDINGS, per_thousand, names, higher_is_better=False,
                          details=details),
            note=Text("问题数为生成本通报时尚未处理的数据质量问题；人口为月末人口。",
                      "Findings still open when the bulletin was made; population at "
                      "month end."),
        ),
    }

    last12 = window[12:]
    series = {
        code: MonthlySeries(
            code=code, labels=[_month_label(m, lang) for m in last12],
            months=[m.code for m in last12],
            this_year=[by_month[m.code].get(code) for m in last12],
            last_year=[by_month[m.code].get(code) for m in window[:12]],
        )
        for code in ("BIRTHS", "DEATHS")
    }

    notes = [Text("“—”表示无数据或不适用。", "“—”: no data or not applicable.")]
    if public:
        _suppress_bulletin(key_figures, rankings, series)
        notes.append(Text("对外公布版：1–4 的计数及由其算出的比例不予显示（表中为“<5”，"
                          "图中为空缺）。",
                          "Published edition: counts of 1–4 and shares computed from them "
                          "are not shown (“<5” in tables, gaps in the charts)."))
    ytd_label = (f"{period.start.year}年1–{period.start.month}月" if lang == "zh"
                 else f"Jan–{period.start:%b} {period.start.year}")
    month_label = period.label_zh if lang == "zh" else f"{period.start:%B %Y}"
    title = (f"{township.name}{month_label}人口信息工作通报" if lang == "zh"
             else f"{township.name} monthly bulletin, {month_label}")
    return Bulletin(
        title=title, unit_code=township.code, unit_name=township.name, month=period.code,
        month_label=month_label, ytd_label=ytd_label, generated_at=timezone.now(), lang=lang,
        public=public, ranking_span=ranking_span, key_figures=key_figures,
        rankings=rankings, series=series, notes=notes,
    )


def _small(value: Number) -> bool:
    return value is not None and 0 < value < SMALL_LIMIT


def _suppress_bulletin(key_figures: list[KeyFigure], rankings: dict[str, Ranking],
                       series: dict[str, MonthlySeries]) -> None:
    """Public edition: hide counts of 1–4 and shares computed from them (DOMAIN, Privacy)."""
    births = next(kf for kf in key_figures if kf.code == "BIRTHS")
    for kf in key_figures:
        if kf.code == "POP_END":
            continue  # a township's population is never that small
        for attr in ("month", "month_last_year", "ytd", "ytd_last_year"):
            cell: Cell = getattr(kf, attr)
            basis = getattr(births, attr) if kf.code == "REG_TIMELY" else cell
            if _small(basis.value):
                cell.mark = Mark.SMALL
    for ranking in rankings.values():
        for row in ranking.rows:
            for share, count in (("REG_TIMELY_MONTH", "BIRTHS_MONTH"),
                                 ("REG_TIMELY_YTD", "BIRTHS_YTD")):
                if _small(row.details[count].value):
                    row.details[count].mark = Mark.SMALL
                    row.details[share].mark = Mark.SMALL
    for s in series.values():
        s.this_year = [None if _small(v) else v for v in s.this_year]
        s.last_year = [None if _small(v) else v for v in s.last_year]
