"""Run every benchmark in turn (`make bench`); each prints one JSON line per figure.

Datasets are generated with `renkou synth` into bench/data/ (git-ignored) and reused.
Pass --persons to use a smaller county for a quick look.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    commands = [
        [sys.executable, str(HERE / "bench_import.py"), "--persons", str(args.persons),
         "--runs", str(args.runs)],
        [sys.executable, str(HERE / "bench_stats.py"), "--persons", str(args.persons),
         "--runs", str(args.runs)],
        [sys.executable, str(HERE / "bench_reports.py"), "--runs", str(args.runs)],
    ]
    status = 0
    for command in commands:
        status |= subprocess.call(command)  # noqa: S603 — our own scripts
    return status


if __name__ == "__main__":
    raise SystemExit(main())
