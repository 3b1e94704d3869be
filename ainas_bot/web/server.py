"""Serving the console on this machine only (127.0.0.1), behind its guard, until it is stopped or left idle."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator

import uvicorn

from ainas_bot.errors import ConfigError
from ainas_bot.i18n import _
from ainas_bot.web.app import build_app
from ainas_bot.web.console import Console
from ainas_bot.web.guard import Guard
from ainas_bot.web.runs import WebRun

__all__ = ["Served", "left_idle", "serve", "served"]

_GRACE_SECONDS = 3
# A run's offices end within a screen's timeout once cancelled (the browser closes, the outcomes are written).
_RUN_STOP_SECONDS = 120


@dataclasses.dataclass
class Served:
    """A console being served: the URL to open (with its token), and its guard (for the idle clock)."""

    url: str
    port: int
    guard: Guard
    server: uvicorn.Server


def _listening(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            _("port {port} on 127.0.0.1 cannot be used ({error}); choose another with --port").format(
                port=port, error=exc.strerror
            )
        ) from None
    sock.listen(64)
    return sock


def _prepared(console: Console, port: int) -> tuple[Served, socket.socket]:
    sock = _listening(port)
    port = int(sock.getsockname()[1])
    token = secrets.token_urlsafe(32)
    guard = Guard(build_app(console), token=token, port=port)
    config = uvicorn.Config(
        guard,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        # A page following a run keeps its event stream open: the stop does not wait on it for long.
        timeout_graceful_shutdown=_GRACE_SECONDS,
    )
    server = uvicorn.Server(config)
    return Served(f"http://127.0.0.1:{port}/?token={token}", port, guard, server), sock


def left_idle(
    now: float, *, last_request: float, last_run_ended: float, run_under_way: bool, idle_seconds: float
) -> bool:
    """Whether the console has been left alone long enough to stop: never during a run, and a run that ends
    counts as use (a long renewal watched by nobody does not stop the console the moment it ends)."""
    return not run_under_way and now - max(last_request, last_run_ended) > idle_seconds


async def _idle_watch(served: Served, console: Console, idle_seconds: float) -> None:
    """Stops the server once nobody has used it for `idle_seconds` and no run is under way."""
    while not served.server.should_exit:
        await asyncio.sleep(min(5.0, idle_seconds))  # a clock to watch, not a wait on something that changes
        console.forget_old_pins()
        if left_idle(
            time.monotonic(),
            last_request=served.guard.last_seen,
            last_run_ended=console.runs.last_ended,
            run_under_way=console.runs.active is not None,
            idle_seconds=idle_seconds,
        ):
            served.server.should_exit = True


async def _serving(
    served: Served,
    console: Console,
    sock: socket.socket,
    idle_minutes: float,
    ready: Callable[[Served], None] | None = None,
) -> None:
    """uvicorn serving on `sock`, watched by the idle clock; `ready` is told once it is about to accept."""
    watch = asyncio.create_task(_idle_watch(served, console, idle_minutes * 60))
    if ready is not None:
        ready(served)
    try:
        await served.server.serve(sockets=[sock])
    finally:
        watch.cancel()


def serve(console: Console, *, port: int, idle_minutes: float, ready: Callable[[Served], None]) -> WebRun | None:
    """Serve until Ctrl-C, SIGTERM or `idle_minutes` without a request; `ready` is told the URL once listening.
    A run under way then is interrupted as the CLI's is on Ctrl-C, and returned."""
    served, sock = _prepared(console, port)
    # uvicorn takes SIGINT and SIGTERM while it serves, then raises them again once stopped: what it raises
    # lands on these, so that Ctrl-C and systemd's stop end the console as a normal stop.
    previous = {sig: signal.signal(sig, lambda signum, frame: None) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        asyncio.run(_serving(served, console, sock, idle_minutes, ready))
        under_way = console.runs.active
        if under_way is not None:
            console.runs.stop(_RUN_STOP_SECONDS)
        return under_way
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()


@contextlib.contextmanager
def served(console: Console, *, port: int = 0, idle_minutes: float = 60) -> Iterator[Served]:
    """The console served from a thread, for tests and the screenshot: yields with its socket listening."""
    served_, sock = _prepared(console, port)
    # The socket already listens: a client that connects before uvicorn accepts waits in its backlog, so there is
    # nothing to wait for here.
    thread = threading.Thread(
        target=lambda: asyncio.run(_serving(served_, console, sock, idle_minutes)), daemon=True, name="ainas-web"
    )
    thread.start()
    try:
        yield served_
    finally:
        served_.server.should_exit = True
        thread.join(timeout=10)
        sock.close()
