"""The pages in a real browser: headless Debian Chromium driven by Playwright.

Signs in as a village worker, sees the Chinese home page, searches the registry, opens a
person, switches to English; a wrong password shows an error. Set RENKOU_SHOTS=/some/dir to
keep screenshots of each page at office-PC (1366×768) and phone (390×844) sizes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
OFFICE_PC = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="/usr/bin/chromium is missing: run scripts/system-deps.sh "
                              "(`make test` does) to install Debian's chromium"),
]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # test itself (fixtures, assertions) are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def shots() -> Path | None:
    target = os.environ.get("RENKOU_SHOTS")
    if not target:
        return None
    path = Path(target)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _shoot(page: Any, shots: Path | None, name: str) -> None:
    if shots is not None:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def _sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(base + "/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.stacked button[type=submit]")


@pytest.fixture
def registry(transactional_db: Any, personas: dict[str, Any],
             people: dict[str, Any]) -> dict[str, Any]:
    """The data, written before Playwright starts: once its event loop runs in this thread,
    ORM calls from here would open a second database connection that nobody closes."""
    from renkou.events.spells import spells_rebuild

    spells_rebuild()
    return people


def test_village_worker_journey(live_server, registry, browser, shots):
    people = registry
    context = browser.new_context(locale="zh-CN", viewport=OFFICE_PC)
    page = context.new_page()
    page.set_default_timeout(15_000)

    # the login page, in Chinese
    page.goto(live_server.url + "/")
    assert page.url.startswith(live_server.url + "/login/")
    assert page.locator("h1").inner_text() == "登录"
    _shoot(page, shots, "login")

    # home page: the village's dashboard, in Chinese; the stylesheet is served
    _sign_in(page, live_server.url, "vw_a", "pw-vw_a")
    page.wait_for_url(live_server.url + "/")
    assert "李家村" in page.locator("h1").inner_text()
    assert "期末人口" in page.locator(".key-figures").inner_text()
    assert page.locator("[data-indicator=population_end]").inner_text() == "4"
    assert page.evaluate("getComputedStyle(document.querySelector('header.top'))"
                         ".borderBottomStyle") == "solid"
    _shoot(page, shots, "home")

    # registry search by name prefix: own village only
    page.fill("input[name=q]", "李")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/persons/?q=*")
    table = page.locator("table.grid tbody").inner_text()
    assert "李建国" in table
    assert "李思思" in table
    assert "欧阳" not in page.content()
    _shoot(page, shots, "list")

    # open a person: full record, including the unmasked ID number
    page.click("text=李建国")
    page.wait_for_url("**/persons/P-A1/")
    assert page.locator("h1").inner_text().startswith("李建国")
    assert people["a_head"].id_number in page.locator("dl.fields").inner_text()
    assert "户主" in page.locator("dl.fields").inner_text()
    _shoot(page, shots, "detail")

    # the household
    page.click("dl.fields a[href='/households/H-A1/']")
    page.wait_for_url("**/households/H-A1/")
    assert page.locator("table.grid tbody tr").count() == 3
    _shoot(page, shots, "household")

    # switch the language to English: the same page, in English
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("load")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.url.endswith("/households/H-A1/")
    assert "Household head" in page.locator("table.grid").inner_text()
    assert page.locator("nav.main-nav").inner_text().split()[:3] == [
        "Dashboard", "Registry", "Reports"]
    page.goto(live_server.url + "/persons/P-A1/")
    assert "ID number" in page.locator("dl.fields").inner_text()
    _shoot(page, shots, "detail-en")

    # another village's person: not found
    response = page.goto(live_server.url + "/persons/P-C1/")
    assert response is not None
    assert response.status == 404
    assert "欧阳" not in page.content()

    # phone width: the pages still fit (no horizontal scrolling of the page itself)
    phone = browser.new_context(locale="zh-CN", viewport=PHONE, storage_state=context.storage_state())
    phone_page = phone.new_page()
    for url, name in (("/", "home-phone"), ("/persons/?q=李", "list-phone"),
                      ("/persons/P-A1/", "detail-phone")):
        phone_page.goto(live_server.url + url)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{url} is {width}px wide on a phone"
        _shoot(phone_page, shots, name)
    phone.close()
    context.close()


def test_wrong_password_shows_an_error(live_server, registry, browser, shots):
    context = browser.new_context(locale="zh-CN", viewport=OFFICE_PC)
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, live_server.url, "vw_a", "not-the-password")
    error = page.locator("p.error")
    error.wait_for()
    assert "用户名或密码错误" in error.inner_text()
    assert page.url.startswith(live_server.url + "/login/")
    _shoot(page, shots, "login-error")
    context.close()
