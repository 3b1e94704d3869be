"""Owner-only writing (`open_private`, `write_private`): what it makes, and each thing it refuses. No browser."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ainas_bot.errors import OutputError
from ainas_bot.foundation.safe_files import open_private, write_private


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_a_new_file_and_its_missing_folders_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0)  # the modes are the helper's own, not a kind umask's
    try:
        path = tmp_path / "made" / "deeper" / "report.json"
        write_private(path, b"first\n", sync=True, what="report")
        write_private(path, b"second\n", append=True, what="report")
        assert path.read_bytes() == b"first\nsecond\n"
        assert (_mode(path), _mode(tmp_path / "made"), _mode(tmp_path / "made" / "deeper")) == (0o600, 0o700, 0o700)
        write_private(path, b"again\n", what="report")  # not appending: emptied first
        assert path.read_bytes() == b"again\n"
        script = tmp_path / "made" / "launcher"
        write_private(script, b"#!/bin/sh\n", exclusive=True, mode=0o700, what="launcher")
        assert _mode(script) == 0o700
    finally:
        os.umask(old)


def test_an_existing_file_open_to_others_is_narrowed_to_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_bytes(b"line\n")
    path.chmod(0o644)
    write_private(path, b"more\n", append=True, what="audit log")
    assert (_mode(path), path.read_bytes()) == (0o600, b"line\nmore\n")


def test_a_symlink_is_refused_and_its_target_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "precious"
    target.write_bytes(b"keep me")
    link = tmp_path / "report.json"
    link.symlink_to(target)
    with pytest.raises(OutputError, match=r"^report .*report\.json: cannot be written \(it is a symlink; refused\)$"):
        write_private(link, b"x", what="report")
    with pytest.raises(OutputError, match="it is a symlink"):
        open_private(link, append=True, what="audit log")
    assert target.read_bytes() == b"keep me"


@pytest.mark.parametrize(
    ("kind", "said"),
    [("folder", r"cannot be written \(Is a directory\)"), ("FIFO", "is a FIFO, not a regular file; refused")],
)
def test_a_folder_or_a_fifo_is_refused(tmp_path: Path, kind: str, said: str) -> None:
    path = tmp_path / "lock"
    if kind == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)  # opened without blocking: no writer waits here for a reader
    with pytest.raises(OutputError, match=rf"^lock_file .*lock: {said}$"):
        open_private(path, readable=True, truncate=False, what="lock_file")


def test_exclusive_refuses_a_file_that_exists_and_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "autoconfig.js"
    path.write_bytes(b"someone else's")
    with pytest.raises(OutputError, match=r"^Firefox AutoConfig .*autoconfig\.js: cannot be written \(File exists\)$"):
        write_private(path, b"ours", exclusive=True, what="Firefox AutoConfig")
    assert path.read_bytes() == b"someone else's"


def test_a_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_bytes(b"")
    with pytest.raises(OutputError, match=r"plain-file/sub: cannot create the folder \(Not a directory\)$"):
        write_private(blocker / "sub" / "report.json", b"x", what="report")


def test_a_device_is_refused_before_anything_is_written() -> None:
    with pytest.raises(OutputError, match=r"^report /dev/null: is a device, not a regular file; refused$"):
        write_private(Path("/dev/null"), b"x", what="report")


def test_a_lock_is_not_emptied_until_its_holder_says_so(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    path.write_bytes(b"4242\n")
    fd = open_private(path, readable=True, truncate=False, what="lock_file")
    try:
        assert os.pread(fd, 32, 0) == b"4242\n"
    finally:
        os.close(fd)
