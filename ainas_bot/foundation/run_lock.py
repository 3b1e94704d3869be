"""A lock file so that two runs never overlap (a cron job and an operator, or two timers)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from ainas_bot.errors import LockHeldError
from ainas_bot.foundation.safe_files import open_private
from ainas_bot.i18n import _

__all__ = ["lock_holder", "run_lock"]


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
            holder = _written_pid(fd) or _("unknown")
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


def _written_pid(fd: int) -> str:
    """What the holder wrote into the lock file: its PID, or nothing once it has ended."""
    return os.pread(fd, 32, 0).decode("ascii", "replace").strip()


def lock_holder(path: Path) -> int | None:
    """The PID of another process's run holding the lock on `path`, or None; for showing, never for deciding.

    Read without taking the lock: a scheduled run starting at that instant must not find it held by someone who only
    looked. The holder wrote its PID and empties the file when it ends; one killed outright leaves its PID but no live
    process. (A reused PID may be shown as a holder; the lock itself still decides when a run starts.)
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None  # missing, a symlink, unreadable: no run of ours holds it there
    try:
        text = _written_pid(fd) if stat.S_ISREG(os.fstat(fd).st_mode) else ""
    finally:
        os.close(fd)
    pid = int(text) if text.isdigit() else 0
    if pid <= 0 or pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # another user's live process
    return pid
