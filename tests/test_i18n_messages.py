"""Messages of the certificate, value and file checks through the installed command: in Japanese with
`--lang ja` or a Japanese locale, and the very same English text otherwise. No portal is involved: each
case is refused or warned about before any browser starts; the probe's words are checked on its report."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ainas_bot.certificates.p12_limits import MAX_P12_BYTES
from ainas_bot.errors import EXIT_CERTIFICATE, EXIT_USAGE
from ainas_bot.i18n import use_language
from flows.finder.markers import Button
from flows.probe import Check, ProbeReport, ScreenReport

EXE = Path(sys.executable).with_name("ainas-bot")
PIN = "I18n-PIN-5930"


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AINAS_", "LC_", "LANG"))}
    environ.update(env)
    done = subprocess.run([str(EXE), *args], capture_output=True, text=True, env=environ, timeout=120, check=False)
    assert "Traceback" not in done.stderr, done.stderr
    assert PIN not in done.stdout + done.stderr
    return done


def _error(done: subprocess.CompletedProcess[str]) -> str:
    (line,) = done.stderr.splitlines()
    return line


def test_an_oversized_p12_is_one_line_in_japanese_and_in_english(tmp_path: Path) -> None:
    big = tmp_path / "big.p12"
    big.write_bytes(b"\x30" * (MAX_P12_BYTES + 1))
    ja = _run("--lang", "ja", "inspect", str(big), AINAS_PIN=PIN, LANG="C.UTF-8")
    assert ja.returncode == EXIT_CERTIFICATE
    assert _error(ja) == f"ainas-bot: {big}: {MAX_P12_BYTES} バイトを超えています。正しいファイルではありません"
    en = _run("inspect", str(big), AINAS_PIN=PIN, LANG="C.UTF-8")
    assert en.returncode == EXIT_CERTIFICATE
    assert _error(en) == f"ainas-bot: {big}: is larger than {MAX_P12_BYTES} bytes; this cannot be the right file"


def test_a_file_that_is_no_p12_follows_the_locale(tmp_path: Path) -> None:
    text = tmp_path / "other.p12"
    text.write_bytes(b"\x30\x03\x02\x01\x05")  # DER, but a SEQUENCE { INTEGER 5 }, not a PFX
    ja = _run("inspect", str(text), AINAS_PIN=PIN, LANG="ja_JP.UTF-8")
    assert ja.returncode == EXIT_CERTIFICATE
    assert _error(ja) == (
        f"ainas-bot: {text}: PKCS#12（.p12）ファイルではありません。"
        "証明書を秘密鍵付きの .p12 としてエクスポートしてください"
    )
    en = _run("--lang", "en", "inspect", str(text), AINAS_PIN=PIN, LANG="ja_JP.UTF-8")
    assert _error(en) == (
        f"ainas-bot: {text}: not a PKCS#12 (.p12) file; export the certificate with its private key as .p12"
    )


def test_a_folder_given_as_the_p12_is_said_in_japanese(tmp_path: Path) -> None:
    ja = _run("--lang", "ja", "inspect", str(tmp_path), AINAS_PIN=PIN)
    assert ja.returncode == EXIT_CERTIFICATE
    assert _error(ja) == f"ainas-bot: {tmp_path}: フォルダであり、.p12 ファイルではありません"


def _config(tmp_path: Path, make: Callable[..., Path], *, postal_code: str, login_id: str) -> Path:
    signing = make("signing.p12", password=PIN)
    client = make("client.p12", password=PIN)
    config = tmp_path / "ainas.toml"
    config.write_text(
        f'artifacts_dir = "{tmp_path / "artifacts"}"\n'
        "[[offices]]\n"
        'id = "1234567"\n'
        f'login_id = "{login_id}"\n'
        'login_password = { env = "I18N_SECRET" }\n'
        f'client_cert = "{client}"\n'
        'client_cert_password = { env = "I18N_SECRET" }\n'
        f'signing_cert = "{signing}"\n'
        'pin = { env = "I18N_SECRET" }\n'
        'trade_name_kana = "ヤマダギョウセイショシジムショ"\n'
        'holder_name_kana = "ヤマダ　タロウ"\n'
        f'postal_code = "{postal_code}"\n',
        encoding="utf-8",
    )
    return config


def test_check_says_a_value_problem_and_a_warning_in_japanese_and_in_english(
    tmp_path: Path, make_p12: Callable[..., Path]
) -> None:
    config = _config(tmp_path, make_p12, postal_code="000-0000", login_id="Sample-1")
    ja = _run("--lang", "ja", "check", "--config", str(config), I18N_SECRET=PIN)
    en = _run("check", "--config", str(config), I18N_SECRET=PIN, LANG="C.UTF-8")
    assert ja.returncode == en.returncode == EXIT_USAGE, ja.stderr + en.stderr
    assert (
        "事務所 1234567: postal_code（郵便番号）'000-0000' は日本郵便のデータにありません"
        "（'東京都千代田区霞が関一丁目２番３号' の郵便番号: 100-6005）。修正するか、事業所の個別番号であれば "
        "postal_code_confirmed = true を設定してください"
    ) in ja.stderr
    assert (
        "事務所 1234567: login_id 'Sample-1' が利用登録通知書にある半角英小文字と数字の5文字ではありません。"
        "確認してください（0 と o、1 と l）"
    ) in ja.stderr
    assert (
        "office 1234567: postal_code (郵便番号) '000-0000' does not exist in Japan Post's data (codes for "
        "'東京都千代田区霞が関一丁目２番３号': 100-6005); fix it, or for a 事業所 code set "
        "postal_code_confirmed = true"
    ) in en.stderr
    assert (
        "office 1234567: login_id 'Sample-1' is not five lower-case letters and digits as the 利用登録通知書 "
        "describes; check it (0/o, 1/l)"
    ) in en.stderr
    assert "事務所" not in en.stderr.replace("事業所", "")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_secret_file_that_does_not_exist_names_the_setting(
    tmp_path: Path, make_p12: Callable[..., Path], lang: str
) -> None:
    config = _config(tmp_path, make_p12, postal_code="auto", login_id="abc12")
    missing = tmp_path / "no-such-pin"
    config.write_text(
        config.read_text(encoding="utf-8").replace('pin = { env = "I18N_SECRET" }', f'pin = {{ file = "{missing}" }}'),
        encoding="utf-8",
    )
    done = _run("--lang", lang, "check", "--config", str(config), I18N_SECRET=PIN)
    assert done.returncode == EXIT_USAGE, done.stderr
    expected = {"ja": f"秘密ファイル {missing} がありません", "en": f"secret file {missing} does not exist"}[lang]
    assert expected in done.stderr, done.stderr


@pytest.fixture
def japanese() -> Iterator[None]:
    use_language("ja")
    try:
        yield
    finally:
        use_language("en")


def test_the_probe_names_what_is_missing_in_japanese(japanese: None) -> None:
    report = ProbeReport(
        "1234567",
        [
            ScreenReport(
                "代理人組織照会",
                checks=[
                    Check("title", "Screen.ORG_DETAIL", "代理人組織照会", how="heading <h1>"),
                    Check("button", "Label.CERT_REGISTER", "+ 代理人証明書登録", candidates=["+ 証明書を登録"]),
                ],
            )
        ],
    )
    assert report.summary() == (
        "事務所 1234567: 代理人組織照会: ボタン「+ 代理人証明書登録」 が見つかりません。"
        '[portal_text] に "Label.CERT_REGISTER" = "+ 証明書を登録" を設定してください'
    )
    assert str(Button("確定")) == "ボタン「確定」"
    use_language("en")
    assert report.summary() == (
        "office 1234567: 代理人組織照会: button + 代理人証明書登録 not found; "
        'set [portal_text] "Label.CERT_REGISTER" = "+ 証明書を登録"'
    )
    assert str(Button("確定")) == "button 確定"
