"""Progress of a long crawl: one line on a terminal, rewritten in place; silence elsewhere.

Cron, systemd and pipes get nothing from here, only the command's closing summary.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """``progress.update(done=3, pages=40, errors=1, note="glow-spa")`` → ``[3/14 clinics] 40 pages, 1 errors, 5s glow-spa``."""

    def __init__(self, total: int, *, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self._width = 0

    def update(self, *, done: int, pages: int, errors: int, note: str = "") -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        line = (f"[{done}/{self.total} clinics] {pages} pages, {errors} errors, "
                f"{elapsed:.0f}s {note}").rstrip()
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)

    def close(self) -> None:
        """Ends the progress line, so that the summary starts on a line of its own."""
        if self.enabled and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0
