"""Runs stopped from outside or unable to write: the audit line of each office on disk as it ends,
SIGINT and SIGTERM writing what is known, an unwritable report or audit said after the recap, and Firefox
with its profile (the client key) gone with a bot killed by SIGKILL."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from ainas_bot.errors import EXIT_FAILED, EXIT_INTERRUPTED
from tests.fixtures_cli import BOT, cli_env, write_config
from tests.fixtures_flow import FlowWorld

pytestmark = pytest.mark.e2e


def _wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


@pytest.mark.parametrize(
    ("signum", "ctrl_c"),
    [
        (signal.SIGINT, signal.SIG_DFL),
        (signal.SIGTERM, signal.SIG_DFL),
        # A background job of a script (`sh -c 'ainas-bot renew … &'`) starts with Ctrl-C ignored: SIGTERM (kill,
        # a supervisor's stop) must still stop the run and record it.
        (signal.SIGTERM, signal.SIG_IGN),
    ],
    ids=["SIGINT", "SIGTERM", "SIGTERM-with-Ctrl-C-ignored"],
)
def test_a_signal_mid_run_leaves_every_ended_office_in_the_audit_and_the_report(
    sandbox_world: Callable[..., FlowWorld], tmp_path: Path, signum: int, ctrl_c: signal.Handlers
) -> None:
    world = sandbox_world(orgs=4, latency_ms=150)
    kits = [world.make_office() for _ in range(4)]
    audit = tmp_path / "audit.jsonl"
    config = write_config(tmp_path / "ainas.toml", world, kits, concurrency=1, audit_log=str(audit))
    report = tmp_path / "report.json"
    bot = subprocess.Popen(
        [*BOT, "renew", "--all", "--config", str(config), "--report", str(report)],
        env=cli_env(kits),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Set either way, not inherited: a test suite started in the background has Ctrl-C ignored itself.
        preexec_fn=lambda: signal.signal(signal.SIGINT, ctrl_c),  # noqa: PLW1509 - one call, in the fork only
    )

    # The first office's line is on disk while the run still works on the others.
    _wait_until(lambda: len(_lines(audit)) >= 1 or bot.poll() is not None, 120, "the first audit line")
    assert bot.poll() is None, "the run ended before the audit had a line: the audit is written at the end"
    bot.send_signal(signum)
    stdout, stderr = bot.communicate(timeout=60)

    assert bot.returncode == EXIT_INTERRUPTED, stderr
    assert "Traceback" not in stderr
    assert "RECAP" in stdout and "interrupted" in stderr
    offices = {o["office_id"]: o for o in json.loads(report.read_text(encoding="utf-8"))["offices"]}
    assert sorted(offices) == sorted(k.office.id for k in kits), "every office is in the report"
    audited = {str(line["office_id"]): line for line in _lines(audit)}
    assert sorted(audited) == sorted(offices), "every office is in the audit log, once"
    assert len(_lines(audit)) == len(kits)
    updated = [oid for oid, o in offices.items() if o["status"] == "updated"]
    assert updated, "the office whose audit line was waited for is updated"
    for oid, outcome in offices.items():
        assert outcome["status"] in ("updated", "failed"), outcome
        assert audited[oid]["outcome"] == outcome["status"]
        if outcome["status"] == "failed":
            assert outcome["reason"] == "interrupted", outcome
    for oid in updated:  # what the portal holds is what the records say
        assert any(
            c["status"] == "active" and c["serial"] == offices[oid]["certificate_serial"]
            for c in world.certificates(oid)
        ), oid


def test_an_unwritable_report_and_audit_are_said_after_the_recap(flow_world: FlowWorld, tmp_path: Path) -> None:
    kit = flow_world.make_office()
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("", encoding="utf-8")
    config = write_config(tmp_path / "ainas.toml", flow_world, [kit], audit_log="/dev/full")

    run = subprocess.run(
        [
            *BOT,
            "renew",
            "--office",
            kit.office.id,
            "--config",
            str(config),
            "--report",
            str(not_a_folder / "report.json"),
            "--report-csv",
            "/dev/full",
        ],
        env=cli_env([kit]),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert run.returncode == EXIT_FAILED, run.stderr
    assert "Traceback" not in run.stderr
    assert "RECAP" in run.stdout and f"{kit.office.id}" in run.stdout and "updated" in run.stdout
    assert "office(s) in" in run.stdout  # the summary line
    errors = [line for line in run.stderr.splitlines() if line.startswith("ainas-bot: ")]
    assert any(
        "audit log /dev/full" in e and "not a regular file" in e and "not in the audit log" in e for e in errors
    ), run.stderr
    assert any(str(not_a_folder) in e and "cannot be written (Not a directory)" in e for e in errors), run.stderr
    assert any("report /dev/full" in e and "not a regular file" in e for e in errors), run.stderr
    assert flow_world.certificates(kit.office.id), "the office was still updated on the portal"


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if text in " ".join(process.cmdline()):
                found.append(process.pid)
    return found


@pytest.mark.firefox
def test_firefox_and_its_profile_die_with_a_bot_killed_by_sigkill(
    sandbox_world: Callable[..., FlowWorld], tmp_path: Path
) -> None:
    world = sandbox_world(orgs=2, latency_ms=400)
    kit = world.make_office()
    config = write_config(tmp_path / "ainas.toml", world, [kit], browser="firefox")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    private = tmp / f"ainas-bot-{os.getuid()}"
    bot = subprocess.Popen(
        [*BOT, "renew", "--all", "--config", str(config)],
        env=cli_env([kit], TMPDIR=str(tmp)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_until(lambda: world.sandbox.requests_served > 0 or bot.poll() is not None, 120, "the first request")
        assert bot.poll() is None
        firefox = [p for p in _processes_mentioning(str(private)) if p != bot.pid]
        assert firefox, "no Firefox runs with its profile in the private folder"
        assert list(private.glob("firefox-*/profile/key4.db")), "the profile holding the key is not there"
        assert private.stat().st_mode & 0o777 == 0o700

        os.kill(bot.pid, signal.SIGKILL)  # the bot alone, not its process group: nobody cleans up after it
        bot.wait(timeout=30)

        _wait_until(lambda: not _processes_mentioning(str(private)), 30, "Firefox to end with the bot")
        _wait_until(lambda: not list(private.glob("firefox-*")), 30, "the profile to be removed")
    finally:
        if bot.poll() is None:
            os.killpg(bot.pid, signal.SIGKILL)
        for pid in _processes_mentioning(str(private)):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.firefox
def test_sigterm_with_firefox_leaves_no_profile(sandbox_world: Callable[..., FlowWorld], tmp_path: Path) -> None:
    world = sandbox_world(orgs=2, latency_ms=300)
    kit = world.make_office()
    config = write_config(
        tmp_path / "ainas.toml", world, [kit], browser="firefox", audit_log=str(tmp_path / "audit.jsonl")
    )
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    private = tmp / f"ainas-bot-{os.getuid()}"
    bot = subprocess.Popen(
        [*BOT, "renew", "--all", "--config", str(config)],
        env=cli_env([kit], TMPDIR=str(tmp)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_until(lambda: world.sandbox.requests_served > 0 or bot.poll() is not None, 120, "the first request")
    assert list(private.glob("firefox-*/profile")), "no profile in the private folder"
    bot.send_signal(signal.SIGTERM)
    _, stderr = bot.communicate(timeout=60)
    assert bot.returncode == EXIT_INTERRUPTED, stderr
    assert "Traceback" not in stderr
    assert not list(private.iterdir()), "the profile (the client key) outlived the run"
    assert not _processes_mentioning(str(private))
    assert [line["outcome"] for line in _lines(tmp_path / "audit.jsonl")] == ["failed"]


def test_the_console_stopped_mid_run_records_its_run_as_the_cli_does(
    sandbox_world: Callable[..., FlowWorld], tmp_path: Path
) -> None:
    """SIGTERM to `ainas-bot web` while its run works: the run is interrupted as the CLI's would be (every office in
    the audit log, once, the unfinished ones as interrupted), then the console ends, saying so."""
    import httpx

    world = sandbox_world(orgs=4, latency_ms=150)
    kits = [world.make_office() for _ in range(4)]
    audit = tmp_path / "audit.jsonl"
    config = write_config(tmp_path / "ainas.toml", world, kits, concurrency=1, audit_log=str(audit))
    console = subprocess.Popen(
        [*BOT, "web", "--no-browser", "--port", "0", "--config", str(config)],
        env=cli_env(kits),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert console.stdout is not None
        url = console.stdout.readline().split(" ")[2]
        origin = url.split("/?")[0]
        with httpx.Client(follow_redirects=True, timeout=30) as client:
            page = client.get(url)
            csrf = page.text.split('"X-CSRF-Token": "')[1].split('"')[0]
            form = {"kind": "renew", "office": [k.office.id for k in kits]}
            started = client.post(f"{origin}/runs", data=form, headers={"Origin": origin, "X-CSRF-Token": csrf})
        assert started.status_code == 204, started.text
        _wait_until(lambda: len(_lines(audit)) >= 1 or console.poll() is not None, 120, "the first audit line")
        assert console.poll() is None
    finally:
        console.send_signal(signal.SIGTERM)
        _out, stderr = console.communicate(timeout=150)

    assert console.returncode == EXIT_INTERRUPTED, stderr
    assert "Traceback" not in stderr and "実行 1 の途中で停止しました" in stderr  # the console speaks Japanese
    audited = _lines(audit)
    assert sorted(str(line["office_id"]) for line in audited) == sorted(k.office.id for k in kits)
    assert {line["outcome"] for line in audited} <= {"updated", "failed"}
    assert any(line["outcome"] == "updated" for line in audited)
    assert all(line["reason"] == "interrupted" for line in audited if line["outcome"] == "failed")
    assert any(line["outcome"] == "failed" for line in audited), "the run was still under way when it was stopped"
