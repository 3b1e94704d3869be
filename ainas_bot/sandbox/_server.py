"""`Sandbox`: the state directory, the HTTPS server in a background thread, and its handles for tests."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import ssl
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from ainas_bot.errors import ConfigError
from ainas_bot.i18n import _
from ainas_bot.sandbox import _texts as texts
from ainas_bot.sandbox._app import build_app
from ainas_bot.sandbox._db import DB_FILE, Db
from ainas_bot.sandbox._limits import HeaderDeadlineProtocol
from ainas_bot.sandbox._options import Notice, SandboxOptions, load_notices
from ainas_bot.sandbox._pki import ensure_pki
from ainas_bot.sandbox._seed import seed
from ainas_bot.sandbox._web import LOGIN_PATH, Ctx, Paths

__all__ = ["Sandbox", "state_json"]

_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 2.0


def state_json(state_dir: Path) -> list[dict[str, Any]]:
    """Every organisation of the sandbox in `state_dir` with its certificate records and its users' failed
    logins, locks and sessions (JSON-ready)."""
    path = state_dir / DB_FILE
    if not path.is_file():
        raise ConfigError(
            _("{path}: no sandbox state here; start `ainas-bot sandbox --state {path}` first").format(path=state_dir)
        )
    db = Db(path)
    try:
        return db.state(users=True)
    finally:
        db.close()


class _ListeningSocket(socket.socket):
    """The sandbox's listening socket, which remembers the connections it accepts.

    uvicorn learns of a connection only once its TLS handshake is done, so its shutdown leaves those
    still shaking hands open (a browser connecting as a restart test stops the sandbox), to be collected
    later with a ResourceWarning. The stop ends them through this list.
    """

    def __init__(self, family: socket.AddressFamily) -> None:
        super().__init__(family, socket.SOCK_STREAM)
        self._accepted: set[socket.socket] = set()
        self._lock = threading.Lock()  # accept() runs in the server's thread, open_connections() in others

    def accept(self) -> tuple[socket.socket, Any]:
        conn, address = super().accept()
        with self._lock:
            self._accepted = {c for c in self._accepted if c.fileno() != -1} | {conn}
        return conn, address

    def open_connections(self) -> list[socket.socket]:
        with self._lock:
            return [c for c in self._accepted if c.fileno() != -1]


def _listen(host: str, port: int) -> _ListeningSocket:
    sock = _ListeningSocket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Inherited by accepted connections: without it, TLS records of one response wait for delayed ACKs (~40 ms).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            _("cannot listen on {host}:{port} ({error}); choose another --host or --port").format(
                host=host, port=port, error=exc.strerror
            )
        ) from None
    return sock


class Sandbox:
    """The AINAS imitation, serving HTTPS with client-certificate authentication while the `with` block runs."""

    def __init__(self, options: SandboxOptions) -> None:
        options.validate()
        self.options = options
        self.notices: list[Notice] = []
        self.paths = Paths(shuffle=options.shuffle_paths)
        self._db: Db | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: _ListeningSocket | None = None
        self._port = 0
        self._ctx: Ctx | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def state_dir(self) -> Path:
        return self.options.state_dir

    @property
    def ca_pem(self) -> Path:
        return self.state_dir / "ca.pem"

    @property
    def origin(self) -> str:
        host = self.options.host
        host = "127.0.0.1" if host in ("0.0.0.0", "") else (f"[{host}]" if ":" in host else host)  # noqa: S104
        return f"https://{host}:{self._port}"

    @property
    def base_url(self) -> str:
        """The login URL: always `/oss_agt/`, even with shuffled paths."""
        return self.origin + LOGIN_PATH

    @property
    def requests_served(self) -> int:
        """HTTP requests answered since start (benchmarks divide by offices for the path length)."""
        return self._ctx.requests_served if self._ctx is not None else 0

    @property
    def requests_log(self) -> list[tuple[str, str]]:
        """(method, route name) of every request so far."""
        return list(self._ctx.requests_log) if self._ctx is not None else []

    @property
    def upload_posts(self) -> int:
        """POSTs that reached 代理人証明書登録 since start, whatever their answer (a refused token, a wrong PIN,
        an ended session alike): the bot's tests prove with it that a certificate is never uploaded twice."""
        return self._ctx.upload_posts if self._ctx is not None else 0

    def state(self) -> list[dict[str, Any]]:
        if self._db is not None:
            return self._db.state()
        return state_json(self.state_dir)

    def start(self) -> Sandbox:
        if self._thread is not None:
            raise ConfigError(_("the sandbox is already running"))
        state_dir = self.state_dir
        try:
            state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise ConfigError(
                _("{path}: cannot create the state directory ({error})").format(path=state_dir, error=exc.strerror)
            ) from None
        pki = ensure_pki(state_dir, seed=self.options.seed)
        self._db = Db(state_dir / DB_FILE)
        if self._db.meta("seeded") is None:
            self.notices = seed(
                self._db,
                state_dir,
                pki.issuer,
                orgs=self.options.orgs,
                seed=self.options.seed,
                now=self.options.clock(),
            )
        else:
            self.notices = load_notices(state_dir)
        ctx = Ctx(self._db, self.options, self.paths, random.Random(self.options.seed))  # noqa: S311 - fault draws
        self._ctx = ctx
        self._sock = _listen(self.options.host, self.options.port)
        self._port = int(self._sock.getsockname()[1])
        config = uvicorn.Config(
            build_app(ctx),
            ssl_certfile=str(pki.cert),
            ssl_keyfile=str(pki.key),
            ssl_ca_certs=str(pki.ca),
            ssl_cert_reqs=ssl.CERT_REQUIRED,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
            server_header=False,
            http=HeaderDeadlineProtocol,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=asyncio.run, args=(self._serve(self._server, self._sock),), name="ainas-sandbox", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ConfigError(
                    _("the sandbox server did not start on {host}:{port}").format(
                        host=self.options.host, port=self._port
                    )
                )
            time.sleep(0.01)
        return self

    async def _serve(self, server: uvicorn.Server, sock: _ListeningSocket) -> None:
        self._loop = asyncio.get_running_loop()
        # The server's own thread and tasks read the texts with the sandbox's overrides, the bot with its own.
        with texts.serving(self.options.portal_text):
            await server.serve(sockets=[sock])
        # What uvicorn did not know of: shut down, each transport sees the end of its stream and closes.
        for conn in sock.open_connections():
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        deadline = self._loop.time() + _STOP_TIMEOUT
        while sock.open_connections() and self._loop.time() < deadline:
            await asyncio.sleep(0.01)

    def open_connections(self) -> int:
        """Connections accepted and not yet closed, whatever their state (tests watch a stop end them)."""
        return len(self._sock.open_connections()) if self._sock is not None else 0

    def _abort_connections(self) -> None:
        """Drop every open connection: a browser keeps TLS connections open, and their orderly close
        (close_notify both ways) never finishes while it idles, leaving transports open at loop end."""
        if self._server is not None:
            for connection in list(self._server.server_state.connections):
                transport = getattr(connection, "transport", None)
                if isinstance(transport, asyncio.Transport):
                    transport.abort()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            if self._loop is not None and self._thread is not None and self._thread.is_alive():
                self._loop.call_soon_threadsafe(self._abort_connections)
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._sock is not None:
            self._sock.close()
        if self._db is not None:
            self._db.close()
        self._server = self._thread = self._sock = self._db = self._loop = None

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C stops it from the CLI)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
