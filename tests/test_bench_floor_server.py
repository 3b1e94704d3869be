"""The floor benchmark's plain HTTPS server answers what a browser asks besides its screens, as a web server does."""

from __future__ import annotations

import http.client
import importlib
import ssl
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from ainas_bot.sandbox._pki import ensure_pki

_BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def bench_floor(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(_BENCHMARKS))  # the benchmarks import their `_measure` as a script does
    return importlib.import_module("bench_floor")


def _client_tls(pfx: bytes, ca: Path, tmp_path: Path) -> ssl.SSLContext:
    key, cert, _cas = pkcs12.load_key_and_certificates(pfx, b"")
    assert key is not None and cert is not None
    pem = tmp_path / "client.pem"
    pem.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        + cert.public_bytes(serialization.Encoding.PEM)
    )
    tls = ssl.create_default_context(cafile=str(ca))
    tls.load_cert_chain(pem)
    return tls


def test_favicon_and_unknown_paths_get_404_and_the_screens_still_answer(bench_floor: Any, tmp_path: Path) -> None:
    with bench_floor.floor_server(0, tmp_path) as server:
        tls = _client_tls(bench_floor.client_pfxs(1, tmp_path)[0], ensure_pki(tmp_path, seed=0).ca, tmp_path)
        port = int(server.base.rsplit(":", 1)[1])
        answers = {}
        for path in ("/favicon.ico", "/s1", "/s11", "/s12", "/s0", "/robots.txt", "/style.css"):
            connection = http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=10)
            connection.request("GET", path)
            response = connection.getresponse()
            answers[path] = (response.status, response.read())
            connection.close()
    assert answers["/favicon.ico"] == (404, b"not found")
    assert {answers[p][0] for p in ("/s12", "/s0", "/robots.txt")} == {404}
    assert answers["/s1"][0] == answers["/s11"][0] == answers["/style.css"][0] == 200
    assert "画面11".encode() in answers["/s11"][1]
    assert server.served.value == 7  # every answer counted, the 404s too: none was a traceback
