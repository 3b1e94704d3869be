"""The console's pages: オフィス一覧, 新しい証明書 (drop a .p12 onto an office), 実行 (with live progress) and 履歴.

Server-rendered with Jinja2; the pages use the vendored htmx for forms and server-sent events, and nothing else.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jinja2
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ainas_bot.certificates.p12_limits import MAX_P12_BYTES
from ainas_bot.errors import AinasBotError
from ainas_bot.fleet.calendar import render_calendar
from ainas_bot.foundation.jst import now_jst
from ainas_bot.foundation.run_lock import lock_holder
from ainas_bot.foundation.safe_text import shown
from ainas_bot.i18n import N_, _, current_language
from ainas_bot.results.outcome import reason_label, status_label
from ainas_bot.web.console import Console
from ainas_bot.web.files import file_under, relative, reports
from ainas_bot.web.guard import csrf_of
from ainas_bot.web.history import read_history
from ainas_bot.web.offices import Drop, check_drop, store_drop
from ainas_bot.web.runs import Kind, RunEvent, WebRun

__all__ = ["build_app"]

_HERE = Path(__file__).resolve().parent
_KINDS = {
    "renew": N_("Renew"),
    "dry-run": N_("Dry run"),
    "status": N_("Read the portal now"),
    "probe": N_("Probe the portal"),
}


def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        # Every text shown goes through what the CLI uses: a certificate's or the portal's control and bidi
        # characters (U+202E reverses what follows) are written as their code points, never acted on. Markup made
        # by the templates themselves is left as it is.
        finalize=lambda value: shown(value) if isinstance(value, str) and not hasattr(value, "__html__") else value,
    )
    env.globals.update(_=_, status_label=status_label, reason_label=reason_label, kind_label=lambda k: _(_KINDS[k]))
    return env


def build_app(console: Console) -> Starlette:
    env = _templates()
    env.filters["under_files"] = lambda path: relative(Path(path), console.settings)
    # Read by the page header only when it is shown (not for fragments, nor while this console's own run holds it).
    env.globals["lock_holder"] = lambda: lock_holder(console.settings.lock_file)

    def page(request: Request, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        html = env.get_template(name).render(
            csrf=csrf_of(request),
            lang=current_language(),
            active=console.runs.active,
            **values,
        )
        return HTMLResponse(html, status_code=status_code)

    async def offices(request: Request) -> Response:
        return page(request, "offices.html", rows=await console.fleet(), today=now_jst().date())

    async def calendar(request: Request) -> Response:
        return HTMLResponse(render_calendar(await console.fleet(), generated_at=now_jst()))

    async def office(request: Request) -> Response:
        found = console.office(request.path_params["office_id"])
        if found is None:
            return page(request, "missing.html", status_code=404, what=request.path_params["office_id"])
        standing = next((s for s in await console.fleet() if s.office_id == found.id), None)
        return page(request, "office.html", office=found, standing=standing, drop=None)

    async def drop(request: Request) -> Response:
        found = console.office(request.path_params["office_id"])
        if found is None:
            return PlainTextResponse(_("no such office"), status_code=404)
        async with request.form(max_files=1, max_fields=4, max_part_size=MAX_P12_BYTES + 1) as form:
            upload, pin = form.get("p12"), form.get("pin")
            if upload is None or isinstance(upload, str) or not isinstance(pin, str):
                return page(request, "_drop.html", status_code=400, office=found, drop=None, error=_("choose a .p12"))
            data = await upload.read(MAX_P12_BYTES + 1)
            name = upload.filename or "certificate.p12"
        secret = SecretStr(pin)
        standing = next((s for s in await console.fleet() if s.office_id == found.id), None)
        try:
            checked: Drop = await run_in_threadpool(
                check_drop,
                console.settings,
                found,
                data,
                name,
                secret,
                console.environ,
                organisation=standing.office_name if standing and standing.proved_on else None,
            )
            if checked.ready is not None:
                stored = await run_in_threadpool(store_drop, found, data, name)
                checked = dataclasses.replace(checked, stored=stored)
                console.pins[found.id] = (secret, time.monotonic())
                console.forget_fleet()
        except AinasBotError as exc:
            return page(request, "_drop.html", status_code=400, office=found, drop=None, error=str(exc))
        return page(request, "_drop.html", office=found, drop=checked, error=None)

    async def start_run(request: Request) -> Response:
        async with request.form(max_files=0, max_fields=2000) as form:
            kind = str(form.get("kind", ""))
            chosen = [str(v) for v in form.getlist("office")]
        if kind not in _KINDS:
            return PlainTextResponse(_("unknown kind of run"), status_code=400)
        offices = [o for o in console.offices() if o.id in chosen]
        if not offices:
            return PlainTextResponse(_("choose at least one office"), status_code=400)
        try:
            run = console.start(_kind(kind), offices)
        except RuntimeError:
            return PlainTextResponse(_("a run is under way; wait for it to end"), status_code=409)
        response = Response(status_code=204)
        response.headers["HX-Redirect"] = f"/runs/{run.id}"
        return response

    async def run_page(request: Request) -> Response:
        run = _run_of(request, console)
        if run is None:
            return page(request, "missing.html", status_code=404, what=request.path_params["run_id"])
        return page(request, "run.html", run=run)

    async def run_events(request: Request) -> Response:
        run = _run_of(request, console)
        if run is None:
            return PlainTextResponse("", status_code=404)
        return StreamingResponse(_stream(run, env), media_type="text/event-stream")

    async def history(request: Request) -> Response:
        q = request.query_params
        entries = await run_in_threadpool(
            read_history,
            console.settings.audit_log,
            office=q.get("office", ""),
            status=q.get("status", ""),
            since=q.get("since", ""),
        )
        return page(request, "history.html", entries=entries, query=q, reports=reports(console.settings))

    async def artifact(request: Request) -> Response:
        return file_under(request.path_params["path"], console.settings)

    routes = [
        Route("/", offices),
        Route("/calendar", calendar),
        Route("/offices/{office_id}", office),
        Route("/offices/{office_id}/p12", drop, methods=["POST"]),
        Route("/runs", start_run, methods=["POST"]),
        Route("/runs/{run_id}", run_page),
        Route("/runs/{run_id}/events", run_events),
        Route("/history", history),
        Route("/files/{path:path}", artifact),
        Mount("/static", StaticFiles(directory=_HERE / "static"), name="static"),
    ]
    return Starlette(routes=routes, exception_handlers={Exception: _failed})


async def _failed(request: Request, exc: Exception) -> Response:
    """Whatever a page could not answer is one line, naming only the kind of error (never a value it carried)."""
    return PlainTextResponse(
        _("the console could not answer this page ({error}); the terminal that started it may say more").format(
            error=type(exc).__name__
        ),
        status_code=500,
    )


def _run_of(request: Request, console: Console) -> WebRun | None:
    text = request.path_params["run_id"]
    return console.runs.runs.get(int(text)) if text.isdigit() and len(text) <= 9 else None


def _kind(kind: str) -> Kind:
    return next(k for k in ("renew", "dry-run", "status", "probe") if k == kind)


async def _stream(run: WebRun, env: jinja2.Environment) -> AsyncIterator[str]:
    """Each event as a fragment of HTML (`step`, `done`), then the recap (`end`)."""
    seen = 0
    while True:
        await asyncio.to_thread(run.wait_beyond, seen, 15.0)
        fresh: list[RunEvent] = run.events[seen:]
        seen += len(fresh)
        for event in fresh:
            if event.kind == "end":
                yield _sse("end", env.get_template("_recap.html").render(run=run))
                return
            yield _sse("step", env.get_template("_event.html").render(event=event))
        if not fresh:
            yield ": still running\n\n"  # keeps proxies and the browser from closing a quiet stream


def _sse(event: str, html: str) -> str:
    data = "".join(f"data: {line}\n" for line in html.splitlines() or [""])
    return f"event: {event}\n{data}\n"
