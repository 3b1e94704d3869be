"""`ainas-bot inspect`: every bad input as one line and an exit code, the JSON keys, PIN sources.

Every run checks that the PIN never appears in what the command printed.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from ainas_bot.certificates import factory as certfactory
from ainas_bot.cli.main import main
from tests.fixtures_settings import without_ainas_variables

PIN = "S3cr3t-PIN-8472"
OTHER_PIN = "0th3r-PIN-5531"
EXE = Path(sys.executable).with_name("ainas-bot")
UTC = dt.UTC

JSON_KEYS = {
    "file",
    "profile",
    "trade_name_kanji",
    "holder_name_kanji",
    "address_street",
    "address_building",
    "not_before",
    "not_after",
    "issuer",
    "serial",
    "sha256",
    "key",
    "encryption",
    "warnings",
    # emitted beyond the keys the issue lists:
    "subject",
    "key_usage",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No AINAS_* variable from the caller, and no terminal to prompt on."""
    without_ainas_variables(monkeypatch)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    def run(*argv: str | Path) -> tuple[int, str, str]:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        assert PIN not in out
        assert PIN not in err
        assert "Traceback" not in err
        return code, out, err

    return run


def _one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


# ---------------------------------------------------------------------------------------------- bad input
def _good(tmp: Path, make: Callable[..., Path], key: rsa.RSAPrivateKey) -> Path:
    return make("good.p12", key=key, password=PIN)


def _bytes(name: str, data: Callable[[bytes], bytes]) -> Callable[..., Path]:
    def build(tmp: Path, make: Callable[..., Path], key: rsa.RSAPrivateKey) -> Path:
        good = make("source.p12", key=key, password=PIN).read_bytes()
        path = tmp / name
        path.write_bytes(data(good))
        return path

    return build


def _folder(tmp: Path, make: Callable[..., Path], key: rsa.RSAPrivateKey) -> Path:
    (tmp / "certs.p12").mkdir()
    return tmp / "certs.p12"


def _with(**kwargs: Any) -> Callable[..., Path]:
    def build(tmp: Path, make: Callable[..., Path], key: rsa.RSAPrivateKey) -> Path:
        return make("cert.p12", **{"key": key, "password": PIN, **kwargs})

    return build


NOW = dt.datetime.now(UTC)
BAD_INPUTS = [
    pytest.param(_with(password=OTHER_PIN), "wrong PIN", id="wrong-pin"),
    pytest.param(_with(password=OTHER_PIN, encryption="legacy"), "wrong PIN", id="wrong-pin-legacy"),
    pytest.param(_bytes("notes.p12", lambda _: "証明書のメモ\n".encode() * 20), "not a PKCS#12", id="not-p12"),
    pytest.param(_bytes("half.p12", lambda d: d[: len(d) // 2]), "the file is truncated", id="truncated"),
    pytest.param(_bytes("empty.p12", lambda _: b""), "the file is empty", id="empty"),
    pytest.param(_folder, "is a directory", id="directory"),
    pytest.param(lambda tmp, make, key: tmp / "missing.p12", "no such file", id="missing"),
    pytest.param(_with(include_key=False), "holds no private key", id="no-key"),
    pytest.param(_with(include_certificate=False), "holds no certificate", id="no-certificate"),
    pytest.param(_with(mismatched_key=True), "the private key does not match the certificate", id="key-mismatch"),
    pytest.param(
        _with(not_before=NOW - dt.timedelta(days=800), not_after=NOW - dt.timedelta(days=2)),
        "the certificate expired on",
        id="expired",
    ),
    pytest.param(_with(not_before=NOW + dt.timedelta(days=3)), "the certificate is not valid yet", id="not-yet-valid"),
    pytest.param(_with(profile="generic"), "no Japanese name fields found", id="no-japanese-names"),
]


@pytest.mark.parametrize(("build", "problem"), BAD_INPUTS)
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_bad_input_is_one_line_naming_the_file_with_exit_3(
    tmp_path: Path,
    make_p12: Callable[..., Path],
    key: rsa.RSAPrivateKey,
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
    build: Callable[..., Path],
    problem: str,
    as_json: bool,
) -> None:
    path = build(tmp_path, make_p12, key)
    monkeypatch.setenv("AINAS_PIN", PIN)
    code, out, err = cli("inspect", path, *(["--json"] if as_json else []))
    assert code == 3
    assert out == ""
    line = _one_line(err)
    assert line.startswith(f"ainas-bot: {path}: ")
    assert problem in line


SUBPROCESS_CASES = [
    "wrong-pin",
    "truncated",
    "directory",
    "missing",
    "no-key",
    "key-mismatch",
    "expired",
    "no-japanese-names",
]


@pytest.mark.parametrize(("build", "problem"), [p for p in BAD_INPUTS if p.id in SUBPROCESS_CASES])
def test_bad_input_through_the_installed_command(
    tmp_path: Path, make_p12: Callable[..., Path], key: rsa.RSAPrivateKey, build: Callable[..., Path], problem: str
) -> None:
    path = build(tmp_path, make_p12, key)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AINAS_")} | {"AINAS_PIN": PIN}
    proc = subprocess.run(
        [EXE, "inspect", path], env=env, stdin=subprocess.DEVNULL, capture_output=True, check=False, timeout=60
    )
    assert proc.returncode == 3
    assert proc.stdout == b""
    assert PIN.encode() not in proc.stderr
    assert b"Traceback" not in proc.stderr
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"ainas-bot: {path}: ")
    assert problem in lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["inspect"],
        ["inspect", "a.p12", "--no-such-flag"],
        ["frobnicate"],
        ["inspect", "a.p12", "--pin-env", "X", "--pin-file", "f"],
    ],
    ids=["no-command", "no-file", "unknown-flag", "unknown-command", "two-pin-sources"],
)
def test_usage_errors_exit_2(cli: Callable[..., tuple[int, str, str]], argv: list[str]) -> None:
    code, _, err = cli(*argv)
    assert code == 2
    assert "usage: ainas-bot" in err


def test_help_exits_0(cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = cli("inspect", "--help")
    assert code == 0
    assert "--pin-env" in out
    assert "--pin-file" in out


# ---------------------------------------------------------------------------------------------- output
def test_json_keys_and_values(
    make_p12: Callable[..., Path],
    key: rsa.RSAPrivateKey,
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = make_p12(
        key=key,
        password=PIN,
        profile="shogyo-touki",
        trade_name="株式会社霞が関オートサービス",
        holder_name="鈴木　一郎",
        address_street="東京都千代田区霞が関一丁目２番３号",
        address_building="",
        not_before=dt.datetime(2025, 3, 31, 15, 0, tzinfo=UTC),
        not_after=dt.datetime(2030, 3, 31, 16, 0, tzinfo=UTC),
        serial=0x1234ABCD,
    )
    monkeypatch.setattr("ainas_bot.certificates.certinfo.today_jst", lambda now=None: dt.date(2027, 6, 1))
    monkeypatch.setenv("AINAS_PIN", PIN)
    code, out, err = cli("inspect", "--json", path)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert set(data) == JSON_KEYS
    assert data["file"] == str(path)
    assert data["profile"] == "shogyo-touki"
    assert data["trade_name_kanji"] == "株式会社霞が関オートサービス"
    assert data["holder_name_kanji"] == "鈴木　一郎"
    assert data["address_street"] == "東京都千代田区霞が関一丁目２番３号"
    assert data["address_building"] == ""
    assert data["not_before"] == "2025-04-01"  # 2025-03-31T15:00Z is midnight in Japan
    assert data["not_after"] == "2030-04-01"  # 2030-03-31T16:00Z is 01:00 on April 1st in Japan
    assert data["issuer"] == "CN=Registrar of Tokyo Legal Affairs Bureau (TEST),O=Ministry of Justice (TEST),C=JP"
    assert data["serial"] == "1234ABCD"
    assert len(bytes.fromhex(data["sha256"].replace(":", ""))) == 32
    assert data["key"] == {"type": "RSA", "bits": 2048, "matches_certificate": True}
    assert data["encryption"] == {
        "certificates": "PBES2/PBKDF2/hmacWithSHA256/AES-256-CBC",
        "key": "PBES2/PBKDF2/hmacWithSHA256/AES-256-CBC",
        "mac": "sha256",
        "legacy": False,
    }
    assert data["warnings"] == []
    assert "raw" not in data


@pytest.mark.parametrize(
    ("encryption", "names"),
    [
        (
            "legacy",
            {
                "certificates": "pbeWithSHAAnd40BitRC2-CBC",
                "key": "pbeWithSHAAnd3-KeyTripleDES-CBC",
                "mac": "sha1",
                "legacy": True,
            },
        ),
        (
            "legacy-3des",
            {
                "certificates": "pbeWithSHAAnd3-KeyTripleDES-CBC",
                "key": "pbeWithSHAAnd3-KeyTripleDES-CBC",
                "mac": "sha1",
                "legacy": True,
            },
        ),
    ],
)
def test_legacy_files_open_and_warn(
    make_p12: Callable[..., Path],
    key: rsa.RSAPrivateKey,
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
    encryption: str,
    names: dict[str, object],
) -> None:
    path = make_p12(key=key, password=PIN, encryption=encryption)
    monkeypatch.setenv("AINAS_PIN", PIN)
    code, out, _ = cli("inspect", "--json", path)
    assert code == 0
    data = json.loads(out)
    assert data["encryption"] == names
    assert [w for w in data["warnings"] if w.startswith("legacy PKCS#12 encryption")]
    code, out, _ = cli("inspect", path)
    assert code == 0
    assert "Warning  legacy PKCS#12 encryption" in out
    assert "certificates pbeWith" in out


def test_expiry_warning(
    make_p12: Callable[..., Path],
    key: rsa.RSAPrivateKey,
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = make_p12(key=key, password=PIN, not_before=NOW - dt.timedelta(days=700), valid_days=730)
    monkeypatch.setenv("AINAS_PIN", PIN)
    code, out, _ = cli("inspect", "--json", path)
    assert code == 0
    assert [w for w in json.loads(out)["warnings"] if w.startswith("expires within 60 days")]
    code, out, _ = cli("inspect", path)
    assert "Warning  expires within 60 days" in out


def test_human_output_shows_every_field(
    make_p12: Callable[..., Path],
    key: rsa.RSAPrivateKey,
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Both ends fixed: "today" is pinned, so a certificate made valid from the real day before would stop
    # covering it once the real date passes 2027-06-01.
    path = make_p12(
        key=key,
        password=PIN,
        layout="san",
        string_type="bmp",
        not_before=dt.datetime(2025, 3, 31, 15, 0, tzinfo=UTC),
        not_after=dt.datetime(2030, 3, 31, 16, 0, tzinfo=UTC),
    )
    monkeypatch.setattr("ainas_bot.certificates.certinfo.today_jst", lambda now=None: dt.date(2027, 6, 1))
    monkeypatch.setenv("AINAS_PIN", PIN)
    code, out, err = cli("inspect", path)
    assert (code, err) == (0, "")
    for label, value in [
        ("Profile", "gyoseishoshi"),
        ("屋号（漢字）", "山田行政書士事務所"),
        ("氏名又は代表者名（漢字）", "山田　太郎"),
        ("住所（都道府県～番地）", "東京都千代田区霞が関一丁目２番３号"),
        ("住所（建物名等）", "霞が関ビル５階"),
        ("証明書有効期限", "2030/04/01"),
        ("Key", "RSA 2048 bits, matches the certificate"),
        ("Key usage", "digital_signature, content_commitment"),
        ("Encryption", "certificates PBES2/PBKDF2/hmacWithSHA256/AES-256-CBC"),
    ]:
        (line,) = [ln for ln in out.splitlines() if ln.startswith(label + "  ")]
        assert value in line, line
    assert "– 2030/04/01 01:00 JST" in out
    assert "Warning" not in out


def test_raw_adds_subject_attributes_and_extensions(
    make_p12: Callable[..., Path],
    key: rsa.RSAPrivateKey,
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = make_p12(key=key, password=PIN, profile="shogyo-touki", holder_name="鈴木　一郎")
    monkeypatch.setenv("AINAS_PIN", PIN)
    code, out, _ = cli("inspect", "--json", "--raw", path)
    assert code == 0
    data = json.loads(out)
    assert set(data) == JSON_KEYS | {"raw"}
    raw = data["raw"]
    assert [(a["oid"], a["value"]) for a in raw["subject_attributes"]] == [
        ("2.5.4.6", "JP"),
        ("2.5.4.10", "YAMADA TARO CO.,LTD."),
        ("2.5.4.3", "YAMADA Taro"),
    ]
    by_oid = {e["oid"]: e for e in raw["extensions"]}
    corp = by_oid["1.2.392.100300.1.1.3"]
    assert corp["critical"] is True
    assert "鈴木　一郎" in corp["decoded"]
    assert "010401001234" in corp["decoded"]
    assert by_oid["2.5.29.15"]["critical"] is True
    # The human form carries the same dump after the table.
    code, out, _ = cli("inspect", "--raw", path)
    assert code == 0
    assert '"1.2.392.100300.1.1.3"' in out
    assert "鈴木　一郎" in out


@pytest.mark.parametrize("via", ["flag", "env"])
def test_generic_profile_through_a_settings_mapping(
    tmp_path: Path,
    make_p12: Callable[..., Path],
    key: rsa.RSAPrivateKey,
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
    via: str,
) -> None:
    path = make_p12(key=key, password=PIN, profile="generic", holder_name="佐藤　花子", address_building="")
    config = tmp_path / "ainas.toml"
    config.write_text(
        "[certificate_mapping]\n"
        f'trade_name_kanji = ["subject:{certfactory.GENERIC_TRADE_NAME_OID}"]\n'
        f'holder_name_kanji = ["subject:{certfactory.GENERIC_HOLDER_NAME_OID}"]\n'
        'address_street = ["subject:2.5.4.16"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("AINAS_PIN", PIN)
    if via == "env":
        monkeypatch.setenv("AINAS_CONFIG", str(config))
        code, out, err = cli("inspect", "--json", path)
    else:
        code, out, err = cli("inspect", "--json", "--config", config, path)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["profile"] == "generic"
    assert data["trade_name_kanji"] == "山田行政書士事務所"
    assert data["holder_name_kanji"] == "佐藤　花子"
    assert data["address_street"] == "東京都千代田区霞が関一丁目２番３号"


def test_missing_settings_file_is_a_usage_error(
    tmp_path: Path,
    make_p12: Callable[..., Path],
    key: rsa.RSAPrivateKey,
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = make_p12(key=key, password=PIN)
    monkeypatch.setenv("AINAS_PIN", PIN)
    code, _, err = cli("inspect", "--config", tmp_path / "nope.toml", path)
    assert code == 2
    assert _one_line(err) == f"ainas-bot: {tmp_path / 'nope.toml'}: settings file not found"


# ---------------------------------------------------------------------------------------------- PIN sources
@pytest.fixture
def cert(make_p12: Callable[..., Path], key: rsa.RSAPrivateKey) -> Path:
    return make_p12("signing.p12", key=key, password=PIN, encryption="legacy-3des")


def test_pin_from_an_environment_variable(
    cert: Path, cli: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OFFICE_PIN", PIN)
    monkeypatch.setenv("AINAS_PIN", OTHER_PIN)  # --pin-env wins over AINAS_PIN
    code, out, _ = cli("inspect", "--pin-env", "OFFICE_PIN", cert)
    assert code == 0
    assert "山田行政書士事務所" in out


def test_pin_env_not_set(cert: Path, cli: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AINAS_PIN", PIN)
    code, _, err = cli("inspect", "--pin-env", "OFFICE_PIN", cert)
    assert code == 2
    assert _one_line(err) == "ainas-bot: --pin-env: environment variable OFFICE_PIN is not set"


def test_pin_from_a_file(tmp_path: Path, cert: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text(PIN + "\n", encoding="utf-8")
    pin_file.chmod(0o600)
    code, out, _ = cli("inspect", "--pin-file", pin_file, cert)
    assert code == 0
    assert "山田行政書士事務所" in out


def test_pin_file_missing(tmp_path: Path, cert: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    code, _, err = cli("inspect", "--pin-file", tmp_path / "nope.txt", cert)
    assert code == 2
    assert "nope.txt does not exist" in _one_line(err)


def test_pin_from_ainas_pin(
    cert: Path, cli: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AINAS_PIN", PIN)
    code, out, _ = cli("inspect", "--json", cert)
    assert code == 0
    assert json.loads(out)["encryption"]["legacy"] is True


def test_pin_from_the_terminal_prompt(
    cert: Path, cli: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return PIN

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", fake_getpass)
    code, _, _ = cli("inspect", cert)
    assert code == 0
    assert len(prompts) == 1


def test_no_pin_and_no_terminal(cert: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, err = cli("inspect", cert)
    assert code == 2
    assert out == ""
    line = _one_line(err)
    assert "no PIN given" in line
    assert "--pin-env" in line and "--pin-file" in line and "AINAS_PIN" in line


def test_no_pin_and_no_terminal_through_the_installed_command(cert: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AINAS_")}
    proc = subprocess.run(
        [EXE, "inspect", cert], env=env, stdin=subprocess.DEVNULL, capture_output=True, check=False, timeout=60
    )
    assert proc.returncode == 2
    assert b"no PIN given" in proc.stderr
    assert b"Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "argv",
    [["--pin", PIN], [f"--pin={PIN}"], [f"--pi={PIN}"]],
    ids=["--pin PIN", "--pin=PIN", "--pi=PIN"],
)
def test_a_pin_on_the_command_line_is_refused_without_echoing_it(
    cert: Path, cli: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    monkeypatch.setenv("AINAS_PIN", PIN)  # a PIN is available: the command line one must still be refused
    code, out, err = cli("inspect", cert, *argv)  # `cli` checks that the PIN is not in the output
    assert code == 2
    assert out == ""
    assert "--pin-env" in err


def test_a_pin_on_the_command_line_through_the_installed_command(cert: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AINAS_")}
    proc = subprocess.run(
        [EXE, "inspect", f"--pin={PIN}", cert],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 2
    assert PIN.encode() not in proc.stdout + proc.stderr


def test_a_passwordless_file_opens_with_an_empty_pin(
    make_p12: Callable[..., Path],
    key: rsa.RSAPrivateKey,
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    path = make_p12(key=key, password="")
    monkeypatch.setenv("AINAS_PIN", "")
    code, out, _ = cli("inspect", "--json", path)
    assert code == 0
    assert json.loads(out)["encryption"] == {"certificates": "none", "key": "none", "mac": "sha256", "legacy": False}
    empty = tmp_path / "empty-pin.txt"
    empty.write_text("\n", encoding="utf-8")
    empty.chmod(0o600)
    monkeypatch.delenv("AINAS_PIN")
    code, _, _ = cli("inspect", "--pin-file", empty, path)
    assert code == 0
    monkeypatch.setenv("AINAS_PIN", PIN)
    code, _, err = cli("inspect", path)
    assert code == 3
    assert "wrong PIN" in err


@pytest.mark.parametrize("encryption", ["modern", "legacy", "legacy-3des"])
def test_the_pin_never_appears_in_any_output(
    make_p12: Callable[..., Path],
    key: rsa.RSAPrivateKey,
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
    encryption: str,
) -> None:
    path = make_p12(key=key, password=PIN, encryption=encryption)
    monkeypatch.setenv("AINAS_PIN", PIN)
    for argv in (
        ["inspect", path],
        ["inspect", "--json", path],
        ["inspect", "--json", "--raw", path],
        ["inspect", "--raw", path],
    ):
        code, out, _ = cli(*argv)  # `cli` asserts the PIN is absent
        assert code == 0
        assert PIN.encode().hex() not in out


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_raw_dumps_a_generic_certificate_with_the_mapping_hint(
    make_p12: Callable[..., Path],
    key: rsa.RSAPrivateKey,
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
    as_json: bool,
) -> None:
    """The certificate `inspect` refuses (no Japanese names found) is the one `--raw` exists to study."""
    path = make_p12(key=key, password=PIN, profile="generic", holder_name="佐藤　花子")
    monkeypatch.setenv("AINAS_PIN", PIN)
    assert cli("inspect", path)[0] == 3  # without --raw it stays a refusal
    code, out, err = cli("inspect", "--raw", *(["--json"] if as_json else []), path)
    assert (code, err) == (0, "")
    if as_json:
        data = json.loads(out)
        assert data["profile"] == "generic" and data["trade_name_kanji"] == ""
        oids = {a["oid"]: a["value"] for a in data["raw"]["subject_attributes"]}
        hint = data["hint"]
    else:
        oids = {
            a["oid"]: a["value"] for a in json.loads(out[out.index("{") : out.rindex("}") + 1])["subject_attributes"]
        }
        (hint,) = [line.removeprefix("Hint  ") for line in out.splitlines() if line.startswith("Hint  ")]
    assert oids[certfactory.GENERIC_HOLDER_NAME_OID] == "佐藤　花子"
    assert hint.startswith(f"{path}: no Japanese name fields found") and "[certificate_mapping]" in hint


@pytest.mark.parametrize(
    ("serial", "shown"),
    [
        (0x0DCFABE2_0123_4567_89AB_CDEF_0123_4567, "0DCFABE20123456789ABCDEF01234567"),  # a leading zero kept
        (0x8ACF_ABE2, "8ACFABE2"),  # the top bit set: the bytes, without DER's sign byte, as openssl prints it
        (0x0102, "0102"),
    ],
)
def test_the_serial_is_the_certificates_bytes_as_openssl_prints_it(
    make_p12: Callable[..., Path],
    key: rsa.RSAPrivateKey,
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
    serial: int,
    shown: str,
) -> None:
    path = make_p12(key=key, password=PIN, serial=serial)
    monkeypatch.setenv("AINAS_PIN", PIN)
    code, out, _ = cli("inspect", "--json", path)
    assert code == 0 and json.loads(out)["serial"] == shown
    code, out, _ = cli("inspect", path)
    (line,) = [ln for ln in out.splitlines() if ln.startswith("Serial  ")]
    assert line.split()[-1] == shown
