"""Resident identity numbers (GB 11643-1999): normalising, upgrading and checking.

Pure module: no Django, no database. Two doors onto one set of rules:

- :func:`check_id_number` checks one number against a person's record (forms, services);
- :func:`check_id_numbers_frame` does the same for a whole polars frame (the import path),
  with polars expressions only. The tests hold the two to identical answers.

Layout of the 18 characters: 1–6 county code, 7–14 birth date YYYYMMDD, 15–17 sequence
(the 17th is odd for men, even for women), 18 the ISO 7064 MOD 11-2 check character.
Old 15-digit numbers (6 area + YYMMDD + 3 sequence, no check) are upgraded by inserting the
century "19" and appending the check character.

A problem with an identity number is never an import error (SPEC §1): it becomes a
data-quality finding, so this module reports problems instead of raising.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import polars as pl

__all__ = [
    "IdNumberProblem",
    "IdNumberResult",
    "PROBLEM_ORDER",
    "check_character",
    "check_id_number",
    "check_id_numbers_frame",
    "normalise",
    "upgrade_15",
]

# Weight of digit i is 2**(17 - i) mod 11 (ISO 7064 MOD 11-2), written out as in the standard.
WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"  # indexed by S mod 11

MALE = 1  # GB/T 2261.1
FEMALE = 2

# Characters people and spreadsheets put into typed numbers. Both the scalar and the polars
# path use exactly this table, so that they cannot disagree on exotic whitespace.
_TRANSLATIONS: dict[str, str] = {
    **{chr(0xFF10 + i): str(i) for i in range(10)},  # full-width digits ０…９
    "Ｘ": "X",  # full-width X
    "ｘ": "X",  # full-width x
    "x": "X",
    " ": "",
    "\t": "",
    "\r": "",
    "\n": "",
    "\u00a0": "",  # no-break space (Excel, web forms)
    "\u200b": "",  # zero-width space (copied from web pages)
    "\u3000": "",  # ideographic (full-width) space
    "\ufeff": "",  # stray byte-order mark
}
_TRANSLATION_TABLE = str.maketrans(_TRANSLATIONS)

# ASCII digits only: str.isdigit() would also accept e.g. Arabic-Indic digits.
_RE_18 = re.compile(r"[0-9]{17}[0-9X]")
_RE_15 = re.compile(r"[0-9]{15}")
_RE_17_DIGITS = re.compile(r"[0-9]{17}")


class IdNumberProblem(StrEnum):
    """Stable codes (stored in data-quality findings and import reports)."""

    FORMAT = "format"  # not 18 characters (or 15 digits), or characters that do not belong
    CHECK = "check"  # the 18th character is not the check character of the first 17
    BIRTH_DATE_INVALID = "birth_date_invalid"  # characters 7–14 are not a calendar date
    BIRTH_DATE_MISMATCH = "birth_date_mismatch"  # encoded date differs from the record's
    SEX_MISMATCH = "sex_mismatch"  # parity of the 17th digit differs from the record's sex
    UPGRADED_15 = "upgraded_15"  # informational: the number was an old 15-digit one

    @property
    def is_informational(self) -> bool:
        """True for codes that describe the number rather than something wrong with it."""
        return self is IdNumberProblem.UPGRADED_15


# Definition order is the reporting order, in both the scalar and the vectorised path.
PROBLEM_ORDER: tuple[IdNumberProblem, ...] = tuple(IdNumberProblem)


@dataclass(frozen=True, slots=True)
class IdNumberResult:
    """Outcome of :func:`check_id_number`.

    ``normalised`` is the 18-character form when one can be derived (also for numbers with a
    wrong check character or date); otherwise it is the cleaned input as typed (``""`` for
    an empty one), so that it can still be stored and shown.
    """

    normalised: str
    problems: tuple[IdNumberProblem, ...]
    encoded_birth_date: date | None
    encoded_sex: int | None

    @property
    def has_errors(self) -> bool:
        """True when any non-informational problem was found."""
        return any(not problem.is_informational for problem in self.problems)


def check_character(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits.

    >>> check_character("11010519491231002")
    'X'
    """
    if not _RE_17_DIGITS.fullmatch(first17):
        raise ValueError(f"expected 17 ASCII digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def upgrade_15(number15: str) -> str:
    """Convert an old 15-digit number to 18 characters (century 19 and a check character).

    >>> upgrade_15("130503670401001")
    '130503196704010016'
    """
    if not _RE_15.fullmatch(number15):
        raise ValueError(f"expected 15 ASCII digits, got {number15!r}")
    # Old numbers were issued from 1984 to people born in the 1900s only.
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_character(first17)


def normalise(raw: str) -> str:
    """Remove whitespace, turn full-width digits/Ｘ into ASCII and upper-case x.

    Does not upgrade 15-digit numbers and does not validate: see :func:`check_id_number`.
    """
    return raw.translate(_TRANSLATION_TABLE)


def _parse_yyyymmdd(text: str) -> date | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:  # month 13, 30 February, year 0000 …
        return None


def check_id_number(raw: str, *, birth_date: date | None, sex: int | None) -> IdNumberResult:
    """Check an identity number on its own and against the person's record.

    ``birth_date`` and ``sex`` (1 male, 2 female) come from the record; ``None`` (unknown)
    skips that comparison, as does a sex code other than 1 or 2. An empty number is not a
    problem: the identity number is optional.
    """
    text = normalise(raw)
    if text == "":
        return IdNumberResult(normalised="", problems=(), encoded_birth_date=None, encoded_sex=None)

    found: set[IdNumberProblem] = set()
    if _RE_15.fullmatch(text):
        number = upgrade_15(text)
        found.add(IdNumberProblem.UPGRADED_15)
    elif _RE_18.fullmatch(text):
        number = text
        if number[17] != check_character(number[:17]):
            found.add(IdNumberProblem.CHECK)
    else:
        # Nothing else can be read reliably from a malformed number.
        return IdNumberResult(
            normalised=text,
            problems=(IdNumberProblem.FORMAT,),
            encoded_birth_date=None,
            encoded_sex=None,
        )

    encoded_birth_date = _parse_yyyymmdd(number[6:14])
    if encoded_birth_date is None:
        found.add(IdNumberProblem.BIRTH_DATE_INVALID)
    elif birth_date is not None and encoded_birth_date != birth_date:
        found.add(IdNumberProblem.BIRTH_DATE_MISMATCH)

    encoded_sex = MALE if int(number[16]) % 2 == 1 else FEMALE
    if sex in (MALE, FEMALE) and sex != encoded_sex:
        found.add(IdNumberProblem.SEX_MISMATCH)

    return IdNumberResult(
        normalised=number,
        problems=tuple(problem for problem in PROBLEM_ORDER if problem in found),
        encoded_birth_date=encoded_birth_date,
        encoded_sex=encoded_sex,
    )


# --- vectorised path -------------------------------------------------------------------------

# Every combination of problems, as the comma-joined codes, indexed by a bit mask in which
# bit k stands for PROBLEM_ORDER[k]: one lookup per row instead of a string built per row.
_PROBLEM_STRINGS: dict[int, str] = {
    mask: ",".join(p.value for k, p in enumerate(PROBLEM_ORDER) if mask >> k & 1)
    for mask in range(1 << len(PROBLEM_ORDER))
}


def _digit(first17: pl.Expr, position: int) -> pl.Expr:
    """Digit at 0-based ``position`` of a 17-digit number held as a UInt64."""
    divisor: int = 10 ** (16 - position)  # annotated: int ** int is typed Any
    return (first17 // divisor) % 10


def _days_since_epoch(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """Days from 1970-01-01 to a valid proleptic Gregorian date (Int32, what polars stores for
    a Date), by H. Hinnant's days_from_civil: counting years from 1 March puts the leap day
    last. Cheaper than taking year, month and day out of the record's date three times."""
    year = y - (m <= 2).cast(pl.Int32)
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468


def check_id_numbers_frame(
    df: pl.DataFrame, *, id_col: str, birth_col: str, sex_col: str
) -> pl.DataFrame:
    """Vectorised :func:`check_id_number` for the import path.

    ``id_col`` holds strings (null = empty), ``birth_col`` dates (null = unknown), ``sex_col``
    integers (null = unknown). Returns a frame of the same height with ``id_normalised``
    (str) and ``id_problems`` (problem codes joined by ",", "" if none), row for row.
    Polars expressions only, no Python code per row: about 0.3–0.5 s per million rows on
    two cores.
    """
    text = pl.col("_text")
    is15 = pl.col("_is15")
    is18 = pl.col("_is18")
    x = pl.col("_first17")
    y, m, d = pl.col("_y"), pl.col("_m"), pl.col("_d")
    record_sex = pl.col("_sex")

    cleaned = (
        pl.col("_raw")
        .cast(pl.String)
        .fill_null("")
        .str.replace_many(list(_TRANSLATIONS), list(_TRANSLATIONS.values()))
    )
    # The leading digits as a number: all 15 of an old number, the first 17 of a new one.
    # 17 digits < 10**17 fit 64 bits; digit arithmetic is far cheaper than 17 substrings, and
    # unsigned division about twice as fast as signed (measured).
    leading = text.str.slice(0, 17).cast(pl.UInt64, strict=False)
    # Upgrade: area (first 6 of 15 digits) · "19" · YYMMDD and sequence (last 9).
    first17 = (
        pl.when(is15)
        .then(leading // 10**9 * 10**11 + 19 * 10**9 + leading % 10**9)
        .when(is18)
        .then(leading)
    )
    weighted_sum = pl.sum_horizontal([_digit(x, i) * w for i, w in enumerate(WEIGHTS)])
    check = (weighted_sum % 11).replace_strict(
        dict(enumerate(CHECK_CHARACTERS)), return_dtype=pl.String
    )
    yyyymmdd = (x // 1000) % 100_000_000

    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    days_in_month = (
        pl.when(m == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(m.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )
    # Year 0 is not a date for Python either; the two paths must agree.
    date_ok = (y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= days_in_month)
    date_differs = _days_since_epoch(y, m, d) != pl.col("_birth").cast(pl.Int32)
    encoded_sex = pl.when(_digit(x, 16) % 2 == 1).then(MALE).otherwise(FEMALE)

    readable = is15 | is18
    conditions: dict[IdNumberProblem, pl.Expr] = {
        IdNumberProblem.FORMAT: (text != "") & ~readable,
        # The check column is null (so is this) unless the number is readable.
        IdNumberProblem.CHECK: is18 & ~text.str.ends_with(pl.col("_check")),
        IdNumberProblem.BIRTH_DATE_INVALID: readable & ~date_ok,
        IdNumberProblem.BIRTH_DATE_MISMATCH: readable & date_ok & date_differs,
        IdNumberProblem.SEX_MISMATCH: readable
        & record_sex.is_in([MALE, FEMALE])
        & (record_sex != encoded_sex),
        IdNumberProblem.UPGRADED_15: is15,
    }
    # Nulls (unknown birth date or sex, unreadable number) mean "no problem".
    mask = pl.sum_horizontal(
        [
            conditions[problem].fill_null(False).cast(pl.UInt8) * (1 << k)
            for k, problem in enumerate(PROBLEM_ORDER)
        ]
    )

    work = (
        df.lazy()
        # Private names: the caller's frame may hold any other columns.
        .select(
            pl.col(id_col).alias("_raw"),
            pl.col(birth_col).cast(pl.Date).alias("_birth"),
            pl.col(sex_col).cast(pl.Int64).alias("_sex"),
        )
        .with_columns(cleaned.alias("_text"))
        .with_columns(
            text.str.contains(r"^[0-9]{15}$").alias("_is15"),
            text.str.contains(r"^[0-9]{17}[0-9X]$").alias("_is18"),
        )
        .with_columns(first17.alias("_first17"))
        .with_columns(
            check.alias("_check"),
            (yyyymmdd // 10_000).cast(pl.Int32).alias("_y"),
            (yyyymmdd // 100 % 100).cast(pl.Int32).alias("_m"),
            (yyyymmdd % 100).cast(pl.Int32).alias("_d"),
        )
        .select(
            "_text",
            "_is15",
            "_first17",
            "_check",
            mask.replace_strict(_PROBLEM_STRINGS, return_dtype=pl.String).alias("id_problems"),
        )
        .collect()
    )

    # Only old numbers change when normalised: build strings for those rows alone and put them
    # in place, rather than a when/then that would build a string for every row.
    normalised = work.get_column("_text").alias("id_normalised")
    old = work.filter(is15)
    if old.height:
        upgraded = old.select(
            pl.concat_str(x.cast(pl.String).str.zfill(17), pl.col("_check"))
        ).to_series()
        normalised = normalised.scatter(work.get_column("_is15").arg_true(), upgraded)
    return pl.DataFrame([normalised, work.get_column("id_problems")])
