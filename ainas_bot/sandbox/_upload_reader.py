"""What the sandbox, as the portal, reads from an uploaded certificate: written apart from the bot's
`ainas_bot.certificates.certinfo`.

The bot checks that 代理人証明書照会 shows the fields as it read them; a sandbox reading uploads with the
bot's own code would check the bot against itself. So this module reads the certificate afresh, with
pyasn1's RFC 5280 schemas, from the layouts of docs/ainas-portal.md ("The certificates"), in this order:
the 商業登記 extension `1.2.392.100300.1.1.3` ([0] 商号, [2] 本店, [3] 代表者氏名), then a subjectAltName
directoryName, then the subject DN (O = 事務所名, CN = 氏名, ST / L / street = 住所; a Japanese O or CN
marks the layout). The address is split by the portal's own rule (`ainas_bot.sandbox._address`), not by
the bot's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyasn1.codec.der import decoder, encoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import char, tag, univ
from pyasn1_modules import rfc5280

from ainas_bot.sandbox._address import split_street_building
from ainas_bot.sandbox._clock import japan_day
from ainas_bot.sandbox._upload_p12 import Opened, Unread, open_upload

__all__ = ["Unread", "Upload", "read_upload"]

_REGISTERED_CORPORATION = univ.ObjectIdentifier("1.2.392.100300.1.1.3")
_CORPORATE_NAME, _HEAD_OFFICE, _DIRECTOR = 0, 2, 3
_O, _CN = rfc5280.id_at_organizationName, rfc5280.id_at_commonName
_ST, _L, _STREET = rfc5280.id_at_stateOrProvinceName, rfc5280.id_at_localityName, univ.ObjectIdentifier("2.5.4.9")


@dataclasses.dataclass(frozen=True)
class Upload:
    """An uploaded certificate as the portal shows it on 代理人証明書照会, and what its checks need."""

    trade_name_kanji: str
    holder_name_kanji: str
    address_street: str
    address_building: str
    serial: str  # upper-case hex in whole bytes
    not_before: dt.datetime
    not_after: dt.datetime
    key_matches: bool

    @property
    def expiry_date(self) -> dt.date:
        """証明書有効期限 as the portal shows it: the day of notAfter in Japan."""
        return japan_day(self.not_after)

    @property
    def has_names(self) -> bool:
        return bool(self.trade_name_kanji or self.holder_name_kanji)


def _text(der: bytes) -> str | None:
    """A DirectoryString's text; None for a value of another type."""
    try:
        value = decoder.decode(der, asn1Spec=rfc5280.DirectoryString())[0]
    except PyAsn1Error:
        return None
    string = value.getComponent()
    return str(string) if isinstance(string, char.AbstractCharacterString) else None


def _attributes(name: Any) -> list[tuple[univ.ObjectIdentifier, str]]:
    """(type, text) of every string attribute of a Name, in the order of its RDNs."""
    found = []
    for rdn in name["rdnSequence"]:
        for attribute in rdn:
            text = _text(bytes(attribute["value"]))
            if text is not None:
                found.append((attribute["type"], text))
    return found


def _shown(trade: str, holder: str, street: str, building: str) -> dict[str, str]:
    return {
        "trade_name_kanji": trade,
        "holder_name_kanji": holder,
        "address_street": street,
        "address_building": building,
    }


def _dn_fields(attributes: list[tuple[univ.ObjectIdentifier, str]]) -> dict[str, str] | None:
    """The 行政書士 layout of one Name, or None when neither its O nor its CN is Japanese."""

    def values(oid: univ.ObjectIdentifier) -> list[str]:
        return [text for kind, text in attributes if kind == oid]

    def japanese(texts: Iterable[str]) -> str:
        return next((t for t in texts if not t.isascii()), "")

    trade, holder = japanese(values(_O)), japanese(values(_CN))
    if not (trade or holder):
        return None
    region, streets = "".join(values(_ST) + values(_L)), values(_STREET)
    if len(streets) > 1:  # a street attribute of its own holds the building
        street, building = region + streets[0], " ".join(streets[1:])
    else:
        street, building = split_street_building(region + "".join(streets))
    return _shown(trade, holder, street, building)


def _corporation(der: bytes) -> dict[int, str]:
    """registeredCorporationInfoJP: {tag number: text} of its `[n] EXPLICIT DirectoryString` members."""
    members: dict[int, str] = {}
    for member in decoder.decode(der, asn1Spec=univ.SequenceOf(componentType=univ.Any()))[0]:
        raw = bytes(member)
        if raw[0] & 0xE0 != 0xA0 or raw[0] & 0x1F == 0x1F:
            continue  # not a context-specific constructed tag below 31: no member the portal reads
        number = raw[0] & 0x1F
        inner = decoder.decode(
            raw, asn1Spec=univ.Any().subtype(explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, number))
        )[0]
        text = _text(bytes(inner))
        if text is not None:
            members[number] = text
    return members


def _extensions(tbs: Any) -> dict[univ.ObjectIdentifier, bytes]:
    found: dict[univ.ObjectIdentifier, bytes] = {}
    for extension in tbs["extensions"] if tbs["extensions"].isValue else ():
        if extension["extnID"] in found:
            raise PyAsn1Error("an extension twice")  # RFC 5280 4.2: a certificate that cannot be read
        found[extension["extnID"]] = bytes(extension["extnValue"])
    return found


def _directory_names(san: bytes) -> Iterator[Any]:
    for general_name in decoder.decode(san, asn1Spec=rfc5280.SubjectAltName())[0]:
        if general_name.getName() == "directoryName":
            yield general_name["directoryName"]


def _registered_corporation(der: bytes | None) -> dict[str, str] | None:
    """The 商業登記 layout, or None when the extension is absent, unreadable or names neither 商号 nor 代表者."""
    try:
        members = _corporation(der) if der is not None else {}
    except PyAsn1Error:
        return None
    if not (members.get(_CORPORATE_NAME) or members.get(_DIRECTOR)):
        return None
    street, building = split_street_building(members.get(_HEAD_OFFICE, ""))
    return _shown(members.get(_CORPORATE_NAME, ""), members.get(_DIRECTOR, ""), street, building)


def _fields(tbs: Any) -> dict[str, str]:
    extensions = _extensions(tbs)
    found = _registered_corporation(extensions.get(_REGISTERED_CORPORATION))
    san = extensions.get(rfc5280.id_ce_subjectAltName)
    for name in [*(_directory_names(san) if san is not None else ()), tbs["subject"]]:
        found = found or _dn_fields(_attributes(name))
    return found or _shown("", "", "", "")


def _parsed(der: bytes) -> Any:
    certificate, rest = decoder.decode(der, asn1Spec=rfc5280.Certificate())
    if rest:
        raise PyAsn1Error("trailing bytes after the certificate")
    _extensions(certificate["tbsCertificate"])
    return certificate["tbsCertificate"]


def _is_ca(tbs: Any) -> bool:
    constraints = _extensions(tbs).get(rfc5280.id_ce_basicConstraints)
    return constraints is not None and bool(decoder.decode(constraints, asn1Spec=rfc5280.BasicConstraints())[0]["cA"])


def _time(choice: Any) -> dt.datetime:
    return choice.getComponent().asDateTime.astimezone(dt.UTC)  # type: ignore[no-any-return]


def _upload(opened: Opened) -> Upload | Unread:
    try:
        others = [(der, _parsed(der)) for der in opened.others]
        if opened.paired is not None:
            tbs = _parsed(opened.paired)
        else:  # the key's own certificate unpaired: the first end-entity certificate beside it
            tbs = next((t for _, t in others if not _is_ca(t)), None)
            if tbs is None:
                return Unread.NOT_P12
        fields = _fields(tbs)
        validity = tbs["validity"]
        not_before, not_after = _time(validity["notBefore"]), _time(validity["notAfter"])
    except (PyAsn1Error, ValueError, TypeError, KeyError):
        return Unread.NOT_P12
    public = opened.key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return Upload(
        **fields,
        not_before=not_before,
        not_after=not_after,
        serial=_serial(int(tbs["serialNumber"])),
        key_matches=public == bytes(encoder.encode(tbs["subjectPublicKeyInfo"])),
    )


def _serial(number: int) -> str:
    """Upper-case hex in whole bytes, as the portal's screens and openssl show a serial (`0DCF…`)."""
    digits = format(abs(number), "X")
    return ("-" if number < 0 else "") + digits.zfill(len(digits) + len(digits) % 2)


def read_upload(data: bytes, password: str) -> Upload | Unread:
    """The uploaded .p12 as the portal reads it with `password`, or why it cannot (no validity check)."""
    opened = open_upload(data, password)
    return opened if isinstance(opened, Unread) else _upload(opened)
