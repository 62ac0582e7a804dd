"""Same numbers on SQLite and PostgreSQL, in one test.

The hand-computed county is built in the test database, copied row for row into a second
database of the other kind (a PostgreSQL database when the tests run on SQLite, a SQLite
file when they run on PostgreSQL), and the engine's JSON for both must be identical. Skipped
when no PostgreSQL server answers at 127.0.0.1:5432.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.core.management import call_command
from django.db import connection, connections

from renkou.core.models import DataVersion
from renkou.core.periods import parse_period
from renkou.events.models import Event, MaritalSpell, RegistrationSpell
from renkou.registry.models import Household, Person
from renkou.stats.engine import compute_indicators_many
from renkou.stats.export import json_document
from renkou.units.models import Unit
from tests import factories as f

ALIAS = "stats_cross"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


def _pg_admin() -> Any:
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=2)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL server at 127.0.0.1:5432")


@pytest.fixture
def other_database(tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of the other vendor under the alias ALIAS."""
    pg_name = ""
    if connection.vendor == "sqlite":
        pg_name = f"renkou_stats_cross_{os.getpid()}"
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}"')
            admin.execute(f'CREATE DATABASE "{pg_name}"')
        config = dj_database_url.parse(f"{PG_SERVER}/{pg_name}")
    else:
        config = dj_database_url.parse(f"sqlite:///{tmp_path / 'cross.sqlite3'}")
    configured = connections.configure_settings(
        {"default": dict(connections.settings["default"]), ALIAS: dict(config)})
    connections.settings[ALIAS] = configured[ALIAS]
    try:
        # Connect outright: the test case forbids *implicit* connections to aliases it was
        # not set up with (this one is created inside the test, with its own database).
        connections[ALIAS].connect()
        call_command("migrate", database=ALIAS, verbosity=0, interactive=False)
        yield ALIAS
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        del connections.settings[ALIAS]
        if pg_name:
            with _pg_admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def _copy_rows(target: str) -> None:
    units = sorted(Unit.objects.all(), key=lambda u: u.depth)
    for model, rows in ((Unit, units), (Household, None), (Person, None), (Event, None),
                        (RegistrationSpell, None), (MaritalSpell, None), (DataVersion, None)):
        objects = rows if rows is not None else list(model.objects.all())
        model.objects.using(target).bulk_create(objects)  # type: ignore[attr-defined]


def _documents(using: str) -> str:
    periods = [parse_period(c) for c in ("2023", "2024", "2024Oct", "2024Q4", "202412")]
    county = Unit.objects.get(code=f.COUNTY)
    docs = []
    for level in (None, "township", "village", "group"):
        many = compute_indicators_many(unit=county, periods=periods, by_level=level,
                                       using=using)
        docs.extend(json_document(p, many[p.code]) for p in periods)
    return json.dumps(docs, ensure_ascii=False, sort_keys=False)


def test_same_json_on_sqlite_and_postgresql(county, other_database):
    _copy_rows(other_database)
    assert connections[other_database].vendor != connection.vendor
    here, there = _documents("default"), _documents(other_database)
    assert here == there
    assert '"BIRTHS": 6' in here  # the hand-computed county, not two empty databases
