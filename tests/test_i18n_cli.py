"""What `check`, `renew`, `status` and the settings say in Japanese (issue 16, "Language and names"), through
the CLI: the ready lines, a problem naming its office once, the summary line, the recap with its Japanese
headers and status labels, a settings error, the help of `renew`; the machine outputs (JSON, CSV, audit log)
keep their English keys and status words. The sandbox run is one e2e test; the others start no browser."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from ainas_bot.certificates import factory as certfactory
from ainas_bot.cli.main import main
from ainas_bot.errors import EXIT_OK, EXIT_USAGE
from tests.fixtures_cli import cli_env, write_config
from tests.fixtures_flow import FlowWorld
from tests.fixtures_settings import without_ainas_variables

PIN = "I18n-PIN-4471"
LOGIN_PASSWORD = "I18n-Login-6620"
CLIENT_PW = "I18n-Client-3185"
SECRETS = (PIN, LOGIN_PASSWORD, CLIENT_PW)
HEADER = [
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
KANA_PROBLEM = (
    "trade_name_kana（屋号（カナ））'サトウジムショ' は 屋号（漢字） '山田行政書士事務所' の"
    "読みではありません（辞書の読み: 'ヤマダギョウセイショシジムショ'）。正しい読みを入力するか、"
    "'サトウジムショ' が正しければ kana_confirmed = true を設定してください"
)
POSTAL_PROBLEM = (
    "postal_code（郵便番号）'000-0000' は日本郵便のデータにありません"
    "（'東京都千代田区霞が関一丁目２番３号' の郵便番号: 100-6005）。修正するか、"
    "事業所の個別番号であれば postal_code_confirmed = true を設定してください"
)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    without_ainas_variables(monkeypatch)
    monkeypatch.setenv("I18N_LOGIN", LOGIN_PASSWORD)
    monkeypatch.setenv("I18N_CLIENT", CLIENT_PW)
    monkeypatch.setenv("I18N_PIN", PIN)


def _row(office_id: str, **changes: str) -> list[str]:
    values = {
        "id": office_id,
        "login_id": f"a{office_id}x",
        "login_password": "env:I18N_LOGIN",
        "client_cert": "client.p12",
        "client_cert_password": "env:I18N_CLIENT",
        "signing_cert": "signing/",
        "pin": "env:I18N_PIN",
        "trade_name_kana": "ヤマダギョウセイショシジムショ",
        "holder_name_kana": "ヤマダ　タロウ",
        "postal_code": "100-0013",
    }
    values.update(changes)
    return list(values.values())


def _site(root: Path, key: rsa.RSAPrivateKey, rows: list[list[str]]) -> Path:
    """Three offices' worth of files (one client certificate, a folder of .p12) and their settings."""
    certfactory.write_p12(root / "client.p12", key=key, password=CLIENT_PW)
    certfactory.write_p12(root / "signing" / "cert.p12", key=key, password=PIN, valid_days=600)
    (root / "offices.csv").write_text("".join(",".join(r) + "\r\n" for r in [HEADER, *rows]), encoding="utf-8")
    config = root / "ainas.toml"
    config.write_text(
        f'inventory = "offices.csv"\naudit_log = "{root / "audit.jsonl"}"\n'
        f'lock_file = "{root / "run.lock"}"\nartifacts_dir = "{root / "artifacts"}"\n',
        encoding="utf-8",
    )
    return config


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], list[str]]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    for secret in SECRETS:
        assert secret not in out + err
    return code, out.splitlines(), err.splitlines()


def test_check_of_three_offices_in_japanese_and_in_english(
    tmp_path: Path, key: rsa.RSAPrivateKey, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _site(tmp_path, key, [_row("101"), _row("102"), _row("103", trade_name_kana="サトウジムショ")])

    code, out, err = _run(capsys, "--lang", "ja", "check", "--config", str(config))

    assert code == EXIT_USAGE
    ready = [line for line in out if "準備完了 — " in line]
    assert [line.split(": ")[0] for line in ready] == ["事務所 101", "事務所 102"]
    assert re.fullmatch(
        r"事務所 101: 準備完了 — gyoseishoshi、山田行政書士事務所 / 山田　太郎、"
        r"有効期限 \d{4}/\d\d/\d\d、利用開始日 \d{4}/\d\d/\d\d、"
        r"ヤマダギョウセイショシジムショ / ヤマダ　タロウ、100-0013",
        ready[0],
    )
    assert out[1].startswith(f"事務所 101: {tmp_path / 'signing'} の cert.p12 を使います: ")
    assert out[-1] == "準備完了 2、問題あり 1"
    (problem,) = [line for line in err if line.startswith("問題: ")]
    assert problem == f"問題: 事務所 103: {KANA_PROBLEM}"  # the office named once, as `_values` starts it

    code, out, err = _run(capsys, "check", "--config", str(config))
    assert code == EXIT_USAGE
    assert [line.split(": ok — ")[0] for line in out if ": ok — " in line] == ["office 101", "office 102"]
    assert out[-1] == "2 ready, 1 with problems"
    assert [line.split(": ")[1] for line in err if line.startswith("problem: ")] == ["office 103"]
    assert not any(ch in "".join(out + err) for ch in "準問警")


def test_a_missing_secret_names_its_office_and_setting_once(
    tmp_path: Path, key: rsa.RSAPrivateKey, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _site(tmp_path, key, [_row("201", pin="env:I18N_NO_SUCH_PIN")])
    code, out, err = _run(capsys, "--lang", "ja", "check", "--config", str(config))
    assert code == EXIT_USAGE
    assert "問題: 事務所 201: pin: 環境変数 I18N_NO_SUCH_PIN が設定されていません" in err
    assert out[-1] == "準備完了 0、問題あり 1"


def test_a_renew_refused_before_the_portal_recaps_in_japanese_and_writes_english_keys(
    tmp_path: Path, key: rsa.RSAPrivateKey, capsys: pytest.CaptureFixture[str]
) -> None:
    """No browser starts: the office is refused on its inputs. Two problems, one line, the office said once."""
    config = _site(tmp_path, key, [_row("301", trade_name_kana="サトウジムショ", postal_code="000-0000")])
    report, report_csv = tmp_path / "r.json", tmp_path / "r.csv"

    code, out, err = _run(
        capsys,
        "--lang",
        "ja",
        "renew",
        "--all",
        "--config",
        str(config),
        "--report",
        str(report),
        "--report-csv",
        str(report_csv),
    )

    assert code == EXIT_USAGE  # every failed office failed on its inputs
    assert out[0] == "結果一覧"
    line = out[1]
    assert re.match(r"301 +山田行政書士事務所  失敗 +0\.\ds  入力: 事務所 301: ", line), line
    assert line.count("事務所 301") == 1 and line.endswith(f"{KANA_PROBLEM}。{POSTAL_PROBLEM}")
    assert out[2] == "失敗=1"
    assert re.fullmatch(
        rf"ainas-bot: 1 事務所（\d+\.\d 秒）: 失敗=1。JSON レポート {re.escape(str(report))}。"
        rf"CSV レポート {re.escape(str(report_csv))}",
        out[3],
    ), out[3]
    assert any(x.endswith(f"[301] 結果 失敗 (入力): 事務所 301: {KANA_PROBLEM}。{POSTAL_PROBLEM}") for x in err), err
    # For machines: the keys, the status and the reason as they are in English; the message is the operator's.
    (office,) = json.loads(report.read_text(encoding="utf-8"))["offices"]
    assert (office["status"], office["reason"]) == ("failed", "input")
    assert office["message"].startswith("事務所 301: trade_name_kana")
    (row,) = csv.DictReader(io.StringIO(report_csv.read_text(encoding="utf-8-sig")))
    assert (row["status"], row["reason"]) == ("failed", "input")
    (audit,) = [json.loads(x) for x in (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (audit["outcome"], audit["reason"]) == ("failed", "input")


def test_a_settings_error_in_japanese_names_the_file_the_office_and_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "ainas.toml"
    config.write_text(
        'concurency = 3\n\n[[offices]]\nid = "1234567"\nlogin_id = "abc12"\nlogin_pasword = { env = "X" }\n',
        encoding="utf-8",
    )
    code, _out, err = _run(capsys, "--lang", "ja", "check", "--config", str(config))
    assert code == EXIT_USAGE
    assert err == [
        f"ainas-bot: {config}: 事務所 1234567（3 行目）: 必須の項目がありません: login_password, client_cert, "
        "client_cert_password, signing_cert, pin, trade_name_kana, holder_name_kana, postal_code",
        f"ainas-bot: {config}: 事務所 1234567（3 行目）: 不明な項目 `login_pasword` です。"
        "`login_password` ではありませんか",
        f"ainas-bot: {config}: 不明な項目 `concurency` です。`concurrency` ではありませんか",
    ]
    monkeypatch.setenv("AINAS_CONCURRENCY", "abc")
    config.write_text("", encoding="utf-8")
    code, _out, err = _run(capsys, "--lang", "ja", "check", "--config", str(config))
    assert err == ["ainas-bot: 環境変数 AINAS_CONCURRENCY: 整数でなければなりません（文字列を整数として読めません）"]
    code, _out, err = _run(capsys, "check", "--config", str(config))
    assert err == [
        "ainas-bot: the environment variable AINAS_CONCURRENCY: Input should be a valid integer, unable "
        "to parse string as an integer"
    ]


def test_an_inventory_row_error_in_japanese_keeps_excels_row_and_the_header(
    tmp_path: Path, key: rsa.RSAPrivateKey, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _site(tmp_path, key, [_row("401"), _row("401")])
    code, _out, err = _run(capsys, "--lang", "ja", "check", "--config", str(config))
    assert code == EXIT_USAGE
    assert err == [
        f"ainas-bot: {(tmp_path / 'offices.csv').resolve()}: 3 行目、列 代理人組織ID: 事務所の ID 401 は 2 "
        "行目にもあります。各事務所は一度だけ書いてください"
    ]


def test_the_help_of_renew_in_japanese_and_in_english() -> None:
    exe = Path(sys.executable).with_name("ainas-bot")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    ja = subprocess.run(
        [str(exe), "renew", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**env, "LANG": "ja_JP.UTF-8"},
    )
    assert ja.returncode == EXIT_OK, ja.stderr
    assert ja.stdout.startswith("使い方: ainas-bot renew ")
    text = " ".join(ja.stdout.split())  # argparse wraps the help to the terminal's width
    for said in (
        "事務所の署名用証明書を登録・更新します",
        "--dry-run ログインして確認だけを行い、何も変更しません",
        "結果を CSV（Excel）で書き出します",
        "同時に使うブラウザーコンテキストの数（既定: 4）",
        "代理人組織ID（複数可）。@REPORT.json なら以前の実行で失敗した事務所",
    ):
        assert said in text, ja.stdout
    en = subprocess.run(
        [str(exe), "renew", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**env, "LANG": "C.UTF-8"},
    )
    assert en.stdout.startswith("usage: ainas-bot renew ")
    assert "--dry-run log in and look, change nothing" in " ".join(en.stdout.split())
    assert not re.search(r"[ぁ-んァ-ヶ]", en.stdout.replace("代理人組織ID", ""))


# -- against the sandbox: status and renew --dry-run, one browser run of each on the same two offices ----------


@pytest.mark.e2e
def test_status_and_a_dry_run_in_japanese(flow_world: FlowWorld, tmp_path: Path) -> None:
    kits = [flow_world.make_office(), flow_world.make_office()]
    config = write_config(tmp_path / "ainas.toml", flow_world, kits, audit_log=str(tmp_path / "audit.jsonl"))
    env = {k: v for k, v in cli_env(kits).items() if not k.startswith(("LC_", "LANG"))}
    env["LANG"] = "ja_JP.UTF-8"  # the locale alone chooses Japanese

    status = subprocess.run(
        [sys.executable, "-m", "ainas_bot", "status", "--all", "--config", str(config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert status.returncode == EXIT_OK, status.stderr
    header, *rows = status.stdout.splitlines()
    assert header.split() == ["事務所", "名称", "登録済みの有効期限", "残り日数", "手元の", ".p12", "予定", "警告"]
    for kit, row in zip(kits, rows, strict=True):
        assert row.startswith(f"{kit.office.id}  ") and f"  {kit.notice.org_name}  " in row, row
        assert re.search(r"  登録予定 +—$", row), row

    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "ainas_bot",
            "renew",
            "--all",
            "--dry-run",
            "--config",
            str(config),
            "--report",
            str(tmp_path / "r.json"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == EXIT_OK, run.stderr
    for kit in kits:
        (line,) = [x for x in run.stderr.splitlines() if f"[{kit.office.id}] 結果 " in x]
        # Notes may follow (a name changed since the record in force), after a 。.
        assert re.search(r"\] 結果 登録予定: 有効期限 \d{4}/\d\d/\d\d の証明書を登録する予定です(。|$)", line), line
    assert f"[{kits[0].office.id}] 代理人組織検索: 代理人組織ID {kits[0].office.id}" in run.stderr
    out = run.stdout.splitlines()
    assert out[0] == "結果一覧"
    for kit, line in zip(kits, out[1:3], strict=True):
        assert line.startswith(f"{kit.office.id} ") and f"  {kit.notice.org_name}" in line, line
        assert re.search(
            r"  登録予定 +\d{4}-\d\d-\d\d +\d+\.\ds  "
            r"有効期限 \d{4}/\d\d/\d\d の証明書を登録する予定です(。|$)",
            line,
        ), line
    assert out[3] == "登録予定=2"
    assert re.fullmatch(r"ainas-bot: 2 事務所（\d+\.\d 秒）: 登録予定=2。JSON レポート .*r\.json", out[4]), out[4]
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [o["status"] for o in report["offices"]] == ["would-register", "would-register"]
    assert report["counts"] == {"would-register": 2}
    for secret in (s for kit in kits for s in kit.secrets):
        assert secret not in status.stdout + status.stderr + run.stdout + run.stderr


def test_the_p12_cache_says_a_files_warnings_in_the_language_of_the_run_that_reads_it(
    tmp_path: Path, key: rsa.RSAPrivateKey
) -> None:
    """A Japanese run caches a legacy .p12; the English run after it reads the cache and says it in English."""
    from ainas_bot.certificates.certinfo import describe
    from ainas_bot.certificates.p12 import open_p12
    from ainas_bot.i18n import use_language
    from ainas_bot.record.p12_cache import P12Cache
    from ainas_bot.record.store import VerifiedStore

    path = certfactory.write_p12(tmp_path / "old.p12", key=key, password=PIN, encryption="legacy-3des")
    data = path.read_bytes()
    store = VerifiedStore(tmp_path / "record.sqlite3")
    try:
        use_language("ja")
        info = describe(open_p12(data, PIN, name=str(path)), file=str(path))
        assert info.warnings == (
            "古い PKCS#12 の暗号化です（RC2/3DES/SHA-1）。開けますが、できれば AES でエクスポートし直してください",
        )
        P12Cache(store).remember_signing(data, PIN, info, mapping={})
        use_language("en")
        cached = P12Cache(store).signing(data, PIN, file=str(path), mapping={})
        assert cached is not None
        assert cached.warnings == (
            "legacy PKCS#12 encryption (RC2/3DES/SHA-1); it opens, but re-export with AES when you can",
        )
    finally:
        store.close()
