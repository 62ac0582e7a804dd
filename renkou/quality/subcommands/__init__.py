"""Subcommands of `renkou quality`, one module each, so each job stays in its own app.

A subcommand module exposes ``HELP: str``, ``add_arguments(parser)`` and
``handle(options: dict) -> int | None`` (the exit status). Register it in ``SUBCOMMANDS``:
name → dotted module path. Nested groups (``survey draw``) register the group's module,
which adds its own sub-parsers.
"""

from __future__ import annotations

SUBCOMMANDS: dict[str, str] = {
    "rules": "renkou.quality.cli.rules",
    "plausibility": "renkou.quality.cli.plausibility",
    "survey": "renkou.surveys.cli",
    "duplicates": "renkou.linkage.cli.duplicates",
    "reconcile": "renkou.linkage.cli.reconcile",
    "review": "renkou.linkage.cli.review",
    "merge": "renkou.linkage.cli.merge",
    "unmerge": "renkou.linkage.cli.unmerge",
}
