"""What AINAS reads from a signing certificate: profile detection and the Japanese fields.

Three layouts are known (spec, "Certificate profiles"): the 商業登記 extension
`1.2.392.100300.1.1.3`, Japanese attributes in the subject DN, and Japanese attributes in a
subjectAltName `directoryName`. A settings mapping can name other places, for layouts not yet seen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyasn1.codec.der import decoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import tag, univ
from pyasn1_modules import rfc5280

from ainas_bot.certificates.address_split import split_address
from ainas_bot.certificates.p12 import P12Contents
from ainas_bot.errors import CertificateError, ConfigError
from ainas_bot.foundation.jst import jst_date, today_jst
from ainas_bot.i18n import _

__all__ = [
    "FIELDS",
    "OID_CORPORATE_INFO",
    "CertificateInfo",
    "check_validity",
    "describe",
    "expiry_warning",
    "raw_dump",
    "serial_hex",
    "standing_warnings",
]

OID_CORPORATE_INFO = "1.2.392.100300.1.1.3"
# The elements of registeredCorporationInfoJP (spec): [0] 商号, [1] 会社法人等番号, [2] 本店, [3] 代表者氏名.
_CORP_NAME, _CORP_ADDRESS, _CORP_DIRECTOR = 0, 2, 3

FIELDS = ("trade_name_kanji", "holder_name_kanji", "address_street", "address_building")
EXPIRY_WARNING_DAYS = 60


@dataclasses.dataclass(frozen=True)
class CertificateInfo:
    """A signing certificate as AINAS will see it, plus what an operator needs to judge it."""

    file: str
    profile: str
    trade_name_kanji: str
    holder_name_kanji: str
    address_street: str
    address_building: str
    not_before: dt.datetime
    not_after: dt.datetime
    issuer: str
    subject: str
    serial: str
    sha256: str
    key_type: str
    key_bits: int
    key_matches_certificate: bool
    key_usage: tuple[str, ...]
    encryption: dict[str, object]
    warnings: tuple[str, ...]

    @property
    def expiry_date(self) -> dt.date:
        """証明書有効期限: the Japanese calendar day of notAfter."""
        return jst_date(self.not_after)

    @property
    def start_date(self) -> dt.date:
        return jst_date(self.not_before)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "profile": self.profile,
            "trade_name_kanji": self.trade_name_kanji,
            "holder_name_kanji": self.holder_name_kanji,
            "address_street": self.address_street,
            "address_building": self.address_building,
            "not_before": self.start_date.isoformat(),
            "not_after": self.expiry_date.isoformat(),
            "issuer": self.issuer,
            "subject": self.subject,
            "serial": self.serial,
            "sha256": self.sha256,
            "key": {"type": self.key_type, "bits": self.key_bits, "matches_certificate": self.key_matches_certificate},
            "key_usage": list(self.key_usage),
            "encryption": self.encryption,
            "warnings": list(self.warnings),
        }


def _is_japanese(text: str) -> bool:
    return any(ord(ch) > 0x7F for ch in text)


def _name_values(name: x509.Name, oid: str) -> list[str]:
    return [str(a.value) for a in name if a.oid.dotted_string == oid]


def _tagged_strings(der: bytes) -> dict[int, str]:
    """Decode `SEQUENCE OF [n] EXPLICIT DirectoryString` into {n: text}."""
    seq, _ = decoder.decode(der, asn1Spec=univ.SequenceOf(componentType=univ.Any()))
    out: dict[int, str] = {}
    for element in seq:
        raw = bytes(element)
        number = raw[0] & 0x1F
        spec = rfc5280.DirectoryString().subtype(
            explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, number)
        )
        try:
            value, _ = decoder.decode(raw, asn1Spec=spec)
        except PyAsn1Error:
            continue  # an element that is not a DirectoryString (not one AINAS reads)
        out[number] = str(value.getComponent())
    return out


def _extension_der(cert: x509.Certificate, oid: str) -> bytes | None:
    for ext in cert.extensions:
        if ext.oid.dotted_string == oid:
            value = ext.value
            return value.value if isinstance(value, x509.UnrecognizedExtension) else value.public_bytes()
    return None


def _san_names(cert: x509.Certificate) -> list[x509.Name]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return list(san.get_values_for_type(x509.DirectoryName))


def _from_name(name: x509.Name) -> dict[str, str]:
    """The DN layout: O = 事務所名, CN = 氏名, ST/L/street = 住所 (a second street = building)."""
    org = [v for v in _name_values(name, NameOID.ORGANIZATION_NAME.dotted_string) if _is_japanese(v)]
    cn = [v for v in _name_values(name, NameOID.COMMON_NAME.dotted_string) if _is_japanese(v)]
    if not org and not cn:
        return {}
    st = _name_values(name, NameOID.STATE_OR_PROVINCE_NAME.dotted_string)
    loc = _name_values(name, NameOID.LOCALITY_NAME.dotted_string)
    streets = _name_values(name, NameOID.STREET_ADDRESS.dotted_string)
    if len(streets) >= 2:
        street, building = "".join([*st, *loc, streets[0]]), " ".join(streets[1:])
    else:
        street, building = split_address("".join([*st, *loc, *streets]))
    return {
        "trade_name_kanji": org[0] if org else "",
        "holder_name_kanji": cn[0] if cn else "",
        "address_street": street,
        "address_building": building,
    }


def _builtin_fields(cert: x509.Certificate) -> tuple[str, dict[str, str]]:
    der = _extension_der(cert, OID_CORPORATE_INFO)
    if der is not None:
        try:
            corp = _tagged_strings(der)
        except PyAsn1Error:
            corp = {}
        if corp.get(_CORP_NAME) or corp.get(_CORP_DIRECTOR):
            street, building = split_address(corp.get(_CORP_ADDRESS, ""))
            return "shogyo-touki", {
                "trade_name_kanji": corp.get(_CORP_NAME, ""),
                "holder_name_kanji": corp.get(_CORP_DIRECTOR, ""),
                "address_street": street,
                "address_building": building,
            }
    for dir_name in _san_names(cert):
        fields = _from_name(dir_name)
        if fields:
            return "gyoseishoshi", fields
    fields = _from_name(cert.subject)
    if fields:
        return "gyoseishoshi", fields
    return "generic", dict.fromkeys(FIELDS, "")


def _mapped_value(cert: x509.Certificate, source: str) -> str:
    """One mapping source: `subject:OID`, `san:OID`, `ext:OID` or `ext:OID/N` (element [N])."""
    kind, _sep, ref = source.partition(":")
    if kind == "subject":
        return "".join(_name_values(cert.subject, ref))
    if kind == "san":
        return "".join(v for n in _san_names(cert) for v in _name_values(n, ref))
    if kind == "ext":
        oid, _sep, index = ref.partition("/")
        der = _extension_der(cert, oid)
        if der is None:
            return ""
        if index:
            return _tagged_strings(der).get(int(index), "")
        value, _rest = decoder.decode(der, asn1Spec=rfc5280.DirectoryString())
        return str(value.getComponent())
    raise ConfigError(
        _("certificate mapping: unknown source '{source}' (use subject:OID, san:OID, ext:OID or ext:OID/N)").format(
            source=source
        )
    )


def _apply_mapping(cert: x509.Certificate, mapping: Mapping[str, Sequence[str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for field, sources in mapping.items():
        if field not in FIELDS:
            raise ConfigError(
                _("certificate mapping: unknown field '{field}' (one of {fields})").format(
                    field=field, fields=", ".join(FIELDS)
                )
            )
        try:
            out[field] = "".join(_mapped_value(cert, s) for s in sources)
        except (PyAsn1Error, ValueError):
            out[field] = ""
    if "address_street" in out and "address_building" not in mapping:
        out["address_street"], out["address_building"] = split_address(out["address_street"])
    return out


def serial_hex(number: int) -> str:
    """The serial as the certificate's bytes, in upper-case hex as openssl prints it: whole bytes, so a
    leading zero stays (`0DCFABE2…`, not `DCFABE2…`); a (non-conforming) negative serial keeps its sign."""
    magnitude = abs(number)
    text = magnitude.to_bytes(max(1, (magnitude.bit_length() + 7) // 8), "big").hex().upper()
    return f"-{text}" if number < 0 else text


def _key_usage(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return ()
    names = [
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
    ]
    return tuple(n for n in names if getattr(ku, n))


def expiry_warning(not_after: dt.datetime, now: dt.datetime | None = None) -> str | None:
    """The warning of a certificate near its end, on the day of `now` (it changes every day, unlike the file)."""
    days_left = (jst_date(not_after) - today_jst(now)).days
    if 0 <= days_left <= EXPIRY_WARNING_DAYS:
        return _("expires within {days} days ({days_left} days left)").format(
            days=EXPIRY_WARNING_DAYS, days_left=days_left
        )
    return None


def standing_warnings(
    *, legacy: bool, key_usage: Sequence[str], key_matches: bool, key_type: str, bits: int
) -> list[str]:
    """The warnings a file keeps every day (not the expiry's, which changes daily), in the current language:
    made from the facts, so that the .p12 cache says them in the language of the run that reads it."""
    warnings: list[str] = []
    if legacy:
        warnings.append(_("legacy PKCS#12 encryption (RC2/3DES/SHA-1); it opens, but re-export with AES when you can"))
    if key_usage and not {"digital_signature", "content_commitment"} & set(key_usage):
        warnings.append(_("key usage does not allow signing"))
    if not key_matches:
        warnings.append(_("the private key does not match the certificate"))
    if key_type != "EC" and bits < 2048:
        warnings.append(_("RSA key of {bits} bits is weaker than the 2048 bits issuers use").format(bits=bits))
    return warnings


def describe(
    contents: P12Contents,
    *,
    file: str,
    mapping: Mapping[str, Sequence[str]] | None = None,
    now: dt.datetime | None = None,
    require_names: bool = True,
) -> CertificateInfo:
    """Read everything AINAS and the operator need from an opened .p12 (no validity check); without
    `require_names`, a certificate with no Japanese names is described too (`inspect --raw` studies it)."""
    cert = contents.certificate
    profile, fields = _builtin_fields(cert)
    if mapping:
        mapped = _apply_mapping(cert, mapping)
        if mapped.get("trade_name_kanji") or mapped.get("holder_name_kanji"):
            profile, fields = "generic", {**fields, **mapped}
    if not fields["trade_name_kanji"] and not fields["holder_name_kanji"] and require_names:
        raise CertificateError.about(
            file,
            _("no Japanese name fields found (屋号/氏名)"),
            _("run `ainas-bot inspect --raw` and map them in the settings' [certificate_mapping]"),
        )
    key = contents.key
    key_type, bits = ("RSA", key.key_size) if isinstance(key, rsa.RSAPrivateKey) else ("EC", key.curve.key_size)
    key_usage = _key_usage(cert)
    soon = expiry_warning(cert.not_valid_after_utc, now)
    warnings = [
        *([soon] if soon else []),
        *standing_warnings(
            legacy=contents.encryption.legacy,
            key_usage=key_usage,
            key_matches=contents.key_matches_certificate,
            key_type=key_type,
            bits=bits,
        ),
    ]
    return CertificateInfo(
        file=file,
        profile=profile,
        trade_name_kanji=fields["trade_name_kanji"],
        holder_name_kanji=fields["holder_name_kanji"],
        address_street=fields["address_street"],
        address_building=fields["address_building"],
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        issuer=cert.issuer.rfc4514_string(),
        subject=cert.subject.rfc4514_string(),
        serial=serial_hex(cert.serial_number),
        sha256=cert.fingerprint(hashes.SHA256()).hex(":").upper(),
        key_type=key_type,
        key_bits=bits,
        key_matches_certificate=contents.key_matches_certificate,
        key_usage=key_usage,
        encryption=contents.encryption.as_dict(),
        warnings=tuple(warnings),
    )


def check_validity(info: CertificateInfo, *, on: dt.date | None = None, require_key_match: bool = True) -> None:
    """Raise CertificateError when the certificate cannot be used on day `on` (JST, default today)."""
    day = on or today_jst()
    if info.key_type != "RSA":
        # Every issuer OSS accepts a signature from (法務省's 商業登記, SECOM's 行政書士) signs with RSA: any other
        # key is a file AINAS or OSS would refuse later, after the upload (docs/ainas-portal.md, "Key types").
        raise CertificateError.about(
            info.file,
            _("its key is {type}, but AINAS signing certificates (商業登記, 行政書士) are RSA").format(
                type=info.key_type
            ),
            _("is this the right file?"),
        )
    if require_key_match and not info.key_matches_certificate:
        raise CertificateError.about(
            info.file,
            _("the private key does not match the certificate"),
            _("export the pair again"),
        )
    if info.expiry_date < day:
        raise CertificateError.about(
            info.file,
            _("the certificate expired on {date}").format(date=f"{info.expiry_date:%Y/%m/%d}"),
            _("use the renewed .p12"),
        )
    if info.start_date > day:
        raise CertificateError.about(
            info.file,
            _("the certificate is not valid yet (valid from {date})").format(date=f"{info.start_date:%Y/%m/%d}"),
            _("use it from that day"),
        )


def _asn1_text(der: bytes) -> object:
    try:
        value, _ = decoder.decode(der)
        return _plain(value)
    except (PyAsn1Error, RecursionError):  # deep nesting in an extension of unknown layout: its bytes
        return der.hex()


def _plain(value: Any) -> object:
    if isinstance(value, (univ.SequenceOf, univ.SetOf, univ.Sequence, univ.Set)):
        return [_plain(v) for v in value.values()] if hasattr(value, "values") else [_plain(v) for v in value]
    if isinstance(value, univ.OctetString) and not hasattr(value, "encoding"):
        return bytes(value).hex()
    if isinstance(value, univ.Integer) and value.isValue and int(value).bit_length() > 256:
        # str() of a number past 4300 digits raises (Python's int/str limit); hex shows it whole
        return hex(int(value))
    return str(value)


def raw_dump(cert: x509.Certificate) -> dict[str, Any]:
    """Every subject attribute and extension, decoded as far as possible, to study unknown layouts."""
    subject = [
        {"oid": a.oid.dotted_string, "name": a.oid._name, "type": a._type.name, "value": str(a.value)}
        for a in cert.subject
    ]
    extensions = []
    for ext in cert.extensions:
        entry: dict[str, Any] = {"oid": ext.oid.dotted_string, "name": ext.oid._name, "critical": ext.critical}
        if isinstance(ext.value, x509.UnrecognizedExtension):
            entry["decoded"] = _asn1_text(ext.value.value)
        elif isinstance(ext.value, x509.SubjectAlternativeName):
            entry["decoded"] = [
                [{"oid": a.oid.dotted_string, "value": str(a.value)} for a in g.value]
                if isinstance(g, x509.DirectoryName)
                else str(g.value)
                for g in ext.value
            ]
        else:
            entry["decoded"] = repr(ext.value)
        extensions.append(entry)
    return {"subject_attributes": subject, "extensions": extensions}
