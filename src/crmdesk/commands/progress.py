"""Progress of long work on standard error: a live line on a terminal, else a few lines."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, label: str, total: int) -> None:
        self.label, self.total = label, max(total, 1)
        self._tty = sys.stderr.isatty()
        self._started = time.monotonic()
        self._last_percent = -1
        self._shown = False

    def update(self, done: int) -> None:
        self._shown = True
        percent = done * 100 // self.total
        if self._tty:
            sys.stderr.write(f"\r{self.label}: {done:,} of {self.total:,} ({percent}%)")
            sys.stderr.flush()
        elif percent // 10 != self._last_percent // 10 or done == self.total:
            sys.stderr.write(f"{self.label}: {done:,} of {self.total:,} ({percent}%)\n")
        self._last_percent = percent

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self._tty and self._shown:
            sys.stderr.write("\n")
        if exc_type is not None:
            # Refused or failed: the error is what the person needs to read, not a
            # "finished" line before it (nothing is printed before the work started).
            return
        seconds = time.monotonic() - self._started
        sys.stderr.write(f"{self.label}: finished in {seconds:.1f} s\n")
