"""One crawl at a time per database: an exclusive lock on a file beside it.

``flock`` locks belong to the open file, so the kernel releases the lock when the process ends,
however it ends (Ctrl-C, kill -9, power loss): a dead crawl never blocks the next one, and no
stale lock file has to be cleaned up. The file holds the holder's pid, for the message.
"""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType


class CrawlLocked(RuntimeError):
    """Another crawl holds the database."""


class CrawlLock:
    """``with CrawlLock("clinics.db"):`` — raises ``CrawlLocked`` if another crawl holds it."""

    def __init__(self, db_path: str | Path) -> None:
        self.db_path = Path(db_path)
        self.path = self.db_path.with_name(self.db_path.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise CrawlLocked(
                f"another crawl is already running on {self.db_path} ({holder}); "
                "wait for it to finish, or stop it first"
            ) from None
        os.ftruncate(fd, 0)
        started = datetime.now(UTC).isoformat(timespec="seconds")
        os.write(fd, f"pid {os.getpid()}, started {started}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the file releases the lock
            self._fd = None

    def __enter__(self) -> CrawlLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.release()
