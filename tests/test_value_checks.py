"""The decisions of the checks before the first click, as pure functions: readings, postal codes, identity, clean
IDs, secrets files."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from ainas_bot.certificates.certinfo import CertificateInfo
from ainas_bot.checks.kana_reading import check_reading, fold_kana, suggest_reading
from ainas_bot.checks.postal import check_postal, derive_postal, normalise_address
from ainas_bot.config.inventory import all_offices
from ainas_bot.config.secrets import SecretRef
from ainas_bot.config.settings import Office, Settings
from ainas_bot.errors import ConfigError
from ainas_bot.foundation.typed_text import id_warnings, visible
from flows.decision import CertificateRow
from flows.identity import backwards_refusal, check_identity, identity_refusal


@pytest.mark.parametrize(
    ("kanji", "kana"),
    [
        ("吉田　一郎", "ヨシダ　イチロウ"),
        ("中島　健", "ナカシマ　タケシ"),
        ("中島　健", "ナカジマ　ケン"),
        ("行政書士利活用事務所", "ギョウセイシヨシリカツヨウジムシヨ"),  # the manual's small/large kana
        ("行政書士法人さくら", "ギョウセイショシホウジン　サクラ"),
        ("東京センタービル", "トウキョウセンタビル"),
    ],
)
def test_readings_the_dictionary_allows(kanji: str, kana: str) -> None:
    assert check_reading(kanji, kana).ok


@pytest.mark.parametrize(
    ("kanji", "kana", "suggested"),
    [
        ("吉田　一郎", "タナカ　ケン", "ヨシダ\u3000イチロウ"),
        ("行政書士利活用事務所", "ギョウセイシヨシカツヨウジムシヨ", "ギョウセイショシリカツヨウジムショ"),
        ("行政書士池田事務所", "ギョウセイショシホウジン　サクラ", "ギョウセイショシイケダジムショ"),
    ],
)
def test_readings_refused_with_the_dictionarys(kanji: str, kana: str, suggested: str) -> None:
    verdict = check_reading(kanji, kana)
    assert not verdict.ok and verdict.suggested == suggested == suggest_reading(kanji)


def test_a_word_the_dictionary_cannot_read_matches_anything_and_is_named() -> None:
    verdict = check_reading("\U00020bb7田　一郎", "ツチヨシダ　イチロウ")  # 𠮷 (tsuchiyoshi) is not in the dictionary
    assert verdict.unknown and "\U00020bb7" in "".join(verdict.unknown)
    assert verdict.ok
    assert not check_reading("\U00020bb7田　一郎", "ツチヨシダ　ジロウ").ok  # the words it knows still count


def test_fold_kana() -> None:
    assert fold_kana("ギョウセイショシ　ジョン・スミス") == fold_kana("ぎようせいしよしじよんすみす")
    assert fold_kana("センター") == "センタ"


@pytest.mark.parametrize(
    ("street", "building", "code"),
    [
        ("神奈川県横浜市中区本町一丁目２番３号", "", "231-0005"),
        ("東京都千代田区霞ヶ関一丁目2-3", "", "100-0013"),  # ヶ for が, digits for 漢数字
        ("北海道札幌市中央区北一条西二十五丁目1番", "", "064-0821"),  # 北一条西 20〜28丁目
        ("北海道札幌市中央区北一条西一丁目3番", "", "060-0001"),  # 北一条西 1〜19丁目
        ("東京都千代田区霞が関三丁目２番５号", "霞が関ビル５階", "100-6005"),  # a floor of a high-rise
        ("東京都千代田区霞が関三丁目２番５号", "霞が関ビル", "100-6090"),  # 地階・階層不明
    ],
)
def test_derive_and_check_postal(street: str, building: str, code: str) -> None:
    assert derive_postal(street, building) == [code]
    assert check_postal(code, street, building).fits


def test_postal_codes_that_do_not_fit() -> None:
    street = "神奈川県横浜市中区本町一丁目２番３号"
    hokkaido = check_postal("060-0001", street)
    assert hokkaido.known and not hokkaido.fits and hokkaido.place == "北海道札幌市中央区北一条西"
    assert not check_postal("000-0000", street).known
    assert not check_postal("064-0821", "北海道札幌市中央区北一条西一丁目3番").fits  # the wrong 丁目 range
    assert not check_postal("100-0000", "東京都千代田区霞が関一丁目").fits  # the rest of the city: not a listed town
    assert normalise_address("霞ヶ関　二十三丁目") == normalise_address("霞が関23丁目")


def _cert(trade: str, holder: str, expiry: dt.date = dt.date(2029, 1, 31)) -> CertificateInfo:
    cert = CertificateInfo.__new__(CertificateInfo)
    for name, value in (
        ("trade_name_kanji", trade),
        ("holder_name_kanji", holder),
        ("file", "x.p12"),
        ("not_after", dt.datetime.combine(expiry, dt.time(12), dt.UTC)),
    ):
        object.__setattr__(cert, name, value)
    return cert


ROWS = [
    CertificateRow("2024/01/06 10:00", "行政書士吉田法務事務所", "吉田　一郎", "2028/02/23"),
    CertificateRow("2021/01/06 10:00", "行政書士吉田法務事務所", "吉田　一郎", "2025/02/23"),
]


def test_identity() -> None:
    org = "行政書士吉田法務事務所"
    assert check_identity(_cert(org, "吉田 一郎"), org, ROWS) == check_identity(_cert(org, "吉田　一郎"), org, ROWS)
    new_head = check_identity(_cert(org, "吉田　花子"), org, ROWS)
    assert new_head.matches and new_head.changes == ("氏名又は代表者名（漢字） '吉田　一郎' → '吉田　花子'",)
    renamed = check_identity(_cert("行政書士吉田総合事務所", "吉田　一郎"), org, ROWS)
    assert renamed.matches and len(renamed.changes) == 1
    other = _cert("行政書士田中事務所", "田中　健")
    verdict = check_identity(other, org, ROWS)
    assert not verdict.matches
    line = identity_refusal("19", other, org, verdict, confirmed=False)
    assert line is not None and line.startswith("office 19: ") and "\n" not in line
    assert "'行政書士田中事務所'" in line and "'田中　健'" in line and org in line
    assert "identity_change_confirmed" in line
    assert identity_refusal("19", other, org, verdict, confirmed=True) is None
    branch = check_identity(_cert("行政書士法人さくら", "桜井　一郎"), "行政書士法人さくら 東京事務所", [])
    assert branch.matches


def test_never_backwards() -> None:
    older = _cert("行政書士吉田法務事務所", "吉田　一郎", dt.date(2027, 12, 2))
    line = backwards_refusal("19", older, ROWS)
    assert line is not None and "2027/12/02" in line and "2028/02/23" in line
    assert backwards_refusal("19", _cert("x", "y", dt.date(2028, 2, 23)), ROWS) is None
    pending = [dataclasses.replace(ROWS[0], trade_name_kanji="", holder_name_kanji="", expiry="")]
    assert backwards_refusal("19", older, pending) is None  # a pending record is not in force


def _office(**fields: object) -> Office:
    values: dict[str, object] = {
        "id": "1",
        "login_id": "abcde",
        "login_password": {"env": "A"},
        "client_cert": "c.p12",
        "client_cert_password": {"env": "B"},
        "signing_cert": "s.p12",
        "pin": {"env": "C"},
        "trade_name_kana": "ア",
        "holder_name_kana": "ア",
        "postal_code": "auto",
    }
    return Office.model_validate({**values, **fields})


def test_ids_are_nfkc_and_refused_with_separators_or_controls() -> None:
    office = _office(id="１２３", login_id="ａｂｃ２３")
    assert (office.id, office.login_id) == ("123", "abc23")
    assert id_warnings(office.id, office.login_id) == []
    assert len(id_warnings("A-1", "sample1")) == 2
    for field, value in (("id", "12/3"), ("id", "12\\3"), ("login_id", "abc\u200bde"), ("login_id", "abcde\n")):
        with pytest.raises(ValidationError) as exc:
            _office(**{field: value})
        assert field in str(exc.value)
    assert visible("ab\u200bc\t") == "'ab<U+200B>c<U+0009>'"


def test_a_bom_at_the_start_of_a_secrets_file_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "pin"
    path.write_bytes(b"\xef\xbb\xbfs3cret\r\n")
    path.chmod(0o600)
    assert SecretRef(file=path).resolve({}, None, what="pin").get_secret_value() == "s3cret"


def test_the_csv_confirmation_columns(tmp_path: Path) -> None:
    header = (
        "id,login_id,login_password,client_cert,client_cert_password,signing_cert,pin,trade_name_kana,"
        "holder_name_kana,郵便番号,カナ確認,郵便番号確認,名義変更確認"
    )
    row = "7,abcde,env:A,c.p12,env:B,s.p12,env:C,ア,ア,auto,はい,,true"
    path = tmp_path / "offices.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    (office,) = all_offices(Settings(inventory=path))
    assert (
        office.postal_code,
        office.kana_confirmed,
        office.postal_code_confirmed,
        office.identity_change_confirmed,
    ) == ("auto", True, False, True)
    path.write_text(f"{header}\n{row.replace('はい', 'maybe')}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="neither true nor false"):
        all_offices(Settings(inventory=path))
