"""`renkou quality unmerge MERGE_ID` — undo a merge exactly."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.utils.translation import gettext as _

from renkou.core.audit import cli_actor
from renkou.core.errors import RenkouError
from renkou.linkage.cli.common import fail, say
from renkou.linkage.selectors import merge_get
from renkou.linkage.services import merge_undo

HELP = "Undo a merge: the removed person, its links and findings come back exactly."


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("merge_id", type=int)


def handle(options: dict[str, Any]) -> int:
    try:
        merge = merge_undo(actor=cli_actor(), merge=merge_get(merge_id=options["merge_id"]))
    except RenkouError as exc:
        return fail(exc)
    say(_("Merge %(id)s undone: %(removed)s is back.") % {"id": merge.pk,
                                                          "removed": merge.removed_id})
    return 0
