"""A hand-made registry with known duplicates, twins and external lists."""

from __future__ import annotations

from datetime import date

from renkou.registry.idnumber import check_character
from tests import factories as f


def idn(birth: str, seq: str, county: str = "410325") -> str:
    """A valid 18-character number: county, YYYYMMDD, 3-digit sequence, check character."""
    first17 = county + birth + seq
    return first17 + check_character(first17)


def swapped(number: str, i: int) -> str:
    """The number with characters i and i+1 swapped (a typing slip)."""
    return number[:i] + number[i + 1] + number[i] + number[i + 2:]


WANG_LI = idn("19900305", "122")
LI_JIANGUO = idn("19850712", "351")
TWIN_1 = idn("20100501", "013")
TWIN_2 = idn("20100501", "035")
MOTHER = idn("19840210", "026")
FATHER = idn("19830911", "017")
ZHAO = idn("19950101", "042")


def registry() -> None:
    """Village A: 王丽, 李建国, the twins' family, 張偉; village B: 王莉 (王丽 registered
    again, homophone), 李建国 again with two digits of his number swapped, 张伟 without
    a number; village C: unrelated people."""
    f.make_household("HA1", f.GROUP_A1, "李家村1组1号")
    f.make_household("HA2", f.GROUP_A1, "李家村1组2号")
    f.make_household("HA3", f.GROUP_A2, "李家村2组3号")
    f.make_household("HB1", f.GROUP_B1, "张庄村1组1号")
    f.make_household("HB2", f.GROUP_B1, "张庄村1组2号")
    f.make_household("HC1", f.GROUP_C1, "王庄村1组1号")
    p = f.make_person
    p("P01", "HA1", name="王丽", sex=2, birth=date(1990, 3, 5), id_number=WANG_LI)
    p("P02", "HB1", name="王莉", sex=2, birth=date(1990, 3, 5), id_number=WANG_LI)
    p("P03", "HA2", name="李建国", sex=1, birth=date(1985, 7, 12), id_number=LI_JIANGUO)
    p("P04", "HB2", name="李建国", sex=1, birth=date(1985, 7, 12),
      id_number=swapped(LI_JIANGUO, 9))
    # the twins: same parents, household and birth date, different names and numbers
    p("P05", "HA3", name="刘芳", sex=2, birth=date(1984, 2, 10), id_number=MOTHER,
      marital_status="20")
    p("P06", "HA3", name="陈刚", sex=1, birth=date(1983, 9, 11), id_number=FATHER,
      marital_status="20")
    p("P07", "HA3", name="陈明", sex=1, birth=date(2010, 5, 1), id_number=TWIN_1,
      mother="P05", father="P06")
    p("P08", "HA3", name="陈亮", sex=1, birth=date(2010, 5, 1), id_number=TWIN_2,
      mother="P05", father="P06")
    p("P09", "HA1", name="張偉", sex=1, birth=date(1978, 11, 23),
      id_number=idn("19781123", "051"))
    p("P10", "HB1", name="张伟", sex=1, birth=date(1978, 11, 23), id_number="")
    p("P11", "HC1", name="赵敏", sex=2, birth=date(1995, 1, 1), id_number=ZHAO)
    p("P12", "HC1", name="孙强", sex=1, birth=date(1993, 6, 30),
      id_number=idn("19930630", "071"))
    p("P13", "HC1", name="周雪", sex=2, birth=date(1988, 4, 2),
      id_number=idn("19880402", "082"))
