"""Reading and writing files that may be hostile: FIFOs, devices, symlinks, folders, endless files.

Reads open without blocking (a FIFO would otherwise wait forever for a writer), take regular files only
and stop one byte past their limit. Writes never follow a symlink at the last component, where a
planted link would make the bot truncate or append to a file of the link's choosing.

Every file the bot writes (reports, the audit log, the lock, the verified record, failure artifacts,
snapshots, Firefox profile files, upload copies, demo secrets) goes through `open_private` or
`write_private`: a regular file, never reached through a symlink, created owner-only (0600, or the
`mode` given) with its missing folders owner-only too, an existing file of this user's made owner-only,
`exclusive` refusing one that exists, and `sync` on disk when the call returns.

A file that cannot be used is an error made by `AinasBotError.about`: the file, what is wrong with it and what to
do, kept apart on the error and joined into its one line only when it is shown.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ainas_bot.errors import AinasBotError, ConfigError, OutputError
from ainas_bot.i18n import N_, _

__all__ = [
    "MAX_INVENTORY_BYTES",
    "MAX_SECRET_BYTES",
    "child_path",
    "make_private_dir",
    "open_private",
    "read_regular",
    "read_secret_line",
    "write_private",
]

# A secret is one line (a PIN, a password); 4 KiB is far beyond any of them.
MAX_SECRET_BYTES = 4096
# An inventory line is about 300 bytes: 16 MiB holds some 50 000 offices.
MAX_INVENTORY_BYTES = 16 * 1024 * 1024


def _kind(mode: int) -> str:
    """What the file is instead of a regular file, as a noun the messages name."""
    for test, name in (
        (stat.S_ISDIR, N_("a folder")),
        (stat.S_ISFIFO, N_("a FIFO")),
        (stat.S_ISCHR, N_("a device")),
        (stat.S_ISBLK, N_("a device")),
        (stat.S_ISSOCK, N_("a socket")),
    ):
        if test(mode):
            return _(name)
    return _("not a regular file")


def read_regular(path: Path, *, limit: int, what: str, error: type[AinasBotError] = ConfigError) -> bytes:
    """The bytes of the regular file `path`, at most `limit`; `error` with a line starting `what` otherwise."""
    label = f"{what} {path}" if what else str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise error.about(label, _("does not exist")) from None
    except OSError as exc:
        raise error.about(label, _("cannot be opened ({reason})").format(reason=exc.strerror)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise error.about(
                label,
                _("is {kind}, not a regular file").format(kind=_kind(mode)),
                _("give the file itself"),
            )
        chunks: list[bytes] = []
        size = 0
        while size <= limit and (chunk := os.read(fd, min(65536, limit + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise error.about(label, _("cannot be read ({reason})").format(reason=exc.strerror)) from None
    finally:
        os.close(fd)
    if size > limit:
        raise error.about(
            label, _("is larger than {limit} bytes").format(limit=limit), _("this cannot be the right file")
        )
    return b"".join(chunks)


def read_secret_line(path: Path, *, what: str) -> tuple[str, bool]:
    """(the first line of the secret file `path`, whether others may read it).

    A symlink is followed only to a file that is owner-only and this user's: a link planted in a
    secrets folder must not turn another file (a key, a config of someone else) into a typed password.
    """
    try:
        link = path.lstat()
        target = path.stat() if stat.S_ISLNK(link.st_mode) else link
    except FileNotFoundError:
        raise ConfigError(_("{what}: secret file {path} does not exist").format(what=what, path=path)) from None
    except OSError as exc:
        raise ConfigError(
            _("{what}: secret file {path} cannot be read ({reason})").format(what=what, path=path, reason=exc.strerror)
        ) from None
    if stat.S_ISLNK(link.st_mode) and (target.st_mode & 0o077 or target.st_uid != os.getuid()):
        raise ConfigError(
            _(
                "{what}: secret file {path} is a symlink to a file that is not owner-only; refused "
                "(point it at a file of yours with chmod 600, or copy the secret there)"
            ).format(what=what, path=path)
        )
    data = read_regular(path, limit=MAX_SECRET_BYTES, what=_("{what}: secret file").format(what=what))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(_("{what}: secret file {path} is not UTF-8 text").format(what=what, path=path)) from None
    first = text.splitlines()[0] if text else ""
    return first, bool(target.st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def make_private_dir(folder: Path) -> list[Path]:
    """Create `folder` and each missing parent owner-only, returning those it created; a folder that exists
    (someone else's, the system's temporary folder) keeps its mode."""
    created: list[Path] = []
    try:
        for missing in reversed([p for p in (folder, *folder.parents) if not p.exists()]):
            try:
                missing.mkdir(mode=0o700)
            except FileExistsError:
                continue  # made meanwhile by someone else: not ours to chmod
            os.chmod(missing, 0o700)  # mkdir's mode passes through the umask
            created.append(missing)
    except OSError as exc:
        raise OutputError(
            _("{folder}: cannot create the folder ({reason})").format(folder=folder, reason=exc.strerror)
        ) from None
    return created


def child_path(folder: Path, name: str) -> Path:
    """`folder / name` for a name made of the bot's own parts; anything that could leave `folder` is refused."""
    if not name or name in (".", "..") or "/" in name or "\0" in name:
        raise OutputError(
            _("{folder}: refusing to write a file named {name} (it would leave the folder)").format(
                folder=folder, name=repr(name)
            )
        )
    return folder / name


def open_private(
    path: Path,
    *,
    append: bool = False,
    truncate: bool | None = None,
    readable: bool = False,
    exclusive: bool = False,
    mode: int = 0o600,
    what: str = "file",
) -> int:
    """An owner-only descriptor on the regular file `path` (created when missing, refused when it exists and
    `exclusive`), never through a symlink; emptied unless `append` (or `truncate=False`, for a lock that must
    be held before it is emptied)."""
    make_private_dir(path.parent)
    flags = (
        (os.O_RDWR if readable else os.O_WRONLY)
        | os.O_CREAT
        | os.O_NOFOLLOW
        | os.O_NONBLOCK
        | os.O_CLOEXEC
        | (os.O_APPEND if append else 0)
        | (os.O_EXCL if exclusive else 0)
    )
    try:
        fd = os.open(path, flags, mode)
    except OSError as exc:
        if exc.errno == 40:  # ELOOP: O_NOFOLLOW met a link
            raise OutputError(
                _("{what} {path}: cannot be written (it is a symlink; refused)").format(what=what, path=path)
            ) from None
        raise OutputError(
            _("{what} {path}: cannot be written ({reason})").format(what=what, path=path, reason=exc.strerror)
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(
                _("{what} {path}: is {kind}, not a regular file; refused").format(
                    what=what, path=path, kind=_kind(info.st_mode)
                )
            )
        # A file made earlier, or by a looser tool, is narrowed; another user's file is left as it is.
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & ~mode & 0o777:
            os.fchmod(fd, stat.S_IMODE(info.st_mode) & mode)
        os.set_blocking(fd, True)
        if truncate if truncate is not None else not append:
            os.ftruncate(fd, 0)
    except OSError as exc:
        os.close(fd)
        raise OutputError(
            _("{what} {path}: cannot be written ({reason})").format(what=what, path=path, reason=exc.strerror)
        ) from None
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_private(
    path: Path,
    data: bytes,
    *,
    append: bool = False,
    exclusive: bool = False,
    sync: bool = False,
    mode: int = 0o600,
    what: str = "file",
) -> None:
    """`data` written to `path` as `open_private` opens it; with `sync`, on disk when this returns (an audit
    line must survive a crash of the run right after)."""
    fd = open_private(path, append=append, exclusive=exclusive, mode=mode, what=what)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if sync:
            os.fsync(fd)
    except OSError as exc:
        raise OutputError(
            _("{what} {path}: cannot be written ({reason})").format(what=what, path=path, reason=exc.strerror)
        ) from None
    finally:
        os.close(fd)
