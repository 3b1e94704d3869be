"""The Starlette application: routes, the latency and fault knobs, and the pages for unknown URLs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ainas_bot.sandbox import _texts as texts
from ainas_bot.sandbox._auth import COOKIE, login, logout
from ainas_bot.sandbox._certs import cert_detail, cert_register
from ainas_bot.sandbox._faults import apply_fault, matching_rule, session_id
from ainas_bot.sandbox._frames import header_page, notice_page, top_page
from ainas_bot.sandbox._late import org_detail_certs, org_search_rows
from ainas_bot.sandbox._limits import Limits
from ainas_bot.sandbox._orgs import home, menu_page, org_detail, org_search, org_update
from ainas_bot.sandbox._transport import Transport
from ainas_bot.sandbox._update import cert_update, cert_update_confirm
from ainas_bot.sandbox._web import Ctx, html_page, render_error, text_lists

__all__ = ["build_app"]

_CSS = Path(__file__).parent / "static" / "style.css"
_LIBRARY = Path(__file__).parent / "static" / "library.js"
_BOTH = ["GET", "POST"]
log = logging.getLogger(__name__)


class Knobs:
    """ASGI middleware: `latency_ms` before every response, `fault_rate` of them a 503 maintenance page."""

    def __init__(self, app: ASGIApp, ctx: Ctx) -> None:
        self.app, self.ctx = app, ctx
        self._routes = {path: name for name, path in ctx.paths.paths.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        options = self.ctx.options
        self.ctx.requests_served += 1
        self.ctx.requests_log.append((str(scope["method"]), self._routes.get(scope["path"]) or str(scope["path"])))
        latency = options.latency_ms + (
            self.ctx.rng.uniform(0, options.latency_jitter_ms) if options.latency_jitter_ms else 0
        )
        if latency > 0:
            await asyncio.sleep(latency / 1000)
        if options.fault_rate > 0 and self.ctx.rng.random() < options.fault_rate:
            await self._maintenance(scope, receive, send)
            return
        try:
            await self._answer(scope, receive, send)
        except ClientDisconnect:
            # The browser went away mid-request (closed, killed): nothing to answer, nothing was stored.
            log.info("%s %s: the client disconnected before the request was read", scope["method"], scope["path"])

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        options = self.ctx.options
        rule = (
            matching_rule(options.faults, self._routes.get(scope["path"]), scope["method"]) if options.faults else None
        )
        if rule is None:
            await self.app(scope, receive, send)
            return
        sid = session_id(scope, COOKIE)

        def end_session(reason: str) -> None:
            self.ctx.db.execute("UPDATE sessions SET ended = ? WHERE id = ? AND ended IS NULL", (reason, sid))

        await apply_fault(rule, self.app, scope, receive, send, maintenance=self._maintenance, end_session=end_session)

    async def _maintenance(self, scope: Scope, receive: Receive, send: Send) -> None:
        html = self.ctx.env.get_template("maintenance.html").render(
            user=None, message=texts.Message.MAINTENANCE, **text_lists()
        )
        await html_page(self.ctx, html, status=503, headers={"Retry-After": "60"})(scope, receive, send)


def _static(path: Path, media_type: str) -> Callable[[Request], Awaitable[Response]]:
    """A static file of the application, read once. Its container serves such files with caching headers,
    so a browser fetches each once per session, not with every screen."""
    body = path.read_bytes()

    async def serve(request: Request) -> Response:
        return Response(body, media_type=media_type, headers={"Cache-Control": "private, max-age=3600"})

    return serve


async def _not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    return render_error(request, texts.Message.INVALID_TRANSITION, user=None, status=status)


def build_app(ctx: Ctx) -> Starlette:
    paths = ctx.paths.paths
    routes = [
        Route(paths["login"], login, methods=_BOTH),
        Route(paths["logout"], logout),
        Route(paths["home"], home, methods=_BOTH),
        Route(paths["menu"], menu_page),
        Route(paths["org_search"], org_search, methods=_BOTH),
        Route(paths["org_detail"], org_detail),
        Route(paths["org_update"], org_update),
        Route(paths["cert_register"], cert_register, methods=_BOTH),
        Route(paths["cert_detail"], cert_detail),
        Route(paths["cert_update"], cert_update, methods=_BOTH),
        Route(paths["cert_update_confirm"], cert_update_confirm, methods=["POST"]),
        Route(paths["org_search_rows"], org_search_rows),
        Route(paths["org_detail_certs"], org_detail_certs),
        Route(paths["top"], top_page),
        Route(paths["header"], header_page),
        Route(paths["notice"], notice_page),
        Route(paths["css"], _static(_CSS, "text/css")),
        Route(paths["js"], _static(_LIBRARY, "text/javascript")),
    ]
    middleware = [Middleware(Knobs, ctx=ctx)]
    jsessionid, cp932 = ctx.kit.on("jsessionid"), ctx.kit.on("windows-31j")
    if jsessionid or cp932:
        # Outside Knobs, so that an aimed fault finds its route by the path without `;jsessionid=`.
        middleware.insert(0, Middleware(Transport, jsessionid=jsessionid, cp932=cp932))
    # Outermost: an oversized or malformed request is refused before it counts as served or meets a fault.
    middleware.insert(0, Middleware(Limits, routes={path: name for name, path in paths.items()}))
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={404: _not_found, 405: _not_found})
    app.state.ctx = ctx
    return app
