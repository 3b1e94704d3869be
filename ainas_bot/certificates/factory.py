"""Realistic signing certificates (.p12) for tests, the demo and the sandbox, generated in code.

Each profile mirrors a layout of `certinfo`: `shogyo-touki` (the 商業登記 extension), `gyoseishoshi`
(Japanese attributes in the subject DN, or with `layout="san"` in a subjectAltName directoryName
with romaji in the subject) and `generic` (Japanese names in attributes the built-in layouts do not
read, for the settings mapping). Keys are RSA 2048 as the issuers use. The authorities and the PKCS#12
encodings are in `issuers` and `pkcs12_writer`; the names a test needs are here too, as one place to make
certificates from.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyasn1.codec.der import encoder
from pyasn1.type import char, tag, univ

from ainas_bot.certificates.issuers import Issuer, generate_key, make_ca, make_certificate
from ainas_bot.certificates.pkcs12_writer import Encryption, pkcs12_bytes
from ainas_bot.certificates.profiles import OID_CORPORATE_INFO
from ainas_bot.foundation.safe_files import write_private

__all__ = [
    "Encryption",
    "Issuer",
    "Profile",
    "generate_key",
    "issuer_for",
    "make_ca",
    "make_certificate",
    "make_p12",
    "pkcs12_bytes",
    "write_p12",
]

Profile = Literal["shogyo-touki", "gyoseishoshi", "generic"]
# For the `generic` profile: names in the DN's `title` and `description`, which no built-in layout reads.
GENERIC_TRADE_NAME_OID = "2.5.4.12"
GENERIC_HOLDER_NAME_OID = "2.5.4.13"


@functools.cache
def issuer_for(profile: Profile) -> Issuer:
    """One test CA per profile and process, named like the real issuers (marked TEST)."""
    if profile == "shogyo-touki":
        return make_ca("Registrar of Tokyo Legal Affairs Bureau (TEST)", "Ministry of Justice (TEST)")
    if profile == "gyoseishoshi":
        return make_ca("SECOM Passport for G-ID CA (TEST)", "SECOM Trust Systems (TEST)")
    return make_ca("Generic Signing CA (TEST)", "Example Trust (TEST)")


def _attr(oid: x509.ObjectIdentifier, value: str, string_type: str) -> x509.NameAttribute[str]:
    if string_type == "bmp":
        return x509.NameAttribute(oid, value, _type=x509.name._ASN1Type.BMPString)
    return x509.NameAttribute(oid, value)


def _corporate_info(trade_name: str, holder_name: str, address: str, string_type: str) -> bytes:
    """DER of registeredCorporationInfoJP: SEQUENCE OF [n] EXPLICIT DirectoryString."""
    string_cls = char.BMPString if string_type == "bmp" else char.UTF8String
    elements = [
        (0, string_cls(trade_name)),
        (1, char.PrintableString("010401001234")),
        (2, string_cls(address)),
        (3, string_cls(holder_name)),
        (4, string_cls("代表取締役")),
        (6, string_cls("東京法務局")),
    ]
    seq = univ.SequenceOf(componentType=univ.Any())
    for number, value in elements:
        tagged = value.subtype(explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, number))
        seq.append(univ.Any(encoder.encode(tagged)))
    return bytes(encoder.encode(seq))


def _subject_and_extensions(
    profile: Profile,
    layout: str,
    string_type: str,
    trade_name: str,
    holder_name: str,
    address_street: str,
    address_building: str,
    romaji: str,
) -> tuple[x509.Name, list[tuple[x509.ExtensionType, bool]]]:
    extensions: list[tuple[x509.ExtensionType, bool]] = []
    if profile == "shogyo-touki":
        address = f"{address_street}　{address_building}" if address_building else address_street
        der = _corporate_info(trade_name, holder_name, address, string_type)
        extensions.append((x509.UnrecognizedExtension(x509.ObjectIdentifier(OID_CORPORATE_INFO), der), True))
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, romaji.upper() + " CO.,LTD."),
                x509.NameAttribute(NameOID.COMMON_NAME, romaji),
            ]
        )
        return subject, extensions
    if profile == "generic":
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                x509.NameAttribute(NameOID.COMMON_NAME, romaji),
                _attr(x509.ObjectIdentifier(GENERIC_TRADE_NAME_OID), trade_name, string_type),
                _attr(x509.ObjectIdentifier(GENERIC_HOLDER_NAME_OID), holder_name, string_type),
                _attr(NameOID.POSTAL_ADDRESS, f"{address_street}　{address_building}".strip("　"), string_type),
            ]
        )
        return subject, extensions
    japanese = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
        _attr(NameOID.ORGANIZATION_NAME, trade_name, string_type),
        _attr(NameOID.COMMON_NAME, holder_name, string_type),
    ]
    street_attrs = [_attr(NameOID.STREET_ADDRESS, address_street, string_type)]
    if address_building:
        street_attrs.append(_attr(NameOID.STREET_ADDRESS, address_building, string_type))
    if layout == "san":
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, romaji + " Office"),
                x509.NameAttribute(NameOID.COMMON_NAME, romaji),
            ]
        )
        dir_name = x509.Name([*japanese, *street_attrs])
        extensions.append((x509.SubjectAlternativeName([x509.DirectoryName(dir_name)]), False))
        return subject, extensions
    return x509.Name([*japanese, *street_attrs]), extensions


def make_p12(
    profile: Profile = "gyoseishoshi",
    *,
    trade_name: str = "山田行政書士事務所",
    holder_name: str = "山田　太郎",
    address_street: str = "東京都千代田区霞が関一丁目２番３号",
    address_building: str = "霞が関ビル５階",
    romaji: str = "YAMADA Taro",
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    valid_days: int = 730,
    password: str = "1234",
    encryption: Encryption = "modern",
    layout: Literal["subject", "san"] = "subject",
    string_type: Literal["utf8", "bmp"] = "utf8",
    key: rsa.RSAPrivateKey | None = None,
    issuer: Issuer | None = None,
    serial: int | None = None,
    include_key: bool = True,
    include_certificate: bool = True,
    mismatched_key: bool = False,
) -> bytes:
    """A signing-certificate .p12 of the given profile; the defaults make a valid 2-year certificate."""
    key = key or generate_key()
    start = not_before or (dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    end = not_after or (start + dt.timedelta(days=valid_days))
    subject, extensions = _subject_and_extensions(
        profile, layout, string_type, trade_name, holder_name, address_street, address_building, romaji
    )
    cert = make_certificate(
        key,
        subject,
        issuer=issuer or issuer_for(profile),
        not_before=start,
        not_after=end,
        extensions=extensions,
        serial=serial,
    )
    stored_key = generate_key() if mismatched_key else key
    if not include_certificate:
        # Only the issuing CA's certificate travels with the key, as in a chain exported without its leaf.
        stored_cert, cas = None, [(issuer or issuer_for(profile)).certificate]
    elif mismatched_key:
        # A key and a certificate that do not match cannot be serialised as a pair: store them side by side.
        if encryption == "legacy":
            raise ValueError("mismatched_key needs encryption other than 'legacy' (openssl refuses the pair)")
        stored_cert, cas = None, [cert]
    else:
        stored_cert, cas = cert, None
    return pkcs12_bytes(
        stored_key if include_key else None,
        stored_cert,
        password=password,
        encryption=encryption,
        cas=cas,
    )


def write_p12(path: Path, **kwargs: object) -> Path:
    """`make_p12(**kwargs)` written to `path` with owner-only permissions."""
    data = make_p12(**kwargs)  # type: ignore[arg-type]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, data, what="p12")
    return path
