"""Firefox profiles in a private folder: owner-only, removed when their run ends, swept when a run died.

A profile holds the office's client key (imported by `pk12util`, under a password kept off the disk). It
lives, next to the run's copy of the Firefox application, under `TMPDIR/ainas-bot-UID/` (0700, this
user's, never a symlink), one folder per profile with a lock the live run holds: a folder whose lock
can be taken belongs to a run that is gone (SIGKILL, a crash, a power cut) and is removed at the next
start.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shlex
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ainas_bot.errors import ConfigError
from ainas_bot.foundation.safe_files import open_private, write_private
from ainas_bot.i18n import _
from flows.browser.firefox_app import application_folder

__all__ = ["ProfileFolder", "checked_copy", "private_folder", "private_root", "profile_folder", "sweep"]

_LOCK = "owner.lock"
_PREFIXES = ("firefox-", "upload-")


def private_root(tmp: Path) -> Path:
    """`tmp/ainas-bot-UID`, created owner-only; refused when it exists and is not this user's private folder."""
    root = tmp / f"ainas-bot-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        root.mkdir(mode=0o700)
    info = root.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise ConfigError(
            _(
                "{path}: not a private folder of this user (a symlink, someone else's, or open to "
                "others); remove it so the bot can keep its Firefox profiles there"
            ).format(path=root)
        )
    return root


def sweep(root: Path) -> list[Path]:
    """Remove the profile folders of runs that are gone; returns those removed."""
    removed: list[Path] = []
    for folder in root.iterdir():
        if not folder.name.startswith(_PREFIXES) or not folder.is_dir() or folder.is_symlink():
            continue
        try:
            fd = os.open(folder / _LOCK, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            fd = None  # died before its lock existed
        except OSError:
            continue
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a live run's
        finally:
            if fd is not None:
                os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


class ProfileFolder:
    """A held profile folder: `profile` for Firefox, `executable` the leash that runs Firefox (its private
    application copy, `flows.browser.firefox_app`)."""

    def __init__(self, folder: Path, firefox: Path) -> None:
        self.folder = folder
        self.profile = folder / "profile"
        self.profile.mkdir(mode=0o700)
        binary = application_folder(folder, firefox)
        self.executable = folder / "firefox"
        # Playwright runs `executable_path` itself: a script that starts Firefox under the leash.
        leash = [sys.executable, "-I", "-m", "flows.browser.leash", str(os.getpid()), str(folder), str(binary)]
        write_private(
            self.executable,
            f'#!/bin/sh\nexec {shlex.join(leash)} "$@"\n'.encode(),
            exclusive=True,
            mode=0o700,
            what="Firefox launcher",
        )


@contextlib.contextmanager
def private_folder(prefix: str, *, tmp: Path | None = None) -> Iterator[Path]:
    """A fresh folder in the private root, locked while in use and removed afterwards; leftovers of runs
    that are gone are swept first."""
    root = private_root(tmp or Path(tempfile.gettempdir()))
    sweep(root)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=root))
    fd = open_private(folder / _LOCK, readable=True, exclusive=True, what="profile lock")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)


@contextlib.contextmanager
def profile_folder(firefox: Path, *, tmp: Path | None = None) -> Iterator[ProfileFolder]:
    """A private folder for one Firefox profile and the leash that runs Firefox on it."""
    with private_folder("firefox-", tmp=tmp) as folder:
        yield ProfileFolder(folder, firefox)


@contextlib.contextmanager
def checked_copy(name: str, data: bytes) -> Iterator[Path]:
    """`data` as a private file called `name`, for a file input: the bytes that were checked are the bytes
    uploaded, whatever happens to the original file meanwhile (replaced, truncated, a FIFO swapped in)."""
    if not name or "/" in name or name in (".", ".."):
        name = "certificate.p12"
    with private_folder("upload-") as folder:
        path = folder / name
        write_private(path, data, exclusive=True, what="upload copy")
        yield path
