"""One crawl per archive: an advisory lock beside the database file.

Cron may start a crawl while the previous one still runs; the second must exit at once with
its own exit code instead of fighting over the frontier. The lock is an ``flock`` on
``<archive>.lock``, released by the kernel even when the holder is killed with SIGKILL.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from .._exceptions import LockError, LockHeld

__all__ = ["ArchiveLock", "LockError", "LockHeld"]


class ArchiveLock:
    """``with ArchiveLock(db_path):`` -- raises :class:`LockHeld` if another crawl runs."""

    def __init__(self, db_path: Path | str) -> None:
        self.path = Path(f"{db_path}.lock")
        self._fd: int | None = None

    def __enter__(self) -> ArchiveLock:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise LockError(f"cannot create lock file {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise LockHeld(
                f"another crawl (pid {holder}) is using {self.path.with_suffix('')}; "
                "try again when it has finished"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
