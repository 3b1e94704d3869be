"""`ainas-bot make-cert` writes test certificates that `inspect` reads back as chosen."""

from __future__ import annotations

import datetime as dt
import io
import json
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ainas_bot.cli.main import main
from tests.fixtures_settings import without_ainas_variables

PIN = "S3cr3t-PIN-8472"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    without_ainas_variables(monkeypatch)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("MY_PIN", PIN)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    def run(*argv: str | Path) -> tuple[int, str, str]:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        assert PIN not in out + err
        assert "Traceback" not in err
        return code, out, err

    return run


def _inspect(cli: Callable[..., tuple[int, str, str]], path: Path) -> dict[str, object]:
    code, out, err = cli("inspect", "--json", "--pin-env", "MY_PIN", path)
    assert (code, err) == (0, "")
    data: dict[str, object] = json.loads(out)
    return data


@pytest.mark.parametrize(
    ("options", "summary", "encryption", "legacy"),
    [
        (
            ["--profile", "shogyo-touki", "--encryption", "legacy"],
            "shogyo-touki, legacy",
            "pbeWithSHAAnd40BitRC2-CBC",
            True,
        ),
        (
            ["--layout", "san", "--string-type", "bmp"],
            "gyoseishoshi, modern",
            "PBES2/PBKDF2/hmacWithSHA256/AES-256-CBC",
            False,
        ),
        (["--encryption", "legacy-3des"], "gyoseishoshi, legacy-3des", "pbeWithSHAAnd3-KeyTripleDES-CBC", True),
    ],
    ids=["shogyo-legacy", "san-bmp-modern", "subject-3des"],
)
def test_make_cert_writes_what_inspect_reads_back(
    tmp_path: Path,
    cli: Callable[..., tuple[int, str, str]],
    options: list[str],
    summary: str,
    encryption: str,
    legacy: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("ainas_bot.certificates.certinfo.today_jst", lambda now=None: dt.date(2027, 6, 1))
    out_path = tmp_path / "made" / "office.p12"
    code, out, err = cli(
        "make-cert",
        out_path,
        "--pin-env",
        "MY_PIN",
        *options,
        "--trade-name",
        "株式会社霞が関オートサービス",
        "--holder-name",
        "鈴木　一郎",
        "--street",
        "大阪府大阪市北区梅田4-2-8",
        "--building",
        "梅田スカイビル12F",
        "--not-before",
        "2026-01-01",
        "--not-after",
        "2030-04-01",
    )
    assert (code, err) == (0, "")
    assert out == f"wrote {out_path} ({summary}, expires 2030/04/01)\n"
    assert stat.S_IMODE(out_path.stat().st_mode) == 0o600
    data = _inspect(cli, out_path)
    assert data["profile"] == summary.partition(",")[0]
    assert data["trade_name_kanji"] == "株式会社霞が関オートサービス"
    assert data["holder_name_kanji"] == "鈴木　一郎"
    assert data["address_street"] == "大阪府大阪市北区梅田4-2-8"
    assert data["address_building"] == "梅田スカイビル12F"
    assert data["not_before"] == "2026-01-01"
    assert data["not_after"] == "2030-04-01"
    encryption_names = data["encryption"]
    assert isinstance(encryption_names, dict)
    assert encryption_names["certificates"] == encryption
    assert encryption_names["legacy"] is legacy


def test_make_cert_defaults_and_no_building(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    out_path = tmp_path / "default.p12"
    code, _, _ = cli("make-cert", out_path, "--pin-env", "MY_PIN", "--building", "")
    assert code == 0
    data = _inspect(cli, out_path)
    assert data["profile"] == "gyoseishoshi"
    assert data["trade_name_kanji"] == "山田行政書士事務所"
    assert data["address_street"] == "東京都千代田区霞が関一丁目２番３号"
    assert data["address_building"] == ""
    assert data["warnings"] == []
    assert data["key"] == {"type": "RSA", "bits": 2048, "matches_certificate": True}


def test_make_cert_generic_needs_a_mapping(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    out_path = tmp_path / "generic.p12"
    assert cli("make-cert", out_path, "--pin-env", "MY_PIN", "--profile", "generic")[0] == 0
    code, _, err = cli("inspect", "--pin-env", "MY_PIN", out_path)
    assert code == 3
    assert "no Japanese name fields found" in err


def test_make_cert_overwrites_with_owner_only_permissions(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    out_path = tmp_path / "again.p12"
    out_path.write_bytes(b"old")
    out_path.chmod(0o600)
    assert cli("make-cert", out_path, "--pin-env", "MY_PIN")[0] == 0
    assert out_path.read_bytes()[:1] == b"\x30"
    assert stat.S_IMODE(out_path.stat().st_mode) == 0o600


def test_make_cert_pin_file_and_prompt(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_file = tmp_path / "pin"
    pin_file.write_text(PIN, encoding="utf-8")
    pin_file.chmod(0o600)
    assert cli("make-cert", tmp_path / "a.p12", "--pin-file", pin_file)[0] == 0
    assert _inspect(cli, tmp_path / "a.p12")["profile"] == "gyoseishoshi"

    answers = iter([PIN, "typo"])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _, err = cli("make-cert", tmp_path / "b.p12")
    assert code == 2
    assert "the two PINs typed differ" in err
    assert not (tmp_path / "b.p12").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--not-after", "2030-02-30"],
            "make-cert: error: argument --not-after: '2030-02-30' is not a date like 2026-01-31",
        ),
        (["--encryption", "rc4"], "make-cert: error: argument --encryption: invalid choice; see --help"),
        (["--profile", "secom"], "make-cert: error: argument --profile: invalid choice; see --help"),
        (
            ["--pin", PIN],
            "ainas-bot: a PIN is never taken from the command line (ps and the shell history would "
            "show it); use --pin-env NAME, --pin-file PATH, AINAS_PIN or the prompt",
        ),
    ],
    ids=["bad-date", "bad-encryption", "bad-profile", "pin-on-argv"],
)
def test_make_cert_usage_errors(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]], options: list[str], message: str
) -> None:
    code, _, err = cli("make-cert", tmp_path / "x.p12", "--pin-env", "MY_PIN", *options)
    assert code == 2
    assert err.splitlines()[-1].endswith(message)
    assert PIN not in err
    assert not (tmp_path / "x.p12").exists()


def test_make_cert_without_a_pin_and_no_terminal(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    code, _, err = cli("make-cert", tmp_path / "x.p12")
    assert code == 2
    assert "no PIN given" in err


def test_make_cert_to_a_path_that_cannot_be_written(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    (tmp_path / "folder.p12").mkdir()
    code, out, err = cli("make-cert", tmp_path / "folder.p12", "--pin-env", "MY_PIN")
    assert code == 1
    assert out == ""
    assert err.startswith(f"ainas-bot: p12 {tmp_path / 'folder.p12'}: cannot be written")
    assert err.count("\n") == 1
