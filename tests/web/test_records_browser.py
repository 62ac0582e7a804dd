"""Search, event forms and my village in a real browser (headless Debian Chromium).

Signs in as a village worker, finds a person by pinyin initials, records a birth and sees the
dashboard's birth count go up by one, is refused another village's person, and walks the
forms with the keyboard. Screenshots of every page at office-PC (1366×768) and phone (390 px)
sizes go to out/screenshots/ (git-ignored), or to $RENKOU_SHOTS.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.web.test_browser import CHROMIUM, OFFICE_PC, PHONE, _sign_in, browser  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing"),
]


@pytest.fixture
def shots() -> Path:
    path = Path(os.environ.get("RENKOU_SHOTS") or REPO / "out" / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def registry(transactional_db: Any, personas: dict[str, Any],
             people: dict[str, Any]) -> dict[str, Any]:
    """Written before Playwright's event loop starts (see test_browser.registry)."""
    from renkou.events.spells import spells_rebuild
    from renkou.search.services import search_rebuild

    spells_rebuild()
    search_rebuild()
    return people


def _births(page: Any) -> int:
    text = page.locator('[data-indicator="births"]').first.inner_text()
    match = re.search(r"\d[\d,]*", text)
    assert match, f"no number in the births figure: {text!r}"
    return int(match.group(0).replace(",", ""))


def _fits(page: Any, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll}px wide"


def test_search_record_birth_and_scope(live_server, registry, browser, shots):  # noqa: F811
    from django.utils import timezone

    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport=OFFICE_PC)
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, base, "vw_a", "pw-vw_a")
    page.wait_for_url(base + "/")
    births_before = _births(page)

    # search by pinyin initials: typing is enough with htmx; Enter works without it
    page.click("nav.main-nav a[href='/search/']")
    page.wait_for_url("**/search/")
    page.fill("#q", "ljg")
    page.press("#q", "Enter")
    page.locator("#results .hit").first.wait_for()
    hits = page.locator("#results .hit")
    assert hits.count() == 1
    assert "李建国" in hits.first.inner_text()
    page.screenshot(path=str(shots / "search-1366.png"), full_page=True)
    page.fill("#q", "l")
    page.press("#q", "Enter")
    page.wait_for_function("document.querySelectorAll('#results .hit').length === 3")
    assert "欧阳" not in page.content()

    # the household, then record a birth there
    page.goto(base + "/households/H-A1/")
    page.screenshot(path=str(shots / "household-1366.png"), full_page=True)
    page.click("a[href='/households/H-A1/birth/']")
    page.wait_for_url("**/households/H-A1/birth/")
    page.screenshot(path=str(shots / "birth-form-1366.png"), full_page=True)
    # an error first: nothing saved, the message sits beside the field
    page.click("form.record button[type=submit]")
    page.locator("#id_name-error").wait_for()
    assert page.locator("#id_name").get_attribute("aria-invalid") == "true"
    page.screenshot(path=str(shots / "birth-form-errors-1366.png"), full_page=True)
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    page.fill("#id_name", "李小花")
    page.check("#id_sex_1")  # female
    page.fill("#id_date", day)
    page.select_option("#id_mother_id", "P-A2")
    page.select_option("#id_father_id", "P-A1")
    page.click("form.record button[type=submit]")
    page.wait_for_url(re.compile(r".*/persons/N[0-9A-F]+/$"))
    assert page.locator("h1").inner_text().startswith("李小花")
    assert "出生" in page.locator("table.grid").inner_text()
    page.screenshot(path=str(shots / "person-1366.png"), full_page=True)

    # the dashboard counts it
    page.goto(base + "/")
    assert _births(page) == births_before + 1

    # another village's person: not found
    response = page.goto(base + "/persons/P-C1/")
    assert response is not None
    assert response.status == 404
    response = page.goto(base + "/persons/P-C1/record/death/")
    assert response is not None
    assert response.status == 404

    # my village; then the keyboard: Tab moves field to field with a visible outline
    page.goto(base + "/village/")
    assert "李家村" in page.locator("h1").inner_text()
    page.screenshot(path=str(shots / "village-1366.png"), full_page=True)
    page.goto(base + "/persons/P-A1/record/marriage/")
    page.screenshot(path=str(shots / "marriage-form-1366.png"), full_page=True)
    page.focus("#id_spouse_id")  # (Tab inside a date input walks its year/month/day parts)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id")
    assert focused == "id_recorded_date"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    for name in ("date", "recorded_date", "source", "spouse_id"):
        label = page.locator(f"label[for=id_{name}]")
        assert label.count() == 1
        assert label.inner_text().strip()

    # phones: no sideways scrolling, and pictures of each page
    phone = browser.new_context(locale="zh-CN", viewport=PHONE,
                                storage_state=context.storage_state())
    phone_page = phone.new_page()
    phone_page.set_default_timeout(15_000)
    for url, name in (("/village/", "village-390"), ("/search/?q=l", "search-390"),
                      ("/persons/P-A1/", "person-390"), ("/households/H-A1/", "household-390"),
                      ("/households/H-A1/birth/", "birth-form-390")):
        phone_page.goto(base + url)
        _fits(phone_page, PHONE["width"])
        phone_page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    phone.close()
    context.close()
