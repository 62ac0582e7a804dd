"""The review page in headless Chromium: a village worker rejects a pair of twins-like
namesakes and it leaves the queue; pairs of other villages never show."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from renkou.linkage.models import DuplicatePair
from tests import factories as f
from tests.linkage import data
from tests.web.test_browser import CHROMIUM, OFFICE_PC, _shoot, _sign_in, browser, shots

__all__ = ["browser", "shots"]  # fixtures reused from the web app's browser tests

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing"),
]


@pytest.fixture
def queue(transactional_db: Any, personas: dict[str, Any]) -> dict[str, int]:
    """Written before Playwright starts (its event loop then owns this thread)."""
    data.registry()
    now = timezone.now()

    def make(a: str, b: str, unit: str, reasons: str) -> int:
        return DuplicatePair.objects.create(
            person_a=a, person_b=b, unit_a_id=unit, unit_b_id=unit, probability=0.96,
            reasons=reasons, found_at=now, last_seen_at=now).pk

    return {"mine": make("P07", "P08", f.GROUP_A2, "birth_exact;same_sex;same_parents"),
            "other": make("P11", "P12", f.GROUP_C1, "birth_same_year")}


def test_village_worker_rejects_a_pair(live_server: Any, queue: dict[str, int],
                                       browser: Any, shots: Any) -> None:
    page = browser.new_context(locale="zh-CN", viewport=OFFICE_PC).new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, live_server.url, "vw_a", "pw-vw_a")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/quality/duplicates/")
    rows = page.locator("table.pairs tbody")
    assert "陈明" in rows.inner_text()
    assert "陈亮" in rows.inner_text()
    assert "赵敏" not in page.content()  # village C's pair
    _shoot(page, shots, "duplicates")
    page.locator(f"tr[data-pair='{queue['mine']}'] button[value=reject]").click()
    page.wait_for_url(live_server.url + "/quality/duplicates/")
    assert page.locator(f"tr[data-pair='{queue['mine']}']").count() == 0
    page.goto(live_server.url + "/quality/duplicates/?status=rejected")
    assert page.locator(f"tr[data-pair='{queue['mine']}']").count() == 1
    # (no ORM call here: with Playwright's loop in this thread it would open a second
    # connection that nobody closes; the "rejected" tab above read the stored status)
    page.close()
