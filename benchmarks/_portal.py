"""The sandbox in a process of its own, so that a benchmark charges the bot only for the bot's work.

Run inside the benchmark's process, the sandbox's work (parsing every uploaded .p12, templates, TLS)
competes with the bot for the same interpreter and the same two cores, and its CPU is the bot's in
every figure. Here it is a child started with `spawn` (a clean interpreter, no threads inherited),
asked over a pipe for what the benchmark needs: its URL, its CA, its notices, its request count.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ainas_bot.sandbox import Notice, Sandbox, SandboxOptions

__all__ = ["SandboxProcess"]


def _serve(options: SandboxOptions, conn: Connection) -> None:
    try:
        sandbox = Sandbox(options).start()
    except Exception as exc:  # the parent reports it: a child's traceback would be lost
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    try:
        conn.send(("ready", sandbox.base_url, sandbox.ca_pem, sandbox.notices))
        while True:
            try:
                ask = conn.recv()
            except EOFError:
                return
            if ask == "served":
                conn.send(sandbox.requests_served)
            elif ask == "requests":
                conn.send(sandbox.requests_log)
            else:
                return
    finally:
        sandbox.stop()


class SandboxProcess:
    """`with SandboxProcess(options) as portal:` — `portal.base_url`, `.ca_pem`, `.notices`, `.pid`,
    `.requests_served()` while it runs."""

    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self.base_url = ""
        self.ca_pem = Path()
        self.notices: list[Notice] = []
        self._conn: Connection | None = None
        self._proc: Any = None

    @property
    def pid(self) -> int:
        return int(self._proc.pid)

    def requests_served(self) -> int:
        assert self._conn is not None
        self._conn.send("served")
        return int(self._conn.recv())

    def requests_log(self) -> list[tuple[str, str]]:
        assert self._conn is not None
        self._conn.send("requests")
        return list(self._conn.recv())

    def __enter__(self) -> SandboxProcess:
        spawn = multiprocessing.get_context("spawn")
        self._conn, theirs = spawn.Pipe()
        self._proc = spawn.Process(target=_serve, args=(self.options, theirs), daemon=True)
        self._proc.start()
        theirs.close()
        try:
            answer = self._conn.recv()
        except EOFError:
            answer = ("error", f"its process ended (exit code {self._proc.exitcode})")
        if answer[0] != "ready":
            self._proc.join()
            raise SystemExit(f"the sandbox did not start: {answer[1]}")
        _, self.base_url, self.ca_pem, self.notices = answer
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._conn is not None
        with contextlib.suppress(OSError):
            self._conn.send("stop")
        self._proc.join(30)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join()
        self._conn.close()
