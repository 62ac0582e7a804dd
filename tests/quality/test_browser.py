"""The findings page in headless Chromium: a village worker resolves a finding with a note."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing"),
]


@pytest.fixture
def data(transactional_db: Any, personas: dict[str, Any], settings: Any) -> dict[str, Any]:
    from renkou.quality.models import Finding
    from tests import factories as f

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = personas["village_worker_a"]
    user.set_password("pw-vw_a")
    user.save()
    now = timezone.now()
    mine = Finding.objects.create(rule="household.no_head", object_type="household",
                                  object_id="H-A1", unit_code=f.GROUP_A1, value="members: 3",
                                  found_at=now)
    Finding.objects.create(rule="household.no_head", object_type="household",
                           object_id="H-C1", unit_code=f.GROUP_C1, found_at=now)
    return {"finding": mine.pk}


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


def test_village_worker_resolves_a_finding(live_server, data, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.fill("input[name=username]", "vw_a")
    page.fill("input[name=password]", "pw-vw_a")
    page.click("form.stacked button[type=submit]")
    page.click("nav.main-nav a[href='/quality/findings/']")
    page.wait_for_selector("h1:has-text('Data-quality findings')")
    rows = page.locator("table.findings tbody tr")
    assert rows.count() == 1  # 王庄村's finding is another township's
    assert "No member of the household is recorded as its head" in rows.first.inner_text()
    page.fill(f"#note-{data['finding']}", "户主已补登")
    page.click(f"#finding-{data['finding']} button[value=resolve]")
    page.wait_for_selector("p.notice")
    assert page.locator("table.findings tbody tr").first.inner_text().strip() == "No findings."
    page.goto(live_server.url + "/quality/findings/?status=resolved")
    text = page.locator("table.findings").inner_text()
    assert "户主已补登" in text
    assert "vw_a" in text
