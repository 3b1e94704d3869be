"""The sandbox's secrets on disk (its keys, the client .p12 files, the notices with their passwords).

Each file is written whole to a fresh owner-only file beside it and then renamed over the name: a reader
never sees half a key, and whatever sat at the name before (a symlink planted in the state folder
included) is replaced, not written through.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from ainas_bot.errors import OutputError
from ainas_bot.i18n import _

__all__ = ["write_owner_only"]


def _make_folder(folder: Path) -> None:
    """`folder` with each missing parent created owner-only; folders that exist are left as they are."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        with contextlib.suppress(FileExistsError):
            made.mkdir(mode=0o700)
            made.chmod(0o700)  # mkdir's mode passed through the umask


def _write_all(fd: int, data: bytes) -> None:
    written = 0
    while written < len(data):
        written += os.write(fd, data[written:])
    os.fsync(fd)


def write_owner_only(path: Path, data: bytes, *, what: str) -> None:
    """`data` as the whole content of `path`, mode 0600, replacing what was there; OutputError if it fails."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = -1
    try:
        _make_folder(path.parent)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        os.fchmod(fd, 0o600)
        _write_all(fd, data)
        os.close(fd)
        fd = -1
        # rename() replaces a symlink at `path` itself, never the file it points to; a folder there fails.
        os.replace(temporary, path)
    except OSError as exc:
        raise OutputError(
            _("{what} {path}: cannot be written ({reason})").format(
                what=what, path=path, reason=exc.strerror or type(exc).__name__
            )
        ) from None
    finally:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):
            temporary.unlink()
