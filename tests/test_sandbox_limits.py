"""What the sandbox refuses before a route: oversized requests, slow headers, malformed
identifiers, and a .p12 whose key derivation would block its event loop."""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ainas_bot import portal_text as pt
from ainas_bot.certificates import factory as certfactory
from ainas_bot.sandbox import Notice, Sandbox, _limits
from tests.fixtures_hostile import pkcs12_with_iterations
from tests.fixtures_sandbox import PortalClient

L, M = pt.Label, pt.Message


def test_malformed_identifiers_are_a_400(
    portal_client: Callable[..., PortalClient], fresh_notice: Callable[[], Notice]
) -> None:
    client = portal_client(fresh_notice())
    org = client.open_org()
    org_url = str(org.url)
    assert f"orgId={client.notice.org_id}" in org_url
    for bad in ("²", "١", "1%00", "-1", "1" * 40, "1 OR 1=1"):
        answer = client.get(org_url.replace(f"orgId={client.notice.org_id}", f"orgId={bad}"))
        assert answer.status_code == 400, bad
    # A well-formed ID of nobody's is refused as before, not as malformed.
    assert client.get(org_url.replace(f"orgId={client.notice.org_id}", "orgId=99999")).status_code == 403
    # What a person types into the search is "not found", never a 400.
    search = client.link(client.login(), pt.MENU[2])
    assert client.submit(search, {"orgId": "abc", "search": "1"}).status_code == 200


def test_an_oversized_request_is_a_413(
    shared_sandbox: Sandbox, portal_client: Callable[..., PortalClient], fresh_notice: Callable[[], Notice]
) -> None:
    client = portal_client(fresh_notice())
    big = b"x" * (_limits.MAX_REQUEST_BYTES + 1)
    assert client.http.post(shared_sandbox.base_url, content=big).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(_limits.MAX_REQUEST_BYTES // 65536 + 2):
            yield b"y" * 65536

    assert client.http.post(shared_sandbox.base_url, content=chunks()).status_code == 413
    assert client.get(shared_sandbox.base_url).status_code == 200


def _tls_socket(sandbox: Sandbox, notice: Notice, tmp_path: Path) -> ssl.SSLSocket:
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, pkcs12

    key, cert, _ = pkcs12.load_key_and_certificates(
        notice.client_cert.read_bytes(), notice.client_cert_password.encode()
    )
    assert key is not None and cert is not None
    pem = tmp_path / "client.pem"
    pem.write_bytes(
        cert.public_bytes(Encoding.PEM) + key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    )
    context = ssl.create_default_context(cafile=str(sandbox.ca_pem))
    context.load_cert_chain(str(pem))
    host, port = sandbox.origin.removeprefix("https://").rsplit(":", 1)
    raw = socket.create_connection((host, int(port)), timeout=20)
    return context.wrap_socket(raw, server_hostname=host)


def test_headers_sent_too_slowly_end_the_connection(
    shared_sandbox: Sandbox, fresh_notice: Callable[[], Notice], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_limits, "HEADER_SECONDS", 1.0)
    notice = fresh_notice()
    with _tls_socket(shared_sandbox, notice, tmp_path) as slow:
        slow.sendall(b"GET /oss_agt/ HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        started = time.monotonic()
        slow.settimeout(10)
        try:
            closed = slow.recv(1) == b""
        except (ConnectionResetError, ssl.SSLError):
            closed = True
        assert closed and time.monotonic() - started < 5
    with _tls_socket(shared_sandbox, notice, tmp_path) as quick:  # a whole request in time is answered
        quick.sendall(b"GET /oss_agt/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        quick.settimeout(10)
        assert quick.recv(12).startswith(b"HTTP/1.1")


def test_an_uploaded_p12_with_2_31_mac_rounds_is_refused_at_once(
    shared_sandbox: Sandbox,
    portal_client: Callable[..., PortalClient],
    fresh_notice: Callable[[], Notice],
    tmp_path: Path,
) -> None:
    client = portal_client(fresh_notice())
    register = client.button(client.open_org(), L.CERT_REGISTER)
    good = certfactory.write_p12(tmp_path / "c.p12", password="1234").read_bytes()
    hostile = ("c.p12", pkcs12_with_iterations(good, mac=2**31 - 1), "application/x-pkcs12")
    started = time.monotonic()
    refused = client.submit(register, {"certPassword": "1234"}, files={"certFile": hostile})
    assert time.monotonic() - started < 5  # 801 s of MAC derivation before the bound, the event loop blocked
    assert M.FILE_NOT_P12 in refused.text
