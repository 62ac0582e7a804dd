"""The console script end to end, in a child process on its own SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.exchange.conftest import base_rows, read_errors, write_files


def _renkou(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "renkou"
    return subprocess.run([str(script), *args], env=env, capture_output=True, text=True,
                          timeout=600, check=False)


def test_console_script_exit_status(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
           "LANGUAGE": "en"}
    rows = base_rows()
    # A fresh database has no units: give the ones the base extract uses.
    rows["orgunits"] = [
        ["410325000000", "嵩县", "county", "", ""],
        ["410325100000", "城关镇", "township", "410325000000", ""],
        ["410325100201", "李家村", "village", "410325100000", "220"],
        ["410325100201001", "一组", "group", "410325100201", ""],
        ["410325100201002", "二组", "group", "410325100201", ""],
        ["410325100202", "张庄村", "village", "410325100000", "220"],
        ["410325100202002", "张庄村二组", "group", "410325100202", ""],
    ]
    rows["persons"][0][3] = "7"
    bad = write_files(tmp_path / "bad", rows)
    result = _renkou("import", str(bad), env=env)
    assert result.returncode == 2, result.stderr
    assert "persons.csv" in result.stderr
    assert [(e["line"], e["column"]) for e in read_errors(bad)] == [("2", "sex")]

    rows["persons"][0][3] = "1"
    good = write_files(tmp_path / "good", rows)
    result = _renkou("import", str(good), env=env)
    assert result.returncode == 0, result.stderr
    result = _renkou("export", str(tmp_path / "out"), env=env)
    assert result.returncode == 0, result.stderr
    for name in ("households", "persons", "events"):
        assert (tmp_path / "out" / f"{name}.csv").read_bytes() == \
            (good / f"{name}.csv").read_bytes()
