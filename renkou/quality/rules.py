"""The consistency rules, declared in one place: code, severity, object and message.

The checks themselves are vectorised (polars over the whole registry) in `checks.py`; this
module only says what each rule means. Codes are stable: they are stored in findings, shown
in the web app and printed by `renkou quality rules`. The identity-number codes are the ones
the import writes (exchange/findings.py), so the import and the rules run keep the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_noop as N_

from renkou.quality.models import Severity

# Limits of the mother-age rule (completed years at the child's birth).
MOTHER_MIN_AGE = 12
MOTHER_MAX_AGE = 55
HEAD_RELATION = "02"  # GB/T 4761: head of household


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    object_type: str  # person, household or event
    message_en: str
    message_zh: str

    def message(self) -> str:
        """The message in the active language (zh-Hans unless English is chosen)."""
        translated = gettext(self.message_en)
        if translated != self.message_en:
            return translated
        language = get_language() or "zh-hans"
        return self.message_zh if language.lower().startswith("zh") else self.message_en


RULES: tuple[Rule, ...] = (
    Rule("id_number.format", Severity.ERROR, "person",
         N_("The identity number is not 18 characters (17 digits and a digit or X)."),
         "身份证号码不是 18 位（17 位数字加一位数字或 X）。"),
    Rule("id_number.check", Severity.ERROR, "person",
         N_("The check character (the 18th) of the identity number is wrong."),
         "身份证号码的校验码（第 18 位）错误。"),
    Rule("id_number.birth_date_invalid", Severity.ERROR, "person",
         N_("Characters 7–14 of the identity number are not a date."),
         "身份证号码第 7–14 位不是有效日期。"),
    Rule("id_number.birth_date_mismatch", Severity.WARNING, "person",
         N_("The birth date in the identity number differs from the recorded birth date."),
         "身份证号码中的出生日期与登记的出生日期不一致。"),
    Rule("id_number.sex_mismatch", Severity.WARNING, "person",
         N_("The sex digit (the 17th) of the identity number differs from the recorded sex."),
         "身份证号码的性别位（第 17 位）与登记的性别不一致。"),
    Rule("id_number.upgraded_15", Severity.INFO, "person",
         N_("An old 15-digit identity number."),
         "旧的 15 位身份证号码。"),
    Rule("id_number.duplicate", Severity.ERROR, "person",
         N_("Another person in the registry has the same identity number."),
         "登记中另有人员使用相同的身份证号码。"),
    Rule("birth.mother_age", Severity.WARNING, "person",
         N_("The mother was younger than 12 or older than 55 at this person's birth."),
         "此人出生时母亲年龄小于 12 岁或大于 55 岁。"),
    Rule("person.older_than_parent", Severity.ERROR, "person",
         N_("The person was born on or before the birth date of a parent."),
         "此人的出生日期不晚于其父亲或母亲的出生日期。"),
    Rule("event.after_death", Severity.ERROR, "event",
         N_("The event is dated after the person's death."),
         "事件日期晚于此人的死亡日期。"),
    Rule("household.no_head", Severity.WARNING, "household",
         N_("No member of the household is recorded as its head (relation 02)."),
         "户内没有登记户主（与户主关系 02）。"),
    Rule("marriage.before_birth", Severity.ERROR, "event",
         N_("The marriage is dated before one of the spouses was born."),
         "结婚日期早于一方的出生日期。"),
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
RULE_CODES: tuple[str, ...] = tuple(RULES_BY_CODE)


def rule_message(code: str, fallback: str = "") -> str:
    rule = RULES_BY_CODE.get(code)
    return rule.message() if rule is not None else fallback
