"""SQLite first loads build the search table in a scratch file on a second connection while
the import writes the registry (core.scratch.ScratchTables), and copy it in before the
import commits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from renkou.core import scratch as scratch_module
from renkou.core.audit import cli_actor
from renkou.exchange import services as exchange_services
from renkou.exchange.services import import_directory
from renkou.registry.models import Person
from renkou.search.models import SearchEntry
from renkou.search.services import search_rebuild
from tests import factories as f
from tests.search.test_concurrent_rebuild import FIELDS, _files

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite",
                                reason="scratch files and their copy are SQLite's")

ACTOR = cli_actor()


def _attached() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        return [row[1] for row in cursor.fetchall()]


@pytest.fixture
def scratch(transactional_db: Any, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Units in place, the threshold at one person; returns the scratch directories used."""
    f.make_units()
    monkeypatch.setattr(exchange_services, "CONCURRENT_AT", 1)
    directories: list[Path] = []
    original = scratch_module.ScratchTables.__enter__

    def enter(self: Any) -> Any:
        result = original(self)
        directories.append(self._directory)
        return result

    monkeypatch.setattr(scratch_module.ScratchTables, "__enter__", enter)
    return directories


@pytest.mark.usefixtures("no_rebuild_after_commit")
def test_first_load_copies_in_the_table_built_on_a_second_connection(
        scratch: list[Path], tmp_path: Path) -> None:
    mode = connection.transaction_mode  # type: ignore[attr-defined]
    _files(tmp_path)
    report = import_directory(directory=tmp_path, actor=ACTOR)
    assert report.ok
    assert "search" in report.timings
    assert len(scratch) == 1
    built = list(SearchEntry.objects.order_by("person_id").values_list(*FIELDS))
    assert [row[:3] for row in built] == [("X1", f.GROUP_A1, "曾一"), ("X2", f.VILLAGE_C, "单二"),
                                          ("X3", f.GROUP_A1, "欧阳小明")]
    assert built[1][5] == "X20013219491501011"  # the ID number reversed
    # Every index the migrations made is there, and sound.
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                       "AND tbl_name = 'search_entry' AND sql IS NOT NULL ORDER BY name")
        assert [row[0] for row in cursor.fetchall()] == [
            "search_idtail_idx", "search_initials_idx", "search_name_idx",
            "search_pinyin_idx", "search_unit_idx"]
        cursor.execute("PRAGMA integrity_check")
        assert cursor.fetchall() == [("ok",)]
    assert search_rebuild() == 3  # from the registry: the same rows
    assert list(SearchEntry.objects.order_by("person_id").values_list(*FIELDS)) == built
    # Afterwards: files detached and deleted, transactions begin as configured again.
    assert not any(name.startswith("renkou_scratch") for name in _attached())
    assert not scratch[0].exists()
    assert connection.transaction_mode == mode  # type: ignore[attr-defined]


def test_a_failed_import_leaves_nothing_behind(
        scratch: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> dict[str, int]:
        raise RuntimeError("findings failed")

    monkeypatch.setattr(exchange_services, "findings_sync", broken)
    _files(tmp_path)
    with pytest.raises(RuntimeError, match="findings failed"):
        import_directory(directory=tmp_path, actor=ACTOR)
    assert Person.objects.count() == 0
    assert SearchEntry.objects.count() == 0
    assert not any(name.startswith("renkou_scratch") for name in _attached())
    assert not scratch[0].exists()


def test_a_failed_job_is_done_again_after_the_commit(
        scratch: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_persons: Any) -> dict[str, Any]:
        raise OSError("disk full")

    monkeypatch.setattr(exchange_services, "search_frames", broken)
    _files(tmp_path)
    assert import_directory(directory=tmp_path, actor=ACTOR).ok
    assert sorted(SearchEntry.objects.values_list("person_id", flat=True)) == ["X1", "X2", "X3"]
    assert not scratch[0].exists()


def test_below_the_threshold_or_after_a_first_load_no_scratch_file(
        transactional_db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f.make_units()
    entered: list[bool] = []
    monkeypatch.setattr(scratch_module.ScratchTables, "__enter__",
                        lambda self: entered.append(True) or self)
    _files(tmp_path)
    assert import_directory(directory=tmp_path, actor=ACTOR).ok  # 3 persons < 50,000
    monkeypatch.setattr(exchange_services, "CONCURRENT_AT", 1)
    assert import_directory(directory=tmp_path, actor=ACTOR).ok  # the registry is not empty
    assert entered == []
    assert SearchEntry.objects.count() == 3
