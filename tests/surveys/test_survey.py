"""Verification survey: draw, field sheet round trip, validation, estimates by hand."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from renkou.core.audit import Actor
from renkou.core.models import AuditEvent
from renkou.events.spells import spells_rebuild
from renkou.surveys import services
from renkou.surveys.models import SurveyResult
from renkou.surveys.sheets import CODES, SHEET
from tests import factories as f

ACTOR = Actor(user=None, origin="cli:test@host")
DAY = date(2025, 6, 30)
SINCE = date(2024, 7, 1)
SEED = 1  # random.Random(1).sample(4 groups sorted by code, 3) → A2, B1, A1 (not C1)


@pytest.fixture
def registry(units: Any) -> None:
    """12 persons registered on DAY: A1 4 (one born in the period), A2 3 (one), B1 3, C1 2
    (one). A person who died before DAY is not listed."""
    f.make_household("HA1", f.GROUP_A1, "一组1号")
    f.make_household("HA2", f.GROUP_A2, "二组1号")
    f.make_household("HB1", f.GROUP_B1)
    f.make_household("HC1", f.GROUP_C1)
    for pid, hh, born in [
        ("A1-1", "HA1", date(1980, 1, 1)), ("A1-2", "HA1", date(1982, 2, 2)),
        ("A1-3", "HA1", date(2010, 3, 3)), ("A1-4", "HA1", date(2024, 9, 1)),
        ("A2-1", "HA2", date(1970, 1, 1)), ("A2-2", "HA2", date(1995, 1, 1)),
        ("A2-3", "HA2", date(2025, 2, 1)),
        ("B1-1", "HB1", date(1960, 1, 1)), ("B1-2", "HB1", date(1962, 1, 1)),
        ("B1-3", "HB1", date(2024, 6, 30)),  # the day before the period: not a birth in it
        ("C1-1", "HC1", date(1990, 1, 1)), ("C1-2", "HC1", date(2024, 12, 1)),
        ("A1-X", "HA1", date(1930, 1, 1)),
    ]:
        f.make_person(pid, hh, birth=born)
    f.make_event("D1", "death", "A1-X", date(2020, 5, 5), f.GROUP_A1)
    spells_rebuild()


def _draw() -> Any:
    return services.survey_draw(actor=ACTOR, unit_code=f.COUNTY, groups=3, seed=SEED,
                                births_since=SINCE, reference_day=DAY)


FIELD = {  # person_id → (result, details_correct)
    "A1-1": ("找到", "是"), "A1-2": ("found", "no"), "A1-3": ("found", ""),
    "A1-4": ("found", "yes"),
    "A2-1": ("found", "yes"), "A2-2": ("未找到", ""), "A2-3": ("found", "yes"),
    "B1-1": ("found", "yes"), "B1-2": ("found", "是"), "B1-3": ("found", "yes"),
}
NEW_ROWS = [  # found in the field, not in the registry
    {"group_code": f.GROUP_A1, "household_id": "HA1", "name": "新生一", "sex": "1",
     "birth_date": "2025-01-05", "result": "未登记"},
    {"group_code": f.GROUP_B1, "household_id": "HB1", "name": "新生二", "sex": "2",
     "birth_date": "2024-08-08", "result": "not_in_registry"},
    {"group_code": f.GROUP_B1, "household_id": "", "name": "新生三", "sex": "1",
     "birth_date": "2025-06-30", "result": "not_in_registry"},
    {"group_code": f.GROUP_B1, "household_id": "HB1", "name": "外来成人", "sex": "1",
     "birth_date": "1975-05-05", "result": "not_in_registry", "note": "借住"},
]


def _fill(path: Path, field: dict[str, tuple[str, str]], new_rows: list[dict[str, str]]
          ) -> Path:
    """What a field worker does: fill result/details on listed rows, add rows at the end."""
    book = load_workbook(path)
    sheet = book[SHEET]
    col = {code: i + 1 for i, code in enumerate(CODES)}
    survey_id = sheet.cell(2, col["survey"]).value
    for r in range(2, sheet.max_row + 1):
        pid = sheet.cell(r, col["person_id"]).value
        if pid in field:
            sheet.cell(r, col["result"]).value = field[pid][0]
            sheet.cell(r, col["details_correct"]).value = field[pid][1] or None
    for extra in new_rows:
        r = sheet.max_row + 1
        sheet.cell(r, col["survey"]).value = survey_id
        for key, value in extra.items():
            sheet.cell(r, col[key]).value = value
    filled = path.with_name("filled-" + path.name)
    book.save(filled)
    return filled


def test_draw_is_simple_random_and_reproducible(registry):
    survey = _draw()
    drawn = list(survey.groups.order_by("draw_order").values_list("unit_id", flat=True))
    assert drawn == [f.GROUP_A2, f.GROUP_B1, f.GROUP_A1]
    assert (survey.frame_size, survey.unit_persons, survey.unit_births) == (4, 12, 3)
    counts = {g.unit_id: (g.households, g.persons, g.births) for g in survey.groups.all()}
    assert counts == {f.GROUP_A1: (1, 4, 1), f.GROUP_A2: (1, 3, 1), f.GROUP_B1: (1, 3, 0)}
    again = _draw()
    assert list(again.groups.order_by("draw_order").values_list("unit_id", flat=True)) == drawn
    assert AuditEvent.objects.filter(action="survey.draw").count() == 2


def test_field_sheet_lists_the_registry_and_round_trips(registry, tmp_path):
    survey = _draw()
    path = services.field_sheet_write(survey=survey, path=tmp_path / "sheet.xlsx")
    rows = list(load_workbook(path)[SHEET].iter_rows(values_only=True))
    assert rows[0][CODES.index("person_id")] == "人员编号\nperson_id"
    listed = [(r[CODES.index("group_code")], r[CODES.index("person_id")],
               r[CODES.index("birth_in_period")]) for r in rows[1:]]
    assert listed == [
        (f.GROUP_A1, "A1-1", None), (f.GROUP_A1, "A1-2", None), (f.GROUP_A1, "A1-3", None),
        (f.GROUP_A1, "A1-4", "是"),
        (f.GROUP_A2, "A2-1", None), (f.GROUP_A2, "A2-2", None), (f.GROUP_A2, "A2-3", "是"),
        (f.GROUP_B1, "B1-1", None), (f.GROUP_B1, "B1-2", None), (f.GROUP_B1, "B1-3", None),
    ]
    services.survey_load(actor=ACTOR, path=_fill(path, FIELD, NEW_ROWS))
    stored = {(r.person_id or r.name): (r.result, r.details_correct, r.in_birth_period)
              for r in SurveyResult.objects.filter(survey=survey)}
    assert stored["A1-1"] == ("found", True, False)
    assert stored["A1-2"] == ("found", False, False)
    assert stored["A2-2"] == ("not_found", None, False)
    assert stored["新生三"] == ("not_in_registry", None, True)  # born on the reference day
    assert stored["外来成人"] == ("not_in_registry", None, False)
    assert len(stored) == 14


def test_estimates_by_hand(registry, tmp_path):
    survey = _draw()
    path = services.field_sheet_write(survey=survey, path=tmp_path / "sheet.xlsx")
    survey = services.survey_load(actor=ACTOR, path=_fill(path, FIELD, NEW_ROWS))
    result = services.survey_estimate(survey=survey)
    by_group = {g.group_code: g for g in result.groups}
    # Births (y unregistered, x existing): A1 (1, 2), A2 (0, 1), B1 (2, 2).
    assert [(by_group[c].births_unregistered, by_group[c].births_existing)
            for c in (f.GROUP_A1, f.GROUP_A2, f.GROUP_B1)] == [(1, 2), (0, 1), (2, 2)]
    # R = 3/5 = 0.6; residuals −0.2, −0.6, 0.8 → Σ² = 1.04, s² = 0.52; x̄ = 5/3;
    # v = (1 − 3/4) / (3 · 25/9) · 0.52 = 0.0156; se = 0.124900; t(0.975, 2) = 4.302653.
    under = result.under_registration
    assert under.ratio == pytest.approx(0.6)
    assert under.se == pytest.approx(math.sqrt(0.0156))
    assert under.low == pytest.approx(0.6 - 4.302653 * math.sqrt(0.0156), abs=1e-6)
    assert under.high == 1.0  # 1.137 cut to 1
    # Records (a accurate, m listed): A1 (3, 4), A2 (2, 3), B1 (3, 3): R = 8/10 = 0.8;
    # residuals −0.2, −0.4, 0.6 → 0.56, s² = 0.28; x̄ = 10/3; v = 0.25/(3 · 100/9) · 0.28
    # = 0.0021; half-width 4.302653 · 0.045826 = 0.197172.
    accuracy = result.accuracy
    assert accuracy.ratio == pytest.approx(0.8)
    assert (accuracy.low, accuracy.high) == (pytest.approx(0.8 - 0.197172, abs=1e-6),
                                             pytest.approx(0.8 + 0.197172, abs=1e-6))
    # Unit: 3 registered births → 3 · 0.6 / 0.4 = 4.5 missing; 12 persons · 0.2 = 2.4.
    assert result.missing_births[0] == pytest.approx(4.5)
    assert result.inaccurate_records[0] == pytest.approx(2.4)
    assert result.inaccurate_records[1] == pytest.approx(12 * (1 - 0.997172), abs=1e-4)


def test_bad_sheet_reports_file_row_field_and_writes_nothing(registry, tmp_path):
    survey = _draw()
    path = services.field_sheet_write(survey=survey, path=tmp_path / "sheet.xlsx")
    field = dict(FIELD)
    field["A1-2"] = ("maybe", "")  # row 3 (A1-2 is the second listed person)
    field["B1-1"] = ("found", "perhaps")  # row 9
    del field["A2-1"]  # row 6 left empty
    new_rows = [{"group_code": f.GROUP_C1, "name": "甲", "sex": "3", "birth_date": "2025-13-01",
                 "result": "not_in_registry"}]  # row 12
    filled = _fill(path, field, new_rows)
    with pytest.raises(services.SurveyLoadError) as caught:
        services.survey_load(actor=ACTOR, path=filled)
    errors = {(e.row, e.field, e.value) for e in caught.value.errors}
    assert errors == {
        (3, "result", "maybe"),
        (9, "details_correct", "perhaps"),
        (6, "result", ""),
        (12, "group_code", f.GROUP_C1),
        (12, "sex", "3"),
        (12, "birth_date", "2025-13-01"),
    }
    assert all(e.file == filled.name for e in caught.value.errors)
    assert not SurveyResult.objects.exists()
    survey.refresh_from_db()
    assert survey.loaded_at is None


def test_a_file_that_is_not_a_sheet(registry, tmp_path):
    _draw()
    bogus = tmp_path / "results.xlsx"
    bogus.write_text("not excel", encoding="utf-8")
    with pytest.raises(services.SurveyLoadError) as caught:
        services.survey_load(actor=ACTOR, path=bogus)
    (error,) = caught.value.errors
    assert error.file == "results.xlsx"
    assert error.row == 0


def test_commands_draw_load_estimate(registry, tmp_path, capsys):
    out = tmp_path / "field.xlsx"
    call_command("quality", "survey", "draw", "--unit", f.COUNTY, "--groups", "3",
                 "--seed", str(SEED), "--births-since", SINCE.isoformat(),
                 "--on", DAY.isoformat(), "--out", str(out))
    assert out.exists()
    call_command("quality", "survey", "load", str(_fill(out, FIELD, NEW_ROWS)))
    capsys.readouterr()
    call_command("quality", "survey", "estimate", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["birth_under_registration"]["estimate"] == 0.6
    assert data["record_accuracy"]["estimate"] == 0.8
    assert data["missing_births"][0] == pytest.approx(4.5)


def test_draw_and_estimate_refuse_what_cannot_work(registry, capsys):
    from renkou.core.errors import NotFound, ValidationError

    with pytest.raises(ValidationError):  # 4 groups in the county
        services.survey_draw(actor=ACTOR, unit_code=f.COUNTY, groups=5, seed=1)
    with pytest.raises(ValidationError):  # one group gives no variance
        services.survey_draw(actor=ACTOR, unit_code=f.COUNTY, groups=1, seed=1)
    with pytest.raises(ValidationError):
        services.survey_draw(actor=ACTOR, unit_code=f.GROUP_A1, groups=2, seed=1)
    with pytest.raises(NotFound):
        services.survey_draw(actor=ACTOR, unit_code="999999999999", groups=2, seed=1)
    survey = _draw()
    with pytest.raises(ValidationError):
        services.survey_estimate(survey=survey)  # nothing loaded yet
    with pytest.raises(SystemExit) as exit_info:
        call_command("quality", "survey", "estimate")
    assert exit_info.value.code == 2
    out = capsys.readouterr().out  # "Load the field results of survey N first." (or zh)
    assert str(survey.pk) in out


def test_loading_again_replaces_the_results(registry, tmp_path):
    survey = _draw()
    path = services.field_sheet_write(survey=survey, path=tmp_path / "sheet.xlsx")
    services.survey_load(actor=ACTOR, path=_fill(path, FIELD, NEW_ROWS))
    services.survey_load(actor=ACTOR, path=_fill(path, FIELD, NEW_ROWS[:1]))
    assert SurveyResult.objects.filter(survey=survey).count() == 11
    assert AuditEvent.objects.filter(action="survey.load").count() == 2


@pytest.mark.parametrize("args", [["survey"], ["survey", "draw"], ["survey", "load"],
                                  ["survey", "estimate"], ["rules"], ["plausibility"]])
def test_help_of_every_subcommand_renders(db, capsys, args):
    with pytest.raises(SystemExit) as exit_info:
        call_command("quality", *args, "--help")
    assert exit_info.value.code == 0
    assert "usage:" in capsys.readouterr().out
