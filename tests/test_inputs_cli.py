"""Settings and inventories as an operator meets them through `ainas-bot check`: every problem listed with its
row and header as written, Excel workbooks and tab/semicolon text, each setting's error naming its real source,
shared logins, no settings file. No browser.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import threading
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from ainas_bot.certificates import factory as certfactory
from ainas_bot.cli.main import main
from ainas_bot.config import inventory_files as _tables
from ainas_bot.config.loading import load_settings, settings_class
from ainas_bot.errors import EXIT_OK, EXIT_USAGE, ConfigError
from tests.fixtures_settings import without_ainas_variables

PIN = "S3cr3t-PIN-8472"
LOGIN_PASSWORD = "L0gin-Pass-9917"
OTHER_PASSWORD = "0ther-Pass-5531"
CLIENT_PW = "Cl1ent-Pass-3306"
SECRETS = (PIN, LOGIN_PASSWORD, OTHER_PASSWORD, CLIENT_PW)
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
    "利用開始日",
]
ENVIRON = {
    "LOGIN_PASSWORD": LOGIN_PASSWORD,
    "OTHER_PASSWORD": OTHER_PASSWORD,
    "SAME_PASSWORD": LOGIN_PASSWORD,
    "CLIENT_PW": CLIENT_PW,
    "PIN": PIN,
}


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    without_ainas_variables(monkeypatch)
    for name, value in ENVIRON.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def site(tmp_path: Path, key: rsa.RSAPrivateKey) -> Path:
    """A client certificate and a signing certificate (山田行政書士事務所, 100-0013) that every check passes."""
    certfactory.write_p12(tmp_path / "client.p12", key=key, password=CLIENT_PW)
    certfactory.write_p12(tmp_path / "signing" / "cert.p12", key=key, password=PIN, valid_days=600)
    return tmp_path


def cells(office_id: str, **changes: object) -> list[object]:
    values: dict[str, object] = {
        "id": office_id,
        "login_id": f"admin{office_id}",
        "login_password": "env:LOGIN_PASSWORD",
        "client_cert": "client.p12",
        "client_cert_password": "env:CLIENT_PW",
        "signing_cert": "signing/",
        "pin": "env:PIN",
        "trade_name_kana": "やまだ ぎょうせいしょし じむしょ",
        "holder_name_kana": "ﾔﾏﾀﾞ ﾀﾛｳ",
        "postal_code": "100-0013",
        "start_date": "",
    }
    values.update(changes)
    return list(values.values())


def write_text(path: Path, rows: Sequence[Sequence[object]], *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    path.write_bytes("".join(delimiter.join(str(c) for c in r) + "\r\n" for r in rows).encode(encoding))
    return path


def write_book(path: Path, sheets: Mapping[str, Sequence[Sequence[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def config(tmp_path: Path, text: str = "", **top: str) -> Path:
    path = tmp_path / "ainas.toml"
    path.write_text("".join(f'{k} = "{v}"\n' for k, v in top.items()) + text, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], list[str]]:
    code = main(list(args))
    out, err = capsys.readouterr()
    for secret in SECRETS:
        assert secret not in out + err
    assert "Traceback" not in err
    return code, out.splitlines(), err.splitlines()


# -- every problem of an inventory, each with its row and its header as written -------------------------------


def test_check_lists_every_formatting_error_with_excels_row_and_the_written_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = write_text(
        tmp_path / "offices.csv",
        [
            ["# 事務所一覧"],
            HEADER,
            cells("1"),
            cells("2", postal_code="12-345"),
            [],
            cells("3", pin=PIN, start_date="来月", trade_name_kana="行政書士"),
            cells("1"),
        ],
        encoding="cp932",
    )
    code, out, err = run(capsys, "check", "--config", str(config(tmp_path, inventory="offices.csv")))
    assert code == EXIT_USAGE
    assert out == []
    name = csv.resolve()
    assert err[0].startswith(f"ainas-bot: {name}: row 4, column 郵便番号: ")
    assert err[1].startswith(f"ainas-bot: {name}: row 6, column PIN: a plain-text secret is not allowed here")
    assert err[2].startswith(f"ainas-bot: {name}: row 6, column 屋号（カナ）: ")
    assert err[3].startswith(f"ainas-bot: {name}: row 6, column 利用開始日: '来月' is not a date")
    assert err[4] == (
        f"ainas-bot: {name}: row 7, column 代理人組織ID: office ID 1 is also on row 3; list each office once"
    )
    assert len(err) == 5


def test_header_problems_are_all_said_and_note_columns_are_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = [h for h in HEADER if h != "PIN"]
    header[header.index("利用開始日")] = "利用開始"
    write_text(tmp_path / "offices.csv", [[*header, "備考", "メモ"], cells("1")[:-1]])
    code, _out, err = run(capsys, "check", "--config", str(config(tmp_path, inventory="offices.csv")))
    assert code == EXIT_USAGE
    assert [line.split(": row 1: ", 1)[1] for line in err] == [
        "column 利用開始 is not one the bot reads; did you mean 利用開始日? (rename it, or start its header with # "
        "to keep it as notes)",
        "missing column PIN (pin)",
    ]


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [("\t", "utf-8"), (";", "cp932"), ("\t", "utf-16")],
    ids=["tab", "semicolon-shift-jis", "excel-unicode-text"],
)
def test_tab_and_semicolon_separated_files_are_read(
    tmp_path: Path, site: Path, capsys: pytest.CaptureFixture[str], delimiter: str, encoding: str
) -> None:
    write_text(
        site / "offices.txt",
        [["# a note; with, separators\tof every kind"], [*HEADER, "備考"], [*cells("201"), "a, b; c"]],
        delimiter=delimiter,
        encoding=encoding,
    )
    code, out, err = run(capsys, "check", "--config", str(config(site, inventory="offices.txt")))
    assert code == EXIT_OK, err
    assert out[0].startswith("office 201: ok — ")


# -- Excel workbooks ------------------------------------------------------------------------------------------


def test_an_xlsx_workbook_is_read_as_excel_shows_it(
    tmp_path: Path, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Numbers as IDs, a date cell, notes columns anywhere, a comment row; the first sheet unless told."""
    later = dt.date.today() + dt.timedelta(days=30)
    write_book(
        site / "offices.xlsx",
        {
            "事務所": [
                ["# 2026年度"],
                ["メモ", *HEADER, "備考"],
                ["x", *cells("301", start_date=later), "担当: 佐藤"],
                [],
                ["", *cells("302")],
            ],
            "予備": [HEADER, cells("399")],
        },
    )
    code, out, err = run(capsys, "check", "--config", str(config(site, inventory="offices.xlsx")))
    assert code == EXIT_OK, err
    ready = [line for line in out if ": ok — " in line]
    assert [line.split(":")[0] for line in ready] == ["office 301", "office 302"]
    assert f"start {later:%Y/%m/%d}" in ready[0]
    assert out[-1] == "2 ready, 0 with problems"


def test_inventory_sheet_names_the_sheet_and_errors_name_its_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_book(
        tmp_path / "offices.xlsx",
        {"first": [["nothing here"]], "2027": [HEADER, cells("1"), cells("2", postal_code=600001)]},
    )
    path = config(tmp_path, inventory="offices.xlsx", inventory_sheet="2027")
    code, _out, err = run(capsys, "check", "--config", str(path))
    assert code == EXIT_USAGE
    (line,) = err
    assert line.startswith(f"ainas-bot: {(tmp_path / 'offices.xlsx').resolve()}: row 3, column 郵便番号: ")
    assert "Excel drops a leading 0" in line
    path = config(tmp_path, inventory="offices.xlsx", inventory_sheet="2028")
    code, _out, err = run(capsys, "check", "--config", str(path))
    assert (code, len(err)) == (EXIT_USAGE, 1)
    assert err[0].endswith("offices.xlsx: no sheet named '2028' (inventory_sheet); the sheets are 'first', '2027'")


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"PK\x03\x04 not really a zip", "not a readable Excel workbook (the file is damaged)"),
        (_zip({"[Content_Types].xml": b"<Types/>"}), "not a readable Excel workbook"),
        (_zip({"xl/worksheets/sheet1.xml": b"\0" * (2 << 20)}), "the workbook unpacks to 2097152 bytes in 1 parts"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "an Excel 97-2003 workbook (.xls), which is not read"),
    ],
    ids=["damaged", "no-workbook", "unpacks-huge", "xls"],
)
def test_a_corrupt_or_huge_workbook_is_one_line_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, data: bytes, expected: str
) -> None:
    monkeypatch.setattr(_tables, "MAX_WORKBOOK_UNPACKED_BYTES", 1 << 20)
    (tmp_path / "offices.xlsx").write_bytes(data)
    code, _out, err = run(capsys, "check", "--config", str(config(tmp_path, inventory="offices.xlsx")))
    assert code == EXIT_USAGE
    (line,) = err
    assert line.startswith(f"ainas-bot: {(tmp_path / 'offices.xlsx').resolve()}: ")
    assert expected in line


# -- settings errors: the key, the file or the real source, the office by its ID ---------------------------------

OFFICE = """
[[offices]]
id = "{id}"
login_id = "admin{id}"
login_password = {{ env = "LOGIN_PASSWORD" }}
client_cert = "client.p12"
client_cert_password = {{ env = "CLIENT_PW" }}
signing_cert = "signing/"
pin = {{ env = "PIN" }}
trade_name_kana = "やまだ ぎょうせいしょし じむしょ"
holder_name_kana = "ﾔﾏﾀﾞ ﾀﾛｳ"
postal_code = "100-0013"
"""


def test_settings_errors_name_the_key_the_file_the_office_and_the_nearest_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        'timezone = "Asia/Tokyo"\nconcurency = 2\n'
        + OFFICE.format(id="12").replace("login_password", "login_pasword")
        + '\n[[offices]]\nlogin_id = "x"\n'
        + OFFICE.format(id="13").replace("pin = {", "pin = { secert = 1, ")
    )
    path = config(tmp_path, text)
    code, _out, err = run(capsys, "check", "--config", str(path))
    assert code == EXIT_USAGE
    assert sorted(err) == sorted(
        f"ainas-bot: {path}: {line}"
        for line in [
            "`timezone` is no longer a setting (every date is Japan time, Asia/Tokyo, always); remove the line",
            "unknown key `concurency`; did you mean `concurrency`?",
            "office 12 (line 4): required keys are missing: login_password",
            "office 12 (line 4): unknown key `login_pasword`; did you mean `login_password`?",
            "the 2nd [[offices]] table (line 16): required keys are missing: id, login_password, client_cert, "
            "client_cert_password, signing_cert, pin, trade_name_kana, holder_name_kana, postal_code",
            "office 13 (line 19): pin: unknown key `secert`; did you mean `secret`?",
        ]
    )


def test_a_wrong_value_is_blamed_on_its_real_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = config(tmp_path, OFFICE.format(id="1"))
    code, _out, err = run(capsys, "renew", "--config", str(path), "--all", "--concurrency", "0")
    assert (code, err) == (
        EXIT_USAGE,
        ["ainas-bot: the command-line option --concurrency: Input should be greater than or equal to 1"],
    )
    monkeypatch.setenv("AINAS_CONCURRENCY", "abc")
    code, _out, err = run(capsys, "check", "--config", str(path))
    assert (code, err) == (
        EXIT_USAGE,
        [
            "ainas-bot: the environment variable AINAS_CONCURRENCY: Input should be a "
            "valid integer, unable to parse string as an integer"
        ],
    )
    monkeypatch.setenv("AINAS_CONCURRENCY", "4")
    monkeypatch.setenv("AINAS_CERTIFICATE_MAPPING", "trade_name_kanji")
    code, _out, err = run(capsys, "check", "--config", str(path))
    assert code == EXIT_USAGE
    assert err[0].startswith("ainas-bot: the environment variable AINAS_CERTIFICATE_MAPPING: not valid JSON")


def test_the_runners_rules_are_the_settings_own_so_check_finds_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = config(
        tmp_path,
        OFFICE.format(id="1"),
        portal_url="http://ainas.example/oss_agt/",
        browser_endpoint="ws://browsers:3000/",
    )
    monkeypatch.setenv("AINAS_BROWSER", "firefox")
    code, _out, err = run(capsys, "check", "--config", str(path))
    assert code == EXIT_USAGE
    assert err == [
        f"ainas-bot: {path}: portal_url: 'http://ainas.example/oss_agt/' is not an https:// URL; the portal is "
        "only ever opened over https",
        f"ainas-bot: {path}: browser_endpoint: a browser server works with chromium only (Firefox needs a local "
        'profile for the client certificate); remove browser_endpoint or use browser = "chromium"',
    ]


def test_no_settings_file_says_what_was_looked_for(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["check"], ["renew", "--all"], ["status", "--office", "1"]):
        code, _out, err = run(capsys, *command)
        assert (code, len(err)) == (EXIT_USAGE, 1), command
        assert err[0] == (
            "ainas-bot: no settings file: --config was not given and AINAS_CONFIG is not set, so no "
            "office is known; name the settings with --config PATH or AINAS_CONFIG=PATH (a commented "
            "example is config/ainas.toml)"
        )


# -- offices sharing a login ------------------------------------------------------------------------------------


def test_offices_sharing_a_login_with_different_passwords_are_a_conflict(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_text(
        site / "offices.csv",
        [
            HEADER,
            cells("401", login_id="firma"),
            cells("402", login_id="firma", login_password="env:OTHER_PASSWORD"),
            cells("403", login_id="firma", login_password="env:SAME_PASSWORD"),
        ],
    )
    code, out, err = run(capsys, "check", "--config", str(config(site, inventory="offices.csv")))
    assert code == EXIT_USAGE
    assert [line for line in err if not line.startswith("warning: ")] == [
        "problem: office 402: shares login ID firma with office 401, but its login_password (environment "
        "variable OTHER_PASSWORD) differs from office 401's (environment variable LOGIN_PASSWORD); one "
        "login has one password: give both offices the same secret"
    ]
    # 403 names another variable holding the same password: no conflict.
    assert [line.split(":")[0] for line in out[:-1] if ": ok — " in line] == ["office 401", "office 403"]
    assert out[-1] == "2 ready, 1 with problems"


# -- loading the settings -------------------------------------------------------------------------------------


def test_two_loads_in_one_process_each_read_their_own_file(tmp_path: Path) -> None:
    files: dict[int, Path] = {}
    for n in (1, 2):
        (tmp_path / f"c{n}").mkdir()
        files[n] = config(tmp_path / f"c{n}", f"timeout_seconds = {n}\n")
    first, second = load_settings(files[1]), load_settings(files[2])
    assert (first.timeout_seconds, second.timeout_seconds) == (1, 2)
    # Each load's class carries its own source: built for one file, it reads that file whatever was built after.
    one, two = settings_class(files[1]), settings_class(files[2])
    assert (one().timeout_seconds, two().timeout_seconds, one().timeout_seconds) == (1, 2, 1)
    bad = config(tmp_path, '[portal_text]\n"Label.NOPE" = "x"\n')
    seen: dict[int, list[float]] = {1: [], 2: []}
    errors: list[str] = []

    def load(n: int) -> None:
        for _ in range(40):
            seen[n].append(load_settings(files[n]).timeout_seconds)
            try:
                load_settings(bad)
            except ConfigError as exc:
                errors.append(str(exc))

    # Threads switching every microsecond interleave the loads: a path kept in a module-global slot (the
    # design before) gave one thread the other's file, or none (the defaults), within these 40 loads.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=load, args=(n,)) for n in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert seen == {1: [1.0] * 40, 2: [2.0] * 40}
    assert len(errors) == 80 and all(e.startswith(f"{bad}: [portal_text] Label.NOPE") for e in errors), errors[:3]


def test_a_file_in_the_secrets_directory_is_a_secret_not_a_setting(tmp_path: Path) -> None:
    """The README's precedence has no secrets-directory layer: `{ secret = "key" }` reads from it, and a file
    named like a setting there changes nothing."""
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for name, value in (("timeout_seconds", "5"), ("AINAS_TIMEOUT_SECONDS", "6"), ("office-1-pin", PIN)):
        (secrets / name).write_text(value, encoding="utf-8")
        (secrets / name).chmod(0o600)
    settings = load_settings(config(tmp_path, "timeout_seconds = 12\n", secrets_dir="secrets"))
    assert settings.timeout_seconds == 12
    from ainas_bot.config.secrets import SecretRef

    assert SecretRef(secret="office-1-pin").resolve({}, settings.secrets_dir, what="x").get_secret_value() == PIN


def test_the_readme_lists_the_columns_read() -> None:
    from ainas_bot.config.inventory_rows import COLUMNS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for names in COLUMNS.values():
        assert f"`{names[0]}`" in readme and f"`{names[-1]}`" in readme, names
