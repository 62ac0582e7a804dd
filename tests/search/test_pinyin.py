"""Pinyin keys of names: the vectorised column version agrees with the per-name reference,
and common polyphonic surnames take their surname reading."""

from __future__ import annotations

import polars as pl
import pytest

from renkou.search.pinyin import name_keys, pinyin_columns


@pytest.mark.parametrize(("name", "initials", "pinyin"), [
    ("张三", "zs", "zhangsan"),
    ("曾国藩", "zgf", "zengguofan"),   # not ceng
    ("单田芳", "stf", "shantianfang"),  # not dan
    ("解晓东", "xxd", "xiexiaodong"),   # not jie
    ("仇英", "qy", "qiuying"),         # not chou
    ("朴正义", "pzy", "piaozhengyi"),   # not pu
    ("万俟卨", "mqx", "moqixie"),       # compound surname
    ("欧阳娜娜", "oynn", "ouyangnana"),
    ("吕 绿", "ll", "lvlv"),            # spaces dropped, ü as v
    ("阿依古丽·买买提", "aygl" + "mmt", "ayiguli" + "maimaiti"),  # the dot is not a letter
    ("", "", ""),
])
def test_name_keys(name, initials, pinyin):
    assert name_keys(name) == (initials, pinyin)


def test_columns_match_the_reference():
    names = ["张三", "曾国藩", "单田芳", "万俟卨", "欧阳娜娜", "李 小明", "Anna李", "曾", "", "重庆"]
    frame = pinyin_columns(pl.Series(names))
    assert frame.rows() == [name_keys(n) for n in names]
