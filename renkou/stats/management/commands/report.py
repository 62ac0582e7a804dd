"""`renkou report annual|bulletin …`: the annual report of a unit or a township's bulletin.

    renkou report annual   --unit CODE --period PERIOD --format pdf|xlsx --out FILE [--public]
    renkou report bulletin --unit TOWNSHIP --month YYYYMM --format pdf|xlsx --out FILE [--public]

--public makes the edition published outside the office (counts of 1–4 suppressed).
Unknown units, periods or a bulletin for a unit that is not a township exit with status 2.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from renkou.core.audit import audit_log, cli_actor
from renkou.core.errors import RenkouError
from renkou.core.periods import Period, PeriodKind, parse_period
from renkou.stats.reports import (
    annual_pdf,
    annual_xlsx,
    build_annual_report,
    build_monthly_bulletin,
    bulletin_pdf,
    bulletin_xlsx,
)
from renkou.units.models import Level, Unit

_EXIT_USAGE = 2


def _usage_error(message: str) -> CommandError:
    return CommandError(message, returncode=_EXIT_USAGE)


class Command(BaseCommand):
    help = _("Write the annual statistical report of a unit or the monthly bulletin of a "
             "township as PDF or Excel.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True, metavar="{annual,bulletin}")
        annual = sub.add_parser("annual", help=_("annual statistical report (年报) of a unit"))
        annual.add_argument("--period", required=True,
                            help=_("2024, 2024Oct (statistical year), 2024Q1 or 202403"))
        bulletin = sub.add_parser("bulletin", help=_("monthly bulletin (月通报) of a township"))
        bulletin.add_argument("--month", required=True, help=_("YYYYMM"))
        bulletin.add_argument("--span", choices=["ytd", "month"], default="ytd",
                              help=_("rank timeliness over the year to date (default) or "
                                     "the month"))
        for p in (annual, bulletin):
            p.add_argument("--unit", required=True, help=_("unit code"))
            p.add_argument("--format", dest="fmt", choices=["pdf", "xlsx"], default=None,
                           help=_("output format (default: from the file name)"))
            p.add_argument("--out", required=True, help=_("output file"))
            p.add_argument("--public", action="store_true",
                           help=_("edition for publication: suppress counts of 1–4"))
            p.add_argument("--lang", choices=["zh", "en"], default="zh",
                           help=_("language of the headings (default zh)"))

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        fmt = options["fmt"] or out.suffix.lstrip(".").lower()
        if fmt not in ("pdf", "xlsx"):
            raise _usage_error(_("Give --format pdf or xlsx (or an --out file ending in "
                                 ".pdf or .xlsx)."))
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise _usage_error(_("Unknown unit %(unit)s.") % {"unit": options["unit"]})
        started = time.perf_counter()
        try:
            if options["kind"] == "annual":
                data = self._annual(unit, options, fmt)
            else:
                data = self._bulletin(unit, options, fmt)
        except RenkouError as exc:
            raise _usage_error(str(exc)) from None
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        audit_log(actor=cli_actor(), action="stats.report.export", object_type="report",
                  object_id=options["kind"], unit_code=unit.code,
                  detail={"format": fmt, "public": options["public"], "file": str(out),
                          "period": options.get("period") or options.get("month")})
        self.stdout.write(_("Wrote %(file)s (%(size)d bytes) in %(seconds).1f s.") % {
            "file": out, "size": len(data), "seconds": time.perf_counter() - started})

    def _period(self, code: str) -> Period:
        try:
            return parse_period(code)
        except ValueError:
            raise _usage_error(_("Unknown period %(period)s: expected 2024, 2024Q1, 202403 "
                                 "or 2024Oct.") % {"period": code}) from None

    def _annual(self, unit: Unit, options: dict[str, Any], fmt: str) -> bytes:
        period = self._period(options["period"])
        report = build_annual_report(unit=unit, period=period, lang=options["lang"],
                                     public=options["public"])
        return annual_pdf(report) if fmt == "pdf" else annual_xlsx(report)

    def _bulletin(self, unit: Unit, options: dict[str, Any], fmt: str) -> bytes:
        month = self._period(options["month"])
        if month.kind is not PeriodKind.MONTH:
            raise _usage_error(_("%(period)s is not a month: give --month YYYYMM.")
                               % {"period": options["month"]})
        if unit.level != "township":
            raise _usage_error(_("%(unit)s is a %(level)s: the bulletin is made per "
                                 "township.") % {"unit": unit.code,
                                                 "level": Level(unit.level).label})
        bulletin = build_monthly_bulletin(township=unit, month=month, lang=options["lang"],
                                          public=options["public"],
                                          ranking_span=options["span"])
        return bulletin_pdf(bulletin) if fmt == "pdf" else bulletin_xlsx(bulletin)
