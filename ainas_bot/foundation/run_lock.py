"""A lock file so that two runs never overlap (a cron job and an operator, or two timers)."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from ainas_bot.errors import LockHeldError
from ainas_bot.foundation.safe_files import open_private
from ainas_bot.i18n import _

__all__ = ["run_lock"]


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (holding this process's PID) for the `with` block.

    The kernel releases the lock when the process dies, even by SIGKILL: no stale locks.
    """
    # Never through a symlink (its target would be emptied), never a folder or a FIFO: one line each.
    fd = open_private(path, readable=True, truncate=False, what="lock_file")
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or _("unknown")
            raise LockHeldError(
                _("{path}: another run holds the lock (PID {pid}); not started").format(path=path, pid=holder)
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)
