"""The algorithms protecting a PKCS#12 file, named from its outer layers (which are not encrypted), so
that an operator is told of a legacy file (RC2, 3DES, SHA-1) before it is refused somewhere else."""

from __future__ import annotations

import dataclasses

from pyasn1.codec.der import decoder
from pyasn1_modules import rfc8018

from ainas_bot.certificates.p12_limits import encryptions

__all__ = ["P12Encryption", "describe_encryption"]

_OID_NAMES = {
    "1.2.840.113549.1.12.1.1": "pbeWithSHAAnd128BitRC4",
    "1.2.840.113549.1.12.1.2": "pbeWithSHAAnd40BitRC4",
    "1.2.840.113549.1.12.1.3": "pbeWithSHAAnd3-KeyTripleDES-CBC",
    "1.2.840.113549.1.12.1.4": "pbeWithSHAAnd2-KeyTripleDES-CBC",
    "1.2.840.113549.1.12.1.5": "pbeWithSHAAnd128BitRC2-CBC",
    "1.2.840.113549.1.12.1.6": "pbeWithSHAAnd40BitRC2-CBC",
    "1.2.840.113549.1.5.13": "PBES2",
    "2.16.840.1.101.3.4.1.2": "AES-128-CBC",
    "2.16.840.1.101.3.4.1.22": "AES-192-CBC",
    "2.16.840.1.101.3.4.1.42": "AES-256-CBC",
    "1.2.840.113549.3.7": "DES-EDE3-CBC",
    "1.2.840.113549.2.7": "hmacWithSHA1",
    "1.2.840.113549.2.9": "hmacWithSHA256",
    "1.2.840.113549.2.11": "hmacWithSHA512",
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}
_LEGACY_MARKERS = ("RC2", "RC4", "TripleDES", "sha1")


@dataclasses.dataclass(frozen=True)
class P12Encryption:
    """The algorithms protecting a PKCS#12 file, as names (`PBES2/PBKDF2/hmacWithSHA256/AES-256-CBC`)."""

    certificates: str
    key: str
    mac: str

    @property
    def legacy(self) -> bool:
        return any(m in part for part in (self.certificates, self.key, self.mac) for m in _LEGACY_MARKERS)

    def as_dict(self) -> dict[str, object]:
        return {"certificates": self.certificates, "key": self.key, "mac": self.mac, "legacy": self.legacy}


def _alg_name(alg: object) -> str:
    oid = str(alg["algorithm"])  # type: ignore[index]
    name = _OID_NAMES.get(oid, oid)
    if name != "PBES2":
        return name
    params, _ = decoder.decode(alg["parameters"], asn1Spec=rfc8018.PBES2_params())  # type: ignore[index]
    kdf = params["keyDerivationFunc"]
    kdf_name = "PBKDF2" if str(kdf["algorithm"]) == "1.2.840.113549.1.5.12" else str(kdf["algorithm"])
    prf = "hmacWithSHA1"
    if kdf_name == "PBKDF2":
        kdf_params, _ = decoder.decode(kdf["parameters"], asn1Spec=rfc8018.PBKDF2_params())
        if kdf_params["prf"].isValue:
            prf = _OID_NAMES.get(str(kdf_params["prf"]["algorithm"]), str(kdf_params["prf"]["algorithm"]))
    enc = _OID_NAMES.get(str(params["encryptionScheme"]["algorithm"]), str(params["encryptionScheme"]["algorithm"]))
    return f"PBES2/{kdf_name}/{prf}/{enc}"


def describe_encryption(pfx: object) -> P12Encryption:
    """Walk the PFX outer layers (which are not encrypted) to name the algorithms used."""
    found: dict[str, list[str]] = {"certificates": [], "key": []}
    for kind, alg in encryptions(pfx):
        found[kind].append(_alg_name(alg) if alg is not None else "none")
    cert_algs, key_algs = found["certificates"], found["key"]
    mac = "none"
    if pfx["macData"].isValue:  # type: ignore[index]
        digest_oid = str(pfx["macData"]["mac"]["digestAlgorithm"]["algorithm"])  # type: ignore[index]
        mac = _OID_NAMES.get(digest_oid, digest_oid)
    return P12Encryption(
        certificates=", ".join(dict.fromkeys(cert_algs)) or "none",
        key=", ".join(dict.fromkeys(key_algs)) or "none",
        mac=mac,
    )
