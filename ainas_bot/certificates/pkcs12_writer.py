"""A key and certificate serialised as PKCS#12, in each encryption family issuers have used."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from ainas_bot.foundation.safe_files import write_private

__all__ = ["Encryption", "pkcs12_bytes"]

Encryption = Literal["modern", "legacy", "legacy-3des", "none"]


def pkcs12_bytes(
    key: rsa.RSAPrivateKey | None,
    cert: x509.Certificate | None,
    *,
    password: str,
    encryption: Encryption = "modern",
    cas: list[x509.Certificate] | None = None,
    friendly_name: bytes = b"ainas-bot test certificate",
) -> bytes:
    """Serialise key and certificate as PKCS#12 with the chosen encryption family.

    `legacy` is what old issuers and `openssl -legacy` write: RC2-40 for the certificates, 3DES for the
    key, SHA-1 MAC. `cryptography` cannot write RC2, so that one goes through the `openssl` command,
    with the password passed in its environment, never on its command line.
    """
    if encryption == "legacy":
        return _openssl_legacy(key, cert, password=password, cas=cas or [])
    if encryption == "none" or not password:
        algorithm: serialization.KeySerializationEncryption = serialization.NoEncryption()
    elif encryption == "legacy-3des":
        algorithm = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(2048)
            .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())  # noqa: S303 - a legacy file on purpose
            .build(password.encode())
        )
    else:
        algorithm = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(10000)
            .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
            .hmac_hash(hashes.SHA256())
            .build(password.encode())
        )
    return pkcs12.serialize_key_and_certificates(friendly_name, key, cert, cas, algorithm)


def _openssl_legacy(
    key: rsa.RSAPrivateKey | None, cert: x509.Certificate | None, *, password: str, cas: list[x509.Certificate]
) -> bytes:
    with tempfile.TemporaryDirectory(prefix="ainas-p12-") as tmp:
        folder = Path(tmp)
        args = [
            "openssl",
            "pkcs12",
            "-export",
            "-legacy",
            "-passout",
            "env:AINAS_P12_PASSWORD",
            "-out",
            str(folder / "out.p12"),
        ]
        pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in ([cert] if cert else []) + cas)
        (folder / "certs.pem").write_bytes(pem)
        args += ["-in", str(folder / "certs.pem")]
        if key is None:
            args.append("-nokeys")
        else:
            write_private(
                folder / "key.pem",
                key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                ),
                what="key",
            )
            args += ["-inkey", str(folder / "key.pem")]
            if cert is None:
                args.append("-nocerts")  # openssl pairs a key only with its own certificate: key alone
        env = {**os.environ, "AINAS_P12_PASSWORD": password}
        try:
            subprocess.run(args, env=env, check=True, capture_output=True)
        except FileNotFoundError:
            raise RuntimeError("legacy (RC2-40) .p12 files need the `openssl` command (Debian: openssl)") from None
        return (folder / "out.p12").read_bytes()
