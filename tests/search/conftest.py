"""Fixtures of the search tests."""

from __future__ import annotations

from typing import Any

import pytest

from renkou.exchange import services as exchange_services


@pytest.fixture
def no_rebuild_after_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if an import brings the search table up to date after its commit
    (the first-load paths build it meanwhile, on a second connection)."""

    def not_needed(**_kwargs: Any) -> int:
        raise AssertionError("the table should have been built on a second connection")

    monkeypatch.setattr(exchange_services, "search_sync_after_import", not_needed)
