"""`renkou demo` (SPEC §5): one command builds the database, loads a county, creates logins.

The end-to-end tests run the installed console script in a subprocess on a fresh temporary
RENKOU_HOME with its own SQLite file (whatever database the rest of the suite uses), exactly as
a new user would after `make install`.
"""

from __future__ import annotations

import io
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command

from renkou.core.management.commands import demo
from renkou.core.models import Membership
from tests import factories as f

RENKOU = Path(sys.executable).parent / "renkou"


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "RENKOU_TEST_SQLITE", "RENKOU_DEMO_PASSWORD",
                        "DJANGO_SETTINGS_MODULE"}}
    env.update(RENKOU_HOME=str(home), DATABASE_URL=f"sqlite:///{home / 'renkou.sqlite3'}",
               **extra)
    return env


def _run(home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(RENKOU), "demo", *args], env=_env(home, **extra),
                          capture_output=True, text=True, timeout=600, check=False)


def _query(home: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(home / "renkou.sqlite3") as db:
        return db.execute(sql).fetchall()


def check_password(password: str, encoded: str) -> bool:
    """The subprocess hashes with Django's default (PBKDF2); this module's tests use MD5."""
    return PBKDF2PasswordHasher().verify(password, encoded)


def _logins(home: Path) -> dict[str, tuple[str, str, str, int]]:
    rows = _query(home, "SELECT u.username, u.password, m.role, m.unit_code, "
                        "m.can_export_personal_data FROM auth_user u "
                        "JOIN core_membership m ON m.user_id = u.id")
    return {r[0]: (r[1], r[2], r[3], int(r[4])) for r in rows}


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    if not RENKOU.exists():
        pytest.fail(f"{RENKOU} is missing: run `make install`")
    home = tmp_path_factory.mktemp("renkou-home")
    started = time.monotonic()
    result = _run(home, "--no-serve", "--persons", "500")
    assert result.returncode == 0, result.stdout + result.stderr
    return home, result.stdout + f"\n(took {time.monotonic() - started:.1f} s)"


def test_demo_builds_the_database_loads_persons_and_creates_logins(demo_home):
    home, output = demo_home
    assert (home / "renkou.sqlite3").exists()
    assert (home / "demo-data" / "persons.csv").exists()
    persons = _query(home, "SELECT COUNT(*) FROM registry_person")[0][0]
    assert persons >= 400
    assert _query(home, "SELECT COUNT(*) FROM events_registrationspell")[0][0] > 0
    assert _query(home, "SELECT COUNT(*) FROM registry_importbatch")[0][0] == 1
    logins = _logins(home)
    assert set(logins) == {"demo", "township", "village"}
    county = _query(home, "SELECT code FROM units_unit WHERE level = 'county' "
                          "ORDER BY code LIMIT 1")[0][0]
    assert logins["demo"][1:] == ("county_admin", county, 1)
    township = logins["township"][2]
    village = logins["village"][2]
    assert logins["township"][1:] == ("township_clerk", township, 0)
    assert logins["village"][1:] == ("village_worker", village, 0)
    parents = dict(_query(home, "SELECT code, parent_code FROM units_unit"))
    assert parents[township] == county
    assert parents[village] == township
    for password_hash, *_ in logins.values():
        assert check_password("renkou-demo", password_hash)
    # the terminal shows address and credentials, in Chinese and in English
    for text in ("http://127.0.0.1:8000/", "renkou-demo", "网址", "Address", "密码",
                 "Password", "demo", "township", "village", "县级管理员",
                 "County administrator"):
        assert text in output


def test_second_run_keeps_the_data_and_refreshes_the_logins(demo_home):
    home, _ = demo_home
    persons = _query(home, "SELECT COUNT(*) FROM registry_person")[0][0]
    result = _run(home, "--no-serve", "--persons", "800", RENKOU_DEMO_PASSWORD="another-pw")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "already holds" in result.stdout
    assert "跳过" in result.stdout
    assert _query(home, "SELECT COUNT(*) FROM registry_person")[0][0] == persons
    assert _query(home, "SELECT COUNT(*) FROM registry_importbatch")[0][0] == 1
    logins = _logins(home)
    assert len(logins) == 3
    assert all(check_password("another-pw", h) for h, *_ in logins.values())
    assert "another-pw" in result.stdout
    # back to the documented password for the next tests
    assert _run(home, "--no-serve").returncode == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_serves_pages_and_static_files(demo_home):
    home, _ = demo_home
    port = _free_port()
    server = subprocess.Popen([str(RENKOU), "demo", "--port", str(port)], env=_env(home),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/login/", timeout=5) as response:  # noqa: S310
                    login_page = response.read().decode()
                break
            except OSError:
                assert server.poll() is None, "renkou demo exited early"
                assert time.monotonic() < deadline, "renkou demo did not start serving"
                time.sleep(0.3)
        assert "登录" in login_page
        with urllib.request.urlopen(base + "/static/web/renkou.css", timeout=5) as response:  # noqa: S310
            assert response.status == 200
            assert b"header.top" in response.read()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in output


# --- in-process: the command's parts --------------------------------------------------------

@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_demo_on_a_database_with_persons_only_adds_logins(units, monkeypatch):
    household = f.make_household("H-1", f.GROUP_A1)
    f.make_person("P-1", household)

    def must_not_load(**kwargs: Any) -> str:
        raise AssertionError("demo data loaded into a database that has persons")

    monkeypatch.setattr(demo, "load_demo_county", must_not_load)
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    memberships = {(m.user.username, m.unit_id, m.role, m.can_export_personal_data)
                   for m in Membership.objects.select_related("user")}
    assert memberships == {
        ("demo", f.COUNTY, "county_admin", True),
        ("township", f.TOWNSHIP_1, "township_clerk", False),
        ("village", f.VILLAGE_A, "village_worker", False),
    }
    assert get_user_model().objects.get(username="village").check_password("renkou-demo")
    text = out.getvalue()
    assert "已有 1 人" in text
    assert "already holds 1 persons" in text
    call_command("demo", "--no-serve", stdout=io.StringIO())  # idempotent
    assert Membership.objects.count() == 3


def test_demo_loads_into_an_empty_database(units, monkeypatch, settings, tmp_path):
    settings.RENKOU_HOME = tmp_path
    calls: list[dict[str, Any]] = []

    def fake_load(**kwargs: Any) -> str:
        calls.append(kwargs)
        f.make_person("P-1", f.make_household("H-1", f.GROUP_A1))
        return "persons 1"

    monkeypatch.setattr(demo, "load_demo_county", fake_load)
    call_command("demo", "--no-serve", "--persons", "1234", "--seed", "7",
                 stdout=io.StringIO())
    assert calls == [{"persons": 1234, "seed": 7, "out_dir": tmp_path / "demo-data",
                      "progress": False}]


def test_demo_serves_with_static_files_and_no_reloader(units, monkeypatch):
    f.make_person("P-1", f.make_household("H-1", f.GROUP_A1))
    served: list[tuple[Any, ...]] = []
    monkeypatch.setattr(demo, "call_command",
                        lambda *args, **kwargs: served.append((args, kwargs)))
    monkeypatch.setattr(demo, "start_worker", lambda: None)  # tests/jobs/test_demo_worker.py
    out = io.StringIO()
    call_command("demo", "--port", "8123", stdout=out)
    ((args, kwargs),) = served
    assert args == ("runserver", "127.0.0.1:8123")
    assert kwargs["insecure_serving"] is True
    assert kwargs["use_reloader"] is False
    assert "http://127.0.0.1:8123/" in out.getvalue()


def test_demo_without_a_county_says_so(db, monkeypatch):
    monkeypatch.setattr(demo, "load_demo_county", lambda **kwargs: "")
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert "No county unit" in out.getvalue()
    assert not get_user_model().objects.exists()


def test_demo_rejects_a_tiny_county(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="at least 100"):
        call_command("demo", "--no-serve", "--persons", "5", stdout=io.StringIO())


def test_createpersona(units):
    out = io.StringIO()
    call_command("createpersona", "wang", "--unit", f.VILLAGE_B, "--role", "village_worker",
                 stdout=out)
    user = get_user_model().objects.get(username="wang")
    password = out.getvalue().split("Initial password: ")[1].strip()
    assert user.check_password(password)
    call_command("createpersona", "wang", "--unit", f.TOWNSHIP_2, "--role", "auditor",
                 "--export", stdout=io.StringIO())
    assert {(m.unit_id, m.role, m.can_export_personal_data)
            for m in Membership.objects.filter(user=user)} == {
        (f.VILLAGE_B, "village_worker", False), (f.TOWNSHIP_2, "auditor", True)}
    from renkou.core.models import AuditEvent

    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "user.create", "membership.create", "membership.create"]


def test_createpersona_unknown_unit(units):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown unit"):
        call_command("createpersona", "x", "--unit", "999", "--role", "auditor",
                     stdout=io.StringIO())
