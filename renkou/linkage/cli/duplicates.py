"""`renkou quality duplicates [--threshold P] [--out FILE]` (SPEC §4)."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from renkou.core.audit import cli_actor
from renkou.core.errors import RenkouError
from renkou.linkage.cli.common import fail, say, write_csv
from renkou.linkage.dedupe import find_duplicates, persons_frame
from renkou.linkage.model import LinkageConfig
from renkou.linkage.services import pairs_store

HELP = "Probable duplicate persons (CSV person_id_a, person_id_b, probability, reasons)."


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--threshold", type=float, default=None,
                        help=_("lowest probability to list (default 0.95)"))
    parser.add_argument("--out", default=None, help=_("CSV file (default: standard output)"))
    parser.add_argument("--config", default=None,
                        help=_("JSON file overriding the model (prior, levels' m/u, blocking)"))
    parser.add_argument("--no-store", action="store_true",
                        help=_("do not add the pairs to the review queue"))


def handle(options: dict[str, Any]) -> int:
    started = time.perf_counter()
    try:
        config = LinkageConfig.from_file(Path(options["config"]) if options["config"] else None)
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        return fail(_("%(file)s: not a valid model file (%(error)s).")
                    % {"file": options["config"], "error": exc})
    threshold = options["threshold"]
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        return fail(_("--threshold must be between 0 and 1."))
    try:
        persons = persons_frame()
        pairs = find_duplicates(config, threshold=threshold, persons=persons)
    except RenkouError as exc:
        return fail(exc)
    write_csv(pairs.select("person_id_a", "person_id_b", "probability", "reasons"),
              options["out"])
    if not options["no_store"]:
        counts = pairs_store(actor=cli_actor(), pairs=pairs)
        say(_("%(found)d pairs (%(new)d new in the review queue, %(updated)d already known) "
              "among %(persons)d persons in %(seconds).1f s.") % {
            **counts, "persons": persons.height, "seconds": time.perf_counter() - started})
    else:
        say(_("%(found)d pairs among %(persons)d persons in %(seconds).1f s.") % {
            "found": pairs.height, "persons": persons.height,
            "seconds": time.perf_counter() - started})
    return 0
