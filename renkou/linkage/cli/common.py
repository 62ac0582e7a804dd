"""Shared bits of the linkage subcommands of `renkou quality`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

import polars as pl


def write_csv(frame: pl.DataFrame, out: str | None) -> None:
    """CSV to FILE (UTF-8, header) or to standard output; probabilities with 4 decimals."""
    # empty cell = unknown (SPEC §1); polars would quote an empty string as ""
    frame = frame.with_columns(
        pl.col("probability").round(4),
        *(pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
          for c, t in frame.schema.items() if t == pl.String))
    if out:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_csv(path)
    else:
        sys.stdout.write(frame.write_csv())


def say(message: str, stream: TextIO | None = None) -> None:
    print(message, file=stream or sys.stderr)


def fail(error: Any) -> int:
    say(str(error))
    return 2
