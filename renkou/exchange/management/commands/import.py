"""`renkou import DIR`: load the interchange files of SPEC §1 (all or nothing)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from renkou.core.audit import cli_actor
from renkou.exchange.report import format_errors_table
from renkou.exchange.services import ImportReport, import_directory
from renkou.exchange.spec import FILES

# Exit status when the files have errors (SPEC §1).
EXIT_INVALID = 2


class Command(BaseCommand):
    help = "Import orgunits, households, persons and events from DIR (CSV files or one .xlsx)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--no-progress", action="store_true",
                            help="Do not show a progress bar even on a terminal.")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        if not directory.is_dir():
            raise CommandError(gettext("%(directory)s is not a directory.")
                               % {"directory": directory})
        report = import_directory(directory=directory, actor=cli_actor(),
                                  progress=not options["no_progress"])
        if not report.ok:
            self._errors(report)
            raise CommandError(
                gettext("%(count)d errors: nothing was imported. The list is also in "
                        "%(path)s.") % {"count": report.errors.height,
                                        "path": report.errors_path},
                returncode=EXIT_INVALID)
        self._summary(report, directory)

    def _errors(self, report: ImportReport) -> None:
        headers = {"file": gettext("file"), "line": gettext("line"),
                   "column": gettext("column"), "value": gettext("value"),
                   "message": gettext("message")}
        for line in format_errors_table(report.errors, headers):
            self.stderr.write(line)

    def _summary(self, report: ImportReport, directory: Path) -> None:
        out = self.stdout
        out.write(gettext("Imported %(directory)s (import batch %(batch)s).")
                  % {"directory": directory, "batch": report.batch_id})
        titles = [gettext("file"), gettext("read"), gettext("inserted"), gettext("updated"),
                  gettext("unchanged")]
        out.write("  ".join(f"{t:>10}" for t in titles))
        for spec in FILES:
            counts = report.counts.get(spec.name)
            if counts:
                out.write("  ".join(f"{v:>10}" for v in (
                    spec.name, counts["read"], counts["inserted"], counts["updated"],
                    counts["unchanged"])))
        out.write(gettext("Change history rows written: %(count)d.") % {"count": report.history})
        if report.findings:
            out.write(gettext("Identity-number findings: %(opened)d opened, %(resolved)d "
                              "resolved.") % report.findings)
        if report.changed == 0:
            out.write(gettext("Nothing changed: the database already held these records."))
        out.write(gettext("Records that are not in these files were kept: an import never "
                          "deletes (an extract may be partial)."))
        if report.stale_errors_removed:
            out.write(gettext("Removed the %(file)s of an earlier attempt.")
                      % {"file": "import-errors.csv"})
