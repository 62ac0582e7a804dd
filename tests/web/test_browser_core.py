"""Dashboard, reports and password pages in headless Chromium (Playwright).

A township clerk signs in, reads the key figures, sorts the units below (HTMX swap), drills
down to a village, builds a report and downloads its Excel file (read back with openpyxl),
and everything is checked for labels, keyboard focus and phone width. Screenshots of each
page at 1366×768 and at 390 px go to out/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests import factories as f
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, OFFICE_PC, PHONE

SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing: run "
                       "scripts/system-deps.sh to install Debian's chromium"),
]

# Every visible form control must have a label a screen reader can read.
UNLABELLED_JS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id || el.outerHTML)"""


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def registry(transactional_db: Any, personas: dict[str, Any],
             people: dict[str, Any]) -> dict[str, Any]:
    """All data written before Playwright's event loop starts in this thread."""
    from renkou.events.spells import spells_rebuild
    from tests.web.stats_data import add_vital_events

    add_vital_events()
    spells_rebuild()
    return people


def _shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-" + username)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(base + "/")


def _row_units(page: Any) -> list[str]:
    return page.eval_on_selector_all("#child-units tbody tr",
                                     "rows => rows.map(r => r.dataset.unit)")


def test_clerk_dashboard_reports_and_export(live_server, registry, browser, tmp_path):
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport=OFFICE_PC, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    _sign_in(page, base, "tc_1")

    # key figures, this statistical year so far against last year (hand counts: stats_data)
    assert "城关镇" in page.locator("h1").inner_text()
    assert page.locator("[data-indicator=births]").inner_text() == "2"
    assert page.locator("[data-indicator-previous=births]").inner_text() == "1"
    assert page.locator("[data-indicator=population_end]").inner_text() == "6"
    assert page.locator("[data-indicator=deaths]").inner_text() == "1"
    # both charts drawn by the vendored ECharts (SVG renderer), from the embedded JSON
    page.wait_for_selector("[data-chart=monthly] svg")
    page.wait_for_selector("[data-chart=pyramid] svg")
    assert page.evaluate(UNLABELLED_JS) == []
    assert _row_units(page) == [f.VILLAGE_A, f.VILLAGE_B]
    _shoot(page, "dashboard")

    # sort by population, ascending then descending: HTMX swaps the table, the URL follows
    header = page.locator("#child-units thead a", has_text="期末人口")
    header.click()
    page.wait_for_url("**sort=POP_END**")
    page.wait_for_function("document.querySelector('#child-units tbody tr').dataset.unit"
                           f" === '{f.VILLAGE_A}'")
    assert _row_units(page) == [f.VILLAGE_A, f.VILLAGE_B]  # desc first: 5 before 1
    # the second time by keyboard: the swapped table keeps the focus on the header link
    page.locator("#sort-POP_END").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#child-units tbody tr').dataset.unit"
                           f" === '{f.VILLAGE_B}'")
    # htmx gives the focus back to the element with the same id when the swap settles
    # (after its settle delay), so wait for it; a missing restore times out and fails.
    page.wait_for_function("document.activeElement && document.activeElement.id"
                           " === 'sort-POP_END'", timeout=5_000)
    assert page.locator("[data-chart=monthly] svg").count() == 1  # charts not redrawn

    # keyboard: the first Tab lands on the skip link, visibly focused
    page.goto(base + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className,"
                            " getComputedStyle(document.activeElement).outlineStyle]")
    assert focused == ["skip", "solid"]
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "brand"
    # a child unit reached by keyboard opens its own dashboard with breadcrumbs
    page.locator(f"#child-units a[href*='unit={f.VILLAGE_A}']").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**unit={f.VILLAGE_A}**")
    assert [t.strip() for t in page.locator("nav.crumbs li").all_inner_texts()] == [
        "城关镇", "李家村"]
    assert page.locator("[data-indicator=population_end]").inner_text() == "5"
    _shoot(page, "dashboard-village")

    # reports: choose unit, period and level, show the table, download the Excel file
    page.click("nav.main-nav a[href='/reports/']")
    page.wait_for_url("**/reports/")
    page.select_option("#r-unit", f.TOWNSHIP_1)
    page.select_option("#r-period", "2023Oct")
    page.select_option("#r-level", "village")
    page.click(".report-form button[type=submit]")
    page.wait_for_url("**level=village**")
    total = page.locator("table.report-table tfoot tr")
    assert total.locator("td[data-code=POP_END]").inner_text() == "5"
    assert total.locator("td[data-code=CBR]").inner_text() == "200.00"
    assert page.evaluate(UNLABELLED_JS) == []
    _shoot(page, "reports")
    with page.expect_download() as info:
        page.click("a[data-export=xlsx]")
    path = tmp_path / "table.xlsx"
    info.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    codes = list(rows[1])
    data = {r[0]: dict(zip(codes, r, strict=True)) for r in rows[2:]}
    assert data[f.VILLAGE_A]["POP_END"] == 4
    assert data[f.VILLAGE_B]["BIRTHS"] == 1
    assert data[f.TOWNSHIP_1]["POP_END"] == 5
    assert data[f.TOWNSHIP_1]["CBR"] == pytest.approx(200.0)

    # password change page: every field labelled
    page.click("header a.username")
    page.wait_for_url("**/password/")
    assert page.evaluate(UNLABELLED_JS) == []
    _shoot(page, "password")

    # English
    page.goto(base + "/")
    page.select_option("select[name=language]", "en")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "Births" in page.locator(".key-figures").inner_text()
    _shoot(page, "dashboard-en")

    # phone width: the menu is folded, nothing wider than the screen
    phone = browser.new_context(locale="zh-CN", viewport=PHONE,
                                storage_state=context.storage_state())
    phone_page = phone.new_page()
    phone_page.set_default_timeout(20_000)
    for url, name in (("/", "dashboard-phone"),
                      ("/reports/?period=2023Oct&level=village", "reports-phone"),
                      ("/password/", "password-phone")):
        phone_page.goto(base + url)
        phone_page.wait_for_load_state("load")
        assert phone_page.evaluate("document.querySelector('details.menu').open") is False
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{url} is {width}px wide on a phone"
        _shoot(phone_page, name)
    phone_page.goto(base + "/")
    phone_page.wait_for_selector("[data-chart=pyramid] svg")
    phone_page.click("details.menu summary")
    assert phone_page.locator("nav.main-nav a[href='/reports/']").is_visible()
    _shoot(phone_page, "dashboard-phone-menu")
    phone.close()
    context.close()
