"""renkou synth --persons N --seed S --out DIR [--errors] [--years 5] [--end-date YYYY-MM-DD]"""

from __future__ import annotations

import time
from argparse import ArgumentTypeError
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext_lazy as _

from renkou.synth import generate_county
from renkou.synth.config import SynthParams


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentTypeError(
            str(_("not an ISO date (YYYY-MM-DD): %(value)s") % {"value": value})
        ) from exc


class Command(BaseCommand):
    help = _(  # type: ignore[assignment]  # lazy: translated when --help is shown
        "Write a synthetic county (org units, households, persons, events) in the interchange "
        "format. The same seed and arguments always give byte-identical files."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.description = str(self.help)  # argparse needs a real string
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = SynthParams()
        # help texts are translated when the parser is built (the active language)
        parser.add_argument(
            "--persons",
            type=int,
            default=20_000,
            help=str(_("number of person records (default 20000)")),
        )
        parser.add_argument("--seed", type=int, default=1, help=str(_("random seed (default 1)")))
        parser.add_argument("--out", type=Path, required=True, help=str(_("output directory")))
        parser.add_argument(
            "--errors",
            action="store_true",
            help=str(
                _(
                    "also plant realistic data problems (duplicates, missing births and "
                    "marriages) with hospital and civil-affairs lists and a truth/ folder"
                )
            ),
        )
        parser.add_argument(
            "--years",
            type=int,
            default=5,
            help=str(_("years of events ending at the end date (default 5)")),
        )
        parser.add_argument(
            "--end-date",
            type=_iso_date,
            default=date(2025, 12, 31),
            help=str(_("last day of the extract (default 2025-12-31)")),
        )
        parser.add_argument(
            "--id-empty-share",
            type=float,
            default=defaults.id_empty_share,
            help=str(_("share of persons without an identity number (default 0.02)")),
        )
        parser.add_argument(
            "--id-wrong-share",
            type=float,
            default=defaults.id_wrong_share,
            help=str(_("share of wrong identity numbers (default 0.005)")),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["persons"] < 100:
            raise CommandError(_("--persons must be at least 100"))
        if not 1 <= options["years"] <= 30:
            raise CommandError(_("--years must be between 1 and 30"))
        if options["end_date"].year < 1990:
            raise CommandError(_("--end-date must be in 1990 or later"))
        params = SynthParams(
            id_empty_share=options["id_empty_share"], id_wrong_share=options["id_wrong_share"]
        )
        started = time.monotonic()
        counts = generate_county(
            persons=options["persons"],
            seed=options["seed"],
            out_dir=options["out"],
            errors=options["errors"],
            years=options["years"],
            end_date=options["end_date"],
            params=params,
        )
        for name, rows in counts.items():
            self.stdout.write(f"{name}\t{rows}")
        self.stdout.write(
            str(
                _("Wrote %(dir)s in %(sec).1f s")
                % {"dir": options["out"], "sec": time.monotonic() - started}
            )
        )
