"""The parts of a browser context that need no browser: the options read once from the settings and the
environment, the environment's proxies as urllib reads them, and the CONNECT gate over real sockets."""

from __future__ import annotations

import ast
import asyncio
import os
import urllib.request
from pathlib import Path

import pytest

from ainas_bot.config.loading import load_settings
from flows.browser.gate import PortalGate, environment_proxies
from flows.browser.options import BrowserOptions
from tests.fixtures_async import run_async
from tests.fixtures_settings import settings_toml


def test_the_options_are_read_once_from_the_settings_and_keep_the_environment_out_of_sight(tmp_path: Path) -> None:
    config = tmp_path / "ainas.toml"
    config.write_text(
        settings_toml(
            {
                "portal_url": "https://portal.example.jp:8443/ainas/login",
                "timeout_seconds": 12,
                "browser_endpoint": " ws://127.0.0.1:3000/ , ws://localhost:3001/",
                "headless": False,
            }
        ),
        encoding="utf-8",
    )
    environ = {"HOME": "/home/agent", "PIN_1001": "S3cr3t-PIN-8472"}
    options = BrowserOptions.from_settings(load_settings(config), environ)
    assert (options.browser, options.headless, options.timeout_seconds) == ("chromium", False, 12)
    assert options.portal_origin == "https://portal.example.jp:8443"
    assert options.browser_endpoints == ("ws://127.0.0.1:3000/", "ws://localhost:3001/")
    assert options.local_browser
    assert "S3cr3t" not in repr(options)  # `env:` references put PINs in the environment
    environ["HOME"] = "/elsewhere"  # a copy: what the run was started with stays what Firefox gets
    assert options.environ["HOME"] == "/home/agent"
    remote = BrowserOptions.from_settings(
        load_settings(config).model_copy(
            update={"browser_endpoint": "ws://127.0.0.1:3000/,ws://browsers.internal:3000/"}
        ),
        {},
    )
    assert not remote.local_browser


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"HTTPS_PROXY": "http://upper:3128"},
        {"HTTPS_PROXY": "http://upper:3128", "https_proxy": "http://lower:3128", "no_proxy": ".example.jp"},
        {"HTTPS_PROXY": "http://upper:3128", "https_proxy": ""},
        {"https_proxy": "http://user:p%40ss@proxy:8080", "NO_PROXY": "portal.example.jp,localhost"},
    ],
)
def test_the_environments_proxies_are_read_as_urllib_reads_the_process_environment(
    environ: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.lower().endswith("_proxy")]:
        monkeypatch.delenv(name)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert environment_proxies(environ) == urllib.request.getproxies_environment()


async def _ask(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    answer = await reader.readuntil(b"\r\n\r\n")
    writer.write(b"ping")
    await writer.drain()
    echoed = await asyncio.wait_for(reader.read(4), 5) if answer.startswith(b"HTTP/1.1 200") else b""
    writer.close()
    return answer + echoed


def test_the_gate_tunnels_to_the_portal_only() -> None:
    async def scenario() -> tuple[bytes, bytes, bytes, bytes]:
        async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(await reader.read(4))
            await writer.drain()
            writer.close()

        portal = await asyncio.start_server(echo, "127.0.0.1", 0)
        port = portal.sockets[0].getsockname()[1]
        # An HTTPS proxy in the environment that no_proxy keeps away from the portal: the tunnel is direct.
        gate = PortalGate(f"https://127.0.0.1:{port}", {"https_proxy": "http://192.0.2.1:9", "no_proxy": "127.0.0.1"})
        gate_port = await gate.start()
        try:
            return (
                await _ask(gate_port, f"CONNECT 127.0.0.1:{port} HTTP/1.1\r\n\r\n".encode()),
                await _ask(gate_port, f"CONNECT 127.0.0.1:{port + 1} HTTP/1.1\r\n\r\n".encode()),
                await _ask(gate_port, b"CONNECT elsewhere.example:443 HTTP/1.1\r\n\r\n"),
                await _ask(gate_port, f"GET http://127.0.0.1:{port}/ HTTP/1.1\r\n\r\n".encode()),
            )
        finally:
            await gate.stop()
            portal.close()
            await portal.wait_closed()

    through, other_port, other_host, plain = run_async(scenario())
    assert through == b"HTTP/1.1 200 Connection established\r\n\r\nping"
    refused = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    assert other_port == other_host == plain == refused


def test_no_flow_module_reads_the_process_environment() -> None:
    """The environment reaches the flows from the CLI (`BrowserOptions.environ`); none reads its own."""
    of_os = {"environ", "environb", "getenv", "getenvb"}
    of_urllib = {"getproxies", "getproxies_environment", "proxy_bypass"}  # each reads the process's environment
    found = []
    for path in sorted((Path(__file__).resolve().parent.parent / "flows").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os":
                found += [f"{path.name}:{node.lineno} os.{node.attr}"] if node.attr in of_os else []
            elif (
                isinstance(node, ast.Attribute | ast.Name)
                and (node.attr if isinstance(node, ast.Attribute) else node.id) in of_urllib
            ):
                found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
            elif isinstance(node, ast.ImportFrom) and node.module in ("os", "urllib.request"):
                found += [f"{path.name}:{node.lineno} {a.name}" for a in node.names if a.name in of_os | of_urllib]
    assert found == []
