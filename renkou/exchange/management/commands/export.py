"""`renkou export DIR [--unit CODE]`: write the interchange files of SPEC §1."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from renkou.core.audit import cli_actor
from renkou.core.errors import NotFound
from renkou.exchange.services import export_directory
from renkou.units.selectors import unit_get


class Command(BaseCommand):
    help = "Export orgunits, households, persons and events as CSV files into DIR."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--unit", metavar="CODE",
                            help="Only this unit's households, their persons and events.")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        unit = None
        if options["unit"]:
            try:
                unit = unit_get(code=options["unit"])
            except NotFound:
                raise CommandError(gettext("Unknown unit %(code)s.")
                                   % {"code": options["unit"]}) from None
        counts = export_directory(directory=directory, actor=cli_actor(), unit=unit)
        for name, count in counts.items():
            self.stdout.write(gettext("%(file)s: %(count)d rows") % {
                "file": directory / f"{name}.csv", "count": count})
