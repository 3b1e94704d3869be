"""Bad input through the command line: one line naming what is wrong and what to do, the documented exit
code, no traceback, no secret echoed, and nothing touched on the portal.

Every case runs `ainas-bot check` and/or `ainas-bot renew` as a user would, against one sandbox shared by
the module: nothing may change on it, so each case compares the sandbox before and after its run — the
requests it served, its organisations and certificate records, and its users (failed logins, locks) and
sessions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from ainas_bot.certificates.factory import write_p12
from ainas_bot.config.secrets import SecretRef
from ainas_bot.foundation.jst import today_jst
from ainas_bot.sandbox import Notice, Sandbox, SandboxOptions
from tests.fixtures_cli import BOT, cli_env, write_config
from tests.fixtures_flow import FlowWorld, OfficeKit
from tests.fixtures_sandbox import portal_snapshot

NOW = dt.datetime.now(dt.UTC)
WRONG = "Wr0ng-Value-7731"  # what an operator typed by mistake: a secret as well, never to be printed
EXIT_OFFICE_FAILED = 1  # README "Exit codes": an office failed at the portal (its outcome names the class)
# README "Exit codes": a run whose failed offices share a class exits with its code (a certificate 3, inputs 2).
EXIT_OF_REASON = {"certificate": 3, "input": 2}
EXIT_USAGE = 2  # usage or configuration error, including `check` finding problems


# --- the sandbox, and what "untouched" means --------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlowWorld]:
    root = tmp_path_factory.mktemp("bad-input")
    with Sandbox(SandboxOptions(state_dir=root / "sandbox", orgs=4, seed=61)) as sandbox:
        world = FlowWorld(sandbox, root)
        assert portal_snapshot(sandbox).sessions == [], "a fresh sandbox has no sessions"
        yield world


@pytest.fixture(scope="module")
def notice(world: FlowWorld) -> Notice:
    """The organisation every refused office names: refused before the portal, it never changes."""
    return world.take_notice()


# --- running the command -------------------------------------------------------------------------------------


@dataclasses.dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def _run(command: str, config: Path, env: dict[str, str], *args: str, timeout: float = 60) -> Run:
    result = subprocess.run(
        [*BOT, command, "--config", str(config), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(result.returncode, result.stdout, result.stderr)


def _assert_clean(run: Run, secrets: list[str]) -> None:
    output = run.stdout + run.stderr
    assert "Traceback" not in output, run.stderr
    assert "\x1b" not in output, "a control character reached the terminal"
    for secret in secrets:
        assert secret not in output, "a secret was printed"


def _the_problem_line(run: Run, *, prefix: str) -> str:
    """The one line on stderr; `prefix` is how the command starts it."""
    assert len(run.lines) == 1, run.stderr
    (line,) = run.lines
    assert prefix in line, line
    return line


# --- offices refused before any click: the case table ------------------------------------------------------


@dataclasses.dataclass
class Bad:
    """An office with one bad input, the environment of the run, and what its message must name."""

    kit: OfficeKit
    env: dict[str, str]
    names: list[str]  # the file, field or value the message must name

    @property
    def secrets(self) -> list[str]:
        return [s for s in [*self.kit.secrets, WRONG] if s]


Build = Callable[[FlowWorld, Notice, Path], Bad]


def _var(kit: OfficeKit, prefix: str) -> str:
    return next(k for k in kit.environ if k.startswith(prefix))


def _wrong_secret(prefix: str, name: Callable[[OfficeKit], list[str]]) -> Build:
    def build(world: FlowWorld, notice: Notice, tmp: Path) -> Bad:
        kit = world.make_office(notice)
        return Bad(kit, {**kit.environ, _var(kit, prefix): WRONG}, name(kit))

    return build


def _signing(**cert: Any) -> Build:
    def build(world: FlowWorld, notice: Notice, tmp: Path) -> Bad:
        kit = world.make_office(notice, cert=cert)
        return Bad(kit, kit.environ, [str(kit.signing_cert)])

    return build


def _signing_bytes(change: Callable[[bytes, FlowWorld], bytes]) -> Build:
    def build(world: FlowWorld, notice: Notice, tmp: Path) -> Bad:
        kit = world.make_office(notice)
        kit.signing_cert.write_bytes(change(kit.signing_cert.read_bytes(), world))
        return Bad(kit, kit.environ, [str(kit.signing_cert)])

    return build


def _folder(*, files: bool) -> Build:
    def build(world: FlowWorld, notice: Notice, tmp: Path) -> Bad:
        kit = world.make_office(notice)
        folder = tmp / "signing"
        folder.mkdir()
        if files:
            write_p12(
                folder / "expired.p12",
                password=kit.pin,
                trade_name=notice.org_name,
                not_before=NOW - dt.timedelta(days=900),
                not_after=NOW - dt.timedelta(days=5),
            )
            write_p12(folder / "other-pin.p12", password=WRONG, trade_name=notice.org_name)
            (folder / "readme.txt").write_text("the PIN is in the safe\n", encoding="utf-8")
        kit = dataclasses.replace(kit, office=kit.office.model_copy(update={"signing_cert": folder}))
        names = [str(folder), "expired.p12", "other-pin.p12"] if files else [str(folder), "no .p12 files"]
        return Bad(kit, kit.environ, names)

    return build


def _field(name: str, value: Any, *, shown: str | None = None, cert: dict[str, Any] | None = None) -> Build:
    def build(world: FlowWorld, notice: Notice, tmp: Path) -> Bad:
        kit = world.make_office(notice, cert=cert, **{name: value})
        names = [name, shown if shown is not None else str(value)]
        return Bad(kit, kit.environ, names + ([str(kit.signing_cert)] if cert else []))

    return build


TODAY = today_jst()
YESTERDAY = TODAY - dt.timedelta(days=1)
LATE = TODAY + dt.timedelta(days=60)

OFFICE_CASES = [
    # secrets that do not open what they should
    pytest.param(
        _wrong_secret("PIN_", lambda k: [str(k.signing_cert), f"check pin (environment variable {_var(k, 'PIN_')})"]),
        "certificate",
        ["wrong PIN"],
        id="signing-pin-wrong",
    ),
    pytest.param(
        _wrong_secret(
            "CC_",
            lambda k: [
                f"client_cert {k.office.client_cert}",
                f"check client_cert_password (environment variable {_var(k, 'CC_')})",
            ],
        ),
        "certificate",
        ["does not open"],
        id="client-cert-password-wrong",
    ),
    # signing certificate files
    pytest.param(
        _signing(not_before=NOW - dt.timedelta(days=800), not_after=NOW - dt.timedelta(days=3)),
        "certificate",
        ["expired on", "use the renewed .p12"],
        id="signing-expired",
    ),
    pytest.param(
        _signing(not_before=NOW + dt.timedelta(days=3), valid_days=700),
        "certificate",
        ["not valid yet", "use it from that day"],
        id="signing-not-yet-valid",
    ),
    pytest.param(
        _signing(include_key=False),
        "certificate",
        ["no private key", "export the certificate with its private key"],
        id="signing-certificate-only",
    ),
    pytest.param(
        _signing(mismatched_key=True),
        "certificate",
        ["private key does not match", "export the pair"],
        id="signing-mismatched-key",
    ),
    pytest.param(
        _signing_bytes(lambda data, _: data[: len(data) // 2]),
        "certificate",
        ["truncated", "copy the .p12 again"],
        id="signing-truncated",
    ),
    pytest.param(
        _signing_bytes(lambda data, _: b""), "certificate", ["empty", "copy the .p12 again"], id="signing-empty"
    ),
    pytest.param(
        _signing_bytes(lambda data, world: world.sandbox.ca_pem.read_bytes()),
        "certificate",
        ["not a PKCS#12", "export the certificate with its private key"],
        id="signing-pem-not-p12",
    ),
    pytest.param(
        _signing_bytes(lambda data, _: b"PK\x03\x04" + bytes(60)),
        "certificate",
        ["not a PKCS#12"],
        id="signing-zip-not-p12",
    ),
    pytest.param(
        _folder(files=True),
        "certificate",
        ["no usable .p12 in this folder", "expired on", "wrong PIN"],
        id="signing-folder-nothing-usable",
    ),
    pytest.param(_folder(files=False), "certificate", ["no usable .p12 in this folder"], id="signing-folder-empty"),
    # what is typed on the portal
    pytest.param(
        _field("trade_name_kana", "山田ギョウセイショシ"),
        "input",
        ["屋号（カナ）", "(山田)", "katakana"],
        id="kana-kanji",
    ),
    pytest.param(
        _field("holder_name_kana", "ヤマダ Taro"),
        "input",
        ["氏名又は代表者名（カナ）", "(Taro)", "katakana"],
        id="kana-latin",
    ),
    pytest.param(_field("trade_name_kana", "ジムショ２"), "input", ["屋号（カナ）", "katakana"], id="kana-digits"),
    pytest.param(
        _field("postal_code", "100-001"), "input", ["郵便番号", "7 digits", "123-4567"], id="postal-code-too-short"
    ),
    pytest.param(
        _field("postal_code", "〒１００００１３４"),
        "input",
        ["郵便番号", "7 digits", "123-4567"],
        id="postal-code-too-long",
    ),
    pytest.param(
        _field("start_date", YESTERDAY, shown=f"{YESTERDAY:%Y/%m/%d}"),
        "input",
        ["before today", "give a later date or leave it out"],
        id="start-date-before-today",
    ),
    pytest.param(
        _field("start_date", LATE, shown=f"{LATE:%Y/%m/%d}", cert={"valid_days": 30}),
        "input",
        ["after the certificate's expiry", "give a start_date on or before", "leave it out"],
        id="start-date-after-expiry",
    ),
]


@pytest.mark.parametrize(("build", "reason", "hints"), OFFICE_CASES)
def test_an_office_with_bad_input_is_refused_before_the_portal(
    world: FlowWorld,
    notice: Notice,
    tmp_path: Path,
    build: Build,
    reason: str,
    hints: list[str],
) -> None:
    bad = build(world, notice, tmp_path)
    office_id = bad.kit.office.id
    config = write_config(tmp_path / "ainas.toml", world, [bad.kit])
    env = cli_env([], **bad.env)
    report = tmp_path / "report.json"
    before = portal_snapshot(world.sandbox)

    checked = _run("check", config, env, "--office", office_id)
    renewed = _run("renew", config, env, "--office", office_id, "--report", str(report))

    assert portal_snapshot(world.sandbox) == before, "the portal was touched"
    for run in (checked, renewed):
        _assert_clean(run, bad.secrets)
    assert checked.returncode == EXIT_USAGE, checked.stderr
    assert renewed.returncode == EXIT_OF_REASON[reason], renewed.stderr
    problem = _the_problem_line(checked, prefix=f"problem: office {office_id}: ")
    outcome = _the_problem_line(renewed, prefix=f"[{office_id}] outcome failed ({reason}): office {office_id}: ")
    for line in (problem, outcome):
        for expected in [*bad.names, *hints]:
            assert expected in line, f"{expected!r} not in {line!r}"
    assert problem.split(f"office {office_id}: ", 1)[1] == outcome.split(f"office {office_id}: ", 1)[1]
    assert "0 ready, 1 with problems" in checked.stdout
    (result,) = json.loads(report.read_text(encoding="utf-8"))["offices"]
    assert (result["office_id"], result["status"], result["reason"]) == (office_id, "failed", reason)


# --- a wrong portal password: the login screen is reached, once ----------------------------------------------


@pytest.mark.e2e
def test_a_wrong_portal_password_is_one_login_attempt_reported_as_auth(world: FlowWorld, tmp_path: Path) -> None:
    kit = world.make_office(world.take_notice())
    config = write_config(tmp_path / "ainas.toml", world, [kit], retries=3, retry_backoff_seconds=0.05)
    env = cli_env([], **{**kit.environ, _var(kit, "PW_"): WRONG})
    report = tmp_path / "report.json"
    before = portal_snapshot(world.sandbox)

    renewed = _run("renew", config, env, "--office", kit.office.id, "--report", str(report), timeout=180)

    after = portal_snapshot(world.sandbox)
    _assert_clean(renewed, [*kit.secrets, WRONG])
    assert renewed.returncode == EXIT_OFFICE_FAILED, renewed.stderr
    (result,) = json.loads(report.read_text(encoding="utf-8"))["offices"]
    assert (result["status"], result["reason"], result["attempts"]) == ("failed", "auth", 1)
    failed = [line for line in renewed.lines if "outcome failed" in line]
    assert len(failed) == 1 and f"[{kit.office.id}] outcome failed (auth): " in failed[0], renewed.stderr
    login = kit.notice.admin_login_id
    (failed_before,) = [u[1] for u in before.users if u[0] == login]
    assert [u[1:] for u in after.users if u[0] == login] == [(failed_before + 1, 0)], "one login attempt, not locked"
    assert [u for u in after.users if u[0] != login] == [u for u in before.users if u[0] != login]
    assert after.sessions == before.sessions, "nobody logged in"
    assert after.state == before.state, "no certificate record changed"


# --- settings and inventories the run refuses as a whole ----------------------------------------------------


@dataclasses.dataclass
class BadConfig:
    """Settings (or the inventory they name) that refuse the whole run, and what the message must name."""

    config: Path
    env: dict[str, str]
    names: list[str]
    secrets: list[str]


ConfigBuild = Callable[[FlowWorld, Notice, Path], BadConfig]
_ENV_PREFIX = {"login_password": "PW_", "client_cert_password": "CC_", "pin": "PIN_"}


def _plain_secret(field: str, value: str) -> ConfigBuild:
    def build(world: FlowWorld, notice: Notice, tmp: Path) -> BadConfig:
        kit = world.make_office(notice)
        config = write_config(tmp / "ainas.toml", world, [kit])
        data = tomllib.loads(config.read_text(encoding="utf-8"))
        (office,) = data["offices"]
        assert office[field] == {"env": _var(kit, _ENV_PREFIX[field])}
        office[field] = tomllib.loads(f"v = {value}")["v"]  # the plain value, as a person would type it
        config.write_text(tomli_w.dumps(data), encoding="utf-8")
        return BadConfig(config, kit.environ, [str(config), field], [*kit.secrets, value.strip('"')])

    return build


CSV_HEADER = [
    "代理人組織ID",
    "ログインID",
    "パスワード",
    "クライアント証明書",
    "クライアント証明書パスワード",
    "署名用証明書",
    "PIN",
    "屋号（カナ）",
    "氏名又は代表者名（カナ）",
    "郵便番号",
]
PLAIN_PIN = "Plain-PIN-3391"


def _csv_row(kit: OfficeKit, **cells: str) -> list[str]:
    data = kit.office.model_dump(mode="json", exclude_none=True)
    ref = {k: f"env:{v['env']}" for k, v in data.items() if isinstance(v, dict)}
    row = {
        "id": data["id"],
        "login_id": data["login_id"],
        "login_password": ref["login_password"],
        "client_cert": data["client_cert"],
        "client_cert_password": ref["client_cert_password"],
        "signing_cert": data["signing_cert"],
        "pin": ref["pin"],
        "trade_name_kana": data["trade_name_kana"],
        "holder_name_kana": "ヤマダ　タロウ",
        "postal_code": "100-0013",
    }
    row.update(cells)
    return list(row.values())


def _inventory(rows: Callable[[OfficeKit], list[list[str]]], *names: str, encoding: str = "utf-8") -> ConfigBuild:
    def build(world: FlowWorld, notice: Notice, tmp: Path) -> BadConfig:
        kit = world.make_office(notice)
        csv = tmp / "offices.csv"
        csv.write_bytes("".join(",".join(r) + "\r\n" for r in rows(kit)).encode(encoding))
        config = write_config(tmp / "ainas.toml", world, [], inventory="offices.csv")
        return BadConfig(config, kit.environ, [str(csv), *names], [*kit.secrets, PLAIN_PIN])

    return build


CONFIG_CASES = [
    pytest.param(
        _plain_secret("login_password", '"hunter2-Plain-pw"'),
        ["plain-text secret", '{ env = "', '{ file = "', '{ secret = "'],
        id="settings-plain-login-password",
    ),
    pytest.param(
        _plain_secret("client_cert_password", '"Cl1ent-plain-pw"'),
        ["plain-text secret", "{ env = "],
        id="settings-plain-client-cert-password",
    ),
    pytest.param(_plain_secret("pin", "84725163"), ["plain-text secret", "{ env = "], id="settings-plain-pin-number"),
    pytest.param(
        _inventory(lambda k: [CSV_HEADER[:-1], _csv_row(k)[:-1]], "row 1"),
        ["missing column 郵便番号"],
        id="csv-missing-column",
    ),
    pytest.param(
        _inventory(lambda k: [CSV_HEADER, _csv_row(k)[:-1]], "row 2, column 郵便番号"),
        ["the cell is empty"],
        id="csv-row-missing-cells",
    ),
    pytest.param(
        _inventory(lambda k: [CSV_HEADER, _csv_row(k), _csv_row(k)], "row 3, column 代理人組織ID", "row 2"),
        ["list each office once"],
        id="csv-duplicate-office-id",
    ),
    pytest.param(
        _inventory(lambda k: [CSV_HEADER, _csv_row(k, pin=PLAIN_PIN)], "row 2, column PIN"),
        ["plain-text secret", "env:VARIABLE"],
        id="csv-plain-pin",
    ),
    pytest.param(
        _inventory(lambda k: [CSV_HEADER, _csv_row(k)], encoding="utf-16-le"),
        ["UTF-16", "CSV UTF-8"],
        id="csv-utf16-without-bom",
    ),
    pytest.param(
        _inventory(lambda k: [CSV_HEADER, _csv_row(k)], encoding="euc-jp"),
        ["neither UTF-8 nor Shift_JIS", "CSV UTF-8"],
        id="csv-euc-jp",
    ),
    pytest.param(
        _inventory(lambda k: [CSV_HEADER, _csv_row(k)], encoding="iso-2022-jp"),
        ["neither UTF-8 nor Shift_JIS", "CSV UTF-8"],
        id="csv-iso-2022-jp",
    ),
]


@pytest.mark.parametrize(("build", "hints"), CONFIG_CASES)
def test_bad_settings_or_inventory_stop_the_renewal_with_one_line(
    world: FlowWorld,
    notice: Notice,
    tmp_path: Path,
    build: ConfigBuild,
    hints: list[str],
) -> None:
    """`renew` (the command that would reach the portal); `check` reads the settings the same way, first."""
    bad = build(world, notice, tmp_path)
    before = portal_snapshot(world.sandbox)

    run = _run("renew", bad.config, cli_env([], **bad.env), "--all")

    assert portal_snapshot(world.sandbox) == before, "the portal was touched"
    _assert_clean(run, bad.secrets)
    assert run.returncode == EXIT_USAGE, run.stderr
    line = _the_problem_line(run, prefix="ainas-bot: ")
    for expected in [*bad.names, *hints]:
        assert expected in line, f"{expected!r} not in {line!r}"
    assert run.stdout == ""


# --- a secrets file readable by others: a warning, not a failure ----------------------------------------------


def test_a_secrets_file_readable_by_others_is_a_warning(world: FlowWorld, notice: Notice, tmp_path: Path) -> None:
    kit = world.make_office(notice)
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    pin_file = secrets_dir / "office-pin"
    pin_file.write_text(kit.pin + "\n", encoding="utf-8")
    pin_file.chmod(0o644)
    kit = dataclasses.replace(kit, office=kit.office.model_copy(update={"pin": SecretRef(secret="office-pin")}))
    config = write_config(tmp_path / "ainas.toml", world, [kit], secrets_dir=secrets_dir)
    before = portal_snapshot(world.sandbox)

    run = _run("check", config, cli_env([kit]), "--office", kit.office.id)

    assert portal_snapshot(world.sandbox) == before
    _assert_clean(run, kit.secrets)
    assert run.returncode == 0, run.stderr
    line = _the_problem_line(run, prefix=f"warning: office {kit.office.id}: pin: ")
    assert str(pin_file) in line and "readable by others" in line and f"chmod 600 {pin_file}" in line
    assert f"office {kit.office.id}: ok" in run.stdout and "1 ready, 0 with problems" in run.stdout
