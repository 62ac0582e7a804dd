"""PostgreSQL first loads build the search table on a second connection while the import's
transaction goes on (search.services.ConcurrentRebuild), and commit it only with the import."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from renkou.core.audit import cli_actor
from renkou.exchange import services as exchange_services
from renkou.exchange.services import import_directory
from renkou.registry.models import Person
from renkou.search import services as search_services
from renkou.search.models import SearchEntry
from renkou.search.services import search_rebuild
from tests import factories as f

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="a second connection writing at once: PostgreSQL only")

ACTOR = cli_actor()
FIELDS = ["person_id", "unit_code", "name", "initials", "pinyin", "id_reversed"]


def _files(directory: Path) -> None:
    (directory / "households.csv").write_text(
        "household_id,unit_code,address\n"
        f"H1,{f.GROUP_A1},一组\nH2,{f.VILLAGE_C},王庄\n", encoding="utf-8")
    (directory / "persons.csv").write_text(
        "person_id,household_id,name,sex,birth_date,id_number,ethnicity,relation,"
        "marital_status,mother_id,father_id\n"
        "X1,H1,曾一,1,1980-01-02,,01,02,20,,\n"
        "X2,H2,单二,2,1982-03-04,11010519491231002X,01,02,20,,\n"
        "X3,H1,欧阳小明,1,2001-05-06,,01,30,10,,X1\n", encoding="utf-8")


@pytest.fixture
def concurrent(transactional_db: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Units in place, the threshold at one person; returns the sizes of the rebuilds
    started on a second connection."""
    f.make_units()
    monkeypatch.setattr(exchange_services, "CONCURRENT_AT", 1)
    started: list[int] = []
    original = search_services.ConcurrentRebuild.start

    def start(self: Any) -> None:
        started.append(self._persons.height)
        original(self)

    monkeypatch.setattr(search_services.ConcurrentRebuild, "start", start)
    return started


@pytest.mark.usefixtures("no_rebuild_after_commit")
def test_first_load_builds_the_table_on_a_second_connection(
        concurrent: list[int], tmp_path: Path) -> None:
    _files(tmp_path)
    assert import_directory(directory=tmp_path, actor=ACTOR).ok
    assert concurrent == [3]
    built = list(SearchEntry.objects.order_by("person_id").values_list(*FIELDS))
    assert [row[0] for row in built] == ["X1", "X2", "X3"]
    assert search_rebuild() == 3  # from the registry: the same rows
    assert list(SearchEntry.objects.order_by("person_id").values_list(*FIELDS)) == built


def test_a_failed_import_leaves_the_table_as_it_was(
        concurrent: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> dict[str, int]:
        raise RuntimeError("findings failed")

    monkeypatch.setattr(exchange_services, "findings_sync", broken)
    _files(tmp_path)
    with pytest.raises(RuntimeError, match="findings failed"):
        import_directory(directory=tmp_path, actor=ACTOR)
    assert concurrent == [3]  # the rebuild had started, then rolled back with the import
    assert Person.objects.count() == 0
    assert SearchEntry.objects.count() == 0
    # No transaction is left holding the table: taking its lock does not wait.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '2s'")
        cursor.execute("LOCK TABLE search_entry IN ACCESS EXCLUSIVE MODE")


def test_a_failed_rebuild_is_done_again_after_the_commit(
        concurrent: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = search_services.search_rebuild
    threads: list[str] = []

    def flaky(persons: Any = None) -> int:
        threads.append(threading.current_thread().name)
        if threading.current_thread().name == "renkou-search-rebuild":
            raise RuntimeError("second connection lost")
        return original(persons)

    monkeypatch.setattr(search_services, "search_rebuild", flaky)
    _files(tmp_path)
    assert import_directory(directory=tmp_path, actor=ACTOR).ok
    assert threads == ["renkou-search-rebuild", threading.main_thread().name]
    assert sorted(SearchEntry.objects.values_list("person_id", flat=True)) == ["X1", "X2", "X3"]
