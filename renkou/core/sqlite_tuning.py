"""SQLite settings beyond PRAGMAs: memory statistics off; a large write's checkpoint.

Memory statistics. By default SQLite counts every allocation under one process-wide mutex
(the statistics of `sqlite3_status`, which nothing here reads). Two threads using SQLite at
once — an import and its scratch worker (core.scratch), or the web server's threads — then
queue on that mutex: two threads each running a query took 2.5× as long as one alone, and one thread
alone runs about a fifth faster without it. SQLite's documentation recommends the
setting (`SQLITE_CONFIG_MEMSTATUS`) where the statistics are not needed; Python does not
expose `sqlite3_config`, so it is called through ctypes on the library Python's sqlite3
module uses. Configuration is only allowed while SQLite is shut down, and shutting down is
only safe with no connection open: hence once, at start-up.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

logger = logging.getLogger(__name__)
_SQLITE_OK = 0
_SQLITE_CONFIG_MEMSTATUS = 9
_done = False


def disable_memory_statistics() -> bool:
    """Turn the statistics off; True if they are off. Call before any SQLite connection
    of this process is opened (Django opens its connections lazily, after `ready()`)."""
    global _done
    if _done:
        return True
    try:
        import _sqlite3

        # Through the module's own handle: the symbols of the SQLite it is linked with,
        # whether a shared libsqlite3 or built in.
        library = ctypes.CDLL(_sqlite3.__file__)
        shutdown, config, initialize = (library.sqlite3_shutdown, library.sqlite3_config,
                                        library.sqlite3_initialize)
    except (ImportError, OSError, AttributeError):
        return False
    if shutdown() != _SQLITE_OK:
        return False
    configured: bool = config(_SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0)) == _SQLITE_OK
    if initialize() != _SQLITE_OK:
        logger.warning("SQLite did not initialise again after its configuration")
    _done = configured
    return configured


@contextmanager
def checkpoint_after() -> Iterator[None]:
    """Around a transaction that writes hundreds of megabytes (a first load): no automatic
    checkpoint at its commit, one explicit checkpoint after it.

    The same work (copying the write-ahead log into the database file), but measured on a
    million-person first load the commit with its automatic checkpoint took 3.0–3.4 s, the
    commit and then an explicit checkpoint 1.9–2.3 s (bench/bench_import.py). Outside a
    transaction only, like any change of these settings.
    """
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        pages = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {pages}")
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
