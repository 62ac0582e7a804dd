"""`renkou indicators --unit CODE --period PERIOD [--by LEVEL] [--format json|csv|xlsx]`.

Prints every SPEC §3 indicator for the unit, or for each unit of LEVEL below it, as the
SPEC §3 JSON document (default), CSV, or an .xlsx workbook (--out FILE required).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext_lazy as _

from renkou.core.errors import RenkouError
from renkou.core.periods import parse_period
from renkou.stats.engine import compute_indicators
from renkou.stats.export import csv_text, json_document, write_xlsx
from renkou.units.models import LEVEL_ORDER, Unit

_EXIT_USAGE = 2


class Command(BaseCommand):
    help = str(_("Compute every SPEC §3 indicator for a unit (or each unit of a level below "
                 "it) and a period."))

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help=str(_("unit code")))
        parser.add_argument("--period", required=True,
                            help=str(_("2024, 2024Q1, 202403 or 2024Oct")))
        parser.add_argument("--by", dest="by_level", default=None,
                            help=str(_("one row per unit of this level below the unit")))
        parser.add_argument("--format", dest="fmt", choices=["json", "csv", "xlsx"],
                            default="json")
        parser.add_argument("--out", default=None, help=str(_("write to this file")))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = parse_period(options["period"])
        except ValueError:
            raise CommandError(str(_("Unknown period %(period)s: expected 2024, 2024Q1, "
                                     "202403 or 2024Oct.") % {"period": options["period"]}),
                               returncode=_EXIT_USAGE) from None
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(str(_("Unknown unit %(unit)s.") % {"unit": options["unit"]}),
                               returncode=_EXIT_USAGE)
        by_level = options["by_level"]
        if by_level is not None and by_level not in LEVEL_ORDER:
            raise CommandError(str(_("Unknown level %(level)s: expected one of %(levels)s.")
                                   % {"level": by_level, "levels": ", ".join(LEVEL_ORDER)}),
                               returncode=_EXIT_USAGE)
        fmt, out = options["fmt"], options["out"]
        if fmt == "xlsx" and not out:
            raise CommandError(str(_("--format xlsx needs --out FILE.")),
                               returncode=_EXIT_USAGE)
        try:
            rows = compute_indicators(unit=unit, period=period, by_level=by_level)
        except RenkouError as exc:
            raise CommandError(str(exc), returncode=_EXIT_USAGE) from None
        if fmt == "xlsx":
            write_xlsx(str(out), period, rows)
            return
        if fmt == "csv":
            text = csv_text(rows)
        else:
            text = json.dumps(json_document(period, rows), ensure_ascii=False) + "\n"
        if out:
            # utf-8, and the CSV carries its own BOM for Excel.
            Path(out).write_text(text, encoding="utf-8", newline="")
        else:
            sys.stdout.flush()
            self.stdout.write(text, ending="")
