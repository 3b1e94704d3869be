"""Every command prints no Python warning: a dependency's deprecation must not reach an office's terminal or
cron mail. Each runs with warnings made errors (`-W error`, and `PYTHONWARNINGS` for the processes it starts),
so a warning anywhere fails the command and shows here, whatever catches it on the way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures_cli import cli_env, write_config
from tests.fixtures_flow import FlowWorld, OfficeKit

STRICT_BOT = [sys.executable, "-W", "error", "-m", "ainas_bot"]


def _strict(args: list[str], env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess[str]:
    run = subprocess.run(
        [*STRICT_BOT, *args],
        env={**env, "PYTHONWARNINGS": "error"},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert "Warning" not in run.stderr and "Traceback" not in run.stderr, run.stderr
    return run


def _pin_variable(kit: OfficeKit) -> str:
    return next(k for k in kit.environ if k.startswith("PIN_"))


@pytest.mark.e2e
def test_every_command_runs_without_a_warning(flow_world: FlowWorld, tmp_path: Path) -> None:
    kit = flow_world.make_office()
    config = write_config(tmp_path / "ainas.toml", flow_world, [kit])
    env = cli_env([kit])
    office = ["--config", str(config)]

    assert _strict(["inspect", str(kit.signing_cert), "--pin-env", _pin_variable(kit)], env).returncode == 0
    assert _strict(["check", *office], env).returncode == 0
    probe = _strict(["probe", "--office", kit.office.id, *office], env)
    assert probe.returncode == 0, probe.stderr
    renew = _strict(["renew", "--all", *office], env)
    assert renew.returncode == 0, renew.stderr
    assert "updated" in renew.stdout
    status = _strict(["status", *office], env)
    assert status.returncode == 0, status.stderr
    demo = _strict(["demo", "--workspace", str(tmp_path / "demo")], cli_env([]), timeout=600)
    assert demo.returncode == 0 and "demo succeeded" in demo.stdout, demo.stderr
