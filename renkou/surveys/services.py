"""Verification survey: draw the groups and write the field sheet, load the filled sheet,
estimate birth under-registration and record accuracy (docs/quality.md has the design)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from renkou.core.audit import Actor, audit_log
from renkou.core.errors import NotFound, ValidationError
from renkou.core.scope import unit_scope_q
from renkou.events.models import RegistrationSpell
from renkou.events.population import population_on
from renkou.registry.models import Household, Person
from renkou.surveys import sheets
from renkou.surveys.estimate import RatioEstimate, ratio_estimate
from renkou.surveys.models import (
    Design,
    FieldResult,
    Survey,
    SurveyGroup,
    SurveyListed,
    SurveyResult,
)
from renkou.units.models import ANCESTOR_LEVELS, Unit


def _unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise NotFound(_("Unknown unit %(code)s."), code=code)
    return unit


def _registered_on(day: date) -> Q:
    return (Q(start__isnull=True) | Q(start__lte=day)) & (Q(end__isnull=True) | Q(end__gt=day))


def _unit_births(unit: Unit, since: date, day: date) -> int:
    """Persons registered in `unit` (or below) at the end of `day` born in [since, day]."""
    column = f"u.{unit.level}_code" if unit.level in ANCESTOR_LEVELS else "u.code"
    sql = ("SELECT COUNT(*) FROM events_registrationspell s "  # noqa: S608
           "JOIN units_unit u ON u.code = s.unit_code "
           "JOIN registry_person p ON p.id = s.person_id "
           f"WHERE {column} = %s AND (s.start IS NULL OR s.start <= %s) "
           "AND (s.\"end\" IS NULL OR s.\"end\" > %s) "
           "AND p.birth_date >= %s AND p.birth_date <= %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [unit.code, day, day, since, day])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@transaction.atomic
def survey_draw(*, actor: Actor, unit_code: str, groups: int, seed: int,
                births_since: date | None = None, reference_day: date | None = None
                ) -> Survey:
    """Draw `groups` village groups under the unit by simple random sampling without
    replacement (Python's `random.Random(seed).sample` over the groups sorted by code, so
    the same seed on the same units draws the same groups) and list the registry in them."""
    unit = _unit(unit_code)
    if unit.level == "group":
        raise ValidationError(_("Draw from a village or a higher unit, not a group."))
    frame = sorted(Unit.objects.filter(unit_scope_q([unit], ""), level="group")
                   .values_list("code", flat=True))
    if groups < 2 or groups > len(frame):
        raise ValidationError(
            _("Draw between 2 and %(n)s groups: the unit has %(n)s village groups."),
            n=len(frame))
    day = reference_day or timezone.localdate()
    since = births_since or day - timedelta(days=365)
    if since > day:
        raise ValidationError(_("The births period starts after the reference day."))
    drawn = random.Random(seed).sample(frame, groups)  # noqa: S311 - sampling, not secrets
    survey = Survey.objects.create(
        unit=unit, design=Design.SRS, groups_drawn=groups, frame_size=len(frame), seed=seed,
        reference_day=day, births_since=since, unit_persons=population_on(unit, day),
        unit_births=_unit_births(unit, since, day), drawn_at=timezone.now(),
        drawn_by_id=actor.user_id)
    spells = dict(RegistrationSpell.objects.filter(_registered_on(day), unit_id__in=drawn)
                  .values_list("person_id", "unit_id"))
    persons = Person.objects.filter(id__in=list(spells)).only("id", "household_id",
                                                             "birth_date")
    listed = [SurveyListed(survey=survey, group_code=spells[p.id], household_id=p.household_id,
                           person_id=p.id,
                           in_birth_period=p.birth_date is not None
                           and since <= p.birth_date <= day) for p in persons]
    SurveyListed.objects.bulk_create(listed, batch_size=2000)
    for order, code in enumerate(drawn, start=1):
        mine = [x for x in listed if x.group_code == code]
        SurveyGroup.objects.create(survey=survey, unit_id=code, draw_order=order,
                                   households=len({x.household_id for x in mine}),
                                   persons=len(mine),
                                   births=sum(1 for x in mine if x.in_birth_period))
    audit_log(actor=actor, action="survey.draw", object_type="survey",
              object_id=str(survey.pk), unit_code=unit.code,
              detail={"groups": drawn, "seed": seed, "frame_size": len(frame)})
    return survey


def field_sheet_write(*, survey: Survey, path: Path) -> Path:
    """The Excel field sheet of the survey: the registry's households and persons in the
    drawn groups, sorted by group, household and person."""
    names = dict(Unit.objects.filter(code__in=survey.groups.values("unit_id"))
                 .values_list("code", "name"))
    listed = list(survey.listed.all())
    persons = Person.objects.in_bulk([x.person_id for x in listed])
    addresses = dict(Household.objects.filter(id__in={x.household_id for x in listed})
                     .values_list("id", "address"))
    rows: list[dict[str, Any]] = []
    for x in sorted(listed, key=lambda x: (x.group_code, x.household_id, x.person_id)):
        p = persons.get(x.person_id)
        rows.append({
            "survey": survey.pk, "group_code": x.group_code,
            "group_name": names.get(x.group_code, ""), "household_id": x.household_id,
            "address": addresses.get(x.household_id, ""), "person_id": x.person_id,
            "name": p.name if p else "", "sex": p.sex if p else "",
            "birth_date": p.birth_date.isoformat() if p and p.birth_date else "",
            "id_number": p.id_number if p else "", "relation": p.relation if p else "",
            "birth_in_period": "是" if x.in_birth_period else "",
        })
    title = (f"抽样核查 Verification survey {survey.pk} · {survey.unit.name} "
             f"({survey.unit_id}) · {survey.groups_drawn}/{survey.frame_size} 个村民小组 · "
             f"seed {survey.seed} · 登记日 {survey.reference_day} · "
             f"期内出生 births {survey.births_since} – {survey.reference_day}")
    sheets.write_field_sheet(path, survey_id=int(survey.pk), title=title, rows=rows)
    return path


# --- loading the field results ---------------------------------------------------------

@dataclass(frozen=True)
class RowError:
    file: str
    row: int
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row else self.file
        column = f" [{self.field}]" if self.field else ""
        value = f" “{self.value}”" if self.value else ""
        return f"{where}{column}{value}: {self.message}"


class SurveyLoadError(ValidationError):
    code = "survey_load_failed"

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(_("The field sheet has errors; nothing was loaded."))


@dataclass
class _Checked:
    survey: Survey | None = None
    results: list[SurveyResult] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _check(path: Path, survey_id: int | None) -> _Checked:
    label = path.name
    out = _Checked()

    def err(row: int, column: str, value: str, message: str) -> None:
        out.errors.append(RowError(label, row, column, value, message))

    try:
        header, rows = sheets.read_field_sheet(path)
    except sheets.SheetError as exc:
        err(0, "", "", str(exc))
        return out
    missing = [c for c in sheets.REQUIRED if c not in header]
    for column in missing:
        err(1, column, "", _("The column is missing."))
    if missing:
        return out
    ids = {r.cells.get("survey", "") for r in rows} - {""}
    if survey_id is not None:
        ids.add(str(survey_id))
    survey = None
    if len(ids) > 1:
        err(0, "survey", ", ".join(sorted(ids)), _("The sheet mixes several surveys."))
    elif ids:
        (only,) = ids
        survey = Survey.objects.filter(pk=int(only)).first() if only.isdigit() else None
        if survey is None:
            err(0, "survey", only, _("No such survey."))
    else:
        err(0, "survey", "", _("No survey number in the sheet."))
    if survey is None:
        return out
    out.survey = survey
    drawn = set(survey.groups.values_list("unit_id", flat=True))
    listed = {x.person_id: x for x in survey.listed.all()}
    seen: dict[str, int] = {}
    for r in rows:
        c = r.cells
        if c.get("survey") and c["survey"] != str(survey.pk):
            err(r.row, "survey", c["survey"], _("Another survey's number."))
        group = c.get("group_code", "")
        if group not in drawn:
            err(r.row, "group_code", group, _("Not a group drawn for this survey."))
        word = c.get("result", "")
        result = sheets.RESULT_WORDS.get(word.lower())
        if result is None:
            err(r.row, "result", word, _("The result must be found, not_found or "
                                         "not_in_registry (找到, 未找到, 未登记).") if word
                else _("No field result: write found, not_found or not_in_registry "
                       "(找到, 未找到, 未登记)."))
            continue
        details_text = c.get("details_correct", "")
        details: bool | None = None
        if details_text:
            if details_text.lower() not in sheets.YES_NO:
                err(r.row, "details_correct", details_text, _("Write yes or no (是 or 否)."))
            else:
                details = sheets.YES_NO[details_text.lower()]
        person_id = c.get("person_id", "")
        if result == FieldResult.NOT_IN_REGISTRY:
            if person_id:
                err(r.row, "person_id", person_id,
                    _("A person not in the registry has no person id; leave it empty."))
            if not c.get("name"):
                err(r.row, "name", "", _("The name is required."))
            sex = c.get("sex", "")
            if sex not in {"1", "2"}:
                err(r.row, "sex", sex, _("The sex must be 1 (male) or 2 (female)."))
            born = _parse_date(c.get("birth_date", ""))
            if born is None:
                err(r.row, "birth_date", c.get("birth_date", ""),
                    _("The birth date must be a date YYYY-MM-DD."))
            out.results.append(SurveyResult(
                survey=survey, group_code=group, household_id=c.get("household_id", ""),
                result=result, name=c.get("name", "")[:64],
                sex=int(sex) if sex in {"1", "2"} else None, birth_date=born,
                in_birth_period=born is not None
                and survey.births_since <= born <= survey.reference_day,
                note=c.get("note", "")[:500], sheet_row=r.row))
            continue
        entry = listed.get(person_id)
        if entry is None:
            err(r.row, "person_id", person_id, _("Not a person listed for this survey."))
            continue
        if entry.group_code != group:
            err(r.row, "group_code", group, _("The person is listed in group %(group)s.")
                % {"group": entry.group_code})
        if person_id in seen:
            err(r.row, "person_id", person_id, _("The person is on row %(row)s already.")
                % {"row": seen[person_id]})
            continue
        seen[person_id] = r.row
        out.results.append(SurveyResult(
            survey=survey, group_code=entry.group_code, household_id=entry.household_id,
            person_id=person_id, result=result,
            details_correct=details if result == FieldResult.FOUND else None,
            name=c.get("name", "")[:64], in_birth_period=entry.in_birth_period,
            note=c.get("note", "")[:500], sheet_row=r.row))
    rows_by_person = {r.cells.get("person_id", ""): r.row for r in rows}
    for person_id in sorted(set(listed) - set(seen)):
        row = rows_by_person.get(person_id, 0)
        if row and any(e.row == row for e in out.errors):
            continue  # that row's error is reported already
        err(row, "result", "", _("No field result for listed person %(id)s.")
            % {"id": person_id})
    return out


@transaction.atomic
def survey_load(*, actor: Actor, path: Path, survey_id: int | None = None) -> Survey:
    """Read a filled field sheet. Any error → SurveyLoadError listing file, row, field,
    value and message, and nothing is written. Loading again replaces the results."""
    checked = _check(path, survey_id)
    if checked.errors or checked.survey is None:
        raise SurveyLoadError(checked.errors)
    survey = checked.survey
    SurveyResult.objects.filter(survey=survey).delete()
    SurveyResult.objects.bulk_create(checked.results, batch_size=2000)
    survey.loaded_at = timezone.now()
    survey.loaded_file = str(path)[:500]
    survey.save(update_fields=["loaded_at", "loaded_file"])
    audit_log(actor=actor, action="survey.load", object_type="survey",
              object_id=str(survey.pk), unit_code=survey.unit_id,
              detail={"file": str(path), "rows": len(checked.results)})
    return survey


# --- estimation ------------------------------------------------------------------------

@dataclass(frozen=True)
class GroupCounts:
    group_code: str
    births_unregistered: int  # y: births in the period found, not in the registry
    births_existing: int  # x: those + registry births in the period found
    records_accurate: int  # a: listed persons found with correct details
    records_listed: int  # m: listed persons


@dataclass(frozen=True)
class SurveyEstimate:
    survey: Survey
    groups: list[GroupCounts]
    under_registration: RatioEstimate
    accuracy: RatioEstimate
    # Extrapolated to the unit: births missing from the registry, inaccurate records.
    missing_births: tuple[float | None, float | None, float | None]
    inaccurate_records: tuple[float | None, float | None, float | None]


def survey_group_counts(survey: Survey) -> list[GroupCounts]:
    results = list(survey.results.all())
    counts = []
    for code in survey.groups.order_by("unit_id").values_list("unit_id", flat=True):
        mine = [r for r in results if r.group_code == code]
        y = sum(1 for r in mine if r.result == FieldResult.NOT_IN_REGISTRY and r.in_birth_period)
        found_births = sum(1 for r in mine if r.result == FieldResult.FOUND
                           and r.in_birth_period)
        listed = [r for r in mine if r.result != FieldResult.NOT_IN_REGISTRY]
        accurate = sum(1 for r in listed if r.result == FieldResult.FOUND
                       and r.details_correct is not False)
        counts.append(GroupCounts(code, y, y + found_births, accurate, len(listed)))
    return counts


def survey_estimate(*, survey: Survey) -> SurveyEstimate:
    if survey.loaded_at is None:
        raise ValidationError(_("Load the field results of survey %(id)s first."),
                              id=survey.pk)
    groups = survey_group_counts(survey)
    big_n = survey.frame_size
    under = ratio_estimate([g.births_unregistered for g in groups],
                           [g.births_existing for g in groups], big_n)
    accuracy = ratio_estimate([g.records_accurate for g in groups],
                              [g.records_listed for g in groups], big_n)

    def missing(rate: float | None) -> float | None:
        # Registered births B are the share 1 − R of all births: B·R/(1 − R) are missing.
        if rate is None or rate >= 1:
            return None
        return survey.unit_births * rate / (1 - rate)

    def inaccurate(rate: float | None) -> float | None:
        return None if rate is None else survey.unit_persons * (1 - rate)

    return SurveyEstimate(
        survey, groups, under, accuracy,
        (missing(under.ratio), missing(under.low), missing(under.high)),
        (inaccurate(accuracy.ratio), inaccurate(accuracy.high), inaccurate(accuracy.low)))


def survey_latest() -> Survey:
    survey = Survey.objects.order_by("-id").first()
    if survey is None:
        raise NotFound(_("No survey has been drawn."))
    return survey
