"""Comparison features of Chinese person records, computed for whole columns at once.

Names: traditional characters folded to simplified (OpenCC t2s) and spelled in toneless
pinyin, so homophones (同音字: 王丽 / 王莉) and 張/张 agree; a "fuzzy" pinyin further merges
initials and finals that many speakers do not tell apart (zh/z, ch/c, sh/s, n/l, -ng/-n, h/f).
pypinyin and OpenCC are called once per *distinct character* (a county's names use a few
thousand), then names are mapped by polars: a million names take about a second, where one
pypinyin call per name takes 20 s.

Identity numbers (GB 11643): the number itself, its birth-date part (digits 7–14) and a
transposition key (the first 17 digits sorted), which two numbers differing only by two
swapped digits share.
"""

from __future__ import annotations

import functools
import re

import polars as pl

_FUZZY_RULES: tuple[tuple[str, str], ...] = (
    (r"^zh", "z"), (r"^ch", "c"), (r"^sh", "s"), (r"^l", "n"), (r"^f", "h"), (r"^r", "n"),
    (r"ng$", "n"),
)
_HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f\uf900-\ufaff]")


@functools.lru_cache(maxsize=1)
def _converter() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def _fuzzy(syllable: str) -> str:
    for pattern, repl in _FUZZY_RULES:
        syllable = re.sub(pattern, repl, syllable)
    return syllable


def char_tables(chars: list[str]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """For each distinct character: its simplified form, its toneless pinyin and its fuzzy
    pinyin. Non-Han characters map to themselves (lower-cased, for Latin letters)."""
    from pypinyin import Style, lazy_pinyin

    convert = _converter().convert  # type: ignore[attr-defined]
    simple: dict[str, str] = {}
    pinyin: dict[str, str] = {}
    fuzzy: dict[str, str] = {}
    for ch in chars:
        if not ch:
            continue
        if _HAN.match(ch):
            s = str(convert(ch))[:1] or ch
            spelled = lazy_pinyin(s, style=Style.NORMAL, errors="default")
            py = spelled[0] if spelled else s
        else:
            s = ch.lower()
            py = s
        simple[ch] = s
        pinyin[ch] = py
        fuzzy[ch] = _fuzzy(py)
    return simple, pinyin, fuzzy


def _by_position(names: pl.Expr, width: int, table: dict[str, str], sep: str) -> pl.Expr:
    """Map each character through `table`, one vectorised lookup per position."""
    parts = [names.str.slice(i, 1).replace_strict(table, default=None, return_dtype=pl.String)
             for i in range(width)]
    return pl.concat_str(parts, separator=sep, ignore_nulls=True)


def name_features(frame: pl.DataFrame, column: str, prefix: str) -> pl.DataFrame:
    """Adds `<prefix>_s` (simplified), `<prefix>_py` (pinyin) and `<prefix>_fz` (fuzzy
    pinyin) for the names in `column`; empty or null names give nulls.

    Computed once per distinct name (a county repeats its names a lot), then joined back."""
    cleaned = pl.col(column).str.replace_all(r"[\s·•.]", "")
    names = frame.select(cleaned.alias("__name")).unique().filter(
        pl.col("__name").is_not_null() & (pl.col("__name") != ""))
    distinct = names.select(pl.col("__name").str.split("").explode().unique()).to_series()
    simple, pinyin, fuzzy = char_tables([c for c in distinct.to_list() if c])
    width = int(names.select(pl.col("__name").str.len_chars().max()).item() or 0)
    n = pl.col("__name")
    names = names.with_columns(
        _by_position(n, width, simple, "").alias(f"{prefix}_s"),
        _by_position(n, width, pinyin, " ").alias(f"{prefix}_py"),
        _by_position(n, width, fuzzy, " ").alias(f"{prefix}_fz"),
    )
    return frame.with_columns(cleaned.alias("__name")).join(
        names, on="__name", how="left").drop("__name")


def id_features(frame: pl.DataFrame, column: str, prefix: str) -> pl.DataFrame:
    """Adds `<prefix>` (the 18-character number or null), `<prefix>_birth` (digits 7–14) and
    `<prefix>_tkey` (first 17 characters sorted: shared by numbers with swapped digits)."""
    number = pl.col(column).str.strip_chars().str.to_uppercase()
    valid = number.str.len_chars() == 18
    frame = frame.with_columns(pl.when(valid).then(number).otherwise(None).alias(prefix))
    return frame.with_columns(
        pl.col(prefix).str.slice(6, 8).alias(f"{prefix}_birth"),
        # digit counts = the sorted digits, without sorting a million lists
        pl.concat_str([pl.col(prefix).str.slice(0, 17).str.count_matches(str(k))
                       .cast(pl.String).str.zfill(2) for k in range(10)])
        .alias(f"{prefix}_tkey"),
    )


def date_features(frame: pl.DataFrame, column: str, prefix: str) -> pl.DataFrame:
    """Adds `<prefix>_day` (days since 1970-01-01), `_year`, `_md` (MMDD), `_dm` (the date
    with day and month swapped, as YYYYMMDD text, or null) and `_ymd` (YYYYMMDD)."""
    day = pl.col(column).str.to_date(strict=False)
    frame = frame.with_columns(day.alias("__d"))
    d = pl.col("__d")
    return frame.with_columns(
        (d.cast(pl.Int32)).alias(f"{prefix}_day"),
        d.dt.year().cast(pl.Int32).alias(f"{prefix}_year"),
        d.dt.strftime("%m%d").alias(f"{prefix}_md"),
        d.dt.strftime("%Y%m%d").alias(f"{prefix}_ymd"),
        pl.when(d.dt.day() <= 12).then(
            d.dt.year().cast(pl.String) + d.dt.day().cast(pl.String).str.zfill(2)
            + d.dt.month().cast(pl.String).str.zfill(2)).otherwise(None).alias(f"{prefix}_dm"),
    ).drop("__d")


def person_features(frame: pl.DataFrame) -> pl.DataFrame:
    """Every feature the duplicate and reconciliation models compare, for a frame with the
    text columns name, birth_date and id_number (others are kept as they are)."""
    frame = name_features(frame, "name", "name")
    frame = id_features(frame, "id_number", "idn")
    frame = date_features(frame, "birth_date", "bd")
    return frame.with_columns(
        pl.col("name_py").str.split(" ").list.first().alias("surname_py"),
        pl.col("name_py").str.split(" ").list.slice(1).list.join(" ").alias("given_py"),
    )
