"""`renkou quality rules`: run every consistency rule over the registry and summarise."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.utils.translation import gettext as _

from renkou.core.audit import cli_actor
from renkou.quality.rules import RULES
from renkou.quality.services import rules_run

HELP = "Run the consistency rules over the whole registry and summarise the findings."


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--format", choices=["text", "json"], default="text")


def handle(options: dict[str, Any]) -> int:
    result = rules_run(actor=cli_actor())
    if options.get("format") == "json":
        print(json.dumps({
            "opened": result.opened, "reopened": result.reopened, "updated": result.updated,
            "closed": result.closed, "unchanged": result.unchanged,
            "rules": [{"rule": r.code, "severity": str(r.severity),
                       "found": result.open_by_rule.get(r.code, 0)} for r in RULES],
        }, ensure_ascii=False))
        return 0
    print(_("Consistency rules: opened %(opened)s, reopened %(reopened)s, updated "
            "%(updated)s, closed %(closed)s, unchanged %(unchanged)s.") % {
        "opened": result.opened, "reopened": result.reopened, "updated": result.updated,
        "closed": result.closed, "unchanged": result.unchanged})
    width = max(len(r.code) for r in RULES)
    for rule in RULES:
        found = result.open_by_rule.get(rule.code, 0)
        print(f"{rule.code:<{width}}  {rule.severity:<7}  {found:>8}  {rule.message()}")
    return 0
