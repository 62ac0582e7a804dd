"""`renkou quality merge PAIR_ID [--keep PERSON_ID]` — merge a confirmed pair."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.utils.translation import gettext as _

from renkou.core.audit import cli_actor
from renkou.core.errors import RenkouError
from renkou.linkage.cli.common import fail, say
from renkou.linkage.cli.review import _pair
from renkou.linkage.services import pair_merge

HELP = "Merge a confirmed duplicate pair (keeps every event and history; can be undone)."


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("pair_id", type=int)
    parser.add_argument("--keep", default=None,
                        help=_("person id to keep (default: the pair's first person)"))


def handle(options: dict[str, Any]) -> int:
    try:
        merge = pair_merge(actor=cli_actor(), pair=_pair(options["pair_id"]),
                           keep=options["keep"])
    except RenkouError as exc:
        return fail(exc)
    say(_("Merge %(id)s: %(removed)s merged into %(kept)s (undo: renkou quality unmerge "
          "%(id)s).") % {"id": merge.pk, "removed": merge.removed_id, "kept": merge.kept_id})
    return 0
