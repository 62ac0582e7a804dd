"""Identity numbers (GB 11643): scalar checks, 15→18 upgrade, and the vectorised twin.

Check characters below are computed by hand with the weights
    7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
and the table "10X98765432" indexed by S mod 11
    (index 0→'1', 1→'0', 2→'X', 3→'9', 4→'8', 5→'7', 6→'6', 7→'5', 8→'4', 9→'3', 10→'2').
"""

from __future__ import annotations

import doctest
import random
from datetime import date, timedelta

import polars as pl
import pytest

from renkou.registry import idnumber
from renkou.registry.idnumber import (
    IdNumberProblem,
    IdNumberResult,
    check_character,
    check_id_number,
    check_id_numbers_frame,
    normalise,
    upgrade_15,
)

P = IdNumberProblem

# 11010519491231002X, the classic example.
#   digits   1  1  0  1  0  5  1  9  4  9  1  2  3  1  0  0  2
#   weights  7  9 10  5  8  4  2  1  6  3  7  9 10  5  8  4  2
#   products 7  9  0  5  0 20  2  9 24 27  7 18 30  5  0  0  4  → S = 167
#   167 mod 11 = 2 → 'X'. Born 1949-12-31; 17th digit 2 is even → female.
CLASSIC = "11010519491231002X"
CLASSIC_BIRTH = date(1949, 12, 31)

# 410325199003071236
#   digits   4  1  0  3  2  5  1  9  9  0  0  3  0  7  1  2  3
#   products 28 9  0 15 16 20  2  9 54  0  0 27  0 35  8  8  6  → S = 237
#   237 mod 11 = 6 → '6'. Born 1990-03-07; 17th digit 3 is odd → male.
MALE_1990 = "410325199003071236"

# 130503670401001 (15 digits) → 13050319670401001 + check:
#   digits   1  3  0  5  0  3  1  9  6  7  0  4  0  1  0  0  1
#   products 7 27  0 25  0 12  2  9 36 21  0 36  0  5  0  0  2  → S = 182
#   182 mod 11 = 6 → '6'. Born 1967-04-01; last digit 1 is odd → male.
OLD_15 = "130503670401001"
OLD_15_UPGRADED = "130503196704010016"

# 1900 is not a leap year (divisible by 100, not by 400): 1900-02-29 does not exist.
#   11010519000229001: products 7 9 0 5 0 20 2 9 0 0 0 18 20 45 0 0 2 → S = 137
#   137 mod 11 = 5 → '7'. The check character is right, only the date is wrong.
FEB29_1900 = "110105190002290017"
# 2000 is a leap year (divisible by 400): 2000-02-29 exists.
#   11010520000229001: products 7 9 0 5 0 20 4 0 0 0 0 18 20 45 0 0 2 → S = 130
#   130 mod 11 = 9 → '3'.
FEB29_2000 = "110105200002290013"
# Year 0000 is not a date either.
#   11010500000101001: products 7 9 0 5 0 20 0 0 0 0 0 9 0 5 0 0 2 → S = 57
#   57 mod 11 = 2 → 'X'.
YEAR_0000 = "11010500000101001X"


def _with_check(first17: str) -> str:
    return first17 + check_character(first17)


# --- check_character, upgrade_15, normalise -------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),
        ("41032519900307123", "6"),
        ("13050319670401001", "6"),
        ("11010519000229001", "7"),
        ("11010520000229001", "3"),
        ("11010500000101001", "X"),
        # All zeros: S = 0 → index 0 → '1'.
        ("00000000000000000", "1"),
        # Only the 8th digit (weight 1) is 1: S = 1 → '0'.
        ("00000001000000000", "0"),
        # Only the 1st digit is 1 (weight 7): S = 7 → '5'.
        ("10000000000000000", "5"),
    ],
)
def test_check_character_hand_computed(first17: str, expected: str) -> None:
    assert check_character(first17) == expected


def test_check_character_satisfies_iso_7064_mod_11_2() -> None:
    # Independent statement of the standard: with weights 2**(18-i) mod 11 over all 18
    # characters (X = 10, the 18th weight is 1), the weighted sum is ≡ 1 (mod 11).
    rng = random.Random(7064)
    for _ in range(2000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        number = first17 + check_character(first17)
        values = [10 if ch == "X" else int(ch) for ch in number]
        total = sum(v * pow(2, 17 - i, 11) for i, v in enumerate(values))
        assert total % 11 == 1, number


def test_check_character_covers_every_residue() -> None:
    # Changing only the 8th digit (weight 1) walks S through 10 consecutive residues; with
    # the 17th digit (weight 2) we reach the 11th. Every check character must appear.
    seen = {check_character(f"0000000{d}00000000{e}") for d in range(10) for e in range(10)}
    assert seen == set("10X98765432")


@pytest.mark.parametrize(
    "bad", ["1101051949123100", "110105194912310020", "1101051949123100X", "１1010519491231002", ""]
)
def test_check_character_rejects_anything_but_17_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="17 ASCII digits"):
        check_character(bad)


def test_docstring_examples() -> None:
    outcome = doctest.testmod(idnumber)
    assert outcome.attempted >= 2
    assert outcome.failed == 0


def test_upgrade_15_inserts_century_and_check() -> None:
    assert upgrade_15(OLD_15) == OLD_15_UPGRADED


@pytest.mark.parametrize("bad", ["13050367040100", "1305036704010011", "13050367040100X", ""])
def test_upgrade_15_rejects_other_lengths(bad: str) -> None:
    with pytest.raises(ValueError, match="15 ASCII digits"):
        upgrade_15(bad)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002x", CLASSIC),
        (" 110105 19491231 002X ", CLASSIC),
        ("\t11010519491231002X\r\n", CLASSIC),
        ("１１０１０５１９４９１２３１００２Ｘ", CLASSIC),  # full-width digits and Ｘ
        ("１１０１０５１９４９１２３１００２ｘ", CLASSIC),  # full-width lower-case ｘ
        ("110105\u300019491231\u00a0002X\ufeff", CLASSIC),  # ideographic space, NBSP, BOM
        ("", ""),
        ("   ", ""),
        ("abc", "abc"),  # not validated here, and letters other than x are kept as typed
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


# --- check_id_number --------------------------------------------------------------------------


def test_classic_valid_number() -> None:
    result = check_id_number(CLASSIC, birth_date=CLASSIC_BIRTH, sex=2)
    assert result == IdNumberResult(
        normalised=CLASSIC, problems=(), encoded_birth_date=CLASSIC_BIRTH, encoded_sex=2
    )
    assert not result.has_errors


def test_valid_male_number() -> None:
    result = check_id_number(MALE_1990, birth_date=date(1990, 3, 7), sex=1)
    assert result.problems == ()
    assert result.encoded_birth_date == date(1990, 3, 7)
    assert result.encoded_sex == 1


def test_lowercase_x_is_accepted_and_upper_cased() -> None:
    result = check_id_number("11010519491231002x", birth_date=CLASSIC_BIRTH, sex=2)
    assert result.normalised == CLASSIC
    assert result.problems == ()


def test_full_width_number_is_accepted() -> None:
    result = check_id_number(
        "１１０１０５１９４９１２３１００２Ｘ", birth_date=CLASSIC_BIRTH, sex=2
    )
    assert result.normalised == CLASSIC
    assert result.problems == ()


@pytest.mark.parametrize("raw", ["", "  ", "\u3000"])
def test_empty_number_has_no_problems(raw: str) -> None:
    assert check_id_number(raw, birth_date=CLASSIC_BIRTH, sex=1) == IdNumberResult(
        normalised="", problems=(), encoded_birth_date=None, encoded_sex=None
    )


@pytest.mark.parametrize(
    "raw",
    [
        "1101051949123100",  # 16 characters
        "11010519491231002X1",  # 19 characters
        "11010519491231002Y",  # Y is no check character
        "1101051949123100XX",  # X only in 18th place
        "X10105194912310021",
        "11010519491231-02X",
        "abc",
        "٠١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic digits: str.isdigit() would let them through
        "13050367040100X",  # 15 characters but not all digits
    ],
)
def test_format_problem(raw: str) -> None:
    result = check_id_number(raw, birth_date=CLASSIC_BIRTH, sex=2)
    assert result.problems == (P.FORMAT,)
    assert result.normalised == normalise(raw)
    assert result.encoded_birth_date is None
    assert result.encoded_sex is None
    assert result.has_errors


def test_wrong_check_character() -> None:
    # Same first 17 characters as the classic number; its check is X, not 1.
    result = check_id_number("110105194912310021", birth_date=CLASSIC_BIRTH, sex=2)
    assert result.problems == (P.CHECK,)
    # The birth date and sex are still read from the digits.
    assert result.encoded_birth_date == CLASSIC_BIRTH
    assert result.encoded_sex == 2
    assert result.normalised == "110105194912310021"


def test_29_february_1900_is_an_invalid_date() -> None:
    result = check_id_number(FEB29_1900, birth_date=date(1900, 3, 1), sex=1)
    # Check character is right; the date cannot be compared with the record.
    assert result.problems == (P.BIRTH_DATE_INVALID,)
    assert result.encoded_birth_date is None
    assert result.encoded_sex == 1


def test_29_february_2000_is_a_valid_date() -> None:
    result = check_id_number(FEB29_2000, birth_date=date(2000, 2, 29), sex=1)
    assert result.problems == ()
    assert result.encoded_birth_date == date(2000, 2, 29)


@pytest.mark.parametrize(
    "first17",
    [
        "11010519491331002",  # month 13
        "11010519490001002",  # month 00
        "11010519491200002",  # day 00
        "11010519490431002",  # 31 April
        "11010519490230002",  # 30 February
        "11010500000101001",  # year 0000
    ],
)
def test_invalid_birth_dates(first17: str) -> None:
    result = check_id_number(_with_check(first17), birth_date=None, sex=None)
    assert result.problems == (P.BIRTH_DATE_INVALID,)


def test_year_0000_hand_computed() -> None:
    assert check_id_number(YEAR_0000, birth_date=None, sex=None).problems == (P.BIRTH_DATE_INVALID,)


def test_birth_date_mismatch() -> None:
    result = check_id_number(CLASSIC, birth_date=date(1949, 12, 30), sex=2)
    assert result.problems == (P.BIRTH_DATE_MISMATCH,)
    assert result.encoded_birth_date == CLASSIC_BIRTH


def test_sex_mismatch() -> None:
    # 17th digit 2 is even: the number belongs to a woman, the record says man.
    result = check_id_number(CLASSIC, birth_date=CLASSIC_BIRTH, sex=1)
    assert result.problems == (P.SEX_MISMATCH,)
    assert result.encoded_sex == 2


def test_problems_come_in_a_stable_order() -> None:
    result = check_id_number("110105194912310021", birth_date=date(1950, 1, 1), sex=1)
    assert result.problems == (P.CHECK, P.BIRTH_DATE_MISMATCH, P.SEX_MISMATCH)


def test_unknown_record_values_skip_comparisons() -> None:
    assert check_id_number(CLASSIC, birth_date=None, sex=None).problems == ()


@pytest.mark.parametrize("sex", [0, 9])
def test_sex_codes_other_than_1_and_2_are_not_compared(sex: int) -> None:
    # GB/T 2261.1 also has 0 (unknown) and 9 (not stated).
    assert check_id_number(CLASSIC, birth_date=CLASSIC_BIRTH, sex=sex).problems == ()


def test_15_digit_number_is_upgraded_and_checked() -> None:
    result = check_id_number(OLD_15, birth_date=date(1967, 4, 1), sex=1)
    assert result == IdNumberResult(
        normalised=OLD_15_UPGRADED,
        problems=(P.UPGRADED_15,),
        encoded_birth_date=date(1967, 4, 1),
        encoded_sex=1,
    )
    assert not result.has_errors  # upgraded_15 is informational only


def test_15_digit_number_against_a_different_record() -> None:
    result = check_id_number(OLD_15, birth_date=date(2067, 4, 1), sex=2)
    # The century is always 19 for old numbers, so a 2067 record disagrees.
    assert result.problems == (P.BIRTH_DATE_MISMATCH, P.SEX_MISMATCH, P.UPGRADED_15)
    assert result.has_errors


def test_15_digit_number_with_invalid_date() -> None:
    # 130503 670230 001: 30 February 1967.
    result = check_id_number("130503670230001", birth_date=None, sex=None)
    assert result.problems == (P.BIRTH_DATE_INVALID, P.UPGRADED_15)
    assert result.normalised == upgrade_15("130503670230001")


def test_problem_codes_are_stable() -> None:
    # These strings are stored in data-quality findings: changing one is a migration.
    assert [p.value for p in IdNumberProblem] == [
        "format",
        "check",
        "birth_date_invalid",
        "birth_date_mismatch",
        "sex_mismatch",
        "upgraded_15",
    ]
    assert [p for p in IdNumberProblem if p.is_informational] == [P.UPGRADED_15]


# --- the vectorised twin ----------------------------------------------------------------------

Case = tuple[str | None, date | None, int | None]


def _random_date(rng: random.Random) -> date:
    return date(1900, 1, 1) + timedelta(days=rng.randrange(0, 200 * 365))


def _random_case(rng: random.Random) -> Case:
    birth = _random_date(rng)
    sequence = rng.randrange(1000)
    sex = 1 if sequence % 2 else 2
    first17 = f"{rng.randrange(110000, 660000)}{birth:%Y%m%d}{sequence:03d}"
    valid = first17 + check_character(first17)
    record_birth: date | None = birth
    record_sex: int | None = sex
    kind = rng.randrange(17)
    raw: str | None
    if kind == 0:
        raw = valid
    elif kind == 1:  # wrong check character
        raw = first17 + rng.choice([c for c in "0123456789X" if c != valid[-1]])
    elif kind == 2:  # impossible date, right check character
        y = rng.choice([1900, 1999, 2001, 2100, 0, 2000, 1996])
        m, d = rng.choice([(2, 29), (2, 30), (13, 1), (0, 5), (4, 31), (12, 0), (1, 32)])
        raw = _with_check(f"{first17[:6]}{y:04d}{m:02d}{d:02d}{first17[14:]}")
    elif kind == 3:  # birth date in the record differs
        record_birth = birth + timedelta(days=rng.choice([-366, -1, 1, 30]))
        raw = valid
    elif kind == 4:  # sex in the record differs
        record_sex = 3 - sex
        raw = valid
    elif kind == 5:  # old 15-digit number, possibly disagreeing with the record
        raw = first17[:6] + first17[8:]
        encoded = _with_check(first17[:6] + "19" + first17[8:17])[6:14]
        in_1900s = date(
            int(encoded[:4]), int(encoded[4:6]), 28 if encoded[4:] == "0229" else int(encoded[6:])
        )
        record_birth = rng.choice([birth, in_1900s, None])
        if rng.random() < 0.3:
            raw = raw[:8] + rng.choice(["1301", "0230", "0229", "0000"]) + raw[12:]
    elif kind == 6:  # lower-case x (forced)
        first17 = "11010519491231002"
        raw = first17 + "x"
        record_birth, record_sex = rng.choice(
            [(CLASSIC_BIRTH, 2), (CLASSIC_BIRTH, 1), (None, None)]
        )
    elif kind == 7:  # empty, blank, null
        raw = rng.choice(["", " ", "\u3000", None])
    elif kind == 8:  # garbage of every kind
        raw = rng.choice(
            [
                "abc",
                valid[:-1],
                valid + "1",
                valid[:10] + "X" + valid[11:],
                valid[:-1] + "Y",
                "٠١٠١٠٥١٩٤٩١٢٣١٠٠٢X",
                "１３０５０３６７０４０１００１",  # full-width 15-digit: upgraded
                "未知",
                "-" * 18,
                "X" * 18,
                "1" * 15 + "X",
                valid[:15] + "X",
                valid[:14],
            ]
        )
    elif kind == 9:  # whitespace and full-width forms
        wide = "".join(chr(0xFF10 + int(c)) if c.isdigit() else "Ｘ" for c in valid)
        raw = rng.choice(
            [f" {valid[:6]} {valid[6:]} ", wide, f"\u3000{valid}\u00a0", valid.lower()]
        )
    elif kind == 10:  # unknown record values
        raw = valid
        record_birth, record_sex = rng.choice([(None, sex), (birth, None), (None, None)])
    elif kind == 11:  # sex codes outside 1/2
        raw = valid
        record_sex = rng.choice([0, 9])
    elif kind == 12:  # everything wrong at once
        raw = first17 + ("0" if valid[-1] != "0" else "1")
        record_birth = birth + timedelta(days=1)
        record_sex = 3 - sex
    elif kind == 13:  # leap days
        y = rng.choice([1900, 1904, 1996, 2000, 2023, 2024, 2100])
        raw = _with_check(f"{first17[:6]}{y:04d}0229{first17[14:]}")
        record_birth = date(y, 3, 1)
    elif kind == 14:  # 15-digit with random record
        raw = first17[:6] + first17[8:]
    elif kind == 15:  # random digits
        raw = "".join(rng.choice("0123456789") for _ in range(rng.choice([15, 17, 18])))
    else:  # random characters
        raw = "".join(rng.choice("0123456789Xx ｘ") for _ in range(rng.randrange(0, 21)))
    return raw, record_birth, record_sex


def _scalar(cases: list[Case]) -> list[tuple[str, str]]:
    out = []
    for raw, birth, sex in cases:
        result = check_id_number(raw or "", birth_date=birth, sex=sex)
        out.append((result.normalised, ",".join(p.value for p in result.problems)))
    return out


def _frame(cases: list[Case]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id_number": [c[0] for c in cases],
            "birth_date": [c[1] for c in cases],
            "sex": [c[2] for c in cases],
        },
        schema={"id_number": pl.String, "birth_date": pl.Date, "sex": pl.Int8},
    )


def test_vectorised_agrees_with_scalar_on_random_numbers() -> None:
    rng = random.Random(11643)
    cases = [_random_case(rng) for _ in range(6000)]
    result = check_id_numbers_frame(
        _frame(cases), id_col="id_number", birth_col="birth_date", sex_col="sex"
    )
    assert result.columns == ["id_normalised", "id_problems"]
    assert result.dtypes == [pl.String, pl.String]
    assert result.height == len(cases)
    expected = _scalar(cases)
    assert list(result.iter_rows()) == expected
    # The generator must really exercise every code (and clean numbers).
    codes = {code for _, problems in expected for code in problems.split(",")}
    assert codes == {p.value for p in IdNumberProblem} | {""}


def test_vectorised_hand_cases() -> None:
    cases: list[Case] = [
        (CLASSIC, CLASSIC_BIRTH, 2),
        ("11010519491231002x", CLASSIC_BIRTH, 1),
        ("110105194912310021", date(1950, 1, 1), 1),
        (OLD_15, date(1967, 4, 1), 1),
        (FEB29_1900, None, None),
        (FEB29_2000, date(2000, 2, 29), 1),
        ("", CLASSIC_BIRTH, 2),
        (None, None, None),
        ("abc", CLASSIC_BIRTH, 2),
    ]
    result = check_id_numbers_frame(
        _frame(cases), id_col="id_number", birth_col="birth_date", sex_col="sex"
    )
    assert list(result.iter_rows()) == [
        (CLASSIC, ""),
        (CLASSIC, "sex_mismatch"),
        ("110105194912310021", "check,birth_date_mismatch,sex_mismatch"),
        (OLD_15_UPGRADED, "upgraded_15"),
        (FEB29_1900, "birth_date_invalid"),
        (FEB29_2000, ""),
        ("", ""),
        ("", ""),
        ("abc", "format"),
    ]


def test_vectorised_ignores_other_columns_even_with_clashing_names() -> None:
    df = pl.DataFrame(
        {
            "_text": ["x"],
            "_raw": ["y"],
            "idn": [CLASSIC],
            "born": [CLASSIC_BIRTH],
            "s": [1],
            "id_problems": ["old"],
        }
    )
    result = check_id_numbers_frame(df, id_col="idn", birth_col="born", sex_col="s")
    assert result.to_dicts() == [{"id_normalised": CLASSIC, "id_problems": "sex_mismatch"}]


def test_vectorised_all_null_and_empty_frames() -> None:
    nulls = pl.DataFrame({"i": [None, None], "b": [None, None], "s": [None, None]})
    result = check_id_numbers_frame(nulls, id_col="i", birth_col="b", sex_col="s")
    assert result.to_dicts() == [{"id_normalised": "", "id_problems": ""}] * 2

    empty = pl.DataFrame(schema={"i": pl.String, "b": pl.Date, "s": pl.Int64})
    result = check_id_numbers_frame(empty, id_col="i", birth_col="b", sex_col="s")
    assert result.height == 0
    assert result.columns == ["id_normalised", "id_problems"]
