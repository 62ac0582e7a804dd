"""Translations: the zh-Hans catalogue is complete and its compiled .mo matches the .po.

The .mo is committed so a fresh clone needs no gettext tools; if this test fails after
`makemessages`, fill in the new msgstr entries and run `compilemessages` (see README).
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

from django.test import Client
from django.utils import translation

from renkou.web.labels import ethnicity_label, relation_label

LOCALE = Path(__file__).resolve().parents[2] / "renkou" / "locale" / "zh_Hans" / "LC_MESSAGES"
FIELD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')


def _entries() -> list[dict[str, str]]:
    entries = []
    for block in (LOCALE / "django.po").read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                entry["fuzzy"] = "1"
            if line.startswith("#"):
                continue
            match = FIELD.match(line)
            if match:
                key = match.group(1)
                entry[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def test_every_message_is_translated():
    entries = _entries()
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries
                    if "fuzzy" in e or not all(v for k, v in e.items() if k.startswith("msgstr"))]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in _entries():
        if "msgid_plural" in entry:
            got = compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1)
            assert got == entry["msgstr[0]"], entry["msgid"]
        elif "msgctxt" in entry:
            assert compiled.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]


def test_login_page_language(db, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    assert "登录" in Client(HTTP_ACCEPT_LANGUAGE="").get("/login/").content.decode()
    settings.LANGUAGE_CODE = "en"
    content = Client(HTTP_ACCEPT_LANGUAGE="").get("/login/").content.decode()
    assert "Sign in" in content
    assert "登录" not in content


def test_code_labels():
    with translation.override("zh-hans"):
        assert relation_label("02") == "户主"
        assert relation_label("22") == "子"  # eldest son → son
        assert relation_label("") == ""
        assert ethnicity_label("01") == "汉族"
        assert ethnicity_label("3") == "回族"
        assert ethnicity_label("汉族") == "汉族"
    with translation.override("en"):
        assert relation_label("10") == "Spouse"
        assert ethnicity_label("04") == "Tibetan"
