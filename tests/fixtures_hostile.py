"""Hostile PKCS#12 files made in code: iteration counts rewritten in the outer structure, certificates that
`cryptography` refuses to load although their file's MAC and PIN are right."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyasn1.codec.der import decoder, encoder
from pyasn1.type import univ
from pyasn1_modules import rfc2315, rfc5280, rfc7292, rfc8018

__all__ = ["p12_of_der", "pkcs12_with_iterations", "self_signed_der"]


def _reencode_pbes2(alg: Any, iterations: int) -> None:
    params, _ = decoder.decode(alg["parameters"], asn1Spec=rfc8018.PBES2_params())
    kdf_params, _ = decoder.decode(params["keyDerivationFunc"]["parameters"], asn1Spec=rfc8018.PBKDF2_params())
    kdf_params["iterationCount"] = iterations
    params["keyDerivationFunc"]["parameters"] = univ.Any(encoder.encode(kdf_params))
    alg["parameters"] = univ.Any(encoder.encode(params))


def pkcs12_with_iterations(data: bytes, *, mac: int | None = None, pbkdf2: int | None = None) -> bytes:
    """`data` (a PBES2 .p12) with its MAC's and/or its certificates' PBKDF2 iteration count rewritten;
    the MAC no longer verifies, which only matters once the count has been accepted."""
    pfx, _ = decoder.decode(data, asn1Spec=rfc7292.PFX())
    if mac is not None:
        pfx["macData"]["iterations"] = mac
    if pbkdf2 is not None:
        content, _ = decoder.decode(pfx["authSafe"]["content"], asn1Spec=rfc2315.Data())
        safe, _ = decoder.decode(bytes(content), asn1Spec=rfc7292.AuthenticatedSafe())
        for info in safe:
            if str(info["contentType"]) == str(rfc2315.encryptedData):
                enc, _ = decoder.decode(info["content"], asn1Spec=rfc2315.EncryptedData())
                _reencode_pbes2(enc["encryptedContentInfo"]["contentEncryptionAlgorithm"], pbkdf2)
                info["content"] = univ.Any(encoder.encode(enc))
        pfx["authSafe"]["content"] = univ.Any(encoder.encode(rfc2315.Data(encoder.encode(safe))))
    return bytes(encoder.encode(pfx))


def self_signed_der(
    *, common_name: str = "テスト", extensions: list[tuple[str, bytes]] | None = None
) -> tuple[ec.EllipticCurvePrivateKey, bytes]:
    """(key, certificate DER) with `extensions` (OID, DER value) appended as written, duplicates included:
    `cryptography`'s builder refuses what a hostile issuer can still put in a file."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    parsed, _ = decoder.decode(cert.public_bytes(serialization.Encoding.DER), asn1Spec=rfc5280.Certificate())
    tbs = parsed["tbsCertificate"]
    for oid, value in extensions or []:
        ext = rfc5280.Extension()
        ext["extnID"] = univ.ObjectIdentifier(oid)
        ext["critical"] = False
        ext["extnValue"] = value
        tbs["extensions"].append(ext)
    return key, bytes(encoder.encode(parsed))


def p12_of_der(key: ec.EllipticCurvePrivateKey, der: bytes, password: str) -> bytes:
    """A modern .p12 of `key` and the certificate `der`, however malformed its extensions are."""
    cert = x509.load_der_x509_certificate(der)  # lazy: the extensions are parsed only when read
    algorithm = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(2048)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.encode())
    )
    return pkcs12.serialize_key_and_certificates(b"hostile", key, cert, None, algorithm)
