"""What `renew`, `status`, `check` and `sandbox state` print and write: the name beside every office
ID, Japan time, one line per event and per outcome, the progress bar, the recap and the summary, the exit
codes of runs of one office and many, serials as the certificate's bytes."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from ainas_bot.certificates.factory import write_p12
from ainas_bot.cli.console import ConsoleEvents, estimate_seconds_left
from ainas_bot.results.outcome import Outcome
from tests.fixtures_cli import cli_env, write_config
from tests.fixtures_flow import FlowWorld, OfficeKit

BOT = [sys.executable, "-m", "ainas_bot"]
NOW = dt.datetime.now(dt.UTC)
JST_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00 \[")
SERIAL = 0x0DCFABE2_0123_4567_89AB_CDEF_0123_4567  # a leading zero nibble, as in the issue
SERIAL_HEX = "0DCFABE20123456789ABCDEF01234567"  # what `openssl x509 -serial` prints for it


def _bot(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*BOT, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def _var(kit: OfficeKit, prefix: str) -> str:
    return next(k for k in kit.environ if k.startswith(prefix))


def _wrong(kit: OfficeKit, prefix: str) -> OfficeKit:
    return dataclasses.replace(kit, environ={**kit.environ, _var(kit, prefix): "Wr0ng-Value-7731"})


def _recap_line(stdout: str, office_id: str) -> str:
    recap = stdout.split("RECAP\n", 1)[1]
    return next(line for line in recap.splitlines() if line.startswith(f"{office_id} "))


@pytest.mark.e2e
def test_a_run_without_a_terminal_names_offices_in_japan_time_once_per_outcome(
    flow_world: FlowWorld, tmp_path: Path
) -> None:
    ok = flow_world.make_office(cert={"serial": SERIAL})
    ok2 = flow_world.make_office()
    soon = flow_world.make_office(cert={"not_before": NOW - dt.timedelta(days=700), "valid_days": 710})
    wrong_pin = _wrong(flow_world.make_office(), "PIN_")
    kits = [ok, ok2, soon, wrong_pin]
    config = write_config(tmp_path / "ainas.toml", flow_world, kits, audit_log=str(tmp_path / "audit.jsonl"))
    report, report_csv = tmp_path / "R.json", tmp_path / "R.csv"

    run = _bot(
        "renew",
        "--all",
        "--dry-run",
        "--config",
        str(config),
        "--report",
        str(report),
        "--report-csv",
        str(report_csv),
        env=cli_env(kits),
    )

    # Two offices refused on their certificate (a wrong PIN, 14 days left): 3, the code they share.
    assert run.returncode == 3, run.stderr
    lines = run.stderr.splitlines()
    assert lines and all(JST_STAMP.match(line) for line in lines), lines
    for kit in kits:
        mine = [line for line in lines if f"[{kit.office.id}] " in line]
        outcomes = [line for line in mine if f"[{kit.office.id}] outcome " in line]
        assert len(outcomes) == 1, mine
        assert not any(
            line.endswith(("] would-register", "] failed")) or "dry run: would" in line or "] failed: " in line
            for line in mine
        ), mine
    (line,) = [x for x in lines if f"[{ok.office.id}] outcome " in x]
    assert "outcome would-register: would register the certificate expiring " in line, line
    # The recap: the name beside each ID (the portal's 代理人組織名, else the certificate's 屋号).
    for kit in (ok, ok2, soon):
        assert kit.notice.org_name in _recap_line(run.stdout, kit.office.id), run.stdout
    assert f"; JSON report {report}; CSV report {report_csv}" in run.stdout.splitlines()[-1]

    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["generated_at"].endswith("+09:00")
    by_id = {o["office_id"]: o for o in data["offices"]}
    assert by_id[ok.office.id]["office_name"] == ok.notice.org_name
    assert by_id[soon.office.id]["office_name"] == soon.notice.org_name  # refused before the portal: its 屋号
    assert by_id[wrong_pin.office.id]["office_name"] == ""  # its certificate did not open: no name known
    assert by_id[ok.office.id]["certificate_serial"] == SERIAL_HEX
    rows = list(csv.DictReader(io.StringIO(report_csv.read_text(encoding="utf-8-sig"))))
    assert list(rows[0])[:2] == ["office_id", "office_name"]
    assert {r["office_id"]: r["office_name"] for r in rows}[ok2.office.id] == ok2.notice.org_name
    audit = [json.loads(x) for x in (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(audit) == 4 and all(a["time"].endswith("+09:00") for a in audit)
    audited = {a["office_id"]: a for a in audit}
    assert audited[ok.office.id]["office_name"] == ok.notice.org_name
    assert audited[ok.office.id]["certificate_serial"] == SERIAL_HEX


@pytest.mark.e2e
def test_status_prints_column_headers_and_names(flow_world: FlowWorld, tmp_path: Path) -> None:
    ok = flow_world.make_office()
    wrong_pin = _wrong(flow_world.make_office(), "PIN_")
    config = write_config(tmp_path / "ainas.toml", flow_world, [ok, wrong_pin])

    run = _bot("status", "--all", "--config", str(config), env=cli_env([ok, wrong_pin]))

    assert run.returncode == 1, run.stderr  # the wrong PIN is a warning
    header, *rows = run.stdout.splitlines()
    assert header.split() == ["office", "name", "registered", "days", "left", "local", ".p12", "would", "warning"]
    line = next(r for r in rows if r.startswith(f"{ok.office.id} "))
    assert ok.notice.org_name in line and "would-register" in line
    assert cell_len(line[: line.index("would-register")]) == header.index("would"), (header, line)  # in columns
    bad = next(r for r in rows if r.startswith(f"{wrong_pin.office.id} "))
    assert "wrong PIN" in bad
    data = json.loads(_bot("status", "--all", "--json", "--config", str(config), env=cli_env([ok, wrong_pin])).stdout)
    assert {r["office_id"]: r["office_name"] for r in data["offices"]} == {
        ok.office.id: ok.notice.org_name,
        wrong_pin.office.id: "",
    }


def _on_a_terminal(args: list[str], env: dict[str, str], timeout: float = 300) -> tuple[int, str, str]:
    """Run the bot with stderr on a pseudo-terminal (the progress bar's place); (exit code, terminal, stdout)."""
    master, slave = pty.openpty()
    seen = bytearray()
    with subprocess.Popen(
        [*BOT, *args],
        env={**env, "COLUMNS": "200", "TERM": "xterm-256color"},
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
    ) as proc:
        os.close(slave)
        deadline = dt.datetime.now() + dt.timedelta(seconds=timeout)
        while dt.datetime.now() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the other side closed: the bot has ended
                    break
                if not chunk:
                    break
                seen += chunk
            elif proc.poll() is not None:
                break
        os.close(master)
        stdout, _ = proc.communicate(timeout=30)
        code = proc.returncode
    out = stdout.decode()
    terminal = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode(errors="replace"))
    return code, terminal, out


@pytest.mark.e2e
def test_the_progress_bar_says_dry_run_and_gives_no_eta_before_an_office_has_ended(
    flow_world: FlowWorld, tmp_path: Path
) -> None:
    wrong_pin = _wrong(flow_world.make_office(), "PIN_")  # ended before the portal: no pace from it
    kits = [wrong_pin, flow_world.make_office(), flow_world.make_office()]
    config = write_config(tmp_path / "ainas.toml", flow_world, kits, concurrency=1)

    code, terminal, _ = _on_a_terminal(["renew", "--all", "--dry-run", "--config", str(config)], cli_env(kits))

    assert code == 3, terminal
    assert "dry run (looking, changing nothing)" in terminal and "renewing" not in terminal
    first_at_portal = terminal.index("would-register")
    before = re.findall(r"ETA (\S+)", terminal[:first_at_portal])
    after = re.findall(r"ETA (\S+)", terminal[first_at_portal:])
    assert before and set(before) == {"–"}, before  # not 0:00:01 with offices left: no pace yet
    assert any(re.fullmatch(r"\d+:\d\d:\d\d", eta) for eta in after), after


def test_an_office_line_is_on_screen_before_the_eta_it_gives() -> None:
    """The bar redraws from its own thread: whatever it draws while an office's line is being printed must
    not already carry the pace of that office (CI once saw `ETA 0:00:02` above the first outcome)."""
    events = ConsoleEvents(2, io.StringIO(), interactive=True)
    progress = events._progress
    assert progress is not None
    seen_while_printing: list[float | None] = []
    printing = progress.console.print

    def print_and_look(*args: object, **kwargs: object) -> None:
        seen_while_printing.append(events.seconds_left())
        printing(*args, **kwargs)  # type: ignore[arg-type]

    progress.console.print = print_and_look  # type: ignore[method-assign]
    try:
        events.portal_started()
        events.done(Outcome(office_id="10000001", login_id="u1", status="would-register"))
        assert seen_while_printing == [None]
        assert events.seconds_left() is not None  # and right after its line, the pace is known
    finally:
        events.close()


def test_the_estimate_is_the_pace_of_the_offices_ended() -> None:
    assert estimate_seconds_left(0.001, 0, 18) is None
    assert estimate_seconds_left(40.0, 2, 18) == 360.0
    assert estimate_seconds_left(40.0, 20, 0) == 0.0


@pytest.mark.e2e
def test_exit_codes_of_mixed_failures_and_the_sandbox_state(flow_world: FlowWorld, tmp_path: Path) -> None:
    ok = flow_world.make_office()
    wrong_password = _wrong(flow_world.make_office(), "PW_")
    wrong_pin = _wrong(flow_world.make_office(), "PIN_")
    kits = [ok, wrong_password, wrong_pin]
    config = write_config(tmp_path / "ainas.toml", flow_world, kits)

    run = _bot("renew", "--all", "--dry-run", "--config", str(config), env=cli_env(kits))

    # A refused login (auth) beside a wrong PIN (certificate): their classes differ, so 1.
    assert run.returncode == 1, run.stderr
    assert "auth" in _recap_line(run.stdout, wrong_password.office.id)
    assert "certificate" in _recap_line(run.stdout, wrong_pin.office.id)

    state = _bot("sandbox", "state", "--state", str(flow_world.sandbox.options.state_dir), env=cli_env([]))
    assert state.returncode == 0, state.stderr
    orgs = {o["org_id"]: o for o in json.loads(state.stdout)}
    (refused,) = [u for u in orgs[wrong_password.office.id]["users"] if u["login_id"] == wrong_password.office.login_id]
    assert (refused["failed_logins"], refused["locked"], refused["sessions"]) == (1, False, [])
    (used,) = [u for u in orgs[ok.office.id]["users"] if u["login_id"] == ok.office.login_id]
    assert used["failed_logins"] == 0 and not used["locked"]
    assert [s["ended"] for s in used["sessions"]] == ["logout"]
    assert used["sessions"][0]["started"].endswith("+09:00")
    assert orgs[ok.office.id]["certificates"], "the certificate records are still there"


def test_exit_codes_of_runs_refused_before_the_portal(flow_world: FlowWorld, tmp_path: Path) -> None:
    """No browser: every office is refused by the checks. One class shared gives its code; two give 1."""
    pins = [_wrong(flow_world.make_office(), "PIN_") for _ in range(2)]
    kana = flow_world.make_office(trade_name_kana="ジムショ２")
    for kits, expected in (([pins[0]], 3), (pins, 3), ([kana], 2), ([pins[0], kana], 1)):
        config = write_config(tmp_path / "ainas.toml", flow_world, kits)
        run = _bot("renew", "--all", "--config", str(config), env=cli_env(kits), timeout=120)
        assert run.returncode == expected, (len(kits), run.stdout, run.stderr)


def test_a_run_with_nothing_to_do_prints_no_recap(flow_world: FlowWorld, tmp_path: Path) -> None:
    kit = flow_world.make_office()
    config = write_config(tmp_path / "ainas.toml", flow_world, [kit])
    earlier = tmp_path / "earlier.json"
    earlier.write_text(json.dumps({"offices": [{"office_id": kit.office.id, "status": "updated"}]}), encoding="utf-8")

    run = _bot("renew", "--office", f"@{earlier}", "--config", str(config), env=cli_env([kit]), timeout=120)

    assert run.returncode == 0, run.stderr
    assert "RECAP" not in run.stdout
    assert run.stdout.splitlines() == [run.stdout.splitlines()[-1]]
    assert "0 office(s)" in run.stdout and "nothing to do" in run.stdout


def test_check_says_which_p12_of_a_folder_it_picked_and_why_not_the_others(
    flow_world: FlowWorld, tmp_path: Path
) -> None:
    kit = flow_world.make_office()
    folder = tmp_path / "signing"
    folder.mkdir()
    names = {"trade_name": kit.notice.org_name}
    write_p12(folder / "new.p12", password=kit.pin, valid_days=1000, **names)
    write_p12(folder / "older.p12", password=kit.pin, valid_days=900, **names)
    write_p12(
        folder / "expired.p12",
        password=kit.pin,
        not_before=NOW - dt.timedelta(days=800),
        not_after=NOW - dt.timedelta(days=3),
        **names,
    )
    write_p12(folder / "future.p12", password=kit.pin, not_before=NOW + dt.timedelta(days=3), valid_days=700, **names)
    write_p12(folder / "other-pin.p12", password="another-PIN-1", valid_days=1100, **names)
    (folder / "broken.p12").write_bytes(b"not a certificate\n" * 10)
    kit = dataclasses.replace(kit, office=kit.office.model_copy(update={"signing_cert": folder}))
    config = write_config(tmp_path / "ainas.toml", flow_world, [kit])

    run = _bot("check", "--config", str(config), env=cli_env([kit]), timeout=120)

    assert run.returncode == 0, run.stderr
    prefix = f"office {kit.office.id}: "
    mine = [line.removeprefix(prefix) for line in run.stdout.splitlines() if line.startswith(prefix)]
    picked = [line for line in mine if line.startswith("picked ")]
    assert len(picked) == 1 and picked[0].startswith(f"picked new.p12 in {folder}: "), mine
    assert "its pin opens" in picked[0] and "it expires last" in picked[0]
    passed = {
        line.split(":", 1)[0].removeprefix("passed over "): line.split(": ", 1)[1]
        for line in mine
        if line.startswith("passed over ")
    }
    assert sorted(passed) == ["broken.p12", "expired.p12", "future.p12", "older.p12", "other-pin.p12"], mine
    assert passed["other-pin.p12"] == "another PIN, the office's pin does not open it"
    assert passed["expired.p12"].startswith("it expired on ")
    assert passed["future.p12"].startswith("it is not valid yet on ")
    assert passed["older.p12"].startswith("older, it expires on ") and "before new.p12" in passed["older.p12"]
    assert passed["broken.p12"].startswith("unreadable or unusable (")


def test_log_lines_carry_japan_time_with_its_offset(tmp_path: Path) -> None:
    """Log lines (the formatter `main` installs) are stamped as every other time is: Japan time, +09:00."""
    # main() installs the formatter; a logger used before the command runs shows what every log line gets.
    config = tmp_path / "ainas.toml"
    config.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AINAS_")} | {"TZ": "UTC"}
    script = (
        "import logging, sys\n"
        "from ainas_bot.cli import main as cli\n"
        "real = cli._parser\n"
        "def parser():\n"
        "    logging.getLogger('ainas_bot.test').warning('a line to read')\n"
        "    return real()\n"
        "cli._parser = parser\n"
        "sys.exit(cli.main(['check', '--config', sys.argv[1]]))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(config)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    (line,) = [x for x in run.stderr.splitlines() if "a line to read" in x]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00 WARNING ainas_bot\.test: a line to read$", line), line
