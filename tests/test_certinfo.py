"""Profiles and fields: what AINAS reads from each certificate layout, dates in Japan time, warnings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from pyasn1.codec.der import decoder
from pyasn1.type import univ

from ainas_bot.certificates import factory as certfactory
from ainas_bot.certificates.certinfo import CertificateInfo, check_validity, describe
from ainas_bot.certificates.p12 import open_p12, read_p12_bytes
from ainas_bot.certificates.profiles import OID_CORPORATE_INFO
from ainas_bot.certificates.raw_dump import raw_dump
from ainas_bot.errors import CertificateError, ConfigError

PIN = "S3cr3t-PIN-8472"
UTC = dt.UTC

TRADE = "株式会社霞が関オートサービス"
HOLDER = "鈴木　一郎"
STREET = "東京都千代田区霞が関一丁目２番３号"
BUILDING = "中央合同庁舎第６号館Ａ棟１２階"

GENERIC_MAPPING = {
    "trade_name_kanji": [f"subject:{certfactory.GENERIC_TRADE_NAME_OID}"],
    "holder_name_kanji": [f"subject:{certfactory.GENERIC_HOLDER_NAME_OID}"],
    "address_street": ["subject:2.5.4.16"],
}


@pytest.fixture
def info_of(make_p12: Callable[..., Path], key: rsa.RSAPrivateKey) -> Callable[..., CertificateInfo]:
    def build(
        *, mapping: dict[str, list[str]] | None = None, now: dt.datetime | None = None, **kwargs: Any
    ) -> CertificateInfo:
        kwargs.setdefault("key", key)
        kwargs.setdefault("password", PIN)
        path = make_p12(**kwargs)
        contents = open_p12(read_p12_bytes(path), kwargs["password"], name=str(path))
        return describe(contents, file=str(path), mapping=mapping, now=now)

    return build


PROFILES = [
    pytest.param({"profile": "shogyo-touki"}, "shogyo-touki", id="shogyo-touki"),
    pytest.param({"profile": "gyoseishoshi", "layout": "subject"}, "gyoseishoshi", id="gyoseishoshi-subject"),
    pytest.param({"profile": "gyoseishoshi", "layout": "san"}, "gyoseishoshi", id="gyoseishoshi-san"),
    pytest.param({"profile": "generic", "mapping": GENERIC_MAPPING}, "generic", id="generic-mapped"),
]


@pytest.mark.parametrize(("kwargs", "profile"), PROFILES)
@pytest.mark.parametrize("string_type", ["utf8", "bmp"])
@pytest.mark.parametrize("building", [BUILDING, ""], ids=["building", "no-building"])
def test_every_profile_gives_the_four_fields(
    info_of: Callable[..., CertificateInfo], kwargs: dict[str, Any], profile: str, string_type: str, building: str
) -> None:
    info = info_of(
        trade_name=TRADE,
        holder_name=HOLDER,
        address_street=STREET,
        address_building=building,
        string_type=string_type,
        **kwargs,
    )
    assert info.profile == profile
    assert info.trade_name_kanji == TRADE
    assert info.holder_name_kanji == HOLDER
    assert info.address_street == STREET
    assert info.address_building == building


def test_string_types_are_really_written(make_p12: Callable[..., Path], key: rsa.RSAPrivateKey) -> None:
    """The BMPString cases above only prove something if the factory writes BMPString."""
    for layout in ("subject", "san"):
        path = make_p12(key=key, password=PIN, layout=layout, string_type="bmp")
        cert = open_p12(path.read_bytes(), PIN, name="x").certificate
        names = [cert.subject]
        if layout == "san":
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names = list(san.get_values_for_type(x509.DirectoryName))
        types = {a._type.name for n in names for a in n if a.value == HOLDER or a.value == "山田　太郎"}
        assert types == {"BMPString"}
    path = make_p12(key=key, password=PIN, profile="shogyo-touki", string_type="bmp")
    cert = open_p12(path.read_bytes(), PIN, name="x").certificate
    extension = cert.extensions.get_extension_for_oid(x509.ObjectIdentifier(OID_CORPORATE_INFO)).value
    assert isinstance(extension, x509.UnrecognizedExtension)
    der = extension.value
    elements, _ = decoder.decode(der, asn1Spec=univ.SequenceOf(componentType=univ.Any()))
    first = bytes(elements[0])
    assert first[0] == 0xA0  # [0] EXPLICIT, the 商号
    assert first[2] == 0x1E  # ...holding a BMPString


def test_shogyo_touki_extension_is_critical_and_the_romaji_subject_is_ignored(
    info_of: Callable[..., CertificateInfo],
) -> None:
    info = info_of(profile="shogyo-touki", romaji="SUZUKI Ichiro", trade_name=TRADE, holder_name=HOLDER)
    assert "SUZUKI Ichiro" in info.subject
    assert info.trade_name_kanji == TRADE
    assert info.holder_name_kanji == HOLDER


def test_san_layout_prefers_the_japanese_directory_name_over_the_romaji_subject(
    info_of: Callable[..., CertificateInfo],
) -> None:
    info = info_of(layout="san", romaji="SUZUKI Ichiro", holder_name=HOLDER)
    assert info.subject.startswith("CN=SUZUKI Ichiro")
    assert info.holder_name_kanji == HOLDER


@pytest.mark.parametrize(
    ("address", "street", "building"),
    [
        ("大阪府大阪市北区梅田4-2-8 梅田スカイビル12F", "大阪府大阪市北区梅田4-2-8", "梅田スカイビル12F"),
        ("北海道札幌市中央区北一条西二丁目５番地", "北海道札幌市中央区北一条西二丁目５番地", ""),
    ],
)
def test_shogyo_touki_splits_the_one_address_string(
    info_of: Callable[..., CertificateInfo], address: str, street: str, building: str
) -> None:
    info = info_of(profile="shogyo-touki", address_street=address, address_building="")
    assert (info.address_street, info.address_building) == (street, building)


def test_generic_profile_without_a_mapping_has_no_japanese_names(info_of: Callable[..., CertificateInfo]) -> None:
    with pytest.raises(CertificateError, match=r"\.p12: no Japanese name fields found .*inspect --raw"):
        info_of(profile="generic")


def test_a_romaji_only_certificate_has_no_japanese_names(key: rsa.RSAPrivateKey) -> None:
    issuer = certfactory.issuer_for("generic")
    subject = x509.Name(
        [
            x509.NameAttribute(x509.NameOID.COMMON_NAME, "YAMADA Taro"),
            x509.NameAttribute(x509.NameOID.ORGANIZATION_NAME, "Yamada Office"),
        ]
    )
    now = dt.datetime.now(UTC)
    cert = certfactory.make_certificate(key, subject, issuer=issuer, not_before=now, not_after=now + dt.timedelta(1))
    contents = open_p12(certfactory.pkcs12_bytes(key, cert, password=PIN), PIN, name="romaji.p12")
    with pytest.raises(CertificateError, match=r"^romaji\.p12: no Japanese name fields"):
        describe(contents, file="romaji.p12")


def test_mapping_can_read_elements_of_an_extension(info_of: Callable[..., CertificateInfo]) -> None:
    mapping = {
        "trade_name_kanji": [f"ext:{OID_CORPORATE_INFO}/6"],  # 登記所, to see the mapping win
        "holder_name_kanji": [f"ext:{OID_CORPORATE_INFO}/4", f"ext:{OID_CORPORATE_INFO}/3"],
    }
    info = info_of(profile="shogyo-touki", holder_name=HOLDER, mapping=mapping)
    assert info.profile == "generic"
    assert info.trade_name_kanji == "東京法務局"
    assert info.holder_name_kanji == "代表取締役" + HOLDER
    assert info.address_street == "東京都千代田区霞が関一丁目２番３号"  # not mapped: from the built-in layout


def test_mapping_with_an_explicit_building_source(info_of: Callable[..., CertificateInfo]) -> None:
    mapping = {**GENERIC_MAPPING, "address_building": [f"subject:{certfactory.GENERIC_TRADE_NAME_OID}"]}
    info = info_of(profile="generic", address_street=STREET, address_building="", mapping=mapping)
    assert info.address_street == STREET
    assert info.address_building == "山田行政書士事務所"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"trade_name": ["subject:2.5.4.12"]}, "unknown field 'trade_name'"),
        ({"trade_name_kanji": ["dn:2.5.4.12"]}, "unknown source 'dn:2.5.4.12'"),
    ],
)
def test_a_wrong_mapping_is_a_configuration_error(
    info_of: Callable[..., CertificateInfo], mapping: dict[str, list[str]], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        info_of(profile="generic", mapping=mapping)


def test_json_dates_are_japanese_calendar_days(info_of: Callable[..., CertificateInfo]) -> None:
    info = info_of(
        not_before=dt.datetime(2025, 3, 31, 15, 30, tzinfo=UTC), not_after=dt.datetime(2030, 3, 31, 16, 0, tzinfo=UTC)
    )
    data = info.as_json()
    assert data["not_before"] == "2025-04-01"
    assert data["not_after"] == "2030-04-01"
    assert info.expiry_date == dt.date(2030, 4, 1)
    # ...and a UTC instant that is still the same day in Japan stays on it.
    info = info_of(not_after=dt.datetime(2030, 3, 31, 14, 59, tzinfo=UTC))
    assert info.as_json()["not_after"] == "2030-03-31"


def test_json_has_stable_keys_and_values(info_of: Callable[..., CertificateInfo], key: rsa.RSAPrivateKey) -> None:
    info = info_of(serial=0xABCDEF0123)
    data = info.as_json()
    assert set(data) == {
        "file",
        "profile",
        "trade_name_kanji",
        "holder_name_kanji",
        "address_street",
        "address_building",
        "not_before",
        "not_after",
        "issuer",
        "subject",
        "serial",
        "sha256",
        "key",
        "key_usage",
        "encryption",
        "warnings",
    }
    assert data["serial"] == "ABCDEF0123"
    assert data["key"] == {"type": "RSA", "bits": 2048, "matches_certificate": True}
    assert data["key_usage"] == ["digital_signature", "content_commitment"]
    assert len(data["sha256"].split(":")) == 32
    assert data["issuer"] == "CN=SECOM Passport for G-ID CA (TEST),O=SECOM Trust Systems (TEST),C=JP"
    assert data["warnings"] == []


def test_expiry_warning_within_60_days(info_of: Callable[..., CertificateInfo]) -> None:
    now = dt.datetime(2026, 1, 10, 3, 0, tzinfo=UTC)
    soon = info_of(not_before=now - dt.timedelta(days=700), not_after=now + dt.timedelta(days=30), now=now)
    assert [w for w in soon.warnings if "expires within 60 days (30 days left)" in w]
    later = info_of(not_before=now - dt.timedelta(days=700), not_after=now + dt.timedelta(days=90), now=now)
    assert not [w for w in later.warnings if "expires" in w]


@pytest.mark.parametrize("encryption", ["legacy", "legacy-3des"])
def test_legacy_encryption_warning(info_of: Callable[..., CertificateInfo], encryption: str) -> None:
    info = info_of(encryption=encryption)
    assert info.encryption["legacy"] is True
    assert [w for w in info.warnings if w.startswith("legacy PKCS#12 encryption")]
    assert not [w for w in info_of(encryption="modern").warnings if w.startswith("legacy")]


def test_mismatched_key_warns_and_fails_validity(info_of: Callable[..., CertificateInfo]) -> None:
    info = info_of(mismatched_key=True)
    assert not info.key_matches_certificate
    assert "the private key does not match the certificate" in info.warnings
    with pytest.raises(CertificateError, match=r"\.p12: the private key does not match the certificate"):
        check_validity(info)
    check_validity(info, require_key_match=False)


def test_validity_window_in_japan_time(info_of: Callable[..., CertificateInfo]) -> None:
    # Valid from 2026-04-01 JST (2026-03-31T15:00Z) to 2027-03-31 JST.
    info = info_of(
        not_before=dt.datetime(2026, 3, 31, 15, 0, tzinfo=UTC), not_after=dt.datetime(2027, 3, 31, 14, 0, tzinfo=UTC)
    )
    check_validity(info, on=dt.date(2026, 4, 1))
    check_validity(info, on=dt.date(2027, 3, 31))
    with pytest.raises(CertificateError, match=r"not valid yet \(valid from 2026/04/01\)"):
        check_validity(info, on=dt.date(2026, 3, 31))
    with pytest.raises(CertificateError, match=r"expired on 2027/03/31"):
        check_validity(info, on=dt.date(2027, 4, 1))


def test_raw_dump_shows_subject_attributes_and_the_decoded_corporate_extension(
    make_p12: Callable[..., Path], key: rsa.RSAPrivateKey
) -> None:
    path = make_p12(
        key=key, password=PIN, profile="shogyo-touki", trade_name=TRADE, holder_name=HOLDER, string_type="bmp"
    )
    raw = raw_dump(open_p12(path.read_bytes(), PIN, name="x").certificate)
    assert {"oid": "2.5.4.3", "name": "commonName", "type": "UTF8String", "value": "YAMADA Taro"} in (
        raw["subject_attributes"]
    )
    (corp,) = [e for e in raw["extensions"] if e["oid"] == OID_CORPORATE_INFO]
    assert corp["critical"] is True
    assert corp["decoded"] == [
        TRADE,
        "010401001234",
        STREET + "　霞が関ビル５階",
        HOLDER,
        "代表取締役",
        "東京法務局",
    ]


def test_raw_dump_shows_the_san_directory_name(make_p12: Callable[..., Path], key: rsa.RSAPrivateKey) -> None:
    path = make_p12(key=key, password=PIN, layout="san", holder_name=HOLDER)
    raw = raw_dump(open_p12(path.read_bytes(), PIN, name="x").certificate)
    (san,) = [e for e in raw["extensions"] if e["oid"] == "2.5.29.17"]
    assert {"oid": "2.5.4.3", "value": HOLDER} in san["decoded"][0]
