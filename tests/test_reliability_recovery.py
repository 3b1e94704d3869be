"""Recovery from what stops a run from the outside: the sandbox restarted, the browser crashing, the
bot killed with SIGKILL. Whatever happens, every office ends updated
(or clearly failed) and no organisation ever gets a certificate registered twice."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from ainas_bot.certificates.factory import write_p12
from ainas_bot.sandbox import Sandbox
from tests.fixtures_cli import BOT, cli_env, write_config
from tests.fixtures_flow import BackgroundRun, FlowWorld, OfficeKit, assert_exactly_once, prepare

pytestmark = pytest.mark.e2e


def _wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)


def _active_serials(world: FlowWorld, org_id: str) -> Counter[str]:
    return Counter(str(c["serial"]) for c in world.certificates(org_id) if c["status"] == "active")


def _restart(sandbox: Sandbox, until: Callable[[], bool]) -> None:
    """Stop the sandbox (open connections are dropped), stay down `until` says, and start it again on
    the same port and state."""
    port = int(sandbox.origin.rsplit(":", 1)[1])
    sandbox.stop()
    _wait_until(until, 120, "an office to meet the stopped portal")
    sandbox.options.port = port
    sandbox.start()


def test_the_sandbox_restarted_mid_run(sandbox_world: Callable[..., FlowWorld]) -> None:
    world = sandbox_world(orgs=12, latency_ms=40)
    kits = [world.make_office() for _ in range(8)]
    settings = world.settings(timeout_seconds=5, retries=4, retry_backoff_seconds=0.5)
    offices = prepare(kits, settings)
    run = BackgroundRun(settings, offices, concurrency=4)

    def retries() -> int:
        return sum("retry" in line for line in run.events.lines)

    run.start()
    # Restart twice while offices are between their upload and their 確定.
    for _ in range(2):
        served = world.sandbox.requests_served
        _wait_until(lambda s=served: world.sandbox.requests_served > s + 25, 120, "the run to get going")  # type: ignore[misc]
        # Down until an office has met it: a restart quicker than that is hidden by the browser, which
        # sends a request again by itself when a kept-alive connection drops before any answer.
        before = retries()
        _restart(world.sandbox, lambda b=before: retries() > b)  # type: ignore[misc]
    outcomes = run.finish(300)

    assert {o.status for o in outcomes} <= {"updated", "resumed"}, [o for o in outcomes if not o.ok]
    assert any(o.attempts > 1 for o in outcomes), "the restarts cut some offices off"
    assert_exactly_once(world, offices)


def _browser_pids() -> list[int]:
    """The main processes of the browsers this test process launched (through the Playwright driver)."""
    pids = []
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            words = child.cmdline()
            if "--remote-debugging-pipe" in words and not any(w.startswith("--type=") for w in words):
                pids.append(child.pid)
    return pids


def test_a_browser_crash_mid_run(sandbox_world: Callable[..., FlowWorld]) -> None:
    world = sandbox_world(orgs=10, latency_ms=40)
    kits = [world.make_office() for _ in range(6)]
    settings = world.settings(timeout_seconds=10, retries=3)
    offices = prepare(kits, settings)
    run = BackgroundRun(settings, offices, concurrency=3)

    others = set(_browser_pids())  # a browser another test of this session keeps open is not the run's
    run.start()
    _wait_until(lambda: world.sandbox.requests_served > 30, 120, "the run to get going")
    browsers = [pid for pid in _browser_pids() if pid not in others]
    assert len(browsers) == 1, browsers
    os.kill(browsers[0], signal.SIGKILL)
    outcomes = run.finish(300)

    assert [o.status for o in outcomes if not o.ok] == [], outcomes
    assert any("browser lost" in line for line in run.events.lines), "the crash was noticed"
    assert_exactly_once(world, offices)


def _renew_office_certificates(kits: list[OfficeKit], round_no: int) -> None:
    """A new certificate for every office (another serial and expiry), as a new year's renewal brings."""
    for kit in kits:
        write_p12(kit.signing_cert, password=kit.pin, trade_name=kit.notice.org_name, valid_days=1000 + round_no)


@pytest.mark.slow
def test_killed_twenty_times_then_a_fresh_run(
    sandbox_world: Callable[..., FlowWorld], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """20 rounds: a new certificate per office, a run killed by SIGKILL at a random moment, a fresh run.

    After each round every organisation holds the round's certificate exactly once, active.
    """
    world = sandbox_world(orgs=20, latency_ms=20)
    kits = [world.make_office() for _ in range(10)]
    config = write_config(
        tmp_path / "ainas.toml",
        world,
        kits,
        concurrency=4,
        retry_backoff_seconds=0.2,
        lock_file=str(tmp_path / "run.lock"),
        audit_log=str(tmp_path / "audit.jsonl"),
    )
    env = cli_env(kits)
    rng = random.Random(20)  # kill moments, reproducible
    statuses: Counter[str] = Counter()
    for round_no in range(20):
        _renew_office_certificates(kits, round_no)
        served = world.sandbox.requests_served
        killed = subprocess.Popen(
            [*BOT, "renew", "--all", "--config", str(config)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # Kill after a random number of portal requests: anywhere from the first login to the last 確定
        # (a run of the 10 offices takes 140 requests without faults).
        target = served + rng.randint(1, 130)
        deadline = time.monotonic() + 120
        while world.sandbox.requests_served < target and killed.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert killed.poll() is None, f"round {round_no}: the run ended by itself before it could be killed"
        os.killpg(killed.pid, signal.SIGKILL)  # the bot, its Playwright driver and its browser, as systemd would
        killed.wait(timeout=30)

        report = tmp_path / f"report-{round_no}.json"
        fresh = subprocess.run(
            [*BOT, "renew", "--all", "--config", str(config), "--report", str(report)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

        if fresh.returncode != 0:
            failed = (
                [
                    o
                    for o in json.loads(report.read_text(encoding="utf-8"))["offices"]
                    if o["status"] not in ("updated", "resumed", "already-current")
                ]
                if report.exists()
                else []
            )
            pytest.fail(
                f"round {round_no}: the fresh run exited {fresh.returncode}; failed: {failed}; "
                f"stderr: {fresh.stderr[-3000:]}"
            )
        for kit in kits:
            active = _active_serials(world, kit.office.id)
            assert all(n == 1 for n in active.values()), (round_no, kit.office.id, active)
            pending = [c for c in world.certificates(kit.office.id) if c["status"] == "pending"]
            assert not pending, (round_no, kit.office.id, pending)
        statuses.update(o["status"] for o in json.loads(report.read_text(encoding="utf-8"))["offices"])
    # Each round registered a new certificate per office: 20 × 10 active records more than at the start.
    for kit in kits:
        assert sum(_active_serials(world, kit.office.id).values()) >= 20
    with capsys.disabled():  # the figures belong in the CI log (README, "Reliability")
        print(f"\n20 kills: fresh runs ended {dict(statuses)}")
