"""What AINAS and the operator read from a signing certificate: its Japanese fields (`profiles`), its
dates, key and warnings, and whether it can be used on a given day."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

from ainas_bot.certificates.p12 import P12Contents
from ainas_bot.certificates.profiles import japanese_fields
from ainas_bot.errors import CertificateError
from ainas_bot.foundation.jst import jst_date, today_jst
from ainas_bot.i18n import _

__all__ = [
    "CertificateInfo",
    "check_validity",
    "describe",
    "expiry_warning",
    "serial_hex",
    "standing_warnings",
]

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
    profile, fields = japanese_fields(cert, mapping)
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
