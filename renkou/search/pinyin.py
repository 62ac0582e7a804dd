"""Pinyin of Chinese names, vectorised: one pypinyin call per distinct character, not per name.

pypinyin costs ~20 µs per name (48,000 names/s), far too slow for a million-person import.
A county's names use only a few thousand distinct characters, so we convert each character
once (cached for the process) and map whole columns with polars. Per-character readings lose
phrase context, which matters most for surnames: the first character (or a compound surname)
gets its surname reading from SURNAMES (曾 zeng, not ceng).
"""

from __future__ import annotations

from functools import cache

import polars as pl
from pypinyin import lazy_pinyin

# Polyphonic characters read differently as surnames (百家姓 readings).
SURNAMES: dict[str, str] = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "朴": "piao", "区": "ou",
    "查": "zha", "盖": "ge", "缪": "miao", "翟": "zhai", "乐": "yue", "召": "shao",
    "繁": "po", "种": "chong", "秘": "bi", "覃": "qin", "黑": "he", "折": "she",
    "员": "yun", "句": "gou", "蕃": "pi", "祭": "zhai", "薄": "bo", "卜": "bu",
    "隗": "wei", "阚": "kan", "藏": "zang", "乜": "nie", "都": "du", "能": "nai",
    "重": "chong", "宿": "su", "尉": "wei", "沈": "shen", "柏": "bai", "石": "shi",
}
# Compound surnames whose per-character reading would be wrong.
COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "万俟": ("mo", "qi"), "尉迟": ("yu", "chi"), "单于": ("chan", "yu"),
    "澹台": ("tan", "tai"), "长孙": ("zhang", "sun"), "令狐": ("ling", "hu"),
}


@cache
def char_reading(char: str) -> str:
    """Toneless pinyin of one character ('' for punctuation); ASCII letters and digits
    stand for themselves, lower-cased."""
    if char.isascii():
        return char.lower() if char.isalnum() else ""
    readings = lazy_pinyin(char, errors="ignore")
    reading = readings[0] if readings else ""
    return reading if reading.isascii() and reading.isalpha() else ""


def name_syllables(name: str) -> list[str]:
    """The syllables of one name (reference implementation of `pinyin_columns`)."""
    name = "".join(name.split())
    for compound, syllables in COMPOUND_SURNAMES.items():
        if name.startswith(compound):
            rest = name[len(compound):]
            return [*syllables, *(char_reading(c) for c in rest)]
    if not name:
        return []
    head = SURNAMES.get(name[0]) or char_reading(name[0])
    return [head, *(char_reading(c) for c in name[1:])]


def name_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin without tones or separators), e.g. 张三 → ("zs", "zhangsan")."""
    syllables = [s for s in name_syllables(name) if s]
    return "".join(s[0] for s in syllables), "".join(syllables)


def pinyin_columns(names: pl.Series) -> pl.DataFrame:
    """`initials` and `pinyin` for a column of names, with one pypinyin call per distinct
    character (cached across calls)."""
    frame = pl.DataFrame({"name": names.cast(pl.String).fill_null("")}).with_columns(
        pl.col("name").str.replace_all(r"\s+", ""))
    chars = frame.get_column("name").str.split("").explode().drop_nulls().unique().to_list()
    readings = {c: char_reading(c) for c in chars if c}
    compound = {k: "".join(v) for k, v in COMPOUND_SURNAMES.items()}
    compound_initials = {k: "".join(s[0] for s in v) for k, v in COMPOUND_SURNAMES.items()}
    head_readings = {**readings, **SURNAMES}
    first2 = pl.col("name").str.slice(0, 2)
    is_compound = first2.is_in(list(COMPOUND_SURNAMES))
    head_len = pl.when(is_compound).then(2).otherwise(1)
    head_py = (pl.when(is_compound)
               .then(first2.replace_strict(compound, default=""))
               .otherwise(pl.col("name").str.slice(0, 1)
                          .replace_strict(head_readings, default="")))
    head_ini = (pl.when(is_compound)
                .then(first2.replace_strict(compound_initials, default=""))
                .otherwise(head_py.str.slice(0, 1)))
    rest = (pl.col("name").str.slice(head_len).str.split("")
            .list.eval(pl.element().replace_strict(readings, default="")))
    return frame.select(
        initials=pl.concat_str([head_ini, rest.list.eval(pl.element().str.slice(0, 1))
                                .list.join("")]).fill_null(""),
        pinyin=pl.concat_str([head_py, rest.list.join("")]).fill_null(""),
    )
