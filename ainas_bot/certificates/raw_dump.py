"""`inspect --raw`: every subject attribute and extension of a certificate, decoded as far as it goes, to
study a layout no profile knows yet."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from pyasn1.codec.der import decoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import univ

__all__ = ["raw_dump"]


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
