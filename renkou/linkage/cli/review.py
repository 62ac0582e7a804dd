"""`renkou quality review list|confirm|reject` — the duplicate review queue."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.utils.translation import gettext as _

from renkou.core.audit import cli_actor
from renkou.core.errors import NotFound, RenkouError
from renkou.linkage.cli.common import fail, say
from renkou.linkage.models import DuplicatePair, PairStatus
from renkou.linkage.selectors import pair_rows, pairs_all
from renkou.linkage.services import pair_confirm, pair_reject

HELP = "Review probable duplicates: list, confirm or reject pairs."


def add_arguments(parser: ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    listing = sub.add_parser("list", help=_("pairs waiting for review (or of another status)"))
    listing.add_argument("--status", default=PairStatus.PENDING,
                         choices=[s.value for s in PairStatus])
    listing.add_argument("--limit", type=int, default=50)
    for action in ("confirm", "reject"):
        p = sub.add_parser(action, help=_("confirm the pair as one human") if action == "confirm"
                           else _("mark the pair as two different humans"))
        p.add_argument("pair_id", type=int)
        p.add_argument("--note", default="")


def _pair(pair_id: int) -> DuplicatePair:
    pair = pairs_all().filter(pk=pair_id).first()
    if pair is None:
        raise NotFound(_("No pair %(id)s."), id=pair_id)
    return pair


def handle(options: dict[str, Any]) -> int:
    action = options["action"]
    try:
        if action == "list":
            rows = pair_rows(list(pairs_all(status=options["status"])[:options["limit"]]))
            print("pair_id,person_id_a,name_a,person_id_b,name_b,probability,reasons,status")
            for row in rows:
                p = row.pair
                print(f"{p.pk},{p.person_a},{row.a.name if row.a else ''},{p.person_b},"
                      f"{row.b.name if row.b else ''},{p.probability:.4f},{p.reasons},{p.status}")
            return 0
        pair = _pair(options["pair_id"])
        service = pair_confirm if action == "confirm" else pair_reject
        pair = service(actor=cli_actor(), pair=pair, note=options["note"])
        say(_("Pair %(id)s: %(status)s.") % {"id": pair.pk, "status": pair.get_status_display()})
        return 0
    except RenkouError as exc:
        return fail(exc)
