"""`--metrics FILE`: the node_exporter textfile read back with prometheus_client's own parser, and how it is
written (atomically, 0644, never through a symlink, `OutputError` naming the file, no temporary file left)."""

from __future__ import annotations

import datetime as dt
import errno
import os
import stat
from pathlib import Path
from typing import NoReturn

import pytest
from prometheus_client.parser import text_string_to_metric_families

from ainas_bot.errors import OutputError
from ainas_bot.fleet.metrics import FILE_MODE, OUTCOME_STATES, render_metrics, write_metrics
from ainas_bot.fleet.standing import Standing
from ainas_bot.foundation.jst import JST
from ainas_bot.i18n import _, use_language

TODAY = dt.date(2026, 5, 1)
WRITTEN_AT = dt.datetime(2026, 5, 1, 6, 0, tzinfo=JST)
OLD = b"# old metrics\nainas_metrics_written_timestamp_seconds 1\n"

Key = tuple[str, frozenset[tuple[str, str]]]


def make_standing(
    office_id: str = "1000001",
    *,
    office_name: str = "山田税理士事務所",
    registered: dt.date | None = None,
    local: dt.date | None = None,
    proved_on: dt.date | None = None,
    last_status: str | None = None,
    last_run_at: dt.datetime | None = None,
    today: dt.date = TODAY,
) -> Standing:
    return Standing(
        office_id=office_id,
        office_name=office_name,
        registered_expiry=registered,
        registered_fingerprint="aa" * 32 if registered else None,
        proved_on=proved_on,
        local_expiry=local,
        local_start=local.replace(year=local.year - 1) if local else None,
        local_fingerprint="bb" * 32 if local else None,
        local_file=f"/certs/{office_id}.p12" if local else None,
        last_status=last_status,
        last_reason="auth" if last_status == "failed" else None,
        last_screen=None,
        last_run_at=last_run_at,
        problem=None,
        today=today,
    )


def samples(text: str) -> dict[Key, float]:
    """Every sample of the exposition, by metric name and labels (the parser unescapes label values)."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def key(name: str, **labels: str) -> Key:
    return name, frozenset(labels.items())


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC).timestamp()


def left_behind(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


FLEET = [
    make_standing(
        "1000001",
        registered=dt.date(2026, 6, 30),
        local=dt.date(2027, 6, 30),
        proved_on=dt.date(2026, 4, 20),
        last_status="updated",
        last_run_at=dt.datetime(2026, 4, 20, 9, 30, tzinfo=JST),
    ),
    make_standing("1000002", office_name="佐藤会計", local=dt.date(2026, 12, 31)),  # registered unknown
    make_standing(
        "1000003",
        office_name="鈴木事務所",
        registered=dt.date(2026, 6, 15),  # 45 days left, no newer .p12: order now
        last_status="failed",
        last_run_at=dt.datetime(2026, 4, 30, 23, 0, tzinfo=dt.UTC),
    ),
]


def test_values_read_back(tmp_path: Path) -> None:
    path = tmp_path / "ainas.prom"
    write_metrics(path, FLEET, written_at=WRITTEN_AT)
    got = samples(path.read_text("utf-8"))
    expiry = "ainas_certificate_expiry_timestamp_seconds"
    # The end of the expiry day in Japan: 00:00 JST of the next day is 15:00 UTC of the day itself.
    assert got[key(expiry, office_id="1000001", certificate="registered")] == utc(2026, 6, 30, 15)
    assert got[key(expiry, office_id="1000001", certificate="local")] == utc(2027, 6, 30, 15)
    assert got[key(expiry, office_id="1000002", certificate="local")] == utc(2026, 12, 31, 15)
    assert key(expiry, office_id="1000002", certificate="registered") not in got
    assert key(expiry, office_id="1000003", certificate="local") not in got
    assert got[key("ainas_certificate_days_left", office_id="1000001")] == (dt.date(2027, 6, 30) - TODAY).days
    assert got[key("ainas_certificate_days_left", office_id="1000003")] == 45
    order = "ainas_order_new_certificate"
    assert [got[key(order, office_id=o)] for o in ("1000001", "1000002", "1000003")] == [0, 0, 1]
    assert got[key("ainas_office_info", office_id="1000002", office_name="佐藤会計")] == 1
    assert got[key("ainas_last_proved_timestamp_seconds", office_id="1000001")] == utc(2026, 4, 19, 15)
    assert got[key("ainas_last_run_timestamp_seconds", office_id="1000001")] == utc(2026, 4, 20, 0, 30)
    assert got[key("ainas_last_run_timestamp_seconds", office_id="1000003")] == utc(2026, 4, 30, 23)
    assert got[key("ainas_metrics_written_timestamp_seconds")] == utc(2026, 4, 30, 21)


def test_the_last_day_of_the_calendar_is_written_not_crashed_on() -> None:
    forever = make_standing("1000009", registered=dt.date(9999, 12, 31), local=dt.date(9999, 12, 31))
    got = samples(render_metrics([forever], written_at=WRITTEN_AT).decode())
    expiry = "ainas_certificate_expiry_timestamp_seconds"
    end = dt.datetime(9999, 12, 31, 15, tzinfo=dt.UTC).timestamp()  # the day's end in Japan
    assert got[key(expiry, office_id="1000009", certificate="registered")] == end
    assert got[key(expiry, office_id="1000009", certificate="local")] == end


def test_last_outcome_is_a_state_set() -> None:
    got = samples(render_metrics(FLEET, written_at=WRITTEN_AT).decode("utf-8"))
    states = {
        office: {s: got[key("ainas_last_outcome", office_id=office, status=s)] for s in OUTCOME_STATES}
        for office in ("1000001", "1000003")
    }
    assert states["1000001"] == {s: float(s == "updated") for s in OUTCOME_STATES}
    assert states["1000003"] == {s: float(s == "failed") for s in OUTCOME_STATES}
    # No recorded run: no outcome and no run time at all, rather than zeros that read as a state.
    assert not [k for k in got if k[0].startswith("ainas_last_") and ("office_id", "1000002") in k[1]]


def test_unknown_status_kept_as_a_state() -> None:
    got = samples(render_metrics([make_standing(last_status="skipped")], written_at=WRITTEN_AT).decode())
    assert got[key("ainas_last_outcome", office_id="1000001", status="skipped")] == 1
    assert sum(v for k, v in got.items() if k[0] == "ainas_last_outcome") == 1


def test_nothing_known_writes_only_what_is_known() -> None:
    text = render_metrics([make_standing()], written_at=WRITTEN_AT).decode()
    assert {k[0] for k in samples(text)} == {
        "ainas_office_info",
        "ainas_order_new_certificate",
        "ainas_metrics_written_timestamp_seconds",
    }
    assert "# HELP ainas_certificate_days_left " in text


@pytest.mark.parametrize(
    "name", ["山田税理士事務所（本店）", 'A "quoted" name', "back\\slash", "two\nlines", 'all "of\\ them\n', ""]
)
def test_office_name_round_trips(tmp_path: Path, name: str) -> None:
    path = tmp_path / "ainas.prom"
    write_metrics(path, [make_standing(office_name=name)], written_at=WRITTEN_AT)
    text = path.read_text("utf-8")
    assert text.count("ainas_office_info{") == 1  # a newline in the name did not break the line
    got = samples(text)
    assert got[key("ainas_office_info", office_id="1000001", office_name=name)] == 1


def test_naive_times_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        render_metrics([], written_at=dt.datetime(2026, 5, 1, 6, 0))
    with pytest.raises(ValueError, match="naive"):
        render_metrics([make_standing(last_run_at=dt.datetime(2026, 5, 1))], written_at=WRITTEN_AT)


def test_mode_is_0644_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "ainas.prom"
    old = os.umask(0o077)
    try:
        write_metrics(path, FLEET, written_at=WRITTEN_AT)
    finally:
        os.umask(old)
    info = path.lstat()
    assert stat.S_ISREG(info.st_mode)
    assert stat.S_IMODE(info.st_mode) == FILE_MODE == 0o644
    assert left_behind(tmp_path, {"ainas.prom"}) == []


def test_replaces_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "ainas.prom"
    path.write_bytes(OLD)
    path.chmod(0o600)
    write_metrics(path, FLEET, written_at=WRITTEN_AT)
    assert path.read_bytes() == render_metrics(FLEET, written_at=WRITTEN_AT)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert left_behind(tmp_path, {"ainas.prom"}) == []


def test_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "ainas.prom"
    with pytest.raises(OutputError) as caught:
        write_metrics(path, FLEET, written_at=WRITTEN_AT)
    assert str(caught.value) == f"metrics file {path}: cannot be written (No such file or directory)"
    assert left_behind(tmp_path, set()) == []


def test_folder_at_the_path(tmp_path: Path) -> None:
    path = tmp_path / "ainas.prom"
    path.mkdir()
    (path / "inside").write_text("x")
    with pytest.raises(OutputError, match=f"^metrics file {path}: cannot be written \\(Is a directory\\)$"):
        write_metrics(path, FLEET, written_at=WRITTEN_AT)
    assert path.is_dir()
    assert (path / "inside").read_text() == "x"
    assert left_behind(tmp_path, {"ainas.prom"}) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "textfile"
    folder.mkdir()
    path = folder / "ainas.prom"
    path.write_bytes(OLD)
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError, match=f"^metrics file {path}: cannot be written \\(Permission denied\\)$"):
            write_metrics(path, FLEET, written_at=WRITTEN_AT)
    finally:
        folder.chmod(0o755)
    assert path.read_bytes() == OLD
    assert left_behind(folder, {"ainas.prom"}) == []


def test_symlink_replaced_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "target.txt"
    target.write_bytes(b"not yours\n")
    target.chmod(0o600)
    path = tmp_path / "ainas.prom"
    path.symlink_to(target)
    write_metrics(path, FLEET, written_at=WRITTEN_AT)
    assert not path.is_symlink()
    assert stat.S_ISREG(path.lstat().st_mode)
    assert path.read_bytes() == render_metrics(FLEET, written_at=WRITTEN_AT)
    assert target.read_bytes() == b"not yours\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert left_behind(tmp_path, {"ainas.prom", "target.txt"}) == []


def test_failed_rename_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ainas.prom"
    path.write_bytes(OLD)
    seen: list[str] = []

    def refuse(src: str, dst: object) -> NoReturn:
        seen.append(Path(src).read_text("utf-8"))  # the new text was complete before the rename
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError, match=f"^metrics file {path}: cannot be written \\(Invalid cross-device link\\)$"):
        write_metrics(path, FLEET, written_at=WRITTEN_AT)
    assert seen == [render_metrics(FLEET, written_at=WRITTEN_AT).decode("utf-8")]
    assert path.read_bytes() == OLD
    assert left_behind(tmp_path, {"ainas.prom"}) == []


def test_disk_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ainas.prom"
    path.write_bytes(OLD)

    def full(fd: int) -> NoReturn:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError, match=f"^metrics file {path}: cannot be written \\(No space left on device\\)$"):
        write_metrics(path, FLEET, written_at=WRITTEN_AT)
    assert path.read_bytes() == OLD
    assert left_behind(tmp_path, {"ainas.prom"}) == []


def test_interrupt_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ainas.prom"
    path.write_bytes(OLD)

    def interrupt(fd: int) -> NoReturn:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_metrics(path, FLEET, written_at=WRITTEN_AT)
    assert path.read_bytes() == OLD
    assert left_behind(tmp_path, {"ainas.prom"}) == []


def test_render_failure_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ainas.prom"
    path.write_bytes(OLD)
    with pytest.raises(ValueError, match="naive"):
        write_metrics(path, FLEET, written_at=dt.datetime(2026, 5, 1))
    assert path.read_bytes() == OLD
    assert left_behind(tmp_path, {"ainas.prom"}) == []


def test_japanese_message(tmp_path: Path) -> None:
    """The message goes through the catalog (`metrics file` in Japanese once the catalog translates it)."""
    use_language("ja")
    path = tmp_path / "missing" / "ainas.prom"
    with pytest.raises(OutputError) as caught:
        write_metrics(path, FLEET, written_at=WRITTEN_AT)
    assert str(caught.value).startswith(f"{_('metrics file')} {path}: 書き込めません（")
