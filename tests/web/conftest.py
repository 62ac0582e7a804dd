"""Fixtures for web tests: a small registry over three villages; a clean cache per test."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from tests.web.data import Resident, make_people


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """PBKDF2 with a million rounds costs ~0.3 s per persona; tests need no strong hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(units: dict[str, Any]) -> dict[str, Resident]:
    return make_people()
