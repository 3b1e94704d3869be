"""The sandbox's own opening of an uploaded PKCS#12 file (RFC 7292), written apart from the bot's `_p12`.

The real portal opens uploads with its own library, not the bot's: so does the sandbox. It walks the
unencrypted outer layers itself to bound the key-derivation rounds before the password is tried, checks
the MAC itself to tell a wrong password from a file the right one cannot read, and decrypts through
`cryptography`'s `load_pkcs12`.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from pyasn1.codec.der import decoder
from pyasn1.error import PyAsn1Error
from pyasn1_modules import rfc2315, rfc5208, rfc7292, rfc8018

from ainas_bot.sandbox._limits import MAX_KDF_ROUNDS, MAX_KDF_ROUNDS_TOTAL, MAX_P12_BYTES

__all__ = ["Opened", "Unread", "open_upload"]

# Password-based schemes whose parameters hold a round count: PBES2 (PBKDF2 inside), the PKCS#12 PBEs
# (1.2.840.113549.1.12.1.*) and PBES1 (1.2.840.113549.1.5.1 to .11), whose parameters share one layout.
_PBES2, _PBKDF2 = "1.2.840.113549.1.5.13", "1.2.840.113549.1.5.12"
_SALT_AND_COUNT_PREFIXES = ("1.2.840.113549.1.12.1.", "1.2.840.113549.1.5.")
_MAC_DIGESTS = {
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.4": "sha224",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}
_NESTING = 4  # safeContentsBag inside safeContentsBag: deeper than any exporter writes


class Unread(enum.Enum):
    """Why the portal did not read an upload, as its 代理人証明書登録 screen tells the two apart."""

    WRONG_PASSWORD = "wrong-password"
    NOT_P12 = "not-p12"


@dataclasses.dataclass(frozen=True)
class Opened:
    """A decrypted upload: its private key, the key's own certificate (DER) when the file pairs them, the rest."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    paired: bytes | None
    others: tuple[bytes, ...]


def _decoded(data: Any, spec: Any) -> Any:
    value, rest = decoder.decode(bytes(data), asn1Spec=spec)
    if rest:
        raise PyAsn1Error("trailing bytes")
    return value


def _bags(safe_contents: Any, depth: int = 0) -> Iterator[Any]:
    if depth > _NESTING:
        raise PyAsn1Error("safe contents nested too deep")
    for bag in safe_contents:
        if bag["bagId"] == rfc7292.id_safeContentsBag:
            yield from _bags(_decoded(bag["bagValue"], rfc7292.SafeContents()), depth + 1)
        else:
            yield bag


def _schemes(pfx: Any) -> Iterator[Any]:
    """The AlgorithmIdentifier of every password-based encryption in the file, outer layers only."""
    safe = _decoded(_decoded(pfx["authSafe"]["content"], rfc2315.Data()), rfc7292.AuthenticatedSafe())
    for info in safe:
        if info["contentType"] == rfc2315.encryptedData:
            yield _decoded(info["content"], rfc2315.EncryptedData())["encryptedContentInfo"][
                "contentEncryptionAlgorithm"
            ]
        elif info["contentType"] == rfc2315.data:
            for bag in _bags(_decoded(_decoded(info["content"], rfc2315.Data()), rfc7292.SafeContents())):
                if bag["bagId"] == rfc7292.id_pkcs8ShroudedKeyBag:
                    yield _decoded(bag["bagValue"], rfc5208.EncryptedPrivateKeyInfo())["encryptionAlgorithm"]


def _rounds(scheme: Any) -> int:
    oid = str(scheme["algorithm"])
    if oid == _PBES2:
        kdf = _decoded(scheme["parameters"], rfc8018.PBES2_params())["keyDerivationFunc"]
        if str(kdf["algorithm"]) != _PBKDF2:
            return 0  # scrypt and others: their cost is bounded by the library's own memory limit
        return int(_decoded(kdf["parameters"], rfc8018.PBKDF2_params())["iterationCount"])
    if oid.startswith(_SALT_AND_COUNT_PREFIXES):
        return int(_decoded(scheme["parameters"], rfc7292.Pkcs_12PbeParams())["iterations"])
    return 0


def _within_bounds(pfx: Any) -> bool:
    counts = [int(pfx["macData"]["iterations"])] if pfx["macData"].isValue else []
    counts += [_rounds(scheme) for scheme in _schemes(pfx)]
    return max(counts, default=0) <= MAX_KDF_ROUNDS and sum(counts) <= MAX_KDF_ROUNDS_TOTAL


def _mac_key(digest: str, password: bytes, salt: bytes, rounds: int) -> bytes:
    """RFC 7292 appendix B.2, purpose 3 (MAC), for a key of one digest: one block of output, so no carry."""
    block = hashlib.new(digest).block_size

    def to_blocks(data: bytes) -> bytes:
        return (data * (block // len(data) + 2))[: -(-len(data) // block) * block] if data else b""

    out = bytes([3]) * block + to_blocks(salt) + to_blocks(password)
    for _ in range(rounds):
        out = hashlib.new(digest, out).digest()
    return out


def _password_opens_mac(pfx: Any, password: str) -> bool:
    mac = pfx["macData"]
    digest = _MAC_DIGESTS.get(str(mac["mac"]["digestAlgorithm"]["algorithm"])) if mac.isValue else None
    if digest is None:
        return False  # no MAC the sandbox can check: the password is the only suspect left
    signed = bytes(_decoded(pfx["authSafe"]["content"], rfc2315.Data()))
    # A BMPString with its two-byte terminator; an empty password is written either so or as nothing at all.
    encodings = [password.encode("utf-16-be") + b"\x00\x00", *([b""] if not password else [])]
    return any(
        hmac.compare_digest(
            hmac.new(_mac_key(digest, raw, bytes(mac["macSalt"]), int(mac["iterations"])), signed, digest).digest(),
            bytes(mac["mac"]["digest"]),
        )
        for raw in encodings
    )


def open_upload(data: bytes, password: str) -> Opened | Unread:
    """The uploaded file opened with `password`, or why the portal refuses it."""
    if not data or len(data) > MAX_P12_BYTES:
        return Unread.NOT_P12
    try:
        pfx = _decoded(data, rfc7292.PFX())
        if not _within_bounds(pfx):
            return Unread.NOT_P12
    except (PyAsn1Error, KeyError, TypeError, ValueError):
        return Unread.NOT_P12
    try:
        loaded = pkcs12.load_pkcs12(data, password.encode("utf-8"))
    except ValueError:
        try:
            return Unread.NOT_P12 if _password_opens_mac(pfx, password) else Unread.WRONG_PASSWORD
        except (PyAsn1Error, KeyError, TypeError, ValueError):
            return Unread.WRONG_PASSWORD
    except Exception:  # an algorithm the library does not implement: a file the portal cannot read
        return Unread.NOT_P12
    if not isinstance(loaded.key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        return Unread.NOT_P12
    return Opened(
        key=loaded.key,
        paired=loaded.cert.certificate.public_bytes(Encoding.DER) if loaded.cert else None,
        others=tuple(c.certificate.public_bytes(Encoding.DER) for c in loaded.additional_certs),
    )
