"""`ainas-bot check`, `renew` and `demo` as a user runs them, and what they leave behind."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import pytest

from tests.fixtures_cli import BOT, all_bytes, cli_env, write_config
from tests.fixtures_flow import FlowWorld

pytestmark = pytest.mark.e2e


def test_renew_cli_report_artifacts_and_no_secret_anywhere(flow_world: FlowWorld, tmp_path: Path) -> None:
    ok = flow_world.make_office()
    wrong_password = flow_world.make_office()
    wrong_password.environ[next(k for k in wrong_password.environ if k.startswith("PW_"))] = "wrong-Passw0rd-x"
    other = flow_world.take_notice()
    # An office this login does not administer: refused on 代理人組織検索, after the login (traced).
    foreign = flow_world.make_office(id=other.org_id)
    kits = [ok, wrong_password, foreign]
    config = write_config(tmp_path / "ainas.toml", flow_world, kits)
    report = tmp_path / "report.json"

    result = subprocess.run(
        [*BOT, "renew", "--all", "--config", str(config), "--report", str(report)],
        env=cli_env(kits),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    by_id = {o["office_id"]: o for o in data["offices"]}
    assert by_id[ok.office.id]["status"] == "updated"
    assert by_id[wrong_password.office.id]["reason"] == "auth"
    assert by_id[other.org_id]["reason"] == "auth"
    assert "RECAP" in result.stdout
    artifacts = [Path(p) for o in data["offices"] for p in o["artifacts"]]
    assert any(p.name == "trace.zip" for p in artifacts), artifacts
    assert any(p.name == "screen.png" for p in artifacts)
    for path in [*artifacts, report]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    secrets = [s for kit in kits for s in kit.secrets] + ["wrong-Passw0rd-x"]
    haystacks = [(Path("stdout"), result.stdout.encode()), (Path("stderr"), result.stderr.encode())]
    haystacks += [*all_bytes(tmp_path / "artifacts"), (report, report.read_bytes())]
    for secret in secrets:
        for encoded in (secret.encode("utf-8"), secret.encode("utf-16-le")):
            leaks = [str(p) for p, data in haystacks if encoded in data]
            assert not leaks, f"a secret appears in {leaks}"


def test_no_trace_keeps_the_failing_screen_without_a_trace(flow_world: FlowWorld, tmp_path: Path) -> None:
    other = flow_world.take_notice()
    foreign = flow_world.make_office(id=other.org_id)  # refused on 代理人組織検索, where a trace is running
    config = write_config(tmp_path / "ainas.toml", flow_world, [foreign])
    report = tmp_path / "report.json"

    result = subprocess.run(
        [*BOT, "renew", "--all", "--no-trace", "--config", str(config), "--report", str(report)],
        env=cli_env([foreign]),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 1, result.stderr
    [office] = json.loads(report.read_text(encoding="utf-8"))["offices"]
    assert office["reason"] == "auth"
    assert sorted(Path(p).name for p in office["artifacts"]) == ["page.html", "screen.png"]


def test_check_lists_every_problem_and_exits_2(flow_world: FlowWorld, tmp_path: Path) -> None:
    good = flow_world.make_office()
    bad = flow_world.make_office(trade_name_kana="山田事務所", postal_code="12345")
    config = write_config(tmp_path / "ainas.toml", flow_world, [good, bad])
    env = cli_env([good, bad])
    env[next(k for k in bad.environ if k.startswith("PIN_"))] = "not-the-pin"

    result = subprocess.run(
        [*BOT, "check", "--config", str(config)], env=env, capture_output=True, text=True, timeout=120, check=False
    )

    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert any(f"office {bad.office.id}" in line and "trade_name_kana" in line for line in lines)
    assert any(f"office {bad.office.id}" in line and "postal_code" in line for line in lines)
    assert any(f"office {bad.office.id}" in line and "wrong PIN" in line for line in lines)
    assert f"office {good.office.id}: ok" in result.stdout
    assert "not-the-pin" not in result.stdout + result.stderr


def test_renew_refuses_before_any_click_when_the_pin_is_wrong(flow_world: FlowWorld, tmp_path: Path) -> None:
    kit = flow_world.make_office()
    config = write_config(tmp_path / "ainas.toml", flow_world, [kit])
    env = cli_env([kit])
    env[next(k for k in kit.environ if k.startswith("PIN_"))] = "not-the-pin"
    before = flow_world.certificates(kit.office.id)

    result = subprocess.run(
        [*BOT, "renew", "--config", str(config), "--office", kit.office.id],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 3, result.stderr  # README "Exit codes": a certificate problem, one office or many
    assert "wrong PIN" in result.stderr
    assert flow_world.certificates(kit.office.id) == before


def test_plain_text_secret_in_settings_is_refused(flow_world: FlowWorld, tmp_path: Path) -> None:
    config = tmp_path / "ainas.toml"
    config.write_text('[[offices]]\nid = "1"\nlogin_id = "x"\nlogin_password = "hunter2-plain"\n', encoding="utf-8")

    result = subprocess.run(
        [*BOT, "check", "--config", str(config)],
        env=cli_env([]),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert "hunter2-plain" not in result.stderr
    # Every problem of the office, one line each: the plain secret and the keys it lacks.
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith(f"ainas-bot: {config}: office 1 (line 1): ") for line in lines)
    assert any(": login_password: a plain-text secret is not allowed here" in line for line in lines), lines
    assert any(": required keys are missing: client_cert, " in line for line in lines), lines


def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    result = subprocess.run(
        [*BOT, "demo", "--workspace", str(tmp_path / "demo")],
        env=cli_env([]),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "demo succeeded" in result.stdout
    assert result.stdout.count("updated") >= 3
    assert result.stdout.count("already-current") >= 3
