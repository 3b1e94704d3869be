"""Client-certificate authentication: the TLS handshake refuses anyone without the sandbox's client certificate."""

from __future__ import annotations

import datetime as dt
import gc
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, pkcs12
from cryptography.x509.oid import NameOID
from playwright.sync_api import Browser, Error

from ainas_bot.certificates import factory as certfactory
from ainas_bot.sandbox import Notice, Sandbox


def _write_pem(path: Path, key: PrivateKeyTypes | None, cert: x509.Certificate | None) -> Path:
    assert key is not None and cert is not None
    path.write_bytes(
        cert.public_bytes(Encoding.PEM) + key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    )
    return path


def _pem_from_notice(notice: Notice, folder: Path) -> Path:
    key, cert, _ = pkcs12.load_key_and_certificates(
        notice.client_cert.read_bytes(), notice.client_cert_password.encode()
    )
    return _write_pem(folder / f"client-{notice.org_id}.pem", key, cert)


def _foreign_client_pem(folder: Path) -> Path:
    """A client certificate from a CA the sandbox has never seen, named like the sandbox's."""
    issuer = certfactory.make_ca("AINAS Sandbox CA 1-00000000", "AINAS Sandbox (TEST)")
    key = certfactory.generate_key()
    now = dt.datetime.now(dt.UTC)
    cert = certfactory.make_certificate(
        key,
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "oss_agt-1")]),
        issuer=issuer,
        not_before=now - dt.timedelta(days=1),
        not_after=now + dt.timedelta(days=30),
        client_auth=True,
    )
    return _write_pem(folder / "foreign.pem", key, cert)


def _get(sb: Sandbox, client_pem: Path | None, host: str = "127.0.0.1") -> httpx.Response:
    context = ssl.create_default_context(cafile=str(sb.ca_pem))
    if client_pem is not None:
        context.load_cert_chain(str(client_pem))
    port = sb.origin.rsplit(":", 1)[1]
    with httpx.Client(verify=context, timeout=10) as client:
        return client.get(f"https://{host}:{port}/oss_agt/")


def test_the_organisations_client_certificate_is_accepted(shared_sandbox: Sandbox, tmp_path: Path) -> None:
    pem = _pem_from_notice(shared_sandbox.notices[0], tmp_path)
    assert _get(shared_sandbox, pem).status_code == 200
    assert _get(shared_sandbox, pem, host="localhost").status_code == 200  # the server certificate names both


def test_no_client_certificate_is_refused_at_the_handshake(shared_sandbox: Sandbox) -> None:
    with pytest.raises(httpx.TransportError):
        _get(shared_sandbox, None)
    port = int(shared_sandbox.origin.rsplit(":", 1)[1])
    context = ssl.create_default_context(cafile=str(shared_sandbox.ca_pem))
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        # TLS 1.3: the client's side of the handshake ends before the server judges its (missing) certificate.
        # Nothing is sent before that verdict: a request left unread would turn the server's close into a reset.
        assert tls.recv(1024) == b""  # closed, without a byte of HTTP


def test_a_client_certificate_from_another_ca_is_refused(shared_sandbox: Sandbox, tmp_path: Path) -> None:
    with pytest.raises(httpx.TransportError):
        _get(shared_sandbox, _foreign_client_pem(tmp_path))


def test_another_sandboxs_client_certificate_is_refused(
    shared_sandbox: Sandbox, tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    other = sandbox_factory(orgs=5)
    pem = _pem_from_notice(other.notices[0], tmp_path)
    assert _get(other, pem).status_code == 200
    with pytest.raises(httpx.TransportError):
        _get(shared_sandbox, pem)


def test_plain_http_gets_no_page(shared_sandbox: Sandbox) -> None:
    with pytest.raises(httpx.TransportError):
        httpx.get(shared_sandbox.base_url.replace("https://", "http://"), timeout=5)


@pytest.mark.e2e
def test_chromium_without_the_client_certificate_cannot_open_the_portal(
    browser: Browser, shared_sandbox: Sandbox
) -> None:
    context = browser.new_context(ignore_https_errors=True)
    try:
        with pytest.raises(Error, match="ERR_"):
            context.new_page().goto(shared_sandbox.base_url)
    finally:
        context.close()


def test_a_client_gone_mid_request_is_no_application_error(
    shared_sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A browser killed while it uploads leaves half a request: the sandbox notes it and serves on."""
    caplog.set_level(logging.INFO)
    pem = _pem_from_notice(shared_sandbox.notices[0], tmp_path)
    context = ssl.create_default_context(cafile=str(shared_sandbox.ca_pem))
    context.load_cert_chain(str(pem))
    port = int(shared_sandbox.origin.rsplit(":", 1)[1])
    with (
        socket.create_connection(("127.0.0.1", port)) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(
            b"POST /oss_agt/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\n\r\n--b\r\nContent-Disposition: form-data"
        )
    deadline = time.monotonic() + 10
    while not any("disconnected" in r.getMessage() for r in caplog.records):
        assert time.monotonic() < deadline, "the sandbox never noticed the client leaving"
        time.sleep(0.02)
    assert _get(shared_sandbox, pem).status_code == 200
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_stop_ends_connections_that_finish_their_handshake_as_it_stops(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> None:
    """A browser connecting at the moment the sandbox stops (the restart test does this) finishes its TLS
    handshake after the stop has dropped the connections it knew: the stop ends that one too, and nothing
    is left open to be collected later (a ResourceWarning, an error under filterwarnings = error)."""
    sandbox = sandbox_factory(orgs=1)
    pem = _pem_from_notice(sandbox.notices[0], tmp_path)
    context = ssl.create_default_context(cafile=str(sandbox.ca_pem))
    context.load_cert_chain(str(pem))
    port = int(sandbox.origin.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as raw:
        deadline = time.monotonic() + 10
        while not sandbox.open_connections():
            assert time.monotonic() < deadline, "the sandbox never accepted the connection"
            time.sleep(0.01)
        stopping = threading.Thread(target=sandbox.stop)
        stopping.start()
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            stopping.join(30)
            assert not stopping.is_alive(), "the stop did not finish"
            tls.settimeout(5)
            try:
                while tls.recv(1024):  # a close_notify, then the end of the stream
                    pass
            except (ConnectionResetError, ssl.SSLError):
                pass  # or a reset: the sandbox ended it either way
    gc.collect()
