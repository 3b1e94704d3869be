"""Opening PKCS#12 files: both encryption families, empty PINs, and every broken file told apart."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from ainas_bot.certificates import factory as certfactory
from ainas_bot.certificates.certinfo import check_validity, describe
from ainas_bot.certificates.p12 import P12Contents, open_p12, read_p12_bytes
from ainas_bot.errors import EXIT_CERTIFICATE, CertificateError

PIN = "S3cr3t-PIN-8472"


def _rsa(key: object) -> rsa.RSAPublicKey:
    assert isinstance(key, rsa.RSAPublicKey), type(key)
    return key


def _open(path: Path, pin: str = PIN) -> P12Contents:
    return open_p12(read_p12_bytes(path), pin, name=str(path))


@pytest.mark.parametrize(
    ("encryption", "certificates", "key_alg", "mac", "legacy"),
    [
        (
            "modern",
            "PBES2/PBKDF2/hmacWithSHA256/AES-256-CBC",
            "PBES2/PBKDF2/hmacWithSHA256/AES-256-CBC",
            "sha256",
            False,
        ),
        ("legacy", "pbeWithSHAAnd40BitRC2-CBC", "pbeWithSHAAnd3-KeyTripleDES-CBC", "sha1", True),
        ("legacy-3des", "pbeWithSHAAnd3-KeyTripleDES-CBC", "pbeWithSHAAnd3-KeyTripleDES-CBC", "sha1", True),
    ],
)
def test_every_encryption_family_opens_and_is_named(
    make_p12: Callable[..., Path],
    key: rsa.RSAPrivateKey,
    encryption: str,
    certificates: str,
    key_alg: str,
    mac: str,
    legacy: bool,
) -> None:
    path = make_p12(key=key, password=PIN, encryption=encryption)
    contents = _open(path)
    assert contents.key_matches_certificate
    assert _rsa(contents.certificate.public_key()).public_numbers() == key.public_key().public_numbers()
    assert contents.encryption.as_dict() == {
        "certificates": certificates,
        "key": key_alg,
        "mac": mac,
        "legacy": legacy,
    }
    assert contents.encryption.legacy is legacy


def test_passwordless_file_opens_with_an_empty_pin(make_p12: Callable[..., Path], key: rsa.RSAPrivateKey) -> None:
    path = make_p12(key=key, password="")
    contents = _open(path, "")
    assert contents.key_matches_certificate
    assert contents.encryption.certificates == "none"
    assert contents.encryption.key == "none"
    assert not contents.encryption.legacy
    with pytest.raises(CertificateError, match="wrong PIN"):
        _open(path, PIN)


@pytest.mark.parametrize("encryption", ["modern", "legacy", "legacy-3des"])
def test_wrong_pin_is_told_apart_from_a_broken_file(
    make_p12: Callable[..., Path], key: rsa.RSAPrivateKey, encryption: str
) -> None:
    path = make_p12(key=key, password=PIN, encryption=encryption)
    with pytest.raises(CertificateError) as exc:
        _open(path, "0000")
    message = str(exc.value)
    assert message.startswith(f"{path}: wrong PIN")
    assert "0000" not in message.removeprefix(str(path))
    assert exc.value.exit_code == EXIT_CERTIFICATE


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.p12"
    path.write_bytes(b"")
    with pytest.raises(CertificateError, match=r"empty\.p12: the file is empty"):
        read_p12_bytes(path)
    with pytest.raises(CertificateError, match="the file is empty"):
        open_p12(b"", PIN, name="blob")


def test_missing_path_and_directory(tmp_path: Path) -> None:
    with pytest.raises(CertificateError, match=r"nope\.p12: no such file"):
        read_p12_bytes(tmp_path / "nope.p12")
    folder = tmp_path / "folder.p12"
    folder.mkdir()
    with pytest.raises(CertificateError, match=r"folder\.p12: is a directory"):
        read_p12_bytes(folder)


@pytest.mark.parametrize("cut", [1, 100, 0.5, 0.9])
def test_truncated_file(make_p12: Callable[..., Path], key: rsa.RSAPrivateKey, cut: float) -> None:
    data = make_p12(key=key, password=PIN).read_bytes()
    keep = len(data) - cut if isinstance(cut, int) else int(len(data) * cut)
    with pytest.raises(CertificateError, match=r"^x\.p12: the file is truncated"):
        open_p12(data[:keep], PIN, name="x.p12")


@pytest.mark.parametrize(
    "data",
    [
        b"hello, this is a text file and not a certificate\n" * 4,
        b"-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUW\n-----END CERTIFICATE-----\n",
        b"\x00" * 64,
        b"PK\x03\x04" + b"\x00" * 60,  # a zip file
    ],
    ids=["text", "pem", "zeros", "zip"],
)
def test_not_a_pkcs12_file(data: bytes) -> None:
    with pytest.raises(CertificateError, match=r"^x\.p12: not a PKCS#12 \(\.p12\) file"):
        open_p12(data, PIN, name="x.p12")


def test_a_der_certificate_is_not_a_pkcs12_file(make_p12: Callable[..., Path], key: rsa.RSAPrivateKey) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    cert = _open(make_p12(key=key, password=PIN)).certificate
    with pytest.raises(CertificateError, match=r"^cert\.der: not a PKCS#12"):
        open_p12(cert.public_bytes(Encoding.DER), PIN, name="cert.der")


def test_trailing_garbage_is_not_a_pkcs12_file(make_p12: Callable[..., Path], key: rsa.RSAPrivateKey) -> None:
    data = make_p12(key=key, password=PIN).read_bytes()
    with pytest.raises(CertificateError, match=r"^x\.p12: not a PKCS#12"):
        open_p12(data + b"\x00garbage", PIN, name="x.p12")


@pytest.mark.parametrize("encryption", ["modern", "legacy"])
def test_no_private_key(make_p12: Callable[..., Path], key: rsa.RSAPrivateKey, encryption: str) -> None:
    path = make_p12(key=key, password=PIN, include_key=False, encryption=encryption)
    with pytest.raises(CertificateError, match=r": holds no private key"):
        _open(path)


@pytest.mark.parametrize("encryption", ["modern", "legacy", "legacy-3des"])
def test_no_certificate(make_p12: Callable[..., Path], key: rsa.RSAPrivateKey, encryption: str) -> None:
    path = make_p12(key=key, password=PIN, include_certificate=False, encryption=encryption)
    loaded_key, loaded_cert, _ = pkcs12.load_key_and_certificates(path.read_bytes(), PIN.encode())
    assert loaded_key is not None
    assert loaded_cert is None  # the factory really wrote a file without the end-entity certificate
    with pytest.raises(CertificateError, match=r": holds no certificate"):
        _open(path)


def test_key_that_does_not_match_the_certificate(make_p12: Callable[..., Path], key: rsa.RSAPrivateKey) -> None:
    path = make_p12(key=key, password=PIN, mismatched_key=True)
    contents = _open(path)
    assert not contents.key_matches_certificate
    # The certificate is the one issued for `key`; the stored key is another one.
    assert _rsa(contents.certificate.public_key()).public_numbers() == key.public_key().public_numbers()
    assert _rsa(contents.key.public_key()).public_numbers() != key.public_key().public_numbers()


def test_additional_ca_certificates_are_kept_apart(key: rsa.RSAPrivateKey) -> None:
    issuer = certfactory.issuer_for("gyoseishoshi")
    now = dt.datetime.now(dt.UTC)
    cert = certfactory.make_certificate(
        key,
        issuer.name,
        issuer=issuer,
        not_before=now - dt.timedelta(days=1),
        not_after=now + dt.timedelta(days=9),
    )
    data = certfactory.pkcs12_bytes(key, cert, password=PIN, cas=[issuer.certificate])
    contents = open_p12(data, PIN, name="x")
    assert contents.certificate == cert
    assert contents.additional_certificates == (issuer.certificate,)


# --- key types (docs/ainas-portal.md, "Key types") ------------------------------------------------------------


def _self_signed_p12(key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "鍵の種類")])
    now = dt.datetime.now(dt.UTC)
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, algorithm)
    )
    return pkcs12.serialize_key_and_certificates(
        b"k", key, cert, None, serialization.BestAvailableEncryption(PIN.encode())
    )


def test_an_eddsa_key_is_refused_by_its_name() -> None:
    with pytest.raises(CertificateError, match=r"^ed\.p12: its private key is Ed25519, .*RSA key$"):
        open_p12(_self_signed_p12(ed25519.Ed25519PrivateKey.generate()), PIN, name="ed.p12")


def test_a_dsa_key_is_refused_by_its_name_without_a_deprecation_warning(tmp_path: Path) -> None:
    # cryptography deprecates DSA (and warns on loading it), so the file is written by openssl; the suite's
    # filterwarnings = error fails this test if the warning escapes.
    key, cert, p12 = tmp_path / "dsa.pem", tmp_path / "dsa.crt", tmp_path / "dsa.p12"
    subprocess.run(["openssl", "dsaparam", "-genkey", "-out", str(key), "2048"], check=True, capture_output=True)
    subprocess.run(
        ["openssl", "req", "-new", "-x509", "-key", str(key), "-subj", "/CN=dsa", "-days", "30", "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            "openssl",
            "pkcs12",
            "-export",
            "-inkey",
            str(key),
            "-in",
            str(cert),
            "-out",
            str(p12),
            "-passout",
            "env:AINAS_P12_PASSWORD",
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "AINAS_P12_PASSWORD": PIN},
    )
    with pytest.raises(CertificateError, match=r"its private key is DSA, which neither AINAS nor the browsers"):
        _open(p12)


def test_an_ecdsa_key_opens_as_a_client_certificate_but_is_no_signing_certificate() -> None:
    contents = open_p12(_self_signed_p12(ec.generate_private_key(ec.SECP256R1())), PIN, name="ec.p12")
    assert isinstance(contents.key, ec.EllipticCurvePrivateKey)
    info = describe(contents, file="ec.p12", require_names=False)
    with pytest.raises(CertificateError, match=r"^ec\.p12: its key is EC, but AINAS signing certificates .* RSA"):
        check_validity(info)
