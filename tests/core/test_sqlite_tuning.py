"""SQLite's memory statistics are off in this process; large writes checkpoint after."""

from __future__ import annotations

import ctypes
import sqlite3
from typing import Any

import pytest
from django.db import connection

from renkou.core.sqlite_tuning import checkpoint_after, disable_memory_statistics

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's settings")
_SQLITE_STATUS_MEMORY_USED = 0


def test_memory_statistics_are_off_from_start_up() -> None:
    import _sqlite3

    assert disable_memory_statistics()  # done at start-up (CoreConfig.ready); idempotent
    other = sqlite3.connect(":memory:")
    other.execute("CREATE TABLE t (x)")
    other.executemany("INSERT INTO t VALUES (?)", [("x" * 100,)] * 1000)
    current, highest = ctypes.c_int64(), ctypes.c_int64()
    library = ctypes.CDLL(_sqlite3.__file__)
    assert library.sqlite3_status64(_SQLITE_STATUS_MEMORY_USED, ctypes.byref(current),
                                    ctypes.byref(highest), 0) == 0
    # With the statistics on, a connection holding a table counts hundreds of kilobytes.
    assert current.value == 0
    other.close()


def test_checkpoint_after_restores_the_automatic_checkpoint(transactional_db: Any) -> None:
    def pages() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            return int(cursor.fetchone()[0])

    before = pages()
    with checkpoint_after():
        assert pages() == 0
    assert pages() == before
