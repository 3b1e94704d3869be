"""The CONNECT gate: a local proxy through which the browser reaches the portal's host and port only.

It exists because routing alone cannot confine a browser (see `PortalGate`); the context (`flows.browser.launch`)
points every connection of the browser here. The HTTPS proxy of the run's environment, when it has one,
is used for the portal as the browser would have used it.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

# urllib's own no_proxy matching, given the proxies read here (typeshed leaves it out; requests uses it too).
from urllib.request import proxy_bypass_environment  # type: ignore[attr-defined]

__all__ = ["PortalGate", "environment_proxies"]


def environment_proxies(environ: Mapping[str, str]) -> dict[str, str]:
    """`scheme -> proxy URL` (and `no` -> the no_proxy list) of `environ`, read as urllib reads the process's
    environment on Linux: `https_proxy` wins over `HTTPS_PROXY`, and an empty lower-case one removes it."""
    proxies: dict[str, str] = {}
    for name, value in environ.items():
        if value and name.lower().endswith("_proxy"):
            proxies[name.lower()[:-6]] = value
    for name, value in environ.items():
        if name.endswith("_proxy"):
            if value:
                proxies[name[:-6]] = value
            else:
                proxies.pop(name[:-6], None)
    return proxies


class PortalGate:
    """A local CONNECT proxy through which the browser reaches the portal's host and port, and nothing else.

    Routing stops what a page asks for, but Playwright lets the browser follow a redirect's next hop
    unrouted (a 307 re-posts a form, password included, to wherever it points) and does not route
    WebSockets: with every connection of the browser going through this gate, neither reaches another
    server. The portal is reached directly, or through the environment's HTTPS proxy as before.
    """

    def __init__(self, origin: str, environ: Mapping[str, str]) -> None:
        parts = urlsplit(origin)
        self.host = (parts.hostname or "").lower()
        self.port = parts.port or 443
        proxies = environment_proxies(environ)
        upstream = proxies.get("https")
        self._upstream = urlsplit(upstream) if upstream and not proxy_bypass_environment(self.host, proxies) else None
        self._server: asyncio.Server | None = None
        self._tunnels: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tunnels):
            task.cancel()
        await asyncio.gather(*self._tunnels, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(self._tunnel(reader, writer))
        self._tunnels.add(task)
        task.add_done_callback(self._tunnels.discard)

    async def _tunnel(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server: asyncio.StreamWriter | None = None
        try:
            method, target = (await reader.readuntil(b"\r\n\r\n")).split(b" ", 2)[:2]
            host, _, port = target.decode("latin-1").rpartition(":")
            if method != b"CONNECT" or host.strip("[]").lower() != self.host or port != str(self.port):
                writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            server_reader, server = await self._connect()
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            pipes = {asyncio.ensure_future(_pipe(reader, server)), asyncio.ensure_future(_pipe(server_reader, writer))}
            try:
                await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for pipe in pipes:
                    pipe.cancel()
                await asyncio.gather(*pipes, return_exceptions=True)
        except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return
        finally:
            for end in (writer, server):
                if end is not None:
                    end.close()

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        proxy = self._upstream
        if proxy is None:
            return await asyncio.open_connection(self.host, self.port)
        reader, writer = await asyncio.open_connection(proxy.hostname, proxy.port or 80)
        auth = ""
        if proxy.username:
            token = base64.b64encode(f"{unquote(proxy.username)}:{unquote(proxy.password or '')}".encode()).decode()
            auth = f"Proxy-Authorization: Basic {token}\r\n"
        target = f"{self.host}:{self.port}"
        writer.write(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n{auth}\r\n".encode())
        answer = await reader.readuntil(b"\r\n\r\n")
        if answer.split(b" ", 2)[1:2] != [b"200"]:
            writer.close()
            raise OSError("the HTTPS proxy refused the tunnel to the portal")
        return reader, writer


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    while data := await source.read(65536):
        sink.write(data)
        await sink.drain()
