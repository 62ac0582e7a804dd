"""Reconcile external lists with the registry (SPEC §4 `renkou quality reconcile`).

Hospital births: each notification is compared, by Splink with a births model, with the
registered children born around that date — mother's identity number and name (pinyin, so
a misheard name still agrees), the child's birth date and sex, the household address. Then
records and children are paired one to one, best first: a record whose best child is
certain is `matched`; one that is left with no plausible child is `unregistered` (the
under-registration list); the rest (two equally good children, a middling score, its child
taken by a better record) are `ambiguous` and go to a person.

Civil-affairs marriages: each spouse is found among the registry's persons with the
duplicates model (name, identity number, the birth date it encodes, sex); the record is
`matched` when the registry has a marriage event of that couple (or of the registered
spouse, when the other lives outside the county) near the record's date, `unregistered`
when it has none, `ambiguous` when a spouse cannot be told apart.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext as _

from renkou.core.bulk import date_text, read_text_frame
from renkou.core.errors import ValidationError
from renkou.linkage.dedupe import TF_MIN_PERSONS
from renkou.linkage.features import (
    date_features,
    id_features,
    name_features,
    person_features,
)
from renkou.linkage.model import (
    BIRTH,
    ID_NUMBER,
    NAME,
    SEX,
    Comparison,
    Level,
    LinkageConfig,
    _levels,
    run_splink,
)

BIRTH_COLUMNS = ("record_id", "birth_date", "child_sex", "mother_name", "mother_id_number",
                 "hospital", "address")
MARRIAGE_COLUMNS = ("record_id", "date", "husband_name", "husband_id_number", "wife_name",
                    "wife_id_number", "office")
MATCH = 0.9   # at or above: the record is this person's
DOUBT = 0.2   # between DOUBT and MATCH: a person must look
# How far apart a notification's and the registry's birth dates may be to be compared.
WINDOW_DAYS = 62
# A spouse candidate this likely counts when the registry's marriage event confirms it.
CORROBORATED = 0.01
# A civil-affairs marriage and the registry's marriage event of the couple: same event
# when they are at most this far apart (village reports are often late).
MARRIAGE_WINDOW_DAYS = 366


@dataclass(frozen=True)
class ReconcileResult:
    rows: pl.DataFrame

    def counts(self) -> dict[str, int]:
        got = dict(self.rows.group_by("status").len().iter_rows())
        return {s: int(got.get(s, 0)) for s in ("matched", "unregistered", "ambiguous")}


def read_external(path: Path, columns: tuple[str, ...], date_column: str) -> pl.DataFrame:
    """The external list as text columns; bad input raises ValidationError naming the file,
    the line and the field (nothing is written by a reconciliation anyway)."""
    try:
        if path.suffix.lower() in (".xlsx", ".xls"):
            frame = _read_sheet(path, "hospital_births" if "child_sex" in columns
                                else "civil_marriages")
        else:
            frame = pl.read_csv(path, infer_schema_length=0, encoding="utf8")
    except (OSError, ValueError, pl.exceptions.PolarsError) as exc:
        raise ValidationError(_("%(file)s: cannot read the file (%(error)s)."),
                              file=path.name, error=str(exc)) from exc
    frame = frame.rename({c: c.lstrip("\ufeff").strip() for c in frame.columns})
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError(_("%(file)s: missing column(s) %(columns)s."),
                              file=path.name, columns=", ".join(missing))
    frame = frame.select(columns).with_columns(pl.col(c).str.strip_chars() for c in columns)
    problems: list[str] = []
    with_line = frame.with_row_index("__line", offset=2)
    bad_date = with_line.filter(pl.col(date_column).str.to_date("%Y-%m-%d", strict=False)
                                .is_null())
    problems += [_("%(file)s line %(line)d, field %(field)s: %(value)r is not a date "
                   "(YYYY-MM-DD).") % {"file": path.name, "line": line, "field": date_column,
                                       "value": value or ""}
                 for line, value in bad_date.select("__line", date_column).iter_rows()]
    no_id = with_line.filter(pl.col("record_id").is_null())
    problems += [_("%(file)s line %(line)d, field record_id: empty.") % {
        "file": path.name, "line": line} for (line,) in no_id.select("__line").iter_rows()]
    dup = with_line.filter(pl.col("record_id").is_duplicated() & pl.col("record_id")
                           .is_not_null())
    problems += [_("%(file)s line %(line)d, field record_id: %(value)s appears twice.") % {
        "file": path.name, "line": line, "value": value}
        for line, value in dup.select("__line", "record_id").iter_rows()]
    if "child_sex" in columns:
        bad_sex = with_line.filter(~pl.col("child_sex").is_in(["1", "2"])
                                   & pl.col("child_sex").is_not_null())
        problems += [_("%(file)s line %(line)d, field child_sex: %(value)r is not 1 or 2.") % {
            "file": path.name, "line": line, "value": value}
            for line, value in bad_sex.select("__line", "child_sex").iter_rows()]
    if problems:
        raise ValidationError("\n".join(problems[:50]))
    return frame


def _cell(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_sheet(path: Path, name: str) -> pl.DataFrame:
    """The sheet called like the CSV file (else the first sheet) of a workbook, as text;
    dates typed as Excel dates become ISO dates."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    names = {n.strip().lower(): n for n in book.sheet_names}
    sheet = book.get_sheet_by_name(names.get(name, book.sheet_names[0]))
    rows = sheet.to_python(skip_empty_area=False)
    if not rows:
        return pl.DataFrame()
    header = [str(_cell(v) or "") for v in rows[0]]
    body = [[_cell(row[i]) if i < len(row) else None for i in range(len(header))]
            for row in rows[1:] if any(_cell(v) for v in row)]
    return pl.DataFrame(body, schema=dict.fromkeys(header, pl.String), orient="row")


# ---------------------------------------------------------------- births

BIRTHS_MODEL = LinkageConfig(
    comparisons=(
        Comparison("mother_id", (
            Level("", "l.m_idn IS NULL AND r.m_idn IS NULL", 0, 0, null=True),
            *_levels(
                ("mother_id_exact", "l.m_idn = r.m_idn", 0.92, 1e-4),
                ("mother_id_transposed",
                 "l.m_idn_tkey = r.m_idn_tkey AND hamming(l.m_idn, r.m_idn) = 2", 0.02, 1e-6),
                ("mother_id_one_char", "hamming(l.m_idn, r.m_idn) = 1", 0.005, 1e-5),
                ("mother_id_missing_one_side", "l.m_idn IS NULL OR r.m_idn IS NULL", 0.05,
                 0.05),
                ("", "ELSE", 0.005, 0.95),
            ),
        )),
        Comparison("mother_name", (
            Level("", "l.m_s IS NULL OR r.m_s IS NULL", 0, 0, null=True),
            *_levels(
                ("mother_name_exact", "l.m_s = r.m_s", 0.96, 2e-4),
                ("mother_name_homophone", "l.m_py = r.m_py", 0.03, 1e-4),
                ("mother_name_fuzzy_pinyin", "l.m_fz = r.m_fz", 0.005, 2e-4),
                ("", "ELSE", 0.005, 0.9995),
            ),
        )),
        Comparison("birth_date", (
            Level("", "l.bd_day IS NULL OR r.bd_day IS NULL", 0, 0, null=True),
            *_levels(
                ("birth_exact", "l.bd_day = r.bd_day", 0.95, 5e-4),
                ("birth_off_by_one_day", "abs(l.bd_day - r.bd_day) = 1", 0.03, 1e-3),
                ("birth_day_month_swapped", "l.bd_ymd = r.bd_dm", 0.005, 5e-4),
                ("birth_within_a_week", "abs(l.bd_day - r.bd_day) <= 7", 0.01, 7e-3),
                ("", "ELSE", 0.005, 0.99),
            ),
        )),
        Comparison("sex", (
            Level("", "l.sex IS NULL OR r.sex IS NULL", 0, 0, null=True),
            *_levels(("same_sex", "l.sex = r.sex", 0.99, 0.5), ("", "ELSE", 0.01, 0.5)),
        )),
        Comparison("address", (
            Level("", "l.address IS NULL OR r.address IS NULL", 0, 0, null=True),
            *_levels(("same_address", "l.address = r.address", 0.9, 1e-3),
                     ("", "ELSE", 0.1, 0.999)),
        )),
    ),
    blocking_rules=(
        "l.m_idn = r.m_idn",
        "l.m_py = r.m_py AND abs(l.bd_day - r.bd_day) <= 62",
        "l.address = r.address AND abs(l.bd_day - r.bd_day) <= 62",
        "l.m_idn_tkey = r.m_idn_tkey AND l.bd_year = r.bd_year",
    ),
    threshold=DOUBT,
)


def _birth_sides(records: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Hospital records and registered children as frames with the same columns."""
    ext = records.select(
        pl.col("record_id").alias("unique_id"),
        pl.col("birth_date"), pl.col("child_sex").cast(pl.Int8).alias("sex"),
        pl.col("mother_name"), pl.col("mother_id_number"), pl.col("address"))
    days = ext.select(pl.col("birth_date").str.to_date()).to_series()
    first, last = days.min(), days.max()
    children = read_text_frame(
        f"SELECT c.id, {date_text('c.birth_date')}, CAST(c.sex AS TEXT), m.name, "  # noqa: S608
        "m.id_number, h.address FROM registry_person c "
        "LEFT JOIN registry_person m ON m.id = c.mother_id "
        "LEFT JOIN registry_household h ON h.id = c.household_id "
        "WHERE c.birth_date BETWEEN %s AND %s",
        ["unique_id", "birth_date", "sex", "mother_name", "mother_id_number", "address"],
        [_shift(first, -WINDOW_DAYS), _shift(last, WINDOW_DAYS)]
    ).with_columns(pl.col("sex").cast(pl.Int8, strict=False))
    return _birth_features(ext), _birth_features(children)


def _shift(day: object, days: int) -> str:
    assert isinstance(day, date)
    return (day + timedelta(days=days)).isoformat()


def _birth_features(frame: pl.DataFrame) -> pl.DataFrame:
    frame = frame.with_columns(
        pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
        for c in ("mother_name", "mother_id_number", "address"))
    frame = name_features(frame, "mother_name", "m")
    frame = id_features(frame, "mother_id_number", "m_idn")
    frame = date_features(frame, "birth_date", "bd")
    return frame.select("unique_id", "sex", "address", "m_s", "m_py", "m_fz", "m_idn",
                        "m_idn_tkey", "bd_day", "bd_year", "bd_ymd", "bd_dm")


def _assign(scored: pl.DataFrame, record_ids: pl.Series, id_column: str) -> pl.DataFrame:
    """One-to-one pairing, best first (ties by ids); statuses as in the module docstring."""
    ordered = scored.sort(["probability", "record_id", "person_id"],
                          descending=[True, False, False])
    by_record: dict[str, list[tuple[str, float]]] = {}
    taken_person: set[str] = set()
    chosen: dict[str, tuple[str, float]] = {}
    for record, person, p in ordered.select("record_id", "person_id", "probability"
                                            ).iter_rows():
        by_record.setdefault(record, []).append((person, p))
        if p < MATCH or record in chosen or person in taken_person:
            continue
        chosen[record] = (person, p)
        taken_person.add(person)
    rows: list[tuple[str, str, float | None, str]] = []
    for record in record_ids.to_list():
        candidates = by_record.get(record, [])
        if record in chosen:
            person, p = chosen[record]
            # another child as likely, that no other record took: which one is it?
            rival = any(other != person and q >= max(DOUBT, p - 0.05)
                        and other not in taken_person for other, q in candidates)
            rows.append((record, person, p, "ambiguous" if rival else "matched"))
        elif not candidates:
            rows.append((record, "", None, "unregistered"))
        else:
            person, p = candidates[0]
            rows.append((record, person, p, "ambiguous" if p >= DOUBT else "unregistered"))
    return pl.DataFrame(rows, schema={"record_id": pl.String, id_column: pl.String,
                                      "probability": pl.Float64, "status": pl.String},
                        orient="row")


def reconcile_births(path: Path) -> ReconcileResult:
    records = read_external(path, BIRTH_COLUMNS, "birth_date")
    if records.height == 0:
        return ReconcileResult(_assign(_empty_scores(), records["record_id"], "person_id"))
    ext, children = _birth_sides(records)
    if children.height == 0:
        scored = _empty_scores()
    else:
        # prior: each record has about one child among those born in the window
        config = replace(BIRTHS_MODEL, prior=min(0.5, 1.0 / max(children.height, 2)))
        pairs = run_splink([ext, children], config, link_type="link_only",
                           threshold=DOUBT)
        scored = _oriented(pairs)
    return ReconcileResult(_assign(scored, records["record_id"], "person_id"))


def _empty_scores() -> pl.DataFrame:
    return pl.DataFrame(schema={"record_id": pl.String, "person_id": pl.String,
                                "probability": pl.Float64, "reasons": pl.String})


def _oriented(pairs: pl.DataFrame) -> pl.DataFrame:
    """Splink's link_only pairs with the external record on the left (input 0)."""
    left_ext = pl.col("source_dataset_l") == "renkou_input_0"
    return pairs.select(
        pl.when(left_ext).then(pl.col("unique_id_l")).otherwise(pl.col("unique_id_r"))
        .alias("record_id"),
        pl.when(left_ext).then(pl.col("unique_id_r")).otherwise(pl.col("unique_id_l"))
        .alias("person_id"),
        "probability", "reasons")


# ---------------------------------------------------------------- marriages

PERSON_LINK_MODEL = LinkageConfig(
    comparisons=(NAME, ID_NUMBER, BIRTH, SEX),
    blocking_rules=(
        "l.idn = r.idn",
        "l.idn_tkey = r.idn_tkey AND l.surname_py = r.surname_py",
        "l.name_py = r.name_py AND l.sex = r.sex AND l.bd_year = r.bd_year",
        "l.idn_birth = r.idn_birth AND l.sex = r.sex AND l.surname_py = r.surname_py",
        # a spouse without a number in the list: the name alone proposes the pair
        "l.name_py = r.name_py AND l.sex = r.sex AND (l.idn IS NULL OR r.idn IS NULL)",
    ),
    threshold=DOUBT,
)


def _registry_people(sex: int, birth_years: tuple[int, int]) -> pl.DataFrame:
    frame = read_text_frame(
        f"SELECT id, name, CAST(sex AS TEXT), {date_text('birth_date')}, "  # noqa: S608
        "id_number FROM registry_person WHERE sex = %s AND birth_date BETWEEN %s AND %s",
        ["unique_id", "name", "sex", "birth_date", "id_number"],
        [sex, f"{birth_years[0]}-01-01", f"{birth_years[1]}-12-31"])
    return _people_features(frame)


def _people_features(frame: pl.DataFrame) -> pl.DataFrame:
    frame = frame.with_columns(
        pl.col("sex").cast(pl.Int8, strict=False),
        *(pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
          for c in ("name", "id_number", "birth_date")))
    return person_features(frame).select(
        "unique_id", "sex", "name_s", "name_py", "name_fz", "surname_py", "given_py", "idn",
        "idn_birth", "idn_tkey", "bd_day", "bd_year", "bd_md", "bd_ymd", "bd_dm")


def _spouse_frame(records: pl.DataFrame, side: str, sex: int) -> pl.DataFrame:
    """One side of the couples, its birth date read from the identity number."""
    idn = pl.col(f"{side}_id_number")
    birth = idn.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    frame = records.select(
        pl.col("record_id").alias("unique_id"),
        pl.col(f"{side}_name").alias("name"), pl.lit(str(sex)).alias("sex"),
        pl.when((idn.str.len_chars() == 18) & birth.dt.year().is_between(1900, 2100))
        .then(birth.dt.strftime("%Y-%m-%d"))
        .otherwise(None).alias("birth_date"),
        idn.alias("id_number"))
    return _people_features(frame)


def _link_spouses(records: pl.DataFrame, side: str, sex: int) -> pl.DataFrame:
    ext = _spouse_frame(records, side, sex)
    years = ext.select(pl.col("bd_year").min().alias("low"),
                       pl.col("bd_year").max().alias("high")).row(0)
    # a mistyped number can encode year 0202 or 9199: keep the range to real birth years
    low = max(1900, int(years[0] or 1900) - 1)
    high = min(timezone.localdate().year, max(low, int(years[1] or 2100) + 1))
    people = _registry_people(sex, (low, high))
    if people.height == 0 or ext.height == 0:
        return _empty_scores()
    config = replace(PERSON_LINK_MODEL, prior=min(0.5, 1.0 / max(people.height, 2)))
    if people.height < TF_MIN_PERSONS:
        config = config.without_tf()
    # low cut: a marriage event of the couple can still confirm a weak candidate
    return _oriented(run_splink([ext, people], config, link_type="link_only",
                                threshold=CORROBORATED))


def _candidates(scored: pl.DataFrame) -> dict[str, list[tuple[str, float]]]:
    """record → [(person, probability)] best first."""
    out: dict[str, list[tuple[str, float]]] = {}
    ordered = scored.sort(["probability", "record_id", "person_id"],
                          descending=[True, False, False])
    for record, person, p in ordered.select("record_id", "person_id", "probability"
                                            ).iter_rows():
        out.setdefault(str(record), []).append((str(person), float(p)))
    return out


def _top(cands: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The certain candidates: at least MATCH and within 0.05 of the best (a person
    registered twice gives two such)."""
    if not cands or cands[0][1] < MATCH:
        return []
    return [(c, p) for c, p in cands if p >= max(MATCH, cands[0][1] - 0.05)]


def _marriage_events() -> dict[str, list[tuple[str, date, str]]]:
    """person → [(spouse or "", date, spouse's name pinyin)] for every marriage event,
    seen from both partners."""
    events = read_text_frame(
        f"SELECT e.person_id, e.spouse_id, {date_text('e.date')}, p.name, s.name "  # noqa: S608
        "FROM events_event e LEFT JOIN registry_person p ON p.id = e.person_id "
        "LEFT JOIN registry_person s ON s.id = e.spouse_id WHERE e.type = 'marriage'",
        ["person_id", "spouse_id", "date", "person_name", "spouse_name"])
    events = name_features(events, "person_name", "pn")
    events = name_features(events, "spouse_name", "sn")
    by_person: dict[str, list[tuple[str, date, str]]] = {}
    for person, spouse, day, p_py, s_py in events.select(
            "person_id", "spouse_id", "date", "pn_py", "sn_py").iter_rows():
        when = date.fromisoformat(day)
        by_person.setdefault(person, []).append((spouse or "", when, s_py or ""))
        if spouse:
            by_person[spouse] = [*by_person.get(spouse, []), (person, when, p_py or "")]
    return by_person


def _couple(record_day: date, wives: list[tuple[str, float]], husbands: list[tuple[str, float]],
            names: dict[str, str], events: dict[str, list[tuple[str, date, str]]]
            ) -> tuple[str, str, float] | None:
    """The registered couple of a record, found through a marriage event near its date:
    both spouses among the candidates, or one of them and the event's spouse whose name
    sounds like the record's (or who is outside the registry, as in the record)."""
    def near(when: date) -> bool:
        return abs((when - record_day).days) <= MARRIAGE_WINDOW_DAYS

    for w, pw in wives:
        for h, ph in husbands:
            if any(s == h and near(d) for s, d, _py in events.get(w, [])):
                return w, h, min(pw, ph)
    for side, candidates, other_certain in (("wife", wives, husbands),
                                            ("husband", husbands, wives)):
        if any(p >= MATCH for _c, p in other_certain):
            continue  # the other spouse is known: only the first loop may pair them
        other = "husband" if side == "wife" else "wife"
        for person, p in candidates:
            for spouse, when, spouse_py in events.get(person, []):
                if not near(when):
                    continue
                record_py = names.get(other, "")
                if (spouse and record_py and spouse_py == record_py) or not spouse:
                    pair = {side: person, other: spouse}
                    return pair["wife"], pair["husband"], p
    return None


def reconcile_marriages(path: Path) -> ReconcileResult:
    records = read_external(path, MARRIAGE_COLUMNS, "date")
    wives = _candidates(_link_spouses(records, "wife", 2)) if records.height else {}
    husbands = _candidates(_link_spouses(records, "husband", 1)) if records.height else {}
    events = _marriage_events()
    spoken = name_features(name_features(records, "wife_name", "w"), "husband_name", "h")
    rows: list[tuple[str, str, str, float | None, str]] = []
    for record, day_text, w_py, h_py in spoken.select("record_id", "date", "w_py",
                                                      "h_py").iter_rows():
        day = date.fromisoformat(day_text)
        w_all, h_all = wives.get(record, []), husbands.get(record, [])
        w_top, h_top = _top(w_all), _top(h_all)
        # a marriage event of the couple near the date corroborates any plausible candidate
        couple = _couple(day, w_all, h_all, {"wife": w_py or "", "husband": h_py or ""},
                         events)
        if couple is not None:
            rows.append((record, couple[0], couple[1], couple[2], "matched"))
            continue
        w_all = [c for c in w_all if c[1] >= DOUBT]
        h_all = [c for c in h_all if c[1] >= DOUBT]
        doubtful = [c for c in (w_all, h_all) if c and (c[0][1] < MATCH or len(_top(c)) > 1)]
        wife = w_top[0][0] if len(w_top) == 1 else (w_all[0][0] if w_all else "")
        husband = h_top[0][0] if len(h_top) == 1 else (h_all[0][0] if h_all else "")
        probs = [c[0][1] for c in (w_all, h_all) if c]
        probability = min(probs) if probs else None
        rows.append((record, wife, husband, probability,
                     "ambiguous" if doubtful else "unregistered"))
    frame = pl.DataFrame(rows, schema={"record_id": pl.String, "wife_id": pl.String,
                                       "husband_id": pl.String, "probability": pl.Float64,
                                       "status": pl.String}, orient="row")
    return ReconcileResult(frame)
