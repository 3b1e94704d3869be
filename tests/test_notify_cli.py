"""Telling people, through the CLI against the sandbox: a scheduled run with a failing office sends one mail, in
Japanese under `--lang ja`, naming that office; a certificate 30 days from its end sends one reminder to order,
and the next day's run none; `status --from-record` answers without one request to the portal, and its calendar
shows one row per office in a browser."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from playwright.async_api import Page
from prometheus_client.parser import text_string_to_metric_families

from ainas_bot.cli.main import main
from ainas_bot.foundation.jst import today_jst
from tests.fixtures_browser import in_chromium
from tests.fixtures_cli import BOT, cli_env, write_config
from tests.fixtures_flow import FlowWorld, OfficeKit
from tests.fixtures_smtp import MAIL_PASSWORD, SmtpServer, text_of

NOW = dt.datetime.now(dt.UTC)


def _bot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*BOT, *args], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def _wrong_pin(kit: OfficeKit) -> OfficeKit:
    name = next(k for k in kit.environ if k.startswith("PIN_"))
    return dataclasses.replace(kit, environ={**kit.environ, name: "Wr0ng-PIN-7731"})


def _settings(world: FlowWorld, tmp_path: Path, kits: list[OfficeKit], url: str, **top: Any) -> Path:
    secrets = tmp_path / "secrets"
    secrets.mkdir(mode=0o700, exist_ok=True)
    (secrets / "mail-url").write_text(url + "\n", encoding="utf-8")
    (secrets / "mail-url").chmod(0o600)
    return write_config(
        tmp_path / "ainas.toml",
        world,
        kits,
        secrets_dir=secrets,
        audit_log=tmp_path / "audit.jsonl",
        notify=[{"url": {"secret": "mail-url"}, "name": "事務所メール", "events": ["failed", "order-new-certificate"]}],
        **top,
    )


def _ending_before(world: FlowWorld, day: dt.date) -> OfficeKit:
    """An office whose certificate in force ends before `day`, so that a local one ending on `day` is newer."""
    notice = next(
        n
        for n in world._free
        if max(dt.date.fromisoformat(c["not_after"]) for c in world.certificates(n.org_id) if c["status"] == "active")
        < day
    )
    world._free.remove(notice)
    return world.make_office(
        notice, cert={"not_before": NOW - dt.timedelta(days=700), "valid_days": 700 + (day - today_jst()).days}
    )


@pytest.mark.e2e
def test_a_scheduled_run_with_a_failing_office_sends_one_mail_in_japanese_naming_it(
    flow_world: FlowWorld, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    ok = flow_world.make_office()
    failing = _wrong_pin(flow_world.make_office())
    config = _settings(flow_world, tmp_path, [ok, failing], smtp_server.url())

    run = _bot("--lang", "ja", "renew", "--all", "--scheduled", "--config", str(config), env=cli_env([ok, failing]))

    assert run.returncode == 3, run.stdout + run.stderr  # the wrong PIN: a certificate failure, with or without mail
    (mail,) = smtp_server.mails
    assert mail["Subject"] == f"[ainas-bot] 証明書の更新に失敗しました：事務所 {failing.office.id}"
    body = text_of(mail)
    named = [line.removeprefix("■ ").split()[0] for line in body.splitlines() if line.startswith("■ ")]
    assert named == [failing.office.id], body
    assert "種類：証明書" in body and "対処：" in body and "PIN" in body
    assert MAIL_PASSWORD not in run.stdout + run.stderr


@pytest.fixture
def counting_listener() -> Iterator[tuple[int, list[str]]]:
    """A TCP port that counts every connection made to it: the portal's address for a command that must not call."""
    calls: list[str] = []
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, peer = server.accept()
            except TimeoutError:
                continue
            calls.append(str(peer))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], calls
    finally:
        stop.set()
        thread.join()
        server.close()


@pytest.mark.e2e
def test_an_order_reminder_once_then_none_the_next_day_and_status_from_the_record_alone(
    flow_world: FlowWorld,
    tmp_path: Path,
    smtp_server: SmtpServer,
    counting_listener: tuple[int, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kit = _ending_before(flow_world, today_jst() + dt.timedelta(days=30))
    other = flow_world.make_office()
    config = _settings(flow_world, tmp_path, [kit, other], smtp_server.url())
    env = cli_env([kit, other])

    first = _bot("renew", "--all", "--scheduled", "--config", str(config), env=env)

    assert first.returncode == 0, first.stdout + first.stderr
    (mail,) = smtp_server.mails
    assert mail["Subject"] == (
        f"[ainas-bot] Order a new certificate: office {kit.office.id} {kit.notice.org_name} (30 days left)"
    )
    assert str(kit.office.signing_cert) in text_of(mail)

    # The next day, in this process with its clock a day on: the office is current, no visit, no second reminder.
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=1), tick=True):
        assert main(["renew", "--all", "--scheduled", "--config", str(config)]) == 0
    assert len(smtp_server.mails) == 1

    # status --from-record, with the portal's address a port that counts every connection.
    port, calls = counting_listener
    offline = write_config(
        tmp_path / "offline.toml",
        flow_world,
        [kit, other],
        portal_url=f"https://127.0.0.1:{port}/",
        audit_log=tmp_path / "audit.jsonl",
    )
    calendar, metrics = tmp_path / "calendar.html", tmp_path / "ainas.prom"
    status = _bot(
        "status", "--from-record", "--html", str(calendar), "--metrics", str(metrics), "--config", str(offline),
        env=env,
    )  # fmt: skip
    assert status.returncode == 1, status.stdout + status.stderr  # 30 days left and nothing newer: a warning
    assert calls == []
    header, *lines = status.stdout.splitlines()
    assert "proved on" in header and "last run" in header
    assert all(today_jst().isoformat() in line and "already-current" in line for line in lines), status.stdout
    warned = [line.split()[0] for line in lines if "no newer local .p12 exists" in line]
    assert warned == [kit.office.id], status.stdout

    families = {f.name: f for f in text_string_to_metric_families(metrics.read_text(encoding="utf-8"))}
    days = {s.labels["office_id"]: s.value for s in families["ainas_certificate_days_left"].samples}
    assert days[kit.office.id] == 30
    order = {s.labels["office_id"]: s.value for s in families["ainas_order_new_certificate"].samples}
    assert order == {kit.office.id: 1.0, other.office.id: 0.0}

    requests: list[str] = []

    async def look(page: Page) -> None:
        page.on("request", lambda r: requests.append(r.url))
        await page.goto(calendar.as_uri())
        assert await page.locator("[data-office]").count() == 2

    in_chromium(look)
    assert requests == [calendar.as_uri()]

    # Plain `status` reads the portal, and writes the same calendar from what it read.
    read = _bot("status", "--all", "--html", str(tmp_path / "read.html"), "--config", str(config), env=env)
    assert read.returncode == 1, read.stdout + read.stderr  # the same warning, now from the portal
    assert (tmp_path / "read.html").read_text(encoding="utf-8").count("data-office=") == 2
