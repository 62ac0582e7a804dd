"""`renkou quality survey draw | load | estimate` (the verification survey, 抽样核查)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from renkou.core.audit import cli_actor
from renkou.core.errors import RenkouError
from renkou.surveys import services
from renkou.surveys.estimate import RatioEstimate
from renkou.surveys.models import Survey

HELP = "Verification survey: draw village groups, load the field results, estimate."


def _date(text: str) -> date:
    return date.fromisoformat(text)


def add_arguments(parser: ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="survey_command", metavar="draw|load|estimate")
    sub.required = True
    draw = sub.add_parser("draw", help="draw a simple random sample of village groups and "
                          "write the field sheet (Excel)")
    draw.add_argument("--unit", required=True, help="village, township or county code")
    draw.add_argument("--groups", type=int, required=True, help="number of groups (K ≥ 2)")
    draw.add_argument("--seed", type=int, required=True)
    draw.add_argument("--births-since", type=_date,
                      help="births checked from this day (default: 365 days before --on)")
    draw.add_argument("--on", type=_date, help="reference day (default: today)")
    draw.add_argument("--out", type=Path, help="field sheet .xlsx (default: "
                      "survey-<id>-<unit>.xlsx in the current directory)")
    load = sub.add_parser("load", help="read a filled field sheet")
    load.add_argument("file", type=Path)
    load.add_argument("--survey", type=int, help="survey number (default: from the sheet)")
    estimate = sub.add_parser("estimate", help="birth under-registration and record "
                              "accuracy with 95%% intervals")
    estimate.add_argument("--survey", type=int, help="survey number (default: the latest)")
    estimate.add_argument("--format", choices=["text", "json"], default="text")


def handle(options: dict[str, Any]) -> int:
    command = options["survey_command"]
    try:
        if command == "draw":
            return _draw(options)
        if command == "load":
            return _load(options)
        return _estimate(options)
    except services.SurveyLoadError as exc:
        print(str(exc))
        for error in exc.errors:
            print(f"  {error}")
        return 2
    except RenkouError as exc:
        print(str(exc))
        return 2


def _draw(options: dict[str, Any]) -> int:
    survey = services.survey_draw(actor=cli_actor(), unit_code=options["unit"],
                                  groups=options["groups"], seed=options["seed"],
                                  births_since=options.get("births_since"),
                                  reference_day=options.get("on"))
    path = options.get("out") or Path(f"survey-{survey.pk}-{survey.unit_id}.xlsx")
    services.field_sheet_write(survey=survey, path=path)
    codes = list(survey.groups.order_by("draw_order").values_list("unit_id", flat=True))
    print(_("Survey %(id)s: %(k)s of %(n)s village groups drawn (simple random sample, seed "
            "%(seed)s): %(groups)s.") % {"id": survey.pk, "k": survey.groups_drawn,
                                         "n": survey.frame_size, "seed": survey.seed,
                                         "groups": ", ".join(codes)})
    print(_("Field sheet: %(path)s (%(persons)s persons listed).") % {
        "path": path, "persons": survey.listed.count()})
    return 0


def _load(options: dict[str, Any]) -> int:
    survey = services.survey_load(actor=cli_actor(), path=options["file"],
                                  survey_id=options.get("survey"))
    print(_("Survey %(id)s: %(rows)s field results loaded.") % {
        "id": survey.pk, "rows": survey.results.count()})
    return 0


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.2f}%"


def _num(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}"


def _estimate(options: dict[str, Any]) -> int:
    survey_id = options.get("survey")
    survey = (Survey.objects.filter(pk=survey_id).first() if survey_id
              else services.survey_latest())
    if survey is None:
        print(_("No such survey."))
        return 2
    result = services.survey_estimate(survey=survey)
    if options.get("format") == "json":
        print(json.dumps({
            "survey": survey.pk, "unit": survey.unit_id, "design": survey.design,
            "groups_drawn": survey.groups_drawn, "frame_size": survey.frame_size,
            "births_period": [survey.births_since.isoformat(),
                              survey.reference_day.isoformat()],
            "birth_under_registration": result.under_registration.as_dict(),
            "record_accuracy": result.accuracy.as_dict(),
            "unit_registered_births": survey.unit_births,
            "unit_registered_persons": survey.unit_persons,
            "missing_births": list(result.missing_births),
            "inaccurate_records": list(result.inaccurate_records),
            "groups": [g.__dict__ for g in result.groups],
        }, ensure_ascii=False))
        return 0

    def line(label: str, e: RatioEstimate) -> str:
        return _("%(label)s: %(value)s (95%% CI %(low)s – %(high)s; %(cases)s of %(base)s in "
                 "%(n)s groups)") % {"label": label, "value": _pct(e.ratio), "low": _pct(e.low),
                                     "high": _pct(e.high), "cases": int(e.cases),
                                     "base": int(e.base), "n": e.n}

    print(_("Survey %(id)s, %(unit)s: %(k)s of %(n)s village groups.") % {
        "id": survey.pk, "unit": survey.unit.name, "k": survey.groups_drawn,
        "n": survey.frame_size})
    print(line(_("Birth under-registration rate"), result.under_registration))
    print(line(_("Record accuracy rate"), result.accuracy))
    print(_("Extrapolated to the unit: about %(b)s births missing from the registry "
            "(%(bl)s – %(bh)s) besides %(reg)s registered; about %(r)s inaccurate records "
            "(%(rl)s – %(rh)s) of %(persons)s.") % {
        "b": _num(result.missing_births[0]), "bl": _num(result.missing_births[1]),
        "bh": _num(result.missing_births[2]), "reg": survey.unit_births,
        "r": _num(result.inaccurate_records[0]), "rl": _num(result.inaccurate_records[1]),
        "rh": _num(result.inaccurate_records[2]), "persons": survey.unit_persons})
    return 0
