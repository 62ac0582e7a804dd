"""Import errors as one polars frame: building messages, writing import-errors.csv, printing.

Each error is (file, line, column, value, message). Validation produces them with polars
expressions, so a file with a million bad rows is reported without a Python loop per row;
messages are translated once per kind of error and filled in per row.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path

import polars as pl

from renkou.exchange.spec import ERROR_COLUMNS

ERROR_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(), "line": pl.Int64(), "column": pl.String(), "value": pl.String(),
    "message": pl.String(),
}
_MARK = "\x00"


def empty_errors() -> pl.DataFrame:
    return pl.DataFrame(schema=ERROR_SCHEMA)


def message_expr(template: str, **params: pl.Expr | str | int) -> pl.Expr:
    """A per-row message from a translated `%(name)s` template.

    Constant params are filled in at once; expression params become columns of a
    concat_str, so the template is translated (and parsed) once, not once per row.
    """
    markers = {k: (f"{_MARK}{k}{_MARK}" if isinstance(v, pl.Expr) else v)
               for k, v in params.items()}
    text = template % markers if params else template
    pieces = text.split(_MARK)
    parts: list[pl.Expr] = []
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            if piece:
                parts.append(pl.lit(piece))
        else:
            value = params[piece]
            assert isinstance(value, pl.Expr)
            parts.append(value.cast(pl.String).fill_null(""))
    if not parts:
        return pl.lit("")
    return pl.concat_str(parts) if len(parts) > 1 else parts[0]


def error_rows(frame: pl.DataFrame, condition: pl.Expr, *, file: str, column: str,
               message: pl.Expr | str, value: pl.Expr | None = None) -> pl.DataFrame:
    """The errors for the rows of `frame` (which has `_line`) where `condition` holds."""
    bad = frame.filter(condition.fill_null(False))
    if bad.height == 0:
        return empty_errors()
    value_expr = value if value is not None else (
        pl.col(column) if column in frame.columns else pl.lit(None, pl.String))
    message_col = message if isinstance(message, pl.Expr) else pl.lit(message)
    return bad.select(
        pl.lit(file).alias("file"),
        pl.col("_line").cast(pl.Int64).alias("line"),
        pl.lit(column).alias("column"),
        value_expr.cast(pl.String).fill_null("").alias("value"),
        message_col.cast(pl.String).alias("message"),
    )


def single_error(*, file: str, line: int, column: str, value: str, message: str
                 ) -> pl.DataFrame:
    return pl.DataFrame([{"file": file, "line": line, "column": column, "value": value,
                          "message": message}], schema=ERROR_SCHEMA)


def combine(parts: list[pl.DataFrame], order: Mapping[str, int]) -> pl.DataFrame:
    """All errors, ordered by file (in `order`), line, then column name."""
    frames = [p for p in parts if p.height]
    if not frames:
        return empty_errors()
    errors = pl.concat(frames, how="vertical")
    return (errors.with_columns(
        pl.col("file").replace_strict(order, default=len(order), return_dtype=pl.Int64)
        .alias("_file_rank"))
        .sort(["_file_rank", "file", "line", "column"], maintain_order=True)
        .drop("_file_rank"))


def write_errors_csv(errors: pl.DataFrame, path: Path) -> None:
    """import-errors.csv: UTF-8 with a byte-order mark, so that Excel shows Chinese text."""
    with path.open("wb") as handle:
        handle.write("\ufeff".encode())
        errors.select(ERROR_COLUMNS).write_csv(handle, null_value="", quote_style="necessary")


def _width(text: str) -> int:
    if text.isascii():
        return len(text)
    # Chinese characters take two terminal columns.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _clip(text: str, limit: int) -> str:
    text = text.replace("\n", " ")
    if _width(text) <= limit:
        return text
    out = ""
    for ch in text:
        if _width(out + ch) > limit - 1:
            break
        out += ch
    return out + "…"


def format_errors_table(errors: pl.DataFrame, headers: Mapping[str, str]) -> Iterator[str]:
    """Every error as a line of an aligned table (values clipped to 40 columns on screen)."""
    rows = [(str(f), str(ln), str(c), _clip(str(v), 40), str(m).replace("\n", " "))
            for f, ln, c, v, m in errors.select(ERROR_COLUMNS).iter_rows()]
    titles = tuple(headers.get(name, name) for name in ERROR_COLUMNS)
    widths = [max([_width(t), *(_width(r[i]) for r in rows)]) for i, t in enumerate(titles)]
    widths[-1] = 0  # the message is last: no padding
    yield "  ".join(_pad(t, w) for t, w in zip(titles, widths, strict=True)).rstrip()
    yield "  ".join("-" * max(w, _width(t)) for t, w in zip(titles, widths, strict=True))
    for row in rows:
        yield "  ".join(_pad(v, w) for v, w in zip(row, widths, strict=True)).rstrip()
