"""Seeding, notices, files on disk, `state()`, the CLI and restarts — no browser needed."""

from __future__ import annotations

import datetime as dt
import json
import re
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from ainas_bot.errors import ConfigError
from ainas_bot.foundation.jst import JST
from ainas_bot.sandbox import Sandbox, SandboxOptions, load_notices, state_json
from ainas_bot.sandbox._cli import main as sandbox_main
from tests.fixtures_sandbox import PortalClient, page_heading, page_message

LOGIN_ID = re.compile(r"[a-fhjkmnp-z2-8]{5}")  # no 0/o, 1/l/i, 9/g
FIXED_NOW = dt.datetime(2025, 1, 6, 3, 0, tzinfo=dt.UTC)  # 12:00 JST


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_seeds_organisations_users_and_notices(sandbox_factory: Callable[..., Sandbox]) -> None:
    sb = sandbox_factory(orgs=30, now=lambda: FIXED_NOW)
    notices = sb.notices
    assert [n.org_id for n in notices] == [str(i) for i in range(1, 31)]
    assert load_notices(sb.options.state_dir) == notices
    logins = [n.admin_login_id for n in notices] + [n.staff_login_id for n in notices]
    assert all(LOGIN_ID.fullmatch(i) for i in logins), logins
    assert len(set(n.staff_login_id for n in notices)) == 30
    assert all(re.fullmatch(r"行政書士(法人)?\S+.*事務所", n.org_name) for n in notices)
    # A few administrators run several organisations (a firm with branches).
    shared = {i for i in logins if [n.admin_login_id for n in notices].count(i) > 1}
    assert 1 <= len(shared) <= 3
    assert any(n.org_name.startswith("行政書士法人") for n in notices if n.admin_login_id in shared)
    assert len(set(n.client_cert_password for n in notices)) == 30
    for n in notices[:3]:
        key, cert, extra = pkcs12.load_key_and_certificates(n.client_cert.read_bytes(), n.client_cert_password.encode())
        assert key is not None and cert is not None
        ca = x509.load_pem_x509_certificate(sb.ca_pem.read_bytes())
        assert [c.subject for c in extra] == [ca.subject]  # the CA travels inside the .p12
        assert cert.issuer == ca.subject
        assert _mode(n.client_cert) == 0o600


def test_certificate_records_are_old_some_expired_some_expiring(sandbox_factory: Callable[..., Sandbox]) -> None:
    sb = sandbox_factory(orgs=30, now=lambda: FIXED_NOW)
    today = FIXED_NOW.astimezone(JST).date()
    state = sb.state()
    assert [o["org_id"] for o in state] == [n.org_id for n in sb.notices]
    records = [c for org in state for c in org["certificates"]]
    assert len(records) == 30
    for c in records:
        assert c["status"] == "active"
        assert dt.datetime.fromisoformat(c["registered_at"]).date() < today
        assert c["trade_name_kana"] and c["holder_name_kana"] and re.fullmatch(r"\d{3}-\d{4}", c["postal_code"])
        assert c["start_date"] == c["registered_at"][:10]
        assert set(c) == {
            "registered_at",
            "trade_name_kana",
            "trade_name_kanji",
            "holder_name_kana",
            "holder_name_kanji",
            "postal_code",
            "address_street",
            "address_building",
            "not_after",
            "start_date",
            "serial",
            "status",
        }
    left = [(dt.date.fromisoformat(c["not_after"]) - today).days for c in records]
    assert any(d < 0 for d in left)
    assert any(0 <= d <= 60 for d in left)
    assert any(d > 60 for d in left)


def test_files_on_disk_are_private(sandbox_factory: Callable[..., Sandbox]) -> None:
    sb = sandbox_factory(orgs=5)
    state_dir = sb.options.state_dir
    assert sb.ca_pem == state_dir / "ca.pem"
    for name in ("ca-key.pem", "server-key.pem", "notices.json", "sandbox.sqlite3"):
        assert _mode(state_dir / name) == 0o600, name
    notices = json.loads((state_dir / "notices.json").read_text(encoding="utf-8"))
    assert set(notices[0]) == {
        "org_id",
        "org_name",
        "admin_login_id",
        "admin_password",
        "staff_login_id",
        "staff_password",
        "client_cert",
        "client_cert_password",
    }


def test_seeding_is_fast(tmp_path: Path) -> None:
    started = time.monotonic()
    with Sandbox(SandboxOptions(state_dir=tmp_path, orgs=30)) as sb:
        assert len(sb.notices) == 30
    assert time.monotonic() - started < 3.0


def test_restart_keeps_everything(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, make_p12: Callable[..., Path]
) -> None:
    state_dir = tmp_path / "state"
    sb = sandbox_factory(orgs=5, state_dir=state_dir)
    notice = sb.notices[0]
    client = PortalClient(sb, notice, tmp_path)
    org_page = client.open_org()
    form = client.button(org_page, "+ 代理人証明書登録")
    cert = make_p12(password="1234")
    done = client.submit(
        form, {"certPassword": "1234"}, files={"certFile": ("signing.p12", cert.read_bytes(), "application/x-pkcs12")}
    )
    assert page_message(done) == "代理人証明書を登録しました。"
    client.close()
    before, ca_before = sb.state(), sb.ca_pem.read_bytes()
    sb.stop()
    again = sandbox_factory(orgs=99, state_dir=state_dir)  # `orgs` only matters on first start
    assert again.notices == sb.notices
    assert again.state() == before
    assert [c["status"] for c in before[0]["certificates"]] == ["active", "pending"]
    assert again.ca_pem.read_bytes() == ca_before
    client = PortalClient(again, notice, tmp_path)
    assert page_heading(client.login()) == "お知らせ案内検索"  # the old client certificate still works
    client.close()


def test_state_json_and_the_state_command(
    sandbox_factory: Callable[..., Sandbox], capsys: pytest.CaptureFixture[str]
) -> None:
    sb = sandbox_factory(orgs=5)
    full = state_json(sb.options.state_dir)
    # The records are Sandbox.state()'s; each organisation adds the users who can log in to it.
    assert [{k: v for k, v in org.items() if k != "users"} for org in full] == sb.state()
    assert all(org["users"] and {u["role"] for u in org["users"]} >= {"admin"} for org in full)
    assert all((u["failed_logins"], u["locked"], u["sessions"]) == (0, False, []) for org in full for u in org["users"])
    assert sandbox_main(["state", "--state", str(sb.options.state_dir)]) == 0
    assert json.loads(capsys.readouterr().out) == full


def test_state_of_a_directory_without_a_sandbox_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no sandbox state"):
        state_json(tmp_path)
    with pytest.raises(ConfigError, match="no sandbox notices"):
        load_notices(tmp_path)


@pytest.mark.parametrize(
    ("knob", "value"),
    [("orgs", 0), ("fault_rate", 1.5), ("latency_ms", -1), ("expire_sessions_after", 0), ("port", 70000)],
)
def test_bad_options_are_config_errors(tmp_path: Path, knob: str, value: float) -> None:
    with pytest.raises(ConfigError, match=knob.replace("_", "-")):
        Sandbox(SandboxOptions(state_dir=tmp_path, **{knob: value}))  # type: ignore[arg-type]  # each knob its own type


def test_a_busy_port_is_a_config_error(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> None:
    sb = sandbox_factory(orgs=5)
    port = int(sb.origin.rsplit(":", 1)[1])
    with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{port}"):
        Sandbox(SandboxOptions(state_dir=tmp_path, orgs=5, port=port)).start()


def test_cli_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert sandbox_main(["--no-such-option"]) == 2
    assert sandbox_main(["--help"]) == 0
    assert "--shuffle-paths" in capsys.readouterr().out
