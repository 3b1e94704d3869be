"""Hostile files, paths and texts through the CLI (issue 14): each refused in one line, quickly, without a
traceback, and nothing written where a planted link points."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from pyasn1.codec.der import encoder
from pyasn1.type import univ

from ainas_bot.certificates import factory as certfactory
from ainas_bot.certificates.p12_limits import MAX_ITERATIONS, mac_verifies
from ainas_bot.errors import EXIT_CERTIFICATE, EXIT_FAILED, EXIT_OK, EXIT_USAGE
from tests.fixtures_cli import BOT, cli_env, write_config
from tests.fixtures_flow import FlowWorld, OfficeKit
from tests.fixtures_hostile import p12_of_der, pkcs12_with_iterations, self_signed_der

PIN = "Hostile-PIN-4821"


def _bot(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    run = subprocess.run(
        [*BOT, *args], env=env or cli_env([]), capture_output=True, text=True, timeout=timeout, check=False
    )
    assert "Traceback" not in run.stderr, run.stderr
    run.seconds = time.monotonic() - started  # type: ignore[attr-defined]
    return run


def _error_line(run: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in run.stderr.splitlines() if line.startswith("ainas-bot: ")]
    assert len(lines) == 1, run.stderr
    return lines[0]


@pytest.fixture
def pin_file(tmp_path: Path) -> Path:
    path = tmp_path / "pin"
    path.write_text(PIN + "\nsecond line, not part of the PIN\n", encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture
def good_p12(tmp_path: Path) -> Path:
    return certfactory.write_p12(tmp_path / "good.p12", password=PIN)


# --- PKCS#12 bounds, read before any key derivation -----------------------------------------------------------


@pytest.mark.parametrize(
    "rounds",
    [{"mac": 2**31 - 1}, {"pbkdf2": 2**31 - 1}, {"mac": MAX_ITERATIONS + 1}],
    ids=["mac-2^31", "pbkdf2-2^31", "mac-just-over"],
)
def test_iteration_counts_past_the_bound_are_refused_at_once(
    tmp_path: Path, good_p12: Path, pin_file: Path, rounds: dict[str, int]
) -> None:
    hostile = tmp_path / "hostile.p12"
    hostile.write_bytes(pkcs12_with_iterations(good_p12.read_bytes(), **rounds))
    run = _bot("inspect", str(hostile), "--pin-file", str(pin_file))
    assert run.returncode == EXIT_CERTIFICATE
    line = _error_line(run)
    assert "key-derivation rounds" in line and "refused before the PIN is tried" in line and "wrong PIN" not in line
    assert run.seconds < 10  # type: ignore[attr-defined]  # 801 s before the bound (2^31 MAC rounds)


def test_a_file_past_the_size_bound_is_refused(tmp_path: Path, pin_file: Path) -> None:
    big = tmp_path / "big.p12"
    big.write_bytes(b"\x30" * (300 * 1024))
    line = _error_line(_bot("inspect", str(big), "--pin-file", str(pin_file)))
    assert "larger than 262144 bytes" in line


def test_a_right_pin_is_told_from_a_certificate_that_cannot_be_read(tmp_path: Path, pin_file: Path) -> None:
    key, der = self_signed_der(extensions=[("2.5.29.19", encoder.encode(univ.Sequence()))])  # twice
    path = tmp_path / "duplicated-extension.p12"
    path.write_bytes(p12_of_der(key, der, PIN))
    right = _bot("inspect", str(path), "--pin-file", str(pin_file))
    assert right.returncode == EXIT_CERTIFICATE
    assert "the PIN is right" in _error_line(right) and "wrong PIN" not in right.stderr
    wrong = tmp_path / "wrong-pin"
    wrong.write_text("not-the-pin", encoding="utf-8")
    wrong.chmod(0o600)
    assert "wrong PIN" in _error_line(_bot("inspect", str(path), "--pin-file", str(wrong)))


@pytest.mark.parametrize("encryption", ["modern", "legacy", "legacy-3des"])
def test_the_mac_check_tells_the_right_pin(tmp_path: Path, encryption: str) -> None:
    from pyasn1.codec.der import decoder
    from pyasn1_modules import rfc7292

    for pin in (PIN, ""):
        data = certfactory.write_p12(
            tmp_path / f"{encryption}-{bool(pin)}.p12", password=pin, encryption=encryption
        ).read_bytes()
        pfx, _ = decoder.decode(data, asn1Spec=rfc7292.PFX())
        assert mac_verifies(pfx, pin) is True
        assert mac_verifies(pfx, "other") is False


def test_raw_shows_a_2kb_integer_extension(tmp_path: Path, pin_file: Path) -> None:
    key, der = self_signed_der(extensions=[("1.2.3.4", encoder.encode(univ.Integer(2**16400)))])
    path = tmp_path / "big-integer.p12"
    path.write_bytes(p12_of_der(key, der, PIN))
    run = _bot("inspect", str(path), "--pin-file", str(pin_file), "--raw", "--json")
    assert run.returncode in (EXIT_OK, EXIT_CERTIFICATE), run.stderr  # no Japanese names: a warning or a refusal
    if run.returncode == EXIT_OK:
        raw = json.loads(run.stdout)["raw"]
        assert any(e["decoded"] == hex(2**16400) for e in raw["extensions"])


# --- regular files only, bounded ----------------------------------------------------------------------------


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def test_a_fifo_or_a_device_is_refused_wherever_a_file_is_read(tmp_path: Path, good_p12: Path, pin_file: Path) -> None:
    fifo_p12 = _fifo(tmp_path / "fifo.p12")
    assert "is a FIFO, not a regular file" in _error_line(
        _bot("inspect", str(fifo_p12), "--pin-file", str(pin_file), timeout=20)
    )
    for pin in (_fifo(tmp_path / "fifo-pin"), Path("/dev/zero")):
        line = _error_line(_bot("inspect", str(good_p12), "--pin-file", str(pin), timeout=20))
        assert "not a regular file" in line and str(pin) in line
    config = tmp_path / "ainas.toml"
    config.write_text(f'inventory = "{_fifo(tmp_path / "offices.csv")}"\n', encoding="utf-8")
    run = _bot("check", "--config", str(config), timeout=20)
    assert run.returncode == EXIT_USAGE and "is a FIFO" in _error_line(run)


def test_the_pin_file_gives_its_first_line(good_p12: Path, pin_file: Path) -> None:
    assert _bot("inspect", str(good_p12), "--pin-file", str(pin_file)).returncode == EXIT_OK


def _config(tmp_path: Path, world: FlowWorld, kit: OfficeKit, **top: object) -> Path:
    return write_config(
        tmp_path / "ainas.toml",
        world,
        [kit],
        lock_file=str(tmp_path / "run.lock"),
        audit_log=str(tmp_path / "audit.jsonl"),
        **top,
    )


def test_a_symlinked_secret_is_followed_only_to_an_owner_only_file(flow_world: FlowWorld, tmp_path: Path) -> None:
    target = tmp_path / "not-a-secret.txt"
    kit = flow_world.make_office()
    target.write_text(kit.pin + "\n", encoding="utf-8")
    link = tmp_path / "pin-link"
    link.symlink_to(target)
    kit.office = kit.office.model_copy(update={"pin": kit.office.pin.model_copy(update={"env": None, "file": link})})
    config = _config(tmp_path, flow_world, kit)
    target.chmod(0o644)
    refused = _bot("check", "--config", str(config), env=cli_env([kit]))
    assert refused.returncode == EXIT_USAGE
    assert "is a symlink to a file that is not owner-only; refused" in refused.stderr
    target.chmod(0o600)
    accepted = _bot("check", "--config", str(config), env=cli_env([kit]))
    assert accepted.returncode == EXIT_OK, accepted.stderr


# --- office IDs and written paths -------------------------------------------------------------------------


def test_an_office_id_that_is_not_digits_is_refused(flow_world: FlowWorld, tmp_path: Path) -> None:
    kit = flow_world.make_office()
    config = _config(tmp_path, flow_world, kit)
    config.write_text(
        config.read_text(encoding="utf-8").replace(f'id = "{kit.office.id}"', 'id = "x/../../../victim"'),
        encoding="utf-8",
    )
    run = _bot("check", "--config", str(config), env=cli_env([kit]))
    assert run.returncode == EXIT_USAGE
    assert ": id: a 代理人組織ID is digits only" in _error_line(run)


def _bad_office(world: FlowWorld, **fields: Any) -> OfficeKit:
    """An office refused before the portal: `renew` writes its outcome without starting a browser."""
    return world.make_office(postal_code="12-34", **fields)


def test_a_symlinked_lock_audit_or_report_is_not_followed(flow_world: FlowWorld, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    kit = _bad_office(flow_world)
    for planted in ("run.lock", "audit.jsonl", "report.json"):
        (tmp_path / planted).symlink_to(victim)
    config = _config(tmp_path, flow_world, kit)
    locked = _bot("renew", "--all", "--config", str(config), env=cli_env([kit]))
    assert locked.returncode == EXIT_FAILED and "lock_file" in _error_line(locked) and "symlink" in locked.stderr
    (tmp_path / "run.lock").unlink()
    run = _bot("renew", "--all", "--config", str(config), "--report", str(tmp_path / "report.json"), env=cli_env([kit]))
    assert run.returncode == EXIT_FAILED and "RECAP" in run.stdout
    assert "audit log" in run.stderr and "report" in run.stderr and run.stderr.count("symlink; refused") == 2
    assert victim.read_text(encoding="utf-8") == "keep me\n"


def test_a_lock_path_that_is_a_folder_is_one_line(flow_world: FlowWorld, tmp_path: Path) -> None:
    kit = _bad_office(flow_world)
    (tmp_path / "run.lock").mkdir()
    run = _bot("renew", "--all", "--config", str(_config(tmp_path, flow_world, kit)), env=cli_env([kit]))
    assert run.returncode == EXIT_FAILED and "lock_file" in _error_line(run)


# --- deep nesting ----------------------------------------------------------------------------------------


def test_deep_nesting_is_one_line(flow_world: FlowWorld, tmp_path: Path) -> None:
    kit = _bad_office(flow_world)
    config = _config(tmp_path, flow_world, kit)
    report = tmp_path / "deep.json"
    report.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    run = _bot("check", "--config", str(config), "--office", f"@{report}", env=cli_env([kit]))
    assert run.returncode == EXIT_USAGE and "nested too deeply" in _error_line(run)
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    run = _bot("check", "--config", str(deep))
    assert run.returncode == EXIT_USAGE and "nested too deeply" in _error_line(run)


# --- text made safe -----------------------------------------------------------------------------------------

_HOSTILE_NAME = "山田\x1b]0;pwned\x07事務所\nproblem: forged\u202eevil[/bold]"


def test_certificate_text_reaches_the_terminal_as_code_points(tmp_path: Path, pin_file: Path) -> None:
    path = certfactory.write_p12(tmp_path / "names.p12", password=PIN, trade_name=_HOSTILE_NAME)
    for args in ([], ["--json"], ["--raw"]):
        run = _bot("inspect", str(path), "--pin-file", str(pin_file), *args)
        assert run.returncode == EXIT_OK, run.stderr
        for raw in ("\x1b", "\x07", "\u202e", "\nproblem: forged"):
            assert raw not in run.stdout, (args, raw)
        if args == ["--json"]:
            assert json.loads(run.stdout)["trade_name_kanji"].startswith("山田\x1b]0;pwned")  # the value intact
        else:
            assert "<U+001B>]0;pwned<U+0007>" in run.stdout and "<U+202E>" in run.stdout


def test_a_kana_value_ending_in_a_newline_is_refused(flow_world: FlowWorld, tmp_path: Path) -> None:
    kit = flow_world.make_office(trade_name_kana="ギョウセイショシ\n")
    run = _bot("check", "--config", str(_config(tmp_path, flow_world, kit)), env=cli_env([kit]))
    assert run.returncode == EXIT_USAGE
    assert "trade_name_kana" in run.stderr and "<U+000A>" in run.stderr


def test_one_office_with_two_problems_counts_once_and_csv_cells_are_not_formulas(
    flow_world: FlowWorld, tmp_path: Path
) -> None:
    kit = _bad_office(flow_world, login_id='=HYPERLINK("x")', trade_name_kana="kanji漢字")
    report, table = tmp_path / "report.json", tmp_path / "report.csv"
    run = _bot(
        "renew",
        "--all",
        "--config",
        str(_config(tmp_path, flow_world, kit)),
        "--report",
        str(report),
        "--report-csv",
        str(table),
        env=cli_env([kit]),
    )
    assert run.returncode == EXIT_USAGE  # README "Exit codes": the office failed on its inputs
    assert "1 office(s)" in run.stdout and "failed=1" in run.stdout
    assert len(json.loads(report.read_text(encoding="utf-8"))["offices"]) == 1
    assert len((tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()) == 1
    (row,) = csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig")))
    assert row["login_id"] == '\'=HYPERLINK("x")'
    assert "postal_code" in row["message"] and "trade_name_kana" in row["message"]


def test_a_missing_on_failure_command_is_one_line(flow_world: FlowWorld, tmp_path: Path) -> None:
    kit = _bad_office(flow_world)
    config = _config(
        tmp_path, flow_world, kit, on_failure=[str(tmp_path / "no-such-command")], report_dir=str(tmp_path / "reports")
    )
    run = _bot("renew", "--all", "--scheduled", "--config", str(config), env=cli_env([kit]))
    assert run.returncode == EXIT_USAGE  # the office's failure (its inputs) decides, not the hook's
    assert "on_failure command" in _error_line(run) and "could not be run" in _error_line(run)


def test_check_with_a_hostile_p12_in_the_signing_folder_answers_at_once(flow_world: FlowWorld, tmp_path: Path) -> None:
    kit = flow_world.make_office()
    folder = tmp_path / "signing"
    folder.mkdir()
    (folder / "hostile.p12").write_bytes(pkcs12_with_iterations(kit.signing_cert.read_bytes(), mac=2**31 - 1))
    kit.office = kit.office.model_copy(update={"signing_cert": folder})
    run = _bot("check", "--config", str(_config(tmp_path, flow_world, kit)), env=cli_env([kit]), timeout=30)
    assert run.returncode == EXIT_USAGE
    assert "key-derivation rounds" in run.stderr and "hostile.p12" in run.stderr
    assert run.seconds < 10  # type: ignore[attr-defined]
