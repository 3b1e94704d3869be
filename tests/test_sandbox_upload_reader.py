"""The sandbox reads uploads with its own parser: fed the same files, it and the bot must agree field by field.

The bot's check "the portal read the certificate as we did" proves something only if the sandbox's reading
(`ainas_bot.sandbox._upload_reader`) is not the bot's (`ainas_bot.certificates.certinfo`); this test proves they agree
on every profile the factory makes, and on the files both must refuse, so that a parsing error in either shows.
"""

from __future__ import annotations

import ast
import datetime as dt
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pyasn1.codec.der import encoder
from pyasn1.type import univ

from ainas_bot import portal_text as pt
from ainas_bot.certificates import factory as certfactory
from ainas_bot.certificates.certinfo import describe
from ainas_bot.certificates.p12 import open_p12
from ainas_bot.errors import CertificateError
from ainas_bot.foundation.jst import today_jst
from ainas_bot.sandbox._forms import check_upload
from ainas_bot.sandbox._upload_reader import Unread, Upload, read_upload
from tests.fixtures_hostile import p12_of_der, pkcs12_with_iterations, self_signed_der

ROOT = Path(__file__).resolve().parent.parent
PIN = "Cross-PIN-5821"
NOW = dt.datetime.now(dt.UTC)
LONG_TRADE = "行政書士法人" + "さくら総合法務事務所" * 30  # 306 characters: beyond X.520's 64 for O
HOSTILE = "山田\x1b]0;pwned\x07事務所\nproblem: forged\u202eevil[/bold]"


def _bot(data: bytes, password: str) -> tuple[str, ...]:
    """What the bot reads, in the terms the sandbox answers in."""
    try:
        contents = open_p12(data, password, name="upload.p12")
    except CertificateError as exc:
        return ("refused", "wrong-password" if "wrong PIN" in str(exc) else "not-p12")
    try:
        info = describe(contents, file="upload.p12")
    except CertificateError:
        return ("no-names",)
    return (
        info.trade_name_kanji,
        info.holder_name_kanji,
        info.address_street,
        info.address_building,
        info.not_before.isoformat(),
        info.not_after.isoformat(),
        info.serial,
        str(info.key_matches_certificate),
    )


def _sandbox(data: bytes, password: str) -> tuple[str, ...]:
    upload = read_upload(data, password)
    if isinstance(upload, Unread):
        return ("refused", upload.value)
    if not upload.has_names:
        return ("no-names",)
    return (
        upload.trade_name_kanji,
        upload.holder_name_kanji,
        upload.address_street,
        upload.address_building,
        upload.not_before.isoformat(),
        upload.not_after.isoformat(),
        upload.serial,
        str(upload.key_matches),
    )


_ADDRESSES = {"address_street": "大阪府大阪市北区梅田4-2-8 梅田スカイビル12F", "address_building": ""}
PROFILES: list[Any] = [
    pytest.param({"profile": "shogyo-touki"}, id="shogyo-touki"),
    pytest.param({"profile": "shogyo-touki", "encryption": "legacy"}, id="shogyo-touki-legacy-rc2"),
    pytest.param({"profile": "shogyo-touki", "encryption": "legacy-3des"}, id="shogyo-touki-legacy-3des"),
    pytest.param({"profile": "shogyo-touki", "string_type": "bmp"}, id="shogyo-touki-bmp"),
    pytest.param({"profile": "shogyo-touki", **_ADDRESSES}, id="shogyo-touki-one-address-string"),
    pytest.param(
        {"profile": "shogyo-touki", "address_street": "北海道札幌市中央区北一条西二丁目５番地", "address_building": ""},
        id="shogyo-touki-no-building",
    ),
    pytest.param({"layout": "subject"}, id="gyoseishoshi-subject"),
    pytest.param({"layout": "subject", "string_type": "bmp"}, id="gyoseishoshi-subject-bmp"),
    pytest.param({"layout": "subject", "address_building": ""}, id="gyoseishoshi-subject-no-building"),
    pytest.param({"layout": "subject", "encryption": "legacy"}, id="gyoseishoshi-subject-legacy-rc2"),
    pytest.param({"layout": "san"}, id="gyoseishoshi-san"),
    pytest.param({"layout": "san", "string_type": "bmp"}, id="gyoseishoshi-san-bmp"),
    pytest.param({"layout": "san", **_ADDRESSES}, id="gyoseishoshi-san-one-street"),
    pytest.param({"profile": "generic"}, id="generic"),
    pytest.param({"trade_name": LONG_TRADE, "address_building": "霞が関ビル" * 40}, id="long-names-subject"),
    pytest.param(
        {"profile": "shogyo-touki", "trade_name": LONG_TRADE, "holder_name": "山田" * 100}, id="long-names-shogyo-touki"
    ),
    pytest.param({"layout": "san", "trade_name": LONG_TRADE}, id="long-names-san"),
    pytest.param({"trade_name": HOSTILE, "holder_name": "太郎\u0000\u200b"}, id="control-characters-subject"),
    pytest.param({"profile": "shogyo-touki", "trade_name": HOSTILE}, id="control-characters-shogyo-touki"),
    pytest.param({"trade_name": "YAMADA Office", "holder_name": "山田　太郎"}, id="only-the-cn-japanese"),
    pytest.param({"trade_name": "YAMADA Office", "holder_name": "YAMADA Taro"}, id="romaji-only"),
    pytest.param({"mismatched_key": True}, id="mismatched-key"),
    pytest.param({"include_key": False}, id="no-key"),
    pytest.param({"include_certificate": False}, id="no-certificate"),
    pytest.param({"not_before": NOW - dt.timedelta(days=800), "valid_days": 700}, id="expired"),
    pytest.param({"not_before": NOW + dt.timedelta(days=30)}, id="not-yet-valid"),
    pytest.param({"encryption": "none"}, id="unencrypted"),
]


@pytest.mark.parametrize("kwargs", PROFILES)
def test_the_sandbox_reads_every_profile_as_the_bot_does(key: rsa.RSAPrivateKey, kwargs: dict[str, Any]) -> None:
    data = certfactory.make_p12(key=key, password=PIN, **kwargs)
    for password in (PIN, PIN + "x"):
        bot, sandbox = _bot(data, password), _sandbox(data, password)
        assert sandbox == bot, password


def _hostile() -> dict[str, bytes]:
    good = certfactory.make_p12(password=PIN)
    ec_key, ec_der = self_signed_der(common_name="佐藤　花子")
    dup_key, dup_der = self_signed_der(extensions=[("2.5.29.19", encoder.encode(univ.Sequence()))])
    return {
        "ec-key": p12_of_der(ec_key, ec_der, PIN),
        "duplicated-extension": p12_of_der(dup_key, dup_der, PIN),
        "mac-2^31-rounds": pkcs12_with_iterations(good, mac=2**31 - 1),
        "pbkdf2-2^31-rounds": pkcs12_with_iterations(good, pbkdf2=2**31 - 1),
        "truncated": good[: len(good) // 2],
        "trailing-data": good + b"\x00",
        "not-der": "証明書のメモ\n".encode() * 20,
        "too-large": b"\x30" * (300 * 1024),
    }


@pytest.mark.parametrize("name", list(_hostile()))
def test_the_sandbox_refuses_what_the_bot_refuses(name: str) -> None:
    data = _hostile()[name]
    started = time.monotonic()
    for password in (PIN, PIN + "x"):
        assert _sandbox(data, password) == _bot(data, password), password
    assert time.monotonic() - started < 10  # the round bounds hold before any key is derived


def test_the_readers_share_no_code() -> None:
    """Agreement proves something only between two readings: the sandbox's readers, and the sandbox modules
    they use, import nothing of the bot; the contract in pyproject.toml (checked by tests/test_layout.py)
    keeps the bot's parsing out of the whole sandbox, indirect imports included."""
    import ainas_bot.sandbox._address as address
    import ainas_bot.sandbox._clock as clock
    import ainas_bot.sandbox._upload_p12 as opener
    import ainas_bot.sandbox._upload_reader as reader

    for module in (opener, reader, address, clock):
        tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
        imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        bot = {
            m for m in imported if m.split(".")[0] in ("ainas_bot", "flows") and not m.startswith("ainas_bot.sandbox")
        }
        assert bot == set(), module.__name__

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (apart,) = [c for c in contracts["contracts"] if c.get("source_modules") == ["ainas_bot.sandbox"]]
    parsing = {"ainas_bot.certificates.certinfo", "ainas_bot.certificates.p12", "ainas_bot.certificates.p12_limits"}
    rules = {"ainas_bot.certificates.address_split", "ainas_bot.checks", "ainas_bot.foundation", "flows"}
    assert apart["type"] == "forbidden" and parsing | rules <= set(apart["forbidden_modules"])


@pytest.mark.parametrize(
    ("kwargs", "password", "field", "message"),
    [
        ({}, PIN + "x", "certPassword", pt.Message.WRONG_CERT_PASSWORD),
        ({"profile": "generic"}, PIN, "certFile", pt.Message.FILE_NOT_P12),
        ({"mismatched_key": True}, PIN, "certFile", pt.Message.FILE_NOT_P12),
        ({"include_key": False}, PIN, "certFile", pt.Message.FILE_NOT_P12),
        ({"not_before": NOW - dt.timedelta(days=800), "valid_days": 700}, PIN, "certFile", pt.Message.CERT_EXPIRED),
        ({"not_before": NOW + dt.timedelta(days=30)}, PIN, "certFile", pt.Message.CERT_NOT_YET_VALID),
    ],
    ids=["wrong-password", "no-names", "mismatched-key", "no-key", "expired", "not-yet-valid"],
)
def test_check_upload_answers_each_refusal_with_its_message(
    key: rsa.RSAPrivateKey, kwargs: dict[str, Any], password: str, field: str, message: str
) -> None:
    data = certfactory.make_p12(key=key, password=PIN, **kwargs)
    assert check_upload("cert.p12", data, password, today=today_jst()) == ({field: message}, None)


def test_check_upload_gives_the_fields_it_stores(key: rsa.RSAPrivateKey) -> None:
    data = certfactory.make_p12(
        key=key,
        password=PIN,
        serial=0x1234ABCD,
        profile="shogyo-touki",
        not_before=dt.datetime(2026, 1, 1, 16, tzinfo=dt.UTC),
        valid_days=800,
    )
    errors, upload = check_upload("cert.p12", data, PIN, today=dt.date(2026, 6, 1))
    assert errors == {}
    assert upload == Upload(
        trade_name_kanji="山田行政書士事務所",
        holder_name_kanji="山田　太郎",
        address_street="東京都千代田区霞が関一丁目２番３号",
        address_building="霞が関ビル５階",
        not_before=dt.datetime(2026, 1, 1, 16, tzinfo=dt.UTC),
        not_after=dt.datetime(2028, 3, 11, 16, tzinfo=dt.UTC),
        serial="1234ABCD",
        key_matches=True,
    )
    assert upload.expiry_date == dt.date(2028, 3, 12)  # the day in Japan
