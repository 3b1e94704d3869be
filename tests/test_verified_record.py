"""Runs with nothing to do: the verified record, what `renew` skips for it, what `status` corrects,
and the .p12 facts kept by file digest (all through the CLI against one sandbox, requests counted by it)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ainas_bot.checks.prepare import check_offices
from ainas_bot.errors import OutputError
from ainas_bot.foundation.jst import JST
from ainas_bot.record.due import portal_due
from ainas_bot.record.p12_cache import P12Cache
from ainas_bot.record.store import Verified, VerifiedStore
from tests.fixtures_cli import cli_env, write_config
from tests.fixtures_flow import FlowWorld, OfficeKit

BOT = [sys.executable, "-m", "ainas_bot"]
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=JST)
FP = "AB:CD"


def _record(days_ago: float, fingerprint: str = FP) -> Verified:
    return Verified("1001", fingerprint, "山田事務所", "2026/11/01 10:00", NOW - dt.timedelta(days=days_ago))


@pytest.mark.parametrize(
    ("record", "verify", "due"),
    [
        (None, False, "no verification recorded"),
        (_record(1), False, None),
        (_record(29.9), False, None),
        (_record(30), False, "reverify_days 30"),
        (_record(1, "EF:01"), False, "not the one last verified"),
        (_record(-1), False, "in the future"),
        (_record(1), True, "--verify"),
    ],
)
def test_portal_due_is_decided_from_the_record_alone(record: Verified | None, verify: bool, due: str | None) -> None:
    why = portal_due(record, FP, NOW, reverify_days=30, verify=verify)
    assert (why is None) if due is None else (why is not None and due in why)


def _cli(
    args: list[str],
    config: Path,
    kits: list[OfficeKit],
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BOT, *args, "--config", str(config)],
        env=env or cli_env(kits),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _no_browser(tmp_path: Path) -> tuple[Path, Path]:
    """An executable that leaves a mark when anything tries to start it as the browser."""
    marker = tmp_path / "browser-started"
    exe = tmp_path / "fake-chromium"
    exe.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n", encoding="utf-8")
    exe.chmod(0o700)
    return exe, marker


def _sandbox_db(world: FlowWorld) -> sqlite3.Connection:
    return sqlite3.connect(world.sandbox.state_dir / "sandbox.sqlite3", timeout=10)


@pytest.mark.e2e
def test_a_second_scheduled_run_makes_no_request_and_starts_no_browser(flow_world: FlowWorld, tmp_path: Path) -> None:
    kits = [flow_world.make_office() for _ in range(3)]
    config = write_config(tmp_path / "ainas.toml", flow_world, kits)
    first = _cli(["renew", "--all", "--scheduled"], config, kits)
    assert first.returncode == 0, first.stderr
    assert "updated=3" in first.stdout
    record = tmp_path / "ainas-verified.sqlite3"
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    store = VerifiedStore(record)
    for kit in kits:
        row = store.get(kit.office.id)
        assert row is not None and row.organisation == kit.notice.org_name
        assert row.verified_at.utcoffset() == dt.timedelta(hours=9) and row.registered_at
        assert len(row.fingerprint) == 95 and row.fingerprint.count(":") == 31
    store.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("ainas-verified.sqlite3*"))
    assert not [s for kit in kits for s in kit.secrets if s.encode() in stored], "a secret is in the record"

    exe, marker = _no_browser(tmp_path)
    quiet = write_config(tmp_path / "quiet.toml", flow_world, kits, executable_path=exe)
    requests, uploads = len(flow_world.sandbox.requests_log), flow_world.sandbox.upload_posts
    second = _cli(["renew", "--all", "--scheduled"], quiet, kits)
    assert second.returncode == 0, second.stderr
    assert len(flow_world.sandbox.requests_log) == requests
    assert flow_world.sandbox.upload_posts == uploads
    assert not marker.exists(), "a browser was started for a run with nothing to do"
    assert second.stderr == ""
    [line] = second.stdout.splitlines()
    assert line.startswith("ainas-bot: 3 office(s) in ") and line.endswith("already-current=3")

    report = tmp_path / "report.json"
    recap = _cli(["renew", "--all", "--report", str(report)], quiet, kits)
    assert recap.returncode == 0, recap.stderr
    today = dt.datetime.now(JST).date().isoformat()
    assert recap.stdout.count(f"(verified on {today})") == 3, recap.stdout
    offices = json.loads(report.read_text(encoding="utf-8"))["offices"]
    assert {o["verified_on"] for o in offices} == {today} and {o["attempts"] for o in offices} == {0}
    # Not visited, still named: the 代理人組織名 the portal showed when it was verified.
    assert [o["office_name"] for o in offices] == [kit.notice.org_name for kit in kits]
    audit = [json.loads(x) for x in (tmp_path / "ainas-audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(f"verified on {today}" in a["message"] for a in audit) == 6

    # The mark is real: a run that does go to the portal tries to start that browser.
    assert _cli(["renew", "--all", "--verify", "--scheduled"], quiet, kits).returncode != 0
    assert marker.exists()
    requests = len(flow_world.sandbox.requests_log)
    verify = _cli(["renew", "--all", "--verify", "--scheduled"], config, kits)
    assert verify.returncode == 0, verify.stderr
    assert "already-current=3" in verify.stdout
    visited = {path for _, path in flow_world.sandbox.requests_log[requests:]}
    assert len(flow_world.sandbox.requests_log) > requests and visited
    assert flow_world.sandbox.upload_posts == uploads


@pytest.mark.e2e
def test_a_record_the_portal_contradicts_is_corrected_and_status_says_so(flow_world: FlowWorld, tmp_path: Path) -> None:
    kept, gone = flow_world.make_office(), flow_world.make_office()
    kits = [kept, gone]
    config = write_config(tmp_path / "ainas.toml", flow_world, kits)
    assert _cli(["renew", "--all", "--scheduled"], config, kits).returncode == 0
    # Someone removed the certificate the bot registered (the newest record) on the portal: the record is wrong.
    with contextlib.closing(_sandbox_db(flow_world)) as db, db:
        assert (
            db.execute(
                "DELETE FROM certificates WHERE id = (SELECT max(id) FROM certificates WHERE org_id = ?)",
                (gone.office.id,),
            ).rowcount
            == 1
        )

    status = _cli(["status", "--all"], config, kits)
    lines = [x for x in status.stdout.splitlines() if "record corrected" in x]
    assert len(lines) == 1 and lines[0].startswith(f"office {gone.office.id}: record corrected: the record said")
    assert "the portal does not show it registered and active" in lines[0]
    store = VerifiedStore(tmp_path / "ainas-verified.sqlite3")
    assert store.get(gone.office.id) is None and store.get(kept.office.id) is not None
    # The record of `kept` says 40 days: past reverify_days, so it is asked again too.
    old = store.get(kept.office.id)
    assert old is not None
    store.put(
        Verified(
            old.office_id, old.fingerprint, old.organisation, old.registered_at, old.verified_at - dt.timedelta(days=40)
        )
    )
    store.close()

    requests, uploads = len(flow_world.sandbox.requests_log), flow_world.sandbox.upload_posts
    again = _cli(["renew", "--all", "--scheduled"], config, kits)
    assert again.returncode == 0, again.stderr
    assert "updated=1" in again.stdout and "already-current=1" in again.stdout
    assert flow_world.sandbox.upload_posts == uploads + 1
    assert len(flow_world.sandbox.requests_log) > requests
    store = VerifiedStore(tmp_path / "ainas-verified.sqlite3")
    refreshed = store.get(kept.office.id)
    assert refreshed is not None and refreshed.verified_at > old.verified_at
    assert store.get(gone.office.id) is not None
    store.close()


def test_the_p12_cache_answers_for_an_unchanged_file_and_notices_a_changed_pin(
    flow_world: FlowWorld, tmp_path: Path
) -> None:
    kit = flow_world.make_office()
    settings = flow_world.settings(audit_log=tmp_path / "audit.jsonl")
    store = VerifiedStore(tmp_path / "record.sqlite3")
    today = dt.datetime.now(JST).date()
    first = P12Cache(store)
    ready, problems, _ = check_offices([kit.office], settings, kit.environ, today=today, cache=first)
    assert not problems and not first.served
    second = P12Cache(store)
    again, problems, _ = check_offices([kit.office], settings, kit.environ, today=today, cache=second)
    assert not problems and len(second.served) == 1
    assert again[0].certificate == ready[0].certificate and again[0].signing_bytes == ready[0].signing_bytes
    with contextlib.closing(sqlite3.connect(tmp_path / "record.sqlite3")) as db:
        rows = db.execute("SELECT verifier, facts FROM p12_facts").fetchall()
    assert rows and all(kit.pin not in facts and kit.pin.encode() not in verifier for verifier, facts in rows)

    changed = {**kit.environ, next(k for k in kit.environ if k.startswith("PIN_")): "not-the-pin"}
    third = P12Cache(store)
    _, problems, _ = check_offices([kit.office], settings, changed, today=today, cache=third)
    assert any("wrong PIN" in p.message for p in problems) and not third.served
    store.close()

    config = write_config(tmp_path / "ainas.toml", flow_world, [kit])
    assert _cli(["check"], config, [kit]).returncode == 0
    env = cli_env([kit])
    env[next(k for k in kit.environ if k.startswith("PIN_"))] = "not-the-pin"
    wrong = _cli(["check"], config, [kit], env)
    assert wrong.returncode == 2 and "wrong PIN" in wrong.stderr


@pytest.mark.e2e
def test_an_office_going_to_the_portal_has_its_file_opened_for_real(flow_world: FlowWorld, tmp_path: Path) -> None:
    from ainas_bot.record.opened import OpenedRecord
    from ainas_bot.record.store import VerificationLog
    from ainas_bot.results.events import CollectEvents
    from flows.run import split_due

    kit = flow_world.make_office()
    settings = flow_world.settings(audit_log=tmp_path / "audit.jsonl")
    store = VerifiedStore(tmp_path / "record.sqlite3")
    # The run's own time, as `renew` takes it: the kit's certificate is valid from the day before, not from NOW.
    now = dt.datetime.now(JST)
    today = now.date()
    check_offices([kit.office], settings, kit.environ, today=today, cache=P12Cache(store))
    # An entry that says something else than the file (the verifier still matches): only a real open tells.
    with contextlib.closing(sqlite3.connect(tmp_path / "record.sqlite3")) as db, db:
        facts = json.loads(db.execute("SELECT facts FROM p12_facts WHERE kind LIKE 'signing:%'").fetchone()[0])
        true_serial, facts["serial"] = facts["serial"], "DEADBEEF"
        db.execute("UPDATE p12_facts SET facts = ? WHERE kind LIKE 'signing:%'", (json.dumps(facts),))
    record = OpenedRecord(store, P12Cache(store), VerificationLog(store))
    ready, problems, _ = check_offices([kit.office], settings, kit.environ, today=today, cache=record.cache)
    assert not problems and ready[0].certificate.serial == "DEADBEEF"  # answered by the cache

    due = split_due(ready, record, settings, kit.environ, CollectEvents(), visit_all=False, now=now)
    assert not due.refused, due.refused
    [office] = due.todo
    assert not due.skipped and office.certificate.serial == true_serial
    assert office.signing_bytes == kit.signing_cert.read_bytes()
    store.close()


@pytest.mark.e2e
def test_an_unusable_record_file_is_one_clear_line_and_the_run_goes_on(flow_world: FlowWorld, tmp_path: Path) -> None:
    kit = flow_world.make_office()
    record = tmp_path / "ainas-verified.sqlite3"
    target = tmp_path / "elsewhere.sqlite3"
    target.write_bytes(b"")
    record.symlink_to(target)
    config = write_config(tmp_path / "ainas.toml", flow_world, [kit])
    linked = _cli(["renew", "--all", "--scheduled"], config, [kit])
    assert linked.returncode == 1 and "updated=1" in linked.stdout  # the portal work is done all the same
    assert linked.stderr.strip().splitlines() == [
        f"ainas-bot: verified record {record}: cannot be written (it is a symlink; refused); not used in "
        "this run (offices go to the portal, .p12 files are opened with their PIN)"
    ]
    assert target.read_bytes() == b"" and record.is_symlink()

    record.unlink()
    record.write_bytes(b"this is no database at all, " * 100)
    garbage = _cli(["check"], config, [kit])
    assert garbage.returncode == 0, garbage.stderr
    [line] = garbage.stderr.strip().splitlines()
    assert line == (
        f"ainas-bot: verified record {record}: is not a readable SQLite database; move it away (the "
        "next run starts a new record); not used in this run (offices go to the "
        "portal, .p12 files are opened with their PIN)"
    )


def test_a_locked_or_killed_record_is_handled(tmp_path: Path) -> None:
    path = tmp_path / "record.sqlite3"
    store = VerifiedStore(path)
    store.put(Verified("1001", FP, "山田事務所", "2026/11/01 10:00", NOW))
    store.close()
    # A writer killed in the middle of its transaction: the next open rolls it back, the record is whole.
    killer = (
        "import os, signal, sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('BEGIN IMMEDIATE')\n"
        "db.execute(\"UPDATE verified SET fingerprint = 'HALF' WHERE office_id = '1001'\")\n"
        "db.execute(\"INSERT INTO verified VALUES ('1002', 'X', 'Y', 'Z', '2026-12-02T09:00:00+09:00', NULL)\")\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    assert subprocess.run([sys.executable, "-c", killer, str(path)], check=False).returncode == -signal.SIGKILL
    store = VerifiedStore(path)
    assert store.get("1001") == Verified("1001", FP, "山田事務所", "2026/11/01 10:00", NOW)
    assert store.get("1002") is None
    store.close()

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "db.execute('BEGIN EXCLUSIVE'); print('held', flush=True); time.sleep(60)\n",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(OutputError, match=r"^verified record .*: locked by another process for more than 5 s"):
            store = VerifiedStore(path)
            store.put(Verified("1001", FP, "山田事務所", "2026/11/01 10:00", NOW))
        assert time.monotonic() - started < 30
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()


def test_a_record_of_an_older_version_gains_the_new_columns_and_tables(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    with old:
        old.execute(
            "CREATE TABLE verified (office_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, organisation TEXT NOT NULL,"
            " registered_at TEXT NOT NULL, verified_at TEXT NOT NULL)"
        )
        old.execute(
            "INSERT INTO verified VALUES ('1001', 'AA', '山田事務所', '2026/11/01 10:00', ?)", (NOW.isoformat(),)
        )
    old.close()
    path.chmod(0o600)

    store = VerifiedStore(path)
    try:
        assert store.get("1001") == Verified("1001", "AA", "山田事務所", "2026/11/01 10:00", NOW, None)
        store.put(Verified("1002", "BB", "鈴木事務所", "2026/11/02 10:00", NOW, dt.date(2029, 12, 1)))
        assert store.all_verified()["1002"].expiry == dt.date(2029, 12, 1)
        from ainas_bot.record.notes import LastOutcome, last_outcomes, put_last_outcome

        put_last_outcome(store, LastOutcome("1001", "failed", "auth", "ログイン", NOW))
        assert last_outcomes(store)["1001"] == LastOutcome("1001", "failed", "auth", "ログイン", NOW)
    finally:
        store.close()
