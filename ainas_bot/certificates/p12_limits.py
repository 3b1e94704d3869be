"""Bounds read from a PKCS#12 file's outer structure before any key is derived from its PIN.

The iteration counts of the MAC and of each encryption are plain numbers in the unencrypted layers:
a hostile 3 KB file asking for 2^31 rounds would otherwise keep the bot (or the sandbox's event loop)
busy for a quarter of an hour before the PIN is even checked. And when `cryptography` refuses a file
whose MAC the PIN verifies, the PIN is right and the file is what cannot be read: `mac_verifies`
checks the MAC here (RFC 7292, appendix B) to tell the two apart.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

from pyasn1.codec.der import decoder
from pyasn1_modules import rfc2315, rfc5208, rfc7292, rfc8018

__all__ = ["MAX_ITERATIONS", "MAX_P12_BYTES", "MAX_TOTAL_ITERATIONS", "encryptions", "iteration_counts", "mac_verifies"]

# Real files use 1 to 600 000 rounds per count (OpenSSL 2048, Windows 2000, Java 10 000, OWASP's 2023
# advice for PBKDF2-SHA256 600 000). Measured on the project's machine: 1 000 000 PBKDF2-SHA256 rounds
# take 0.12 s, 1 000 000 SHA-256 MAC rounds 0.06 s in cryptography and 0.5 s in `mac_verifies` (Python),
# so a file within the bounds costs at most about 1 s of key derivation.
MAX_ITERATIONS = 1_000_000
MAX_TOTAL_ITERATIONS = 3_000_000
# A signing .p12 with its chain is 3 to 20 KB; 256 KiB leaves room for long chains, not for a 1 MB subject.
MAX_P12_BYTES = 256 * 1024

_PBES2 = "1.2.840.113549.1.5.13"
_PBKDF2 = "1.2.840.113549.1.5.12"
_PKCS12_PBE = "1.2.840.113549.1.12.1."
_HASHES = {
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
    "2.16.840.1.101.3.4.2.4": "sha224",
}


def _alg_iterations(alg: Any) -> list[int]:
    oid = str(alg["algorithm"])
    if oid == _PBES2:
        params, _ = decoder.decode(alg["parameters"], asn1Spec=rfc8018.PBES2_params())
        kdf = params["keyDerivationFunc"]
        if str(kdf["algorithm"]) == _PBKDF2:
            kdf_params, _ = decoder.decode(kdf["parameters"], asn1Spec=rfc8018.PBKDF2_params())
            return [int(kdf_params["iterationCount"])]
        return []
    if oid.startswith(_PKCS12_PBE):
        params, _ = decoder.decode(alg["parameters"], asn1Spec=rfc7292.Pkcs_12PbeParams())
        return [int(params["iterations"])]
    return []


def encryptions(pfx: Any) -> Iterator[tuple[str, Any | None]]:
    """The outer layers of a PFX (not encrypted), walked once for everyone who reads them: ("certificates" or
    "key", its encryption's AlgorithmIdentifier, or None when the bag is stored in the clear), in file order."""
    content, _ = decoder.decode(pfx["authSafe"]["content"], asn1Spec=rfc2315.Data())
    safe, _ = decoder.decode(bytes(content), asn1Spec=rfc7292.AuthenticatedSafe())
    for info in safe:
        ctype = str(info["contentType"])
        if ctype == str(rfc2315.encryptedData):
            enc, _ = decoder.decode(info["content"], asn1Spec=rfc2315.EncryptedData())
            yield "certificates", enc["encryptedContentInfo"]["contentEncryptionAlgorithm"]
        elif ctype == str(rfc2315.data):
            inner, _ = decoder.decode(info["content"], asn1Spec=rfc2315.Data())
            bags, _ = decoder.decode(bytes(inner), asn1Spec=rfc7292.SafeContents())
            for bag in bags:
                bag_id = str(bag["bagId"])
                if bag_id == str(rfc7292.id_pkcs8ShroudedKeyBag):
                    epki, _ = decoder.decode(bag["bagValue"], asn1Spec=rfc5208.EncryptedPrivateKeyInfo())
                    yield "key", epki["encryptionAlgorithm"]
                elif bag_id == str(rfc7292.id_certBag):
                    yield "certificates", None
                elif bag_id == str(rfc7292.id_keyBag):
                    yield "key", None


def iteration_counts(pfx: Any) -> list[int]:
    """Every iteration count a PFX asks for: its MAC's, then each encryption's, in file order."""
    counts: list[int] = [int(pfx["macData"]["iterations"])] if pfx["macData"].isValue else []
    for _, alg in encryptions(pfx):
        if alg is not None:
            counts += _alg_iterations(alg)
    return counts


def _pkcs12_kdf(hash_name: str, password: bytes, salt: bytes, iterations: int, size: int) -> bytes:
    """RFC 7292 B.2 with ID 3 (MAC key); `password` already as a NUL-terminated BMPString."""
    u = hashlib.new(hash_name).digest_size
    v = hashlib.new(hash_name).block_size
    d = bytes([3]) * v

    def fill(data: bytes) -> bytes:
        """Copies of `data` up to the next multiple of v bytes (nothing for nothing)."""
        if not data:
            return b""
        n = v * -(-len(data) // v)
        return (data * (n // len(data) + 1))[:n]

    i = bytearray(fill(salt) + fill(password))
    out = b""
    while len(out) < size:
        a = d + bytes(i)
        for _ in range(iterations):
            a = hashlib.new(hash_name, a).digest()
        out += a
        b = int.from_bytes((a * (v // u + 1))[:v], "big")
        for j in range(0, len(i), v):
            block = (int.from_bytes(i[j : j + v], "big") + b + 1) % (1 << (8 * v))
            i[j : j + v] = block.to_bytes(v, "big")
    return out[:size]


def mac_verifies(pfx: Any, pin: str) -> bool | None:
    """Whether `pin` verifies the file's MAC; None when there is no MAC or its hash is not one known here."""
    if not pfx["macData"].isValue:
        return None
    mac_data = pfx["macData"]
    hash_name = _HASHES.get(str(mac_data["mac"]["digestAlgorithm"]["algorithm"]))
    if hash_name is None:
        return None
    content, _ = decoder.decode(pfx["authSafe"]["content"], asn1Spec=rfc2315.Data())
    salt, iterations = bytes(mac_data["macSalt"]), int(mac_data["iterations"])
    expected = bytes(mac_data["mac"]["digest"])
    # OpenSSL writes an empty password either as no bytes or as a lone NUL terminator: both are tried.
    passwords = [pin.encode("utf-16-be") + b"\0\0"] + ([b""] if not pin else [])
    for password in passwords:
        key = _pkcs12_kdf(hash_name, password, salt, iterations, hashlib.new(hash_name).digest_size)
        if hmac.compare_digest(hmac.new(key, bytes(content), hash_name).digest(), expected):
            return True
    return False
