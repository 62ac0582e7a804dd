"""Human words for the reason codes of the `reasons` column (the CSV keeps the codes)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

REASONS: dict[str, Promise] = {
    "name_exact": _("same name"),
    "name_homophone": _("name sounds the same (homophone)"),
    "name_fuzzy_pinyin": _("name sounds alike (dialect)"),
    "name_similar": _("similar name"),
    "id_exact": _("same ID number"),
    "id_transposed": _("ID number with two digits swapped"),
    "id_one_char": _("ID number differs in one character"),
    "id_missing_one_side": _("one ID number missing"),
    "birth_exact": _("same birth date"),
    "birth_day_month_swapped": _("birth day and month swapped"),
    "birth_off_by_one_day": _("birth date one day apart"),
    "birth_off_by_one_month": _("birth date one month apart"),
    "birth_same_year": _("same birth year"),
    "same_sex": _("same sex"),
    "same_parents": _("same parents"),
    "same_household": _("same household"),
}


def reason_labels(codes: list[str]) -> list[str]:
    return [str(REASONS.get(code, code)) for code in codes]
