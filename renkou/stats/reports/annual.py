"""The annual statistical report of a unit (年报): five themed tables, one row per unit below.

Every figure comes from renkou.stats.engine (never a typed-in total): one call for the units
one level down (county → townships, township → villages, village → groups), one for the unit
itself. The unit's own row is the engine's figure for the unit, not the sum of the rows above
it; the two are compared for every count and a disagreement is printed as a footnote (it
would mean a bug in the engine or records outside every unit below).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from renkou.core.periods import Period, PeriodKind
from renkou.stats import engine
from renkou.stats.catalog import ASFR_AGES, CATALOG, Kind, by_code
from renkou.stats.reports.model import Cell, Column, Lang, Report, Row, Table, Text
from renkou.stats.reports.suppress import is_small, suppress_rows
from renkou.units.models import LEVEL_ORDER, Unit


@dataclass(frozen=True, slots=True)
class Theme:
    key: str
    title: Text
    codes: tuple[str, ...]


THEMES: tuple[Theme, ...] = (
    Theme("population", Text("人口", "Population"),
          ("POP_START", "POP_END", "POP_AVG", "MOVE_IN", "MOVE_OUT")),
    Theme("births", Text("出生", "Births"),
          ("BIRTHS", "BIRTHS_M", "BIRTHS_F", "BIRTHS_O1", "BIRTHS_O2", "BIRTHS_O3P",
           "SRB", "SRB_LO", "SRB_HI", "REG_TIMELY")),
    Theme("deaths", Text("死亡与自然增长", "Deaths and natural increase"),
          ("DEATHS", "CBR", "CDR", "RNI")),
    Theme("fertility", Text("育龄妇女与生育", "Women of reproductive age and fertility"),
          ("WRA", "MWRA", "GFR", *(f"ASFR_{x}" for x in ASFR_AGES), "TFR")),
    Theme("marriage", Text("婚姻", "Marriages"), ("MARRIAGES",)),
)

LEVEL_NAMES: dict[str, Text] = {
    "province": Text("省", "Province"),
    "city": Text("市", "City"),
    "county": Text("县（区）", "County"),
    "township": Text("乡镇（街道）", "Township"),
    "village": Text("村（居）", "Village"),
    "group": Text("村民小组", "Village group"),
}

# Counts (and the mean of two counts) add up over the units below; rates and ratios do not.
ADDITIVE_KINDS = (Kind.COUNT, Kind.MEAN)


def child_level(unit: Unit) -> str | None:
    """The level whose units are the rows of `unit`'s report (None for a village group)."""
    index = LEVEL_ORDER.index(unit.level)
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


def period_label(period: Period, lang: Lang) -> str:
    if lang == "zh":
        return period.label_zh
    match period.kind:
        case PeriodKind.YEAR:
            return str(period.start.year)
        case PeriodKind.QUARTER:
            return f"{period.start.year} Q{(period.start.month - 1) // 3 + 1}"
        case PeriodKind.MONTH:
            return f"{period.start:%B %Y}"
        case PeriodKind.STAT_YEAR:
            return f"statistical year {period.end.year}"


def engine_rows(rows: Sequence[engine.IndicatorRow], *, total: bool = False) -> list[Row]:
    """Report rows carrying every catalog indicator of the engine's rows (exact values)."""
    return [
        Row(unit_code=r.unit_code, unit_name=r.unit_name, is_total=total,
            cells={ind.code: Cell(r.values.get(ind.code)) for ind in CATALOG})
        for r in rows
    ]


def rollup_errors(parts: Sequence[Row], total: Row) -> list[tuple[str, float, float]]:
    """(code, sum of parts, total) for every additive indicator that does not add up."""
    errors: list[tuple[str, float, float]] = []
    if not parts:
        return errors
    for ind in CATALOG:
        if ind.kind not in ADDITIVE_KINDS:
            continue
        values = [p.value(ind.code) for p in parts]
        whole = total.value(ind.code)
        if whole is None or any(v is None for v in values):
            continue
        summed = sum(float(v) for v in values if v is not None)
        if abs(summed - float(whole)) > 1e-6:
            errors.append((ind.code, summed, float(whole)))
    return errors


def rollup_note(code: str, summed: float, whole: float) -> Text:
    ind = by_code(code)
    return Text(
        f"核对：各单位“{ind.name_zh}”之和 {summed:g} 与本单位合计 {whole:g} 不符，"
        "系统可能有误，请报告系统管理员。",
        f"Check: the rows' {ind.name_en} add up to {summed:g}, not to the unit's total "
        f"{whole:g}; this indicates a system error, please report it.",
    )


def public_note() -> Text:
    return Text(
        "本表对外公布：1–4 的计数显示为“<5”，可由其推算出的数（含相应的率）显示为“×”或“<5”。",
        "Published edition: counts of 1–4 are shown as “<5”; figures from which such a count "
        "could be worked out (including rates) are shown as “×” or “<5”.",
    )


def theme_notes(theme: Theme, period: Period) -> list[Text]:
    notes: list[Text] = []
    has_rate = any(by_code(c).is_rate for c in theme.codes)
    if has_rate and not period.is_year_long:
        notes.append(Text("率为年率，只对整年（日历年或统计年度）计算，本期间显示为“—”。",
                          "Rates are per year and are computed for whole (calendar or "
                          "statistical) years only; shown as “—” for this period."))
    if "SRB_LO" in theme.codes:
        notes.append(Text("出生人口性别比为每百名女婴对应的男婴数；置信区间为 95% Wilson 区间。",
                          "Sex ratio at birth: boys per 100 girls; the interval is a 95 % "
                          "Wilson score interval."))
    if "REG_TIMELY" in theme.codes:
        notes.append(Text("出生登记及时率：出生后 30 天内登记的出生占全部出生的百分比。",
                          "Timely registration: percentage of births recorded within 30 days."))
    if any(c.startswith("ASFR_") for c in theme.codes):
        notes.append(Text("年龄别生育率按生母在孩子出生时的年龄分组，每千名该年龄组妇女。",
                          "Age-specific rates by the mother's age at the birth, per 1,000 "
                          "women of that age group."))
    return notes


def small_asfr_groups(rows: Sequence[Row], period: Period) -> dict[tuple[str, str], bool]:
    """(unit, ASFR_x) whose age group has 1–4 births: the rate would tell the count to
    anyone who knows roughly how many women of that age live there."""
    small: dict[tuple[str, str], bool] = {}
    if not period.is_year_long:
        return small  # ASFRs are null for shorter periods
    units = Unit.objects.in_bulk([r.unit_code for r in rows])
    for row in rows:
        unit = units.get(row.unit_code)
        if unit is None or not row.value("BIRTHS"):
            continue
        for group in engine.births_by_mother_age(unit=unit, period=period):
            low = str(group["group"]).split("–")[0]
            if low.isdigit() and int(low) in ASFR_AGES and is_small(group["births"]):
                small[(row.unit_code, f"ASFR_{low}")] = True
    return small


def build_annual_report(*, unit: Unit, period: Period, lang: Lang = "zh",
                        public: bool = False) -> Report:
    """The annual (or any period's) statistical report of `unit`.

    `public=True` prepares the edition published outside the office: small counts are
    suppressed (see renkou.stats.reports.suppress). Default: exact figures for the office.
    """
    level = child_level(unit)
    parts = engine_rows(engine.compute_indicators(unit=unit, period=period, by_level=level)
                        if level else [])
    parts.sort(key=lambda r: r.unit_code)
    own = engine.compute_indicators(unit=unit, period=period)
    total = engine_rows(own, total=True)[0] if own else Row(
        unit.code, unit.name, {i.code: Cell(None) for i in CATALOG}, is_total=True)
    total.unit_name = unit.name
    errors = rollup_errors(parts, total)
    rows = [*parts, total]
    if public:
        suppress_rows(rows, [ind.code for ind in CATALOG],
                      extra_small=small_asfr_groups(rows, period))

    tables: list[Table] = []
    for theme in THEMES:
        notes = theme_notes(theme, period)
        notes += [rollup_note(code, s, w) for code, s, w in errors if code in theme.codes]
        if public:
            notes.append(public_note())
        tables.append(Table(
            key=theme.key, title=theme.title, columns=[Column(c) for c in theme.codes],
            rows=[Row(r.unit_code, r.unit_name, {c: r.cells[c] for c in theme.codes},
                      is_total=r.is_total) for r in rows],
            footnotes=notes, label_header=LEVEL_NAMES[level or unit.level],
        ))

    label = period_label(period, lang)
    if lang == "en":
        title = f"{unit.name} population statistics report, {label}"
    else:
        title = f"{unit.name}{label}人口统计年报"
    return Report(
        title=title, unit_code=unit.code, unit_name=unit.name, unit_level=unit.level,
        row_level=level or unit.level, period_code=period.code, period_label=label,
        period_start=period.start.isoformat(), period_end=period.end.isoformat(),
        generated_at=timezone.now(), lang=lang, public=public, tables=tables,
        rollup_errors=[(t.key, c, s, w) for t in tables for c, s, w in errors
                       if c in (col.code for col in t.columns)],
    )
