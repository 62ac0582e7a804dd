"""Resident identity numbers (GB 11643-1999): generation, deliberate errors and validation.

Layout: 6-digit county of first registration, 8-digit birth date, 3-digit sequence whose last
digit is odd for men, and an ISO 7064 MOD 11-2 check character.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from renkou.synth.config import BoolArr, IntArr, ymd

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = "10X98765432"
_CHECK_BYTES = np.frombuffer(CHECK_CHARS.encode(), dtype=np.uint8)

KIND_CHECK, KIND_BIRTH_DATE, KIND_SEX = "check", "birth_date", "sex"


def check_char(first17: str) -> str:
    """The MOD 11-2 check character of the first 17 digits."""
    s = sum(int(c) * int(w) for c, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[s % 11]


def _compose(prefix: IntArr, birth: IntArr, seq: IntArr) -> IntArr:
    y, m, d = ymd(birth)
    return np.asarray(prefix * 10**11 + (y * 10000 + m * 100 + d) * 1000 + seq, dtype=np.int64)


def _random_seq(rng: np.random.Generator, sex: IntArr) -> IntArr:
    # first two digits: the registering police station; last digit: odd = male
    station = rng.integers(0, 100, size=sex.size)
    last = rng.integers(0, 5, size=sex.size) * 2 + (sex == 1)
    return np.asarray(station * 10 + last, dtype=np.int64)


def _make_unique(rng: np.random.Generator, num: IntArr, sex: IntArr) -> IntArr:
    """Re-draw the sequence of later numbers that collide with an earlier one."""
    num = num.copy()
    for _ in range(50):
        _, first = np.unique(num, return_index=True)
        dup = np.ones(num.size, dtype=bool)
        dup[first] = False
        if not dup.any():
            return num
        idx = np.flatnonzero(dup)
        num[idx] = num[idx] - num[idx] % 1000 + _random_seq(rng, sex[idx])
    raise RuntimeError("could not make identity numbers unique")


def _digits(num: IntArr) -> npt.NDArray[np.uint8]:
    """The 17 digits of each number (column loop: far faster than a 2-D integer division)."""
    out = np.empty((num.size, 17), dtype=np.uint8)
    rest = num.copy()
    for k in range(16, -1, -1):
        out[:, k] = rest % 10
        rest //= 10
    return out


def _check_index(digits: npt.NDArray[np.uint8]) -> IntArr:
    s = np.zeros(digits.shape[0], dtype=np.int64)
    for k in range(17):
        s += digits[:, k].astype(np.int64) * int(WEIGHTS[k])
    return np.asarray(s % 11, dtype=np.int64)


def to_bytes(
    num: IntArr, check_override: npt.NDArray[np.uint8] | None = None
) -> npt.NDArray[np.bytes_]:
    """18-byte ASCII numbers (S18) of 17-digit numbers, with their correct check character
    unless overridden (non-zero entries of `check_override`)."""
    digits = _digits(num)
    chk = _CHECK_BYTES[_check_index(digits)]
    if check_override is not None:
        chk = np.where(check_override > 0, check_override, chk).astype(np.uint8)
    raw = np.empty((num.size, 18), dtype=np.uint8)
    raw[:, :17] = digits + ord("0")
    raw[:, 17] = chk
    return np.asarray(raw.view("S18").ravel())


def generate(
    rng: np.random.Generator,
    prefix: IntArr,
    birth: IntArr,
    sex: IntArr,
    wrong: BoolArr,
) -> tuple[npt.NDArray[np.bytes_], npt.NDArray[np.str_]]:
    """Unique identity numbers; where `wrong`, one deliberate error (kind returned, else "")."""
    n = sex.size
    num = _make_unique(rng, _compose(prefix, birth, _random_seq(rng, sex)), sex)
    kinds = np.full(n, "", dtype="<U10")
    widx = np.flatnonzero(wrong)
    roll = rng.random(widx.size)
    # a birth date written from the lunar calendar or a year off; a sex digit typed wrong
    bidx = widx[roll < 0.4]
    shift = np.where(rng.random(bidx.size) < 0.7, rng.integers(18, 52, bidx.size), 365)
    num[bidx] = _compose(prefix[bidx], birth[bidx] + shift, num[bidx] % 1000)
    kinds[bidx] = KIND_BIRTH_DATE
    sidx = widx[(roll >= 0.4) & (roll < 0.6)]
    last = num[sidx] % 10
    num[sidx] += np.where(last % 2 == 1, -1, 1)
    kinds[sidx] = KIND_SEX
    num = _fix_collisions(rng, num, sex, kinds)
    override = np.zeros(n, dtype=np.uint8)
    cidx = widx[roll >= 0.6]
    good = _check_index(_digits(num[cidx]))
    wrong_pos = (good + rng.integers(1, 11, cidx.size)) % 11
    override[cidx] = _CHECK_BYTES[wrong_pos]
    kinds[cidx] = KIND_CHECK
    return to_bytes(num, override), kinds


def _fix_collisions(
    rng: np.random.Generator, num: IntArr, sex: IntArr, kinds: npt.NDArray[np.str_]
) -> IntArr:
    """After deliberate edits, move edited numbers that now collide to a free sequence."""
    for _ in range(50):
        order = np.argsort(num, kind="stable")
        same = np.zeros(num.size, dtype=bool)
        same[order[1:]] = num[order[1:]] == num[order[:-1]]
        same[order[:-1]] |= num[order[:-1]] == num[order[1:]]
        bad = np.flatnonzero(same & (kinds != ""))
        if bad.size == 0:
            return num
        parity = num[bad] % 2
        seq = rng.integers(0, 500, bad.size) * 2 + parity
        num[bad] = num[bad] - num[bad] % 1000 + seq
    return num


def swap_adjacent(rng: np.random.Generator, id_number: str) -> str:
    """The number with two different adjacent digits among the first 17 swapped."""
    spots = [i for i in range(16) if id_number[i] != id_number[i + 1]]
    i = spots[int(rng.integers(len(spots)))]
    return id_number[:i] + id_number[i + 1] + id_number[i] + id_number[i + 2 :]


def problems(
    id_numbers: npt.NDArray[np.bytes_], empty: BoolArr, birth: IntArr, sex: IntArr
) -> list[list[str]]:
    """For each person: which of check / birth_date / sex is wrong ([] if fine or empty)."""
    n = id_numbers.size
    raw = np.asarray(id_numbers, dtype="S18").view(np.uint8).reshape(n, 18)
    digits = (raw[:, :17] - ord("0")).astype(np.uint8)
    filled = ~empty
    bad_check = filled & (_CHECK_BYTES[_check_index(digits)] != raw[:, 17])
    y, m, d = ymd(birth)
    expected = y * 10000 + m * 100 + d
    got = np.zeros(n, dtype=np.int64)
    for k in range(6, 14):
        got = got * 10 + digits[:, k]
    bad_date = filled & (got != expected)
    bad_sex = filled & ((digits[:, 16] % 2 == 1) != (sex == 1))
    out: list[list[str]] = [[] for _ in range(n)]
    for arr, kind in ((bad_check, KIND_CHECK), (bad_date, KIND_BIRTH_DATE), (bad_sex, KIND_SEX)):
        for i in np.flatnonzero(arr).tolist():
            out[i].append(kind)
    return out


def is_valid(id_number: str) -> bool:
    """18 characters, digits then a correct MOD 11-2 check character."""
    return (
        len(id_number) == 18
        and id_number[:17].isdigit()
        and id_number[:17].isascii()
        and check_char(id_number[:17]) == id_number[17]
    )
