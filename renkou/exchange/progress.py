"""A progress bar by phase, on a terminal only (SPEC §1: progress for long imports).

The phases of an import are few and uneven (reading a million rows takes a second,
validating them another), so the bar advances per phase and names the current one.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from tqdm import tqdm


class Progress:
    def __init__(self, *, enabled: bool, total: int,
                 on_phase: Callable[[str, str, int, int], None] | None = None) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        # Called as on_phase(key, label, phases done, total) when a phase starts (web jobs).
        self.on_phase = on_phase
        self.total = total
        self.bar: tqdm[Any] | None = None
        self.timings: dict[str, float] = {}
        self._current: str | None = None
        self._since = 0.0

    def __enter__(self) -> Progress:
        if self.enabled:
            self.bar = tqdm(total=self.total, file=sys.stderr, unit="step", leave=False,
                            bar_format="{desc:<32} {bar} {n_fmt}/{total_fmt} [{elapsed}]")
        return self

    def phase(self, key: str, label: str) -> None:
        """Start phase `key` (shown as the translated `label`); the previous one is done."""
        self._finish()
        self._current, self._since = key, time.perf_counter()
        if self.on_phase is not None:
            self.on_phase(key, label, len(self.timings), self.total)
        if self.bar is not None:
            self.bar.set_description_str(label)

    def _finish(self) -> None:
        if self._current is None:
            return
        self.timings[self._current] = round(time.perf_counter() - self._since, 3)
        if self.bar is not None:
            self.bar.update(1)
        self._current = None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._finish()
        if self.bar is not None:
            self.bar.close()
