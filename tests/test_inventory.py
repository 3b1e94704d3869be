"""The office inventory: CSV in UTF-8, UTF-8 with BOM and Shift_JIS, errors naming file/row/column, selection."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from ainas_bot.config.inventory import all_offices, failed_office_ids, read_inventory, select_offices
from ainas_bot.config.loading import load_settings
from ainas_bot.config.secrets import SecretRef
from ainas_bot.config.settings import Office, Settings
from ainas_bot.errors import EXIT_USAGE, ConfigError


def read_offices_csv(path: Path) -> list[Office]:
    """The offices of a CSV inventory alone, read as a run reads `inventory` (paths relative to its folder)."""
    return all_offices(Settings(inventory=path))


REPO = Path(__file__).resolve().parent.parent
SECRET = "S3cr3t-PIN-8472"

JA_HEADER = [
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
EN_HEADER = [
    "id",
    "login_id",
    "login_password",
    "client_cert",
    "client_cert_password",
    "signing_cert",
    "pin",
    "trade_name_kana",
    "holder_name_kana",
    "postal_code",
    "start_date",
]


def row(office_id: str, **changes: str) -> list[str]:
    values = {
        "id": office_id,
        "login_id": f"admin{office_id}",
        "login_password": f"env:OFFICE{office_id}_LOGIN",
        "client_cert": f"certs/{office_id}/client.p12",
        "client_cert_password": f"file:secrets/{office_id}.txt",
        "signing_cert": f"/srv/certs/{office_id}/",
        "pin": f"secret:office-{office_id}-pin",
        "trade_name_kana": "ギョウセイシヨシカツヨウジムシヨ",
        "holder_name_kana": "リカツヨウ　タロウ",
        "postal_code": "123-4567",
        "start_date": "",
    }
    values.update(changes)
    return [values[name] for name in EN_HEADER]


def write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8", header: list[str] = JA_HEADER) -> Path:
    """As Excel writes it: CRLF line ends, cells quoted only when needed."""

    def cell(value: str) -> str:
        return f'"{value.replace(chr(34), chr(34) * 2)}"' if any(c in value for c in ',"\n') else value

    text = "".join(",".join(cell(v) for v in r) + "\r\n" for r in [header, *rows])
    path.write_bytes(text.encode(encoding))
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as exc:
        read_offices_csv(path)
    message = str(exc.value)
    assert "\n" not in message
    assert exc.value.exit_code == EXIT_USAGE
    return message


def office(office_id: str) -> Office:
    return Office.model_validate(
        {
            "id": office_id,
            "login_id": "x",
            "login_password": {"env": "A"},
            "client_cert": "/c.p12",
            "client_cert_password": {"env": "B"},
            "signing_cert": "/s",
            "pin": {"env": "C"},
            "trade_name_kana": "カナ",
            "holder_name_kana": "カナ",
            "postal_code": "123-4567",
        }
    )


# -- encodings and headers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
@pytest.mark.parametrize("header", [JA_HEADER, EN_HEADER], ids=["japanese", "english"])
def test_a_csv_is_read_in_every_encoding_excel_writes(tmp_path: Path, encoding: str, header: list[str]) -> None:
    path = write_csv(
        tmp_path / "offices.csv", [row("1"), row("2", start_date="2027/4/1")], encoding=encoding, header=header
    )
    first, second = read_offices_csv(path)
    assert first.id == "1" and second.id == "2"
    assert first.login_id == "admin1"
    assert first.trade_name_kana == "ギョウセイシヨシカツヨウジムシヨ"
    assert first.holder_name_kana == "リカツヨウ　タロウ"
    assert first.login_password == SecretRef(env="OFFICE1_LOGIN")
    assert first.pin == SecretRef(secret="office-1-pin")
    assert first.start_date == "today"
    assert second.start_date == dt.date(2027, 4, 1)


def test_the_bom_is_not_part_of_the_first_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "offices.csv", [row("1")], encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert [o.id for o in read_offices_csv(path)] == ["1"]


def test_headers_with_half_width_parentheses_and_spaces(tmp_path: Path) -> None:
    header = [f"  {h} " for h in JA_HEADER]
    header[7], header[8], header[1] = "屋号(カナ)", " 氏名又は代表者名 ( カナ ) ", "ＬＯＧＩＮ ＩＤ"
    path = write_csv(tmp_path / "offices.csv", [row("1")], encoding="cp932", header=header)
    assert read_offices_csv(path)[0].trade_name_kana == "ギョウセイシヨシカツヨウジムシヨ"


def test_empty_lines_comments_notes_and_columns_in_any_order(tmp_path: Path) -> None:
    header = [*reversed(EN_HEADER[:-1]), "# メモ", ""]  # no start_date column: it is optional
    rows = [
        [*reversed(row("1")[:-1]), "", "x"],
        [],
        ["", "", ""],
        ["# 2 is closed"],
        [*reversed(row("3")[:-1]), "note"],
    ]
    path = write_csv(tmp_path / "offices.csv", rows, header=header)
    assert [(o.id, o.start_date) for o in read_offices_csv(path)] == [("1", "today"), ("3", "today")]


@pytest.mark.parametrize(
    "text", ["2027-04-01", "2027/4/1", "2027/04/01", "2027年4月1日", "20270401", "２０２７／４／１"]
)
def test_start_date_in_the_forms_excel_and_people_write(tmp_path: Path, text: str) -> None:
    path = write_csv(tmp_path / "offices.csv", [row("1", start_date=text)], encoding="cp932")
    assert read_offices_csv(path)[0].start_date == dt.date(2027, 4, 1)


def test_relative_paths_are_relative_to_the_csv_folder(tmp_path: Path) -> None:
    (tmp_path / "inv").mkdir()
    path = write_csv(tmp_path / "inv" / "offices.csv", [row("1")])
    got = read_offices_csv(path)[0]
    base = (tmp_path / "inv").resolve()
    assert got.client_cert == base / "certs" / "1" / "client.p12"
    assert got.client_cert_password == SecretRef(file=base / "secrets" / "1.txt")
    assert got.signing_cert == Path("/srv/certs/1")


def test_the_example_in_config_is_valid() -> None:
    offices = read_offices_csv(REPO / "config" / "offices.csv")
    assert [o.id for o in offices] == ["1", "2"]
    assert offices[1].pin == SecretRef(file=REPO / "config" / "office-2" / "pin.txt")


# -- errors name file, row and column ---------------------------------------------------------------------------


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    header = [h for h in JA_HEADER if h not in {"郵便番号", "PIN"}]
    path = write_csv(tmp_path / "offices.csv", [], header=header)
    message = error_of(path)
    assert message.startswith(f"{path}: row 1: missing column ")
    assert "PIN (pin)" in message and "郵便番号 (postal_code)" in message


def test_a_column_a_letter_from_a_missing_one_is_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "offices.csv", [row("1")], header=[*JA_HEADER[:-1], "利用開始"])
    message = error_of(path)
    assert message.startswith(f"{path}: row 1: column 利用開始 is not one the bot reads; did you mean 利用開始日?")
    assert "start its header with #" in message


def test_other_unknown_columns_are_notes(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "offices.csv", [[*row("1"), "", "x"]], header=[*JA_HEADER, "備考", "メモ"])
    inventory = read_inventory(path)
    assert (inventory.problems, inventory.ignored) == ([], ("備考", "メモ"))
    assert [o.id for _, o in inventory.offices] == ["1"]


@pytest.mark.parametrize("column", ["login_password", "client_cert_password", "pin"])
@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
def test_a_plain_secret_is_refused_without_echoing_it(tmp_path: Path, column: str, encoding: str) -> None:
    path = write_csv(tmp_path / "offices.csv", [row("1"), row("2"), row("3", **{column: SECRET})], encoding=encoding)
    message = error_of(path)
    written = JA_HEADER[EN_HEADER.index(column)]
    assert message.startswith(f"{path}: row 4, column {written}: a plain-text secret is not allowed")
    assert "env:VARIABLE" in message and "file:" in message and "secret:" in message
    assert SECRET not in message


def test_errors_use_the_header_as_written(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "offices.csv", [row("1", postal_code="12-345")], header=EN_HEADER)
    assert error_of(path).startswith(f"{path}: row 2, column postal_code: ")


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("start_date", "2027/2/30", "is not a date"),
        ("start_date", "来月", "is not a date"),
        ("postal_code", "12-345", "is not a postal code"),
        ("postal_code", "600001", "Excel drops a leading 0"),
        ("trade_name_kana", "行政書士", "not kana"),
        ("login_id", "", "the cell is empty"),
    ],
)
def test_a_bad_value_names_row_and_column(tmp_path: Path, column: str, value: str, expected: str) -> None:
    path = write_csv(tmp_path / "offices.csv", [row("1"), row("2", **{column: value})], encoding="cp932")
    message = error_of(path)
    assert message.startswith(f"{path}: row 3, column {JA_HEADER[EN_HEADER.index(column)]}: ")
    assert expected in message


def test_rows_are_counted_as_excel_shows_them(tmp_path: Path) -> None:
    """Comments and empty lines are rows too; a quoted cell over two lines is one row."""
    path = write_csv(tmp_path / "offices.csv", [["# c"], [], row("1", trade_name_kana="ア\nイ")])
    assert error_of(path) == f"{path}: row 4, column 屋号（カナ）: the cell is on several lines; keep it on one"


def test_duplicate_office_ids_name_both_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "offices.csv", [row("1"), row("2"), row("1")])
    message = error_of(path)
    assert message.startswith(f"{path}: row 4, column 代理人組織ID: office ID 1 is also on row 2")


def test_utf16_without_its_bom_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "offices.csv", [row("1")], encoding="utf-16-le")
    message = error_of(path)
    assert message.startswith(f"{path}: ") and "UTF-16" in message
    assert "CSV UTF-8" in message and "Shift_JIS" in message


def test_utf16_with_its_bom_is_read(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "offices.csv", [row("1")], encoding="utf-16")
    assert [o.id for o in read_offices_csv(path)] == ["1"]


@pytest.mark.parametrize("data", [b"id,login_id\r\n1,\x85\x40\xff\r\n", b"id\r\n\x81 \r\n", b"id\r\n\x80\r\n"])
def test_bytes_neither_utf8_nor_shift_jis_are_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "offices.csv"
    path.write_bytes(data)
    assert error_of(path) == (
        f"{path}: the file is neither UTF-8 nor Shift_JIS; save it from Excel as "
        '"Excel ブック (*.xlsx)", "CSV UTF-8 (コンマ区切り)" or "CSV (コンマ区切り)" (Shift_JIS)'
    )


def test_a_missing_or_empty_file(tmp_path: Path) -> None:
    assert error_of(tmp_path / "nope.csv") == f"{tmp_path / 'nope.csv'}: inventory file not found"
    empty = tmp_path / "empty.csv"
    empty.write_text("# only a comment\n\n", encoding="utf-8")
    assert error_of(empty).startswith(f"{empty}: no header row")


# -- reports and selection --------------------------------------------------------------------------------------


def _report(path: Path, statuses: dict[str, str]) -> Path:
    """As `--report` writes it (the fields of ainas_bot.results.outcome.Outcome)."""
    offices = [
        {"office_id": i, "login_id": "x", "status": s, "reason": "auth" if s == "failed" else None}
        for i, s in statuses.items()
    ]
    path.write_text(json.dumps({"generated_at": "2026-11-25T00:00:00+00:00", "offices": offices}), encoding="utf-8")
    return path


def test_failed_office_ids_of_a_report(tmp_path: Path) -> None:
    report = _report(tmp_path / "r.json", {"3": "failed", "1": "updated", "2": "failed", "4": "already-current"})
    assert failed_office_ids(report) == ["3", "2"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "report not found"),
        ("{not json", "not a report written by --report (JSONDecodeError)"),
        (json.dumps({"offices": [{"id": "1"}]}), 'no "offices" list'),
        (json.dumps([1, 2]), 'no "offices" list'),
    ],
)
def test_a_report_that_is_not_one(tmp_path: Path, content: str | None, expected: str) -> None:
    path = tmp_path / "r.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        failed_office_ids(path)
    assert str(exc.value).startswith(f"{path}: ") and expected in str(exc.value)


def test_select_by_id_keeps_inventory_order_without_duplicates() -> None:
    offices = [office(i) for i in "1234"]
    assert [o.id for o in select_offices(offices, ["3", "1", "3"], all_offices=False)] == ["1", "3"]


def test_select_all() -> None:
    offices = [office(i) for i in "123"]
    assert select_offices(offices, None, all_offices=True) == offices
    assert select_offices(offices, [], all_offices=True) == offices


def test_select_the_failed_offices_of_a_report(tmp_path: Path) -> None:
    offices = [office(i) for i in "12345"]
    report = _report(tmp_path / "r.json", {"4": "failed", "2": "failed", "1": "updated"})
    assert [o.id for o in select_offices(offices, [f"@{report}"], all_offices=False)] == ["2", "4"]
    assert [o.id for o in select_offices(offices, [f"@{report}", "5", "2"], all_offices=False)] == ["2", "4", "5"]
    clean = _report(tmp_path / "clean.json", {"1": "updated"})
    assert select_offices(offices, [f"@{clean}"], all_offices=False) == []


@pytest.mark.parametrize(
    ("selectors", "all_", "expected"),
    [
        (
            None,
            False,
            "give --office ID (repeatable), --office @REPORT.json (the failed offices of an earlier run) or --all",
        ),
        ([], False, "no office selected"),
        (["1"], True, "give --office or --all, not both"),
        (["9", "1", "8"], False, "office 9, 8 is not in the inventory (known: 1, 2, 3, 4, 5, … (7 in all))"),
        (["@"], False, "give the path of an earlier --report JSON"),
        ([""], False, "give an office ID"),
    ],
)
def test_selection_errors(selectors: list[str] | None, all_: bool, expected: str) -> None:
    with pytest.raises(ConfigError) as exc:
        select_offices([office(i) for i in "1234567"], selectors, all_offices=all_)
    assert expected in str(exc.value)
    assert exc.value.exit_code == EXIT_USAGE


def test_a_report_naming_an_office_not_in_the_inventory(tmp_path: Path) -> None:
    report = _report(tmp_path / "r.json", {"9": "failed"})
    with pytest.raises(ConfigError) as exc:
        select_offices([office("1")], [f"@{report}"], all_offices=False)
    assert str(exc.value) == f"{report}: failed office 9 is not in the inventory (known: 1)"


def test_all_with_an_empty_inventory() -> None:
    with pytest.raises(ConfigError, match="the inventory is empty"):
        select_offices([], None, all_offices=True)


# -- settings and CSV together ----------------------------------------------------------------------------------

TOML_OFFICE = """
[[offices]]
id = "{id}"
login_id = "admin"
login_password = {{ env = "X" }}
client_cert = "client.p12"
client_cert_password = "env:Y"
signing_cert = "signing/"
pin = "secret:pin"
trade_name_kana = "カナ"
holder_name_kana = "カナ"
postal_code = "123-4567"
"""


def test_all_offices_reads_the_settings_then_the_csv(tmp_path: Path) -> None:
    (tmp_path / "inv").mkdir()
    write_csv(tmp_path / "inv" / "offices.csv", [row("2"), row("3")], encoding="cp932")
    config = tmp_path / "ainas.toml"
    config.write_text('inventory = "inv/offices.csv"\n' + TOML_OFFICE.format(id="1"), encoding="utf-8")
    settings = load_settings(config)
    got = all_offices(settings)
    assert [o.id for o in got] == ["1", "2", "3"]
    assert got[0].client_cert_password == SecretRef(env="Y")  # the string form works in TOML too
    assert got[0].pin == SecretRef(secret="pin")
    assert got[1].client_cert == (tmp_path / "inv").resolve() / "certs" / "2" / "client.p12"


def test_all_offices_without_an_inventory(tmp_path: Path) -> None:
    config = tmp_path / "ainas.toml"
    config.write_text(TOML_OFFICE.format(id="1"), encoding="utf-8")
    assert [o.id for o in all_offices(load_settings(config))] == ["1"]


def test_an_office_in_both_the_settings_and_the_csv(tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "offices.csv", [row("2"), row("1")])
    config = tmp_path / "ainas.toml"
    config.write_text('inventory = "offices.csv"\n' + TOML_OFFICE.format(id="1"), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        all_offices(load_settings(config))
    assert str(exc.value) == (
        f"{csv.resolve()}: row 3: office 1 is also in the settings ([[offices]]); keep each office in one place"
    )


def test_an_office_twice_in_the_settings(tmp_path: Path) -> None:
    config = tmp_path / "ainas.toml"
    config.write_text(TOML_OFFICE.format(id="1") + TOML_OFFICE.format(id="1"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"office 1 is in \[\[offices\]\] more than once"):
        all_offices(load_settings(config))


@pytest.mark.parametrize("text", ["env:", "ENV:X", "password:x", "envX"])
def test_secret_ref_strings_that_are_not_references_stay_refused(text: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="plain-text secret is not allowed"):
        SecretRef.model_validate(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("env:NAME", SecretRef(env="NAME")),
        ("file:/p/x", SecretRef(file=Path("/p/x"))),
        ("secret:k", SecretRef(secret="k")),
    ],
)
def test_secret_ref_string_forms(text: str, expected: SecretRef) -> None:
    assert SecretRef.model_validate(text) == expected
