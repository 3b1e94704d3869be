"""The sandbox's own calendar (Japan time, the portal's `YYYY/MM/DD`) and its owner-only file writer."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from ainas_bot.errors import OutputError
from ainas_bot.sandbox._clock import JAPAN, japan_day, read_date, show_date
from ainas_bot.sandbox._files import write_owner_only


def test_the_day_is_the_day_in_japan() -> None:
    # 15:30 UTC is already the next day in Japan; 14:59 is not.
    assert japan_day(dt.datetime(2026, 3, 31, 15, 30, tzinfo=dt.UTC)) == dt.date(2026, 4, 1)
    assert japan_day(dt.datetime(2026, 3, 31, 14, 59, tzinfo=dt.UTC)) == dt.date(2026, 3, 31)
    new_york = dt.timezone(dt.timedelta(hours=-5))
    assert japan_day(dt.datetime(2026, 12, 31, 10, 0, tzinfo=new_york)) == dt.date(2027, 1, 1)
    assert dt.datetime(2026, 7, 1, tzinfo=dt.UTC).astimezone(JAPAN).isoformat() == "2026-07-01T09:00:00+09:00"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026/03/05", dt.date(2026, 3, 5)),
        ("2026/3/5", dt.date(2026, 3, 5)),  # as the unpadded screens show it
        (" 2026/12/31 ", dt.date(2026, 12, 31)),
        ("2028/02/29", dt.date(2028, 2, 29)),
    ],
)
def test_portal_dates_are_read(text: str, day: dt.date) -> None:
    assert read_date(text) == day


@pytest.mark.parametrize(
    "text", ["2026/02/30", "2027/02/29", "2026-03-05", "2026/03/05/", "26/03/05", "２０２６/03/05", "2026/003/05", ""]
)
def test_what_is_not_a_portal_date_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        read_date(text)


def test_portal_dates_are_shown_zero_padded() -> None:
    assert show_date(dt.date(2026, 3, 5)) == "2026/03/05"
    assert show_date(dt.date(2026, 12, 31)) == "2026/12/31"
    assert read_date(show_date(dt.date(2030, 1, 9))) == dt.date(2030, 1, 9)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_files_are_written_owner_only_and_whole(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "key.pem"
    write_owner_only(path, b"first", what="sandbox key")
    assert path.read_bytes() == b"first" and _mode(path) == 0o600
    assert _mode(path.parent) == 0o700 and _mode(path.parent.parent) == 0o700
    loose = tmp_path / "loose.json"
    loose.write_bytes(b"old and longer")
    loose.chmod(0o644)
    write_owner_only(loose, b"new", what="sandbox notices")
    assert loose.read_bytes() == b"new" and _mode(loose) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loose.json", "new"]  # no temporary file left


def test_a_symlink_at_the_name_is_replaced_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_bytes(b"not the sandbox's")
    link = tmp_path / "ca-key.pem"
    link.symlink_to(target)
    write_owner_only(link, b"key", what="sandbox key")
    assert target.read_bytes() == b"not the sandbox's"
    assert not link.is_symlink() and link.read_bytes() == b"key" and _mode(link) == 0o600


def test_what_cannot_be_written_is_an_output_error(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(OutputError, match=r"^sandbox key .*a-folder: cannot be written"):
        write_owner_only(folder, b"key", what="sandbox key")
    assert [p.name for p in tmp_path.iterdir()] == ["a-folder"]  # the temporary file is gone too


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_folder_is_an_output_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(OutputError, match=r"^sandbox notices .*locked/notices.json: cannot be written"):
        write_owner_only(locked / "notices.json", b"[]", what="sandbox notices")
