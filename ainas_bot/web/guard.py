"""The web console's guard, as Jupyter guards a local server: only this machine's browser, holding the token the
command opened, from a page of this console.

- **Host** must be a loopback name with the console's port (a DNS-rebinding page calls it by its own name): 403.
- **The token** in the URL the command opens (`/?token=…`) is exchanged for an HttpOnly, SameSite=Strict session
  cookie, and the URL is cleaned by a redirect; a request without the cookie is 401.
- **Every POST** carries an `Origin` of this console and the session's CSRF token in the `X-CSRF-Token` header (a form
  field is not taken: the console's pages send it with htmx): otherwise 403.
- **Every answer** is `Cache-Control: no-store` with a strict Content-Security-Policy and `frame-ancestors 'none'`.
"""

from __future__ import annotations

import dataclasses
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ainas_bot.certificates.p12_limits import MAX_P12_BYTES
from ainas_bot.i18n import _

__all__ = ["CSP", "CSP_CALENDAR", "Guard", "Session", "cookie_name", "csrf_of"]

# A browser sends a 127.0.0.1 cookie to every port of it: the console's is named after its port (as Jupyter's), so
# that two consoles, or the sandbox beside one, never overwrite each other's session.
_COOKIE = "ainas_web_{port}"
# What a form may send: a .p12 and its PIN, or the choice of offices for a run.
_BODY_LIMIT = 256 * 1024
_DROP_LIMIT = MAX_P12_BYTES + 64 * 1024
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
# No inline script, no eval, nothing from elsewhere; htmx is served from here (its indicator styles are turned off in
# the page's htmx-config, which would otherwise be an inline style).
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# The expiry calendar is the page `status --html` writes: styles inline, no script at all.
CSP_CALENDAR = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'"


@dataclasses.dataclass
class Session:
    """The one browser session of this console: its cookie value and its CSRF token, both random."""

    cookie: str = dataclasses.field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = dataclasses.field(default_factory=lambda: secrets.token_urlsafe(32))


def csrf_of(request: Request) -> str:
    session = request.scope.get("ainas_session")
    return session.csrf if isinstance(session, Session) else ""


class Guard:
    """ASGI middleware in front of the console; `last_seen` tells the idle shutdown when it was last used."""

    def __init__(self, app: ASGIApp, *, token: str, port: int) -> None:
        self.app = app
        self.token = token
        self.port = port
        self.cookie = cookie_name(port)
        self.sessions: dict[str, Session] = {}
        self.last_seen = time.monotonic()

    def _hosts(self) -> set[str]:
        return {f"{name}:{self.port}" for name in LOOPBACK}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.last_seen = time.monotonic()
        request = Request(scope)
        refusal = self._refusal(request)
        if refusal is not None:
            await _secured(refusal)(scope, receive, send)
            return
        await self.app(scope, receive, _with_headers(send, calendar=scope["path"].startswith("/calendar")))

    def _refusal(self, request: Request) -> Response | None:
        if request.headers.get("host", "") not in self._hosts():
            return PlainTextResponse(_("this console answers only at 127.0.0.1 or localhost"), status_code=403)
        given = request.query_params.get("token")
        if given is not None and request.method == "GET":
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return PlainTextResponse(_("the token is not this console's; open the URL the command printed"), 403)
            session = Session()
            self.sessions[session.cookie] = session
            # The token leaves the address bar; the path stays one of this console's (`//elsewhere` would be a site).
            response = RedirectResponse("/" + request.url.path.lstrip("/"), status_code=303)
            response.set_cookie(self.cookie, session.cookie, httponly=True, samesite="strict", path="/")
            return response
        known = self.sessions.get(request.cookies.get(self.cookie, ""))
        if known is None:
            return PlainTextResponse(
                _("not signed in: open the URL with the token that `ainas-bot web` printed"), status_code=401
            )
        request.scope["ainas_session"] = known
        if request.method not in ("GET", "HEAD"):
            origin = request.headers.get("origin", "")
            parts = urlsplit(origin)
            if parts.scheme != "http" or parts.netloc not in self._hosts():
                return PlainTextResponse(_("refused: a request from another site"), status_code=403)
            sent = request.headers.get("x-csrf-token", "")
            if not hmac.compare_digest(sent.encode(), known.csrf.encode()):
                return PlainTextResponse(_("refused: the page's form token is missing or old; reload"), 403)
            return _too_large(request)
        return None


def cookie_name(port: int) -> str:
    return _COOKIE.format(port=port)


def _too_large(request: Request) -> Response | None:
    """A POST says its length, within what its form can need, before anything of it is read: a file of gigabytes
    dropped by mistake is refused at once instead of filling the temporary folder."""
    length = request.headers.get("content-length", "")
    if not length.isdigit():
        return PlainTextResponse(_("refused: a request without its length"), status_code=411)
    limit = _DROP_LIMIT if request.url.path.endswith("/p12") else _BODY_LIMIT
    if int(length) > limit:
        return PlainTextResponse(
            _("refused: {size} bytes is more than a .p12 and its form ({limit} bytes at most)").format(
                size=length, limit=limit
            ),
            status_code=413,
        )
    return None


def _secured(response: Response) -> Response:
    for name, value in _HEADERS.items():
        response.headers[name] = value
    response.headers["Content-Security-Policy"] = CSP
    return response


_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def _with_headers(send: Send, *, calendar: bool) -> Callable[[Message], Awaitable[None]]:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in _HEADERS.items():
                headers[name] = value
            headers["Content-Security-Policy"] = CSP_CALENDAR if calendar else CSP
            if calendar:
                headers["X-Frame-Options"] = "SAMEORIGIN"
        await send(message)

    return sending
