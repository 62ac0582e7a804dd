"""`renkou demo` starts the database worker as a child process and stops it with the server:
a task queued in the demo's database is run by that worker, and after the server ends the
worker process is gone. Runs the installed console script on its own SQLite file."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.core.test_cli import RENKOU, _env, _free_port


def _worker_pid(output_lines: list[str]) -> int | None:
    for line in output_lines:
        if "Background worker started (pid" in line:
            return int(line.rsplit("pid", 1)[1].strip(" )\n"))
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie not yet reaped still answers kill(0): look at its state
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split()[2] != "Z"


def test_demo_runs_a_worker_that_stops_with_the_server(tmp_path):
    home = tmp_path
    prepared = subprocess.run([str(RENKOU), "demo", "--no-serve", "--persons", "100"],
                              env=_env(home), capture_output=True, text=True, timeout=600,
                              check=False)
    assert prepared.returncode == 0, prepared.stderr
    database = home / "renkou.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO jobs_taskrecord (id, task_path, backend_name, queue_name, priority, "
            "args_kwargs, status, enqueued_at, errors, worker_ids) VALUES (?, ?, ?, ?, 0, ?, "
            "'READY', '2026-01-01 00:00:00', '[]', '[]')",
            ["t-ping", "renkou.jobs.tasks.ping", "default", "default",
             json.dumps({"args": [], "kwargs": {}})])
    port = _free_port()
    server = subprocess.Popen([str(RENKOU), "demo", "--port", str(port)], env=_env(home),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        assert server.stdout is not None
        deadline = time.monotonic() + 60
        pid = None
        while pid is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            lines.append(line)
            pid = _worker_pid(lines)
        assert pid is not None, "".join(lines)
        status = None
        while time.monotonic() < deadline:
            with sqlite3.connect(database) as db:
                status, value = db.execute("SELECT status, return_value FROM jobs_taskrecord "
                                           "WHERE id = 't-ping'").fetchone()
            if status == "SUCCESSFUL":
                break
            time.sleep(0.3)
        assert (status, json.loads(value)) == ("SUCCESSFUL", "pong")
        while True:  # the server answers too
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/",  # noqa: S310
                                            timeout=10) as page:
                    assert page.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "renkou demo did not start serving"
                time.sleep(0.3)
        assert _alive(pid)
    finally:
        server.terminate()
        server.communicate(timeout=60)
    stopped = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < stopped:
        time.sleep(0.2)
    assert not _alive(pid)
