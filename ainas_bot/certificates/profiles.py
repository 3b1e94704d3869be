"""Where a signing certificate keeps the Japanese fields AINAS reads: its profile, and the fields.

Three layouts are known (spec, "Certificate profiles"): the 商業登記 extension
`1.2.392.100300.1.1.3`, Japanese attributes in the subject DN, and Japanese attributes in a
subjectAltName `directoryName`. A settings mapping can name other places, for layouts not yet seen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cryptography import x509
from cryptography.x509.oid import NameOID
from pyasn1.codec.der import decoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import tag, univ
from pyasn1_modules import rfc5280

from ainas_bot.certificates.address_split import split_address
from ainas_bot.errors import ConfigError
from ainas_bot.i18n import _

__all__ = ["FIELDS", "OID_CORPORATE_INFO", "japanese_fields"]

OID_CORPORATE_INFO = "1.2.392.100300.1.1.3"
# The elements of registeredCorporationInfoJP (spec): [0] 商号, [1] 会社法人等番号, [2] 本店, [3] 代表者氏名.
_CORP_NAME, _CORP_ADDRESS, _CORP_DIRECTOR = 0, 2, 3

FIELDS = ("trade_name_kanji", "holder_name_kanji", "address_street", "address_building")


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


def japanese_fields(
    cert: x509.Certificate, mapping: Mapping[str, Sequence[str]] | None = None
) -> tuple[str, dict[str, str]]:
    """(profile, {field: text}): the known layouts first; a settings mapping that finds a name wins over them."""
    profile, fields = _builtin_fields(cert)
    if mapping:
        mapped = _apply_mapping(cert, mapping)
        if mapped.get("trade_name_kanji") or mapped.get("holder_name_kanji"):
            profile, fields = "generic", {**fields, **mapped}
    return profile, fields
