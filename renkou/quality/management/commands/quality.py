"""`renkou quality SUBCOMMAND …` (SPEC §4): dispatches to the modules in SUBCOMMANDS."""

from __future__ import annotations

import importlib
import sys
from argparse import ArgumentParser
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from renkou.quality.subcommands import SUBCOMMANDS


def _module(name: str) -> ModuleType:
    return importlib.import_module(SUBCOMMANDS[name])


class Command(BaseCommand):
    help = "Data quality: duplicates, reconciliation, review, rules, surveys."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
        subparsers.required = True
        for name in sorted(SUBCOMMANDS):
            module = _module(name)
            sub = subparsers.add_parser(name, help=getattr(module, "HELP", ""))
            module.add_arguments(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["subcommand"]
        if name not in SUBCOMMANDS:
            raise CommandError(f"unknown subcommand {name!r}")
        status = _module(name).handle(options)
        if status:
            sys.exit(int(status))
