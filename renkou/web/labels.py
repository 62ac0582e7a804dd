"""Display labels for codes the registry stores: GB/T 4761 relation to the household head,
GB/T 3304 ethnic group."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# GB/T 4761-2008 family relation codes: the common ones by exact code, the rest by their
# group (first digit + "0"). Codes are stored as given by the source.
RELATIONS: dict[str, Promise] = {
    "01": _("Self"),
    "02": _("Household head"),
    "10": _("Spouse"),
    "11": _("Husband"),
    "12": _("Wife"),
    "20": _("Son"),
    "30": _("Daughter"),
    "40": _("Grandchild"),
    "50": _("Parent"),
    "51": _("Father"),
    "52": _("Mother"),
    "53": _("Father-in-law"),
    "54": _("Mother-in-law"),
    "60": _("Grandparent"),
    "70": _("Sibling"),
    "80": _("Other relative"),
    "90": _("Other relative"),
    "99": _("Not related"),
}


def relation_label(code: str) -> str:
    """'22' (eldest son) → 'Son'; unknown or empty codes → the code itself or ''."""
    if not code:
        return ""
    label = RELATIONS.get(code) or RELATIONS.get(code[:1] + "0")
    return str(label) if label is not None else code


# GB/T 3304 codes of China's ethnic groups (the registry may also hold the name itself).
ETHNIC_GROUPS: dict[str, Promise] = {
    "01": pgettext_lazy("ethnic group", "Han"),
    "02": pgettext_lazy("ethnic group", "Mongol"),
    "03": pgettext_lazy("ethnic group", "Hui"),
    "04": pgettext_lazy("ethnic group", "Tibetan"),
    "05": pgettext_lazy("ethnic group", "Uyghur"),
    "06": pgettext_lazy("ethnic group", "Miao"),
    "07": pgettext_lazy("ethnic group", "Yi"),
    "08": pgettext_lazy("ethnic group", "Zhuang"),
    "09": pgettext_lazy("ethnic group", "Buyei"),
    "10": pgettext_lazy("ethnic group", "Korean"),
    "11": pgettext_lazy("ethnic group", "Manchu"),
    "12": pgettext_lazy("ethnic group", "Dong"),
    "13": pgettext_lazy("ethnic group", "Yao"),
    "14": pgettext_lazy("ethnic group", "Bai"),
    "15": pgettext_lazy("ethnic group", "Tujia"),
    "16": pgettext_lazy("ethnic group", "Hani"),
    "17": pgettext_lazy("ethnic group", "Kazakh"),
    "18": pgettext_lazy("ethnic group", "Dai"),
    "19": pgettext_lazy("ethnic group", "Li"),
    "20": pgettext_lazy("ethnic group", "Lisu"),
    "21": pgettext_lazy("ethnic group", "Va"),
    "22": pgettext_lazy("ethnic group", "She"),
    "23": pgettext_lazy("ethnic group", "Gaoshan"),
    "24": pgettext_lazy("ethnic group", "Lahu"),
    "25": pgettext_lazy("ethnic group", "Sui"),
    "26": pgettext_lazy("ethnic group", "Dongxiang"),
    "27": pgettext_lazy("ethnic group", "Naxi"),
    "28": pgettext_lazy("ethnic group", "Jingpo"),
    "29": pgettext_lazy("ethnic group", "Kyrgyz"),
    "30": pgettext_lazy("ethnic group", "Tu"),
    "31": pgettext_lazy("ethnic group", "Daur"),
    "32": pgettext_lazy("ethnic group", "Mulao"),
    "33": pgettext_lazy("ethnic group", "Qiang"),
    "34": pgettext_lazy("ethnic group", "Blang"),
    "35": pgettext_lazy("ethnic group", "Salar"),
    "36": pgettext_lazy("ethnic group", "Maonan"),
    "37": pgettext_lazy("ethnic group", "Gelao"),
    "38": pgettext_lazy("ethnic group", "Xibe"),
    "39": pgettext_lazy("ethnic group", "Achang"),
    "40": pgettext_lazy("ethnic group", "Pumi"),
    "41": pgettext_lazy("ethnic group", "Tajik"),
    "42": pgettext_lazy("ethnic group", "Nu"),
    "43": pgettext_lazy("ethnic group", "Uzbek"),
    "44": pgettext_lazy("ethnic group", "Russian"),
    "45": pgettext_lazy("ethnic group", "Evenki"),
    "46": pgettext_lazy("ethnic group", "De'ang"),
    "47": pgettext_lazy("ethnic group", "Bonan"),
    "48": pgettext_lazy("ethnic group", "Yugur"),
    "49": pgettext_lazy("ethnic group", "Gin"),
    "50": pgettext_lazy("ethnic group", "Tatar"),
    "51": pgettext_lazy("ethnic group", "Derung"),
    "52": pgettext_lazy("ethnic group", "Oroqen"),
    "53": pgettext_lazy("ethnic group", "Hezhen"),
    "54": pgettext_lazy("ethnic group", "Monba"),
    "55": pgettext_lazy("ethnic group", "Lhoba"),
    "56": pgettext_lazy("ethnic group", "Jino"),
    "97": pgettext_lazy("ethnic group", "Other"),
    "98": pgettext_lazy("ethnic group", "Foreign-born Chinese citizen"),
}


def ethnicity_label(value: str) -> str:
    """'01' → 'Han' (汉族); '1' is read as '01'; anything else is shown as stored."""
    if not value:
        return ""
    code = value.zfill(2) if value.isdigit() and len(value) <= 2 else value
    label = ETHNIC_GROUPS.get(code)
    return str(label) if label is not None else value
