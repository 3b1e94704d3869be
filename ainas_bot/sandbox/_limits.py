"""What the sandbox refuses before a route sees it: oversized bodies, slow headers, malformed identifiers.

A servlet container in front of the real portal caps the request size and the time to send headers;
without the same caps one client could hold the sandbox (its one event loop serves every test browser)
with a slow or endless request. `orgId`, `certId` and `page` are ASCII digits: `'²'.isdigit()` is true
and `int('²')` raises, so a route's own check is not enough.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import parse_qsl

import h11
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = [
    "HEADER_SECONDS",
    "MAX_KDF_ROUNDS",
    "MAX_KDF_ROUNDS_TOTAL",
    "MAX_P12_BYTES",
    "MAX_REQUEST_BYTES",
    "HeaderDeadlineProtocol",
    "Limits",
]

# An uploaded .p12 is refused past 256 KiB (a signing .p12 with its chain is 3 to 20 KB), and before any
# key is derived from its password past these round counts: real files ask for 1 to 600 000 rounds a count,
# and the one event loop serves every test browser, so a 2^31-round file must not hold it for minutes.
MAX_P12_BYTES = 256 * 1024
MAX_KDF_ROUNDS = 1_000_000
MAX_KDF_ROUNDS_TOTAL = 3_000_000
# The largest legitimate request is the upload, `MAX_P12_BYTES` in a multipart form; 1 MiB leaves room
# for its encoding and the other fields.
MAX_REQUEST_BYTES = 1024 * 1024
# A browser sends a request's headers in one packet; 10 s is beyond any real client on a loaded machine.
HEADER_SECONDS = 10.0
_IDENTIFIERS = ("orgId", "certId", "page")
_DIGITS = re.compile(r"[0-9]{1,18}", re.ASCII)
# The search screens take what a person typed as 代理人組織ID: a wrong one is "not found", not a 400.
_TYPED_ID_ROUTES = frozenset({"org_search", "org_search_rows"})


class Limits:
    """ASGI middleware: 413 past `MAX_REQUEST_BYTES`, 400 for an identifier that is not ASCII digits."""

    def __init__(self, app: ASGIApp, routes: dict[str, str]) -> None:
        self.app, self.routes = app, routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._malformed(scope):
            await PlainTextResponse("Bad Request: malformed identifier", status_code=400)(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_REQUEST_BYTES):
            await _too_large(scope, receive, send)
            return
        # Read in full (bounded) before the route: a chunked body has no length to check. The messages
        # are replayed as they came, a disconnect included, so a half-sent request stays half-sent.
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > MAX_REQUEST_BYTES:
                await _too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    def _malformed(self, scope: Scope) -> bool:
        query = scope.get("query_string", b"").decode("latin-1")
        route = self.routes.get(str(scope["path"]).split(";", 1)[0])
        for key, value in parse_qsl(query, keep_blank_values=True):
            typed = key == "orgId" and route in _TYPED_ID_ROUTES
            if key in _IDENTIFIERS and value and not typed and not _DIGITS.fullmatch(value):
                return True
        return False


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    response = PlainTextResponse("Request Entity Too Large", status_code=413, headers={"Connection": "close"})
    await response(scope, receive, send)


class HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers (uvicorn has none: a client
    sending one header byte a second would hold its connection for ever)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            self._arm()  # a request begun but its headers not complete: the clock runs on
        elif self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._header_deadline is None:
            self._header_deadline = self.loop.call_later(HEADER_SECONDS, self._too_slow)

    def _too_slow(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()
