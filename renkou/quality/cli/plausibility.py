"""`renkou quality plausibility [--unit CODE] [--year Y] [--level LEVEL]`."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from renkou.core.errors import RenkouError
from renkou.events.models import Event
from renkou.quality.plausibility import LEVELS, plausibility_check
from renkou.units.models import Unit

HELP = ("Plausibility of each unit's figures for a year (women 15–49, marriages, sex ratio "
        "at birth, birth rate) against its neighbours and its own past.")


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--unit", help="unit code (default: the top unit)")
    parser.add_argument("--year", type=int, help="calendar year (default: the last complete "
                        "year of the events)")
    parser.add_argument("--level", choices=LEVELS, default="village",
                        help="units to check (default: village)")
    parser.add_argument("--all", action="store_true", help="list units without flags too")
    parser.add_argument("--format", choices=["text", "json"], default="text")


def default_year() -> int | None:
    last = Event.objects.aggregate(last=Max("date"))["last"]
    if last is None:
        return None
    return int(last.year if (last.month, last.day) == (12, 31) else last.year - 1)


def handle(options: dict[str, Any]) -> int:
    code = options.get("unit")
    unit = (Unit.objects.filter(code=code).first() if code
            else Unit.objects.filter(parent__isnull=True).order_by("code").first())
    if unit is None:
        print(_("Unknown unit %(code)s.") % {"code": code or ""})
        return 2
    year = options.get("year") or default_year()
    if year is None:
        print(_("No events in the registry: give --year."))
        return 2
    try:
        checks = plausibility_check(unit=unit, year=year, level=options["level"])
    except RenkouError as exc:
        print(str(exc))
        return 2
    shown = [c for c in checks if c.flags or options.get("all")]
    if options.get("format") == "json":
        print(json.dumps({"year": year, "unit": unit.code, "level": options["level"],
                          "rows": [{"unit": c.unit_code, "name": c.unit_name,
                                    "parent": c.parent_code,
                                    "values": {k: None if v is None else round(v, 4)
                                               for k, v in c.values.items()},
                                    "flags": [f.as_dict() for f in c.flags]}
                                   for c in shown]}, ensure_ascii=False))
        return 0
    flagged = sum(1 for c in checks if c.flags)
    print(_("Plausibility %(year)s, %(level)s units under %(unit)s: %(n)s checked, "
            "%(flagged)s flagged.") % {"year": year, "level": options["level"],
                                       "unit": unit.name, "n": len(checks),
                                       "flagged": flagged})
    for check in shown:
        print(f"{check.unit_code} {check.unit_name}")
        for flag in check.flags:
            print(f"  [{flag.measure} / {flag.against}] {flag.reason}")
    return 0
