"""The sandbox's own PKI: one CA that signs the server certificate and each organisation's client .p12."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ainas_bot.certificates.issuers import Issuer, generate_key, make_ca, make_certificate
from ainas_bot.certificates.pkcs12_writer import pkcs12_bytes
from ainas_bot.sandbox._files import write_owner_only

__all__ = ["ServerFiles", "client_key", "client_p12", "ensure_pki"]

CA_FILE, CA_KEY_FILE = "ca.pem", "ca-key.pem"
SERVER_FILE, SERVER_KEY_FILE = "server.pem", "server-key.pem"
_POOL_SIZE = 4
# Client keys come from a small pool shared by the organisations (and by every sandbox of one process):
# generating 304 RSA-2048 keys takes seconds, and a client certificate only has to prove it was issued
# by this CA. Each organisation still gets its own certificate, serial and password.
_pool: list[rsa.RSAPrivateKey] = []
_pool_lock = threading.Lock()


def client_key(index: int) -> rsa.RSAPrivateKey:
    with _pool_lock:
        while len(_pool) < _POOL_SIZE:
            _pool.append(generate_key())
        return _pool[index % _POOL_SIZE]


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load_ca(state_dir: Path) -> Issuer | None:
    try:
        cert = x509.load_pem_x509_certificate((state_dir / CA_FILE).read_bytes())
        key = serialization.load_pem_private_key((state_dir / CA_KEY_FILE).read_bytes(), None)
    except (OSError, ValueError):
        return None
    assert isinstance(key, rsa.RSAPrivateKey)
    return Issuer(name=cert.subject, key=key, certificate=cert)


class ServerFiles:
    """Paths of the PEM files uvicorn needs."""

    def __init__(self, state_dir: Path, issuer: Issuer) -> None:
        self.ca = state_dir / CA_FILE
        self.cert = state_dir / SERVER_FILE
        self.key = state_dir / SERVER_KEY_FILE
        self.issuer = issuer


def _write_server(state_dir: Path, issuer: Issuer, now: dt.datetime) -> None:
    key = generate_key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    san = x509.SubjectAlternativeName(
        [
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ]
    )
    cert = make_certificate(
        key,
        subject,
        issuer=issuer,
        not_before=now - dt.timedelta(days=1),
        not_after=now + dt.timedelta(days=825),
        extensions=[(san, False), (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)],
        client_auth=False,
    )
    write_owner_only(state_dir / SERVER_KEY_FILE, _pem_key(key), what="sandbox key")
    (state_dir / SERVER_FILE).write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _server_ok(state_dir: Path, issuer: Issuer, now: dt.datetime) -> bool:
    try:
        cert = x509.load_pem_x509_certificate((state_dir / SERVER_FILE).read_bytes())
    except (OSError, ValueError):
        return False
    fresh = cert.not_valid_after_utc - now > dt.timedelta(days=7)
    return fresh and cert.issuer == issuer.name and (state_dir / SERVER_KEY_FILE).exists()


def ensure_pki(state_dir: Path, *, seed: int) -> ServerFiles:
    """Load the CA and server certificate from `state_dir`, creating what is missing."""
    now = dt.datetime.now(dt.UTC)
    issuer = _load_ca(state_dir)
    if issuer is None:
        # A fresh key for every CA: a certificate from another sandbox must never verify here.
        issuer = make_ca(f"AINAS Sandbox CA {seed}-{os.urandom(4).hex()}", "AINAS Sandbox (TEST)")
        write_owner_only(state_dir / CA_KEY_FILE, _pem_key(issuer.key), what="sandbox key")
        (state_dir / CA_FILE).write_bytes(issuer.certificate.public_bytes(serialization.Encoding.PEM))
    if not _server_ok(state_dir, issuer, now):
        _write_server(state_dir, issuer, now)
    return ServerFiles(state_dir, issuer)


def client_p12(issuer: Issuer, index: int, org_id: str, org_name: str, password: str) -> bytes:
    """A client-authentication .p12 for one organisation, with the CA bundled so browsers trust the server."""
    now = dt.datetime.now(dt.UTC)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org_name),
            x509.NameAttribute(NameOID.COMMON_NAME, f"oss_agt-{org_id}"),
        ]
    )
    key = client_key(index)
    cert = make_certificate(
        key,
        subject,
        issuer=issuer,
        not_before=now - dt.timedelta(days=1),
        not_after=now + dt.timedelta(days=3650),
        client_auth=True,
    )
    return pkcs12_bytes(
        key, cert, password=password, cas=[issuer.certificate], friendly_name=f"AINAS client {org_id}".encode()
    )
