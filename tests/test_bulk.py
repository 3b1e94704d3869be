"""Many offices and unattended runs, end to end against the sandbox."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from ainas_bot.config.browsers import find_executable
from ainas_bot.foundation.run_lock import run_lock
from tests.fixtures_cli import BOT, cli_env, write_config
from tests.fixtures_flow import FlowWorld, OfficeKit, prepare, run

pytestmark = pytest.mark.e2e


def _new_active(world: FlowWorld, org_id: str, before: list[dict[str, object]]) -> list[dict[str, object]]:
    old = {c["serial"] for c in before}
    return [c for c in world.certificates(org_id) if c["serial"] not in old]


@pytest.mark.slow
def test_fifty_offices_at_concurrency_8_with_faults(sandbox_world: Callable[..., FlowWorld]) -> None:
    world = sandbox_world(orgs=64, fault_rate=0.05, seed=11)
    kits = [world.make_office() for _ in range(50)]
    before = {k.office.id: world.certificates(k.office.id) for k in kits}
    settings = world.settings(retries=6, timeout_seconds=20)
    offices = prepare(kits, settings)

    started = time.monotonic()
    outcomes = run(settings, offices, concurrency=8)
    elapsed = time.monotonic() - started

    assert Counter(o.status for o in outcomes) == {"updated": 50}, [o for o in outcomes if o.status != "updated"]
    assert any(o.attempts > 1 for o in outcomes), "a 5% fault rate should have forced some retries"
    for kit, office in zip(kits, offices, strict=True):
        new = _new_active(world, kit.office.id, before[kit.office.id])
        assert [(c["serial"], c["status"]) for c in new] == [(office.certificate.serial, "active")]
    print(
        f"50 offices, concurrency 8, fault rate 0.05: {elapsed:.1f} s, {sum(o.attempts for o in outcomes) - 50} retries"
    )


def test_offices_sharing_a_login_run_in_one_session(flow_world: FlowWorld) -> None:
    by_login: dict[str, list[str]] = {}
    for n in flow_world.sandbox.notices:
        by_login.setdefault(n.admin_login_id, []).append(n.org_id)
    _login, org_ids = next((k, v) for k, v in by_login.items() if len(v) >= 2)
    notices = [n for n in flow_world.sandbox.notices if n.org_id in org_ids]
    kits = [flow_world.make_office(n) for n in notices]
    settings = flow_world.settings()
    offices = prepare(kits, settings)
    events: list[str] = []

    outcomes = run(settings, offices, events=events, concurrency=4)

    assert [o.status for o in outcomes] == ["updated"] * len(kits)
    assert sum(1 for e in events if "ログイン:" in e) == 1, "one login for the whole group"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_inventory_in_each_encoding(flow_world: FlowWorld, tmp_path: Path, encoding: str) -> None:
    kit = flow_world.make_office()
    data = kit.office.model_dump(mode="json")
    refs = {k: f"env:{v['env']}" for k, v in data.items() if isinstance(v, dict)}
    header = (
        "代理人組織ID,ログインID,パスワード,クライアント証明書,クライアント証明書パスワード,署名用証明書,PIN,"
        "屋号（カナ）,氏名又は代表者名（カナ）,郵便番号"
    )
    row = ",".join(
        [
            data["id"],
            data["login_id"],
            refs["login_password"],
            data["client_cert"],
            refs["client_cert_password"],
            data["signing_cert"],
            refs["pin"],
            data["trade_name_kana"],
            "ヤマダ　タロウ",
            "〒100-0013",
        ]
    )
    (tmp_path / "offices.csv").write_bytes(f"{header}\r\n{row}\r\n".encode(encoding))
    config = write_config(tmp_path / "ainas.toml", flow_world, [], inventory="offices.csv")

    result = subprocess.run(
        [*BOT, "renew", "--all", "--dry-run", "--config", str(config)],
        env=cli_env([kit]),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "would-register" in result.stdout


def test_retry_file_selects_the_failed_offices(flow_world: FlowWorld, tmp_path: Path) -> None:
    kits = [flow_world.make_office() for _ in range(3)]
    config = write_config(tmp_path / "ainas.toml", flow_world, kits)
    report = tmp_path / "earlier.json"
    report.write_text(
        json.dumps(
            {
                "offices": [
                    {"office_id": kits[0].office.id, "status": "updated"},
                    {"office_id": kits[1].office.id, "status": "failed"},
                    {"office_id": kits[2].office.id, "status": "already-current"},
                ]
            }
        ),
        encoding="utf-8",
    )

    result = subprocess.run(
        [*BOT, "renew", "--office", f"@{report}", "--dry-run", "--config", str(config)],
        env=cli_env(kits),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    recap = result.stdout.split("RECAP", 1)[1]
    assert kits[1].office.id in recap
    assert f"\n{kits[0].office.id} " not in recap and f"\n{kits[2].office.id} " not in recap


def test_lock_held_by_another_run(flow_world: FlowWorld, tmp_path: Path) -> None:
    kit = flow_world.make_office()
    config = write_config(tmp_path / "ainas.toml", flow_world, [kit], lock_file="run.lock")

    with run_lock(tmp_path / "run.lock"):
        result = subprocess.run(
            [*BOT, "renew", "--all", "--config", str(config)],
            env=cli_env([kit]),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert result.returncode == 4
    assert f"PID {os.getpid()}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_scheduled_is_quiet_on_success_and_calls_on_failure(flow_world: FlowWorld, tmp_path: Path) -> None:
    good = flow_world.make_office()
    config = write_config(tmp_path / "ainas.toml", flow_world, [good], audit_log="audit.jsonl")

    quiet = subprocess.run(
        [*BOT, "renew", "--all", "--scheduled", "--config", str(config)],
        env=cli_env([good]),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    assert len(quiet.stdout.strip().splitlines()) == 1
    assert "updated=1" in quiet.stdout
    audit = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert audit[-1]["office_id"] == good.office.id and audit[-1]["outcome"] == "updated"
    assert oct((tmp_path / "audit.jsonl").stat().st_mode & 0o777) == "0o600"

    bad = flow_world.make_office()
    bad.environ[next(k for k in bad.environ if k.startswith("PW_"))] = "wrong-password-1"
    marker = tmp_path / "on_failure.txt"
    hook = [sys.executable, "-c", f"import sys, pathlib; pathlib.Path({str(marker)!r}).write_text(sys.argv[1])"]
    config = write_config(tmp_path / "ainas2.toml", flow_world, [bad], on_failure=hook, report_dir="reports")

    loud = subprocess.run(
        [*BOT, "renew", "--all", "--scheduled", "--config", str(config)],
        env=cli_env([bad]),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert loud.returncode == 1
    assert "RECAP" in loud.stdout and "auth" in loud.stdout
    report = Path(marker.read_text())
    assert report.parent == tmp_path / "reports"
    assert json.loads(report.read_text(encoding="utf-8"))["offices"][0]["status"] == "failed"


def test_status_reports_days_left_and_warns(flow_world: FlowWorld, tmp_path: Path) -> None:
    today = dt.date.today()
    soon = None
    for n in flow_world._free:  # an organisation whose registered certificate expires within 30 days
        active = [c for c in flow_world.certificates(n.org_id) if c["status"] == "active"]
        expiries = sorted(dt.date.fromisoformat(str(c["not_after"])) for c in active)
        if expiries and 16 < (expiries[-1] - today).days <= 30:
            soon, days = n, (expiries[-1] - today).days
            break
    assert soon is not None, "the seed has organisations expiring within 30 days"
    flow_world._free.remove(soon)
    # The local certificate is older than the registered one (yet not under the 14 days refused before the
    # portal): nothing to replace it with.
    expiring = flow_world.make_office(soon, cert={"valid_days": days - 1})
    fresh = flow_world.make_office()
    config = write_config(tmp_path / "ainas.toml", flow_world, [expiring, fresh])

    result = subprocess.run(
        [*BOT, "status", "--all", "--json", "--config", str(config)],
        env=cli_env([expiring, fresh]),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 1, result.stderr
    rows = {r["office_id"]: r for r in json.loads(result.stdout)["offices"]}
    assert "no newer local .p12" in rows[expiring.office.id]["warning"]
    assert 16 < rows[expiring.office.id]["days_left"] <= 30
    assert rows[fresh.office.id]["warning"] is None
    assert rows[fresh.office.id]["would"] == "would-register"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _process_group(pgid: int) -> list[psutil.Process]:
    """The live processes of a process group (zombies waiting for their parent count as ended)."""
    members = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error, ProcessLookupError):
            if os.getpgid(process.pid) == pgid and process.status() != psutil.STATUS_ZOMBIE:
                members.append(process)
    return members


@pytest.fixture
def browser_server(tmp_path: Path) -> Iterator[str]:
    """`playwright run-server` in a process group of its own: the Python wrapper starts a Node driver, which
    starts browsers, and ending the wrapper alone leaves them running after the suite."""
    port = _free_port()
    with (tmp_path / "run-server.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "playwright", "run-server", "--host", "127.0.0.1", "--port", str(port), "--unsafe"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert proc.poll() is None and time.monotonic() < deadline, "playwright run-server did not start"
            time.sleep(0.1)
        yield f"ws://127.0.0.1:{port}/"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        # Read the group again after each wait: a browser the driver was starting as the signal came is a
        # member the first reading did not have.
        deadline = time.monotonic() + 20
        while (group := _process_group(proc.pid)) and time.monotonic() < deadline:
            for straggler in psutil.wait_procs(group, timeout=5)[1]:
                straggler.kill()
        proc.wait(timeout=10)
        assert _process_group(proc.pid) == [], "run-server left processes behind"


def test_remote_browser_endpoint(flow_world: FlowWorld, browser_server: str) -> None:
    kits: list[OfficeKit] = [flow_world.make_office() for _ in range(2)]
    settings = flow_world.settings(browser_endpoint=browser_server, executable_path=find_executable("chromium"))
    offices = prepare(kits, settings)

    outcomes = run(settings, offices, concurrency=2)

    assert [o.status for o in outcomes] == ["updated", "updated"], outcomes
