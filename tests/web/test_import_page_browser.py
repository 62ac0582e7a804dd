"""The import page in headless Chromium (Playwright), with the database task backend and a
real worker run: a file with an error shows the error and changes nothing; a good file shows
the progress reaching done and its persons appear in the registry.

The worker runs in-process (renkou.jobs.worker.run_one) on the test's own database
connection, captured before Playwright starts: Playwright's event loop gives this thread a
new Django context, and on in-memory SQLite only the captured connection is the live
server's database without locking surprises. Screenshots: out/screenshots/import-*.png.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from renkou.jobs.worker import run_one
from renkou.registry.models import Person
from tests.jobs import files as x
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, OFFICE_PC, _sign_in

SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing"),
]


@pytest.fixture
def on_test_connection(transactional_db: Any, personas: dict[str, Any], people: Any,
                       settings: Any, tmp_path: Path) -> Callable[..., Any]:
    """Runs a function with the test's database connection (see the module docstring)."""
    settings.RENKOU_HOME = tmp_path
    settings.TASKS = {"default": {"BACKEND": "renkou.jobs.backend.DatabaseBackend"}}
    from renkou.events.spells import spells_rebuild

    spells_rebuild()
    connection = connections["default"]

    def call(function: Callable[[], Any]) -> Any:
        previous = connections["default"]
        connections["default"] = connection
        try:
            return function()
        finally:
            connections["default"] = previous
            if previous is not connection:
                previous.close()

    return call


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _upload(page: Any, base: str, folder: Path, files: dict[str, str]) -> str:
    folder.mkdir()
    paths = []
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(str(folder / name))
    page.goto(base + "/import/")
    page.set_input_files("input[name=files]", paths)
    page.click("form.upload button[type=submit]")
    page.wait_for_url("**/import/*/")
    return str(page.url)


def test_import_in_the_browser(live_server, on_test_connection, browser, tmp_path):
    persons = on_test_connection(lambda: Person.objects.count())
    assert persons == 7  # tests/web/data.py
    context = browser.new_context(locale="zh-CN", viewport=OFFICE_PC, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    _sign_in(page, live_server.url, "tc_1", "pw-tc_1")
    page.wait_for_url(live_server.url + "/")
    page.click("nav.main-nav a[href='/import/']")
    page.wait_for_url("**/import/")
    assert page.locator("input[type=file][name=files]").count() == 1
    _shoot(page, "import-form")

    # 1. a file with an error: queued, then the worker runs it, the errors appear
    _upload(page, live_server.url, tmp_path / "bad",
            {"households.csv": x.HOUSEHOLDS, "persons.csv": x.PERSONS_BAD_SEX})
    progress = page.locator("#import-progress")
    assert progress.get_attribute("data-status") == "queued"
    assert page.locator("#import-progress progress").get_attribute("value") == "0"
    _shoot(page, "import-queued")
    assert on_test_connection(run_one) is not None
    page.wait_for_selector("#import-progress[data-status=invalid]")  # by htmx polling
    errors = page.locator("table.import-errors tbody tr")
    assert errors.count() == 1
    assert errors.first.inner_text().split("\t")[:4] == ["persons.csv", "3", "sex", "3"]
    _shoot(page, "import-errors")
    with page.expect_download() as download_info:
        page.click("a[href$='/import-errors.csv']")
    download = download_info.value
    assert download.suggested_filename == "import-errors.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[1].startswith("persons.csv,3,sex,3,")
    assert on_test_connection(lambda: Person.objects.count()) == persons  # nothing imported

    # 2. good files: progress reaches done, the new persons are in the registry
    _upload(page, live_server.url, tmp_path / "good",
            {"households.csv": x.HOUSEHOLDS, "persons.csv": x.PERSONS})
    assert on_test_connection(run_one) is not None
    page.wait_for_selector("#import-progress[data-status=done]")
    bar = page.locator("#import-progress progress")
    assert bar.get_attribute("value") == bar.get_attribute("max") == "10"
    assert "persons" in page.locator("table.counts").inner_text()
    _shoot(page, "import-done")
    assert on_test_connection(lambda: Person.objects.count()) == persons + 3
    page.goto(live_server.url + "/persons/?q=赵新民")
    assert "赵新民" in page.locator("table.grid tbody").inner_text()
    _shoot(page, "import-new-person")
    context.close()


def test_without_javascript_the_job_page_refreshes_itself(live_server, on_test_connection,
                                                          browser, tmp_path):
    context = browser.new_context(locale="zh-CN", viewport=OFFICE_PC, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(20_000)
    _sign_in(page, live_server.url, "tc_1", "pw-tc_1")
    page.wait_for_url(live_server.url + "/")
    _upload(page, live_server.url, tmp_path / "good",
            {"households.csv": x.HOUSEHOLDS, "persons.csv": x.PERSONS})
    assert page.locator("#import-progress").get_attribute("data-status") == "queued"
    on_test_connection(run_one)
    # the <noscript> meta refresh reloads the page every 2 s until the job is finished
    page.wait_for_selector("#import-progress[data-status=done]", timeout=15_000)
    _shoot(page, "import-done-nojs")
    context.close()
