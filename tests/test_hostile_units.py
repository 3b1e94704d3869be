"""The pieces behind hostile runs and files, one by one: written paths, the private folder and its sweep, text on a rich
terminal, and the bytes uploaded being the bytes checked."""

from __future__ import annotations

import fcntl
import io
import os
from pathlib import Path

import pytest

from ainas_bot.certificates.factory import write_p12
from ainas_bot.cli.console import ConsoleEvents, print_recap
from ainas_bot.errors import ConfigError, OutputError, Reason
from ainas_bot.foundation.safe_files import child_path, make_private_dir
from ainas_bot.foundation.safe_text import csv_cell, markup_safe, shown
from ainas_bot.results.outcome import Outcome
from flows.browser.firefox_app import application_folder, install_folder
from flows.browser.profiles import checked_copy, private_folder, private_root, sweep
from tests.fixtures_flow import FlowWorld, prepare, run


def test_an_existing_folder_keeps_its_mode_and_names_cannot_leave_it(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o1777)  # like /tmp
    created = make_private_dir(shared / "a" / "b")
    assert created == [shared / "a", shared / "a" / "b"]
    assert shared.stat().st_mode & 0o7777 == 0o1777
    assert all(p.stat().st_mode & 0o777 == 0o700 for p in created)
    for name in ("..", ".", "", "x/../../victim", "a\0b"):
        with pytest.raises(OutputError):
            child_path(shared, name)
    assert child_path(shared, "20261201T000000Z-123") == shared / "20261201T000000Z-123"


def test_the_private_root_is_refused_when_it_is_not_private(tmp_path: Path) -> None:
    root = private_root(tmp_path)
    assert root.stat().st_mode & 0o777 == 0o700
    root.chmod(0o755)
    with pytest.raises(ConfigError, match="not a private folder"):
        private_root(tmp_path)
    root.rmdir()
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    root.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ConfigError, match="not a private folder"):
        private_root(tmp_path)


def test_the_sweep_removes_what_dead_runs_left_and_keeps_live_ones(tmp_path: Path) -> None:
    root = private_root(tmp_path)
    dead = root / "firefox-dead"
    (dead / "profile").mkdir(parents=True)
    (dead / "owner.lock").write_bytes(b"")  # its run is gone: nobody holds the lock
    no_lock = root / "upload-early"
    no_lock.mkdir()
    other = root / "not-ours"
    other.mkdir()
    with private_folder("firefox-", tmp=tmp_path) as live:
        assert not dead.exists() and not no_lock.exists() and other.exists()  # swept at the start
        dead.mkdir()
        (dead / "owner.lock").write_bytes(b"")
        assert sweep(root) == [dead]
        assert live.exists()
        fd = os.open(live / "owner.lock", os.O_RDONLY)
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.close(fd)
    assert not live.exists()


def test_the_firefox_application_copy_leaves_the_install_alone(tmp_path: Path) -> None:
    install = tmp_path / "firefox-esr-install"
    (install / "defaults" / "pref").mkdir(parents=True)
    for name in ("firefox-esr", "omni.ja", "libnss3.so", "defaults/pref/channel-prefs.js"):
        (install / name).write_bytes(b"x")
    (install / "defaults" / "pref" / "autoconfig.js").write_text('pref("general.config.filename", "site.cfg");')
    (install / "firefox-esr").chmod(0o755)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "firefox-esr").symlink_to(install / "firefox-esr")  # as /usr/bin/firefox-esr
    run = tmp_path / "run"
    run.mkdir()

    binary = application_folder(run, tmp_path / "bin" / "firefox-esr")

    app = run / "app"
    assert binary == app / "firefox-esr" and not binary.is_symlink(), "a symlinked binary finds the system's folder"
    assert (app / "omni.ja").readlink() == install / "omni.ja"
    assert (app / "defaults" / "pref" / "channel-prefs.js").readlink() == install / "defaults/pref/channel-prefs.js"
    ours = app / "defaults" / "pref" / "autoconfig.js"
    assert not ours.is_symlink() and '"ainas-bot.cfg"' in ours.read_text()
    assert (app / "ainas-bot.cfg").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in install.rglob("*")) == [
        "autoconfig.js",
        "channel-prefs.js",
        "defaults",
        "firefox-esr",
        "libnss3.so",
        "omni.ja",
        "pref",
    ]
    with pytest.raises(ConfigError, match="not the Firefox binary of a Firefox install"):
        install_folder(tmp_path / "bin")
    (install / "omni.ja").unlink()
    with pytest.raises(ConfigError, match=r"should hold omni\.ja"):
        install_folder(tmp_path / "bin" / "firefox-esr")


def test_a_checked_copy_holds_the_bytes_given_and_is_removed() -> None:
    with checked_copy("x/../cert.p12", b"checked bytes") as path:
        assert path.name == "certificate.p12" and path.read_bytes() == b"checked bytes"
        assert path.stat().st_mode & 0o777 == 0o600
    assert not path.exists()


_MARKUP = "[/bold]office[red] \x1b[2J\u202e"


def test_rich_markup_and_controls_in_outcomes_reach_a_terminal_as_text() -> None:
    outcome = Outcome(office_id="1", login_id="[/]", status="failed", reason=Reason.PORTAL_CHANGED, message=_MARKUP)
    stream = io.StringIO()
    events = ConsoleEvents(1, stream, interactive=True)  # the progress bar and rich printing, as on a terminal
    events.step("1", _MARKUP)
    events.done(outcome)
    events.close()
    print_recap([outcome], stream, interactive=True)
    print_recap([outcome], stream, interactive=False)
    text = stream.getvalue()
    assert "[/bold]office[red]" in text  # shown as written (the plain recap), never parsed as markup
    assert "\x1b[2J" not in text and "\u202e" not in text
    assert "<U+001B>" in text


def test_shown_csv_and_markup_helpers() -> None:
    assert shown("a\nb\u2066c") == "a<U+000A>b<U+2066>c"
    assert [csv_cell(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "ok", "ＡＢ")] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "<U+0009>x",
        "ok",
        "ＡＢ",
    ]
    assert markup_safe("[bold]") == "\\[bold]"


@pytest.mark.e2e
def test_the_bytes_checked_are_the_bytes_uploaded(flow_world: FlowWorld) -> None:
    kit = flow_world.make_office()
    settings = flow_world.settings()
    [office] = prepare([kit], settings)
    # After the check, the file is replaced by another valid certificate of the same office.
    write_p12(kit.signing_cert, password=kit.pin, trade_name=kit.notice.org_name, valid_days=900)
    [outcome] = run(settings, [office])
    assert outcome.status == "updated", outcome
    assert outcome.certificate_serial == office.certificate.serial
    active = [c for c in flow_world.certificates(kit.office.id) if c["status"] == "active"]
    assert office.certificate.serial in [c["serial"] for c in active]


def test_log_lines_show_controls_as_code_points() -> None:
    import logging

    from ainas_bot.foundation.safe_text import SafeFormatter

    record = logging.LogRecord("flows", logging.WARNING, __file__, 1, "dialog said %s", ("a\x1b[2J\nb",), None)
    assert SafeFormatter("%(message)s").format(record) == "dialog said a<U+001B>[2J\n  b"
