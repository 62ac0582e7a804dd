"""`renkou quality reconcile --births FILE | --marriages FILE [--out FILE]` (SPEC §4)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from renkou.core.audit import audit_log, cli_actor
from renkou.core.errors import RenkouError
from renkou.linkage.cli.common import fail, say, write_csv
from renkou.linkage.reconcile import reconcile_births, reconcile_marriages

HELP = "Match hospital births or civil-affairs marriages with the registry."


def add_arguments(parser: ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--births", default=None, help=_("hospital_births.csv"))
    source.add_argument("--marriages", default=None, help=_("civil_marriages.csv"))
    parser.add_argument("--out", default=None, help=_("CSV file (default: standard output)"))


def handle(options: dict[str, Any]) -> int:
    kind = "births" if options["births"] else "marriages"
    path = Path(options[kind])
    if not path.is_file():
        return fail(_("%(file)s: no such file.") % {"file": path})
    try:
        result = reconcile_births(path) if kind == "births" else reconcile_marriages(path)
    except RenkouError as exc:
        return fail(exc)
    write_csv(result.rows, options["out"])
    counts = result.counts()
    with transaction.atomic():
        audit_log(actor=cli_actor(), action="linkage.reconcile.export", object_type=kind,
                  object_id=path.name[:64], detail={**counts, "out": options["out"] or ""})
    say(_("%(total)d records: %(matched)d matched, %(unregistered)d unregistered, "
          "%(ambiguous)d ambiguous.") % {"total": result.rows.height, **counts})
    return 0
